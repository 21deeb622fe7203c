"""Stage 5: the static site's pages as bytes: contexts, table layouts, charts, compare/agency/year pages, Jinja."""
