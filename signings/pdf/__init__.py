"""PDF production: safe rendering (WeasyPrint), the pact and recap documents, the PAdES seal."""
