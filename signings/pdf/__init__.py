"""PDF production: safe rendering (WeasyPrint), the pact and recap documents, the PAdES seal."""

import logging

# WeasyPrint narrates every rendering step at INFO, even while importing; only its warnings
# (such as a refused URL) matter in our logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
