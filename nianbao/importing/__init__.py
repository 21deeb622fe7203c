"""`build.py import`: a published document (text, HTML, PDF) into one canonical content file."""
