"""The search index: Pagefind's extended build (Chinese word segmentation), made from the rendered
pages in memory, written with the site as ``pagefind/``.

What is indexed: pages whose ``<main>`` carries ``data-pagefind-body`` (reports, agencies, years,
about). A report page gives its title, agency, headings, prose and the tables' row and column
labels (Chinese; the English second lines and charts are left out, so that results read as
Chinese); navigation, downloads and check lists are marked ``data-pagefind-ignore``.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

BUNDLE = "pagefind/"
# The default UI needs these; the other bundled UIs (modular, component, highlight) are not shipped.
UNUSED = ("pagefind-highlight.js", "pagefind-modular-ui.", "pagefind-component-ui.")


class SearchIndexError(Exception):
    """Pagefind could not be started or failed while indexing."""


async def _index(pages: dict[str, bytes]) -> dict[str, bytes]:
    from pagefind.index import IndexConfig, PagefindIndex

    out: dict[str, bytes] = {}
    async with PagefindIndex(IndexConfig(keep_index_url=True, force_language="zh-cn",
                                           exclude_selectors=[".en", "figure.chart"])) as index:
        for path in sorted(pages):
            html = pages[path].decode("utf-8")
            if "data-pagefind-body" in html:
                await index.add_html_file(content=html, url="/" + path)
        for f in await index.get_files():
            if not f["path"].startswith(UNUSED):
                out[BUNDLE + f["path"]] = f["content"]
        await index.delete_index()
    return out


def search_index(pages: dict[str, bytes]) -> dict[str, bytes]:
    """Site path → bytes of the search bundle, for the given rendered pages."""
    try:  # in a thread of its own: the caller may already run an event loop (a test browser, a server)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(_index(pages))).result()
    except (OSError, FileNotFoundError, AssertionError) as exc:  # the binary is missing or failed
        raise SearchIndexError(f"Pagefind failed: {exc}") from exc
