"""What makes rebuilds cheap: the read cache, report briefs, the report store, memo units, children, 'nothing changed'."""
