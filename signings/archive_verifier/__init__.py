"""The offline archive verifier. verify_arsip.py is shipped inside every archive and imports
nothing from Django or Pakta; `manage.py verify_archive` runs the same code."""
