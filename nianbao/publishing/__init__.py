"""Stage 6, the only writer of site/ and datapackages/: trees replaced at once, records, the build lock, search."""
