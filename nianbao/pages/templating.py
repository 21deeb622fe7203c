"""The two engines pages are made with: Jinja for the templates, markdown-it for the reports'
prose. Both are loaded on first use: an edit's changed pages are made in a child process, and
the build's own process then never loads markdown-it (20 ms of its start)."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def markdown():
    """CommonMark, raw HTML off (shown as text), and emphasis that closes next to full-width
    punctuation (`**二是…。**各地`), which plain CommonMark leaves as literal asterisks."""
    from markdown_it import MarkdownIt
    from mdit_py_cjk_friendly import cjk_friendly

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}
                      ).use(cjk_friendly)


def environment(templates: Path, compiled: Path | None = None):
    """The templates' environment; ``compiled``: a folder that keeps their compiled code between
    builds (Jinja checks each against its template's source; compiling them all costs a quarter
    of a second, a whole edit's tenth)."""
    from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined,
                        select_autoescape)

    cache = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            cache = FileSystemBytecodeCache(str(compiled))
        except OSError:  # a cache that cannot be written only costs time
            pass
    return Environment(loader=FileSystemLoader(str(templates)), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html", "xml"], default=True),
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       bytecode_cache=cache)
