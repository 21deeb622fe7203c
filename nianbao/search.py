"""The search index: Pagefind's extended build (Chinese word segmentation), made from the rendered
pages in memory, written with the site as ``pagefind/``.

What is indexed: pages whose ``<main>`` carries ``data-pagefind-body`` (reports, agencies, years,
about). A report page gives its title, agency, headings, prose and the tables' row and column
labels (Chinese; the English second lines and charts are left out, so that results read as
Chinese); navigation, downloads and check lists are marked ``data-pagefind-ignore``.
"""

from __future__ import annotations

import asyncio
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BUNDLE = "pagefind/"
# The default UI needs these; the other bundled UIs (modular, component, highlight) are not shipped.
UNUSED = ("pagefind-highlight.js", "pagefind-modular-ui.", "pagefind-component-ui.")


class SearchIndexError(Exception):
    """Pagefind could not be started or failed while indexing."""


async def _index(pages: dict[str, bytes]) -> dict[str, bytes]:
    from pagefind.index import IndexConfig, PagefindIndex

    out: dict[str, bytes] = {}
    config = IndexConfig(keep_index_url=True, force_language="zh-cn",
                         exclude_selectors=[".en", "figure.chart"])
    with tempfile.TemporaryDirectory(prefix="nianbao-search-") as tmp:
        # written to disk, not read back through the service's pipe (which stalls on large indexes)
        async with PagefindIndex(config) as index:
            for path in sorted(pages):
                html = pages[path].decode("utf-8")
                if "data-pagefind-body" in html:
                    await index.add_html_file(content=html, url="/" + path)
            await index.write_files(output_path=tmp)
            await index.delete_index()
        root = Path(tmp)
        for f in sorted(root.rglob("*")):
            rel = f.relative_to(root).as_posix()
            if f.is_file() and not rel.startswith(UNUSED):
                out[BUNDLE + rel] = f.read_bytes()
    return out


def search_index(pages: dict[str, bytes]) -> dict[str, bytes]:
    """Site path → bytes of the search bundle, for the given rendered pages."""
    try:  # in a thread of its own: the caller may already run an event loop (a test browser, a server)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: asyncio.run(_index(pages))).result()
    except (OSError, FileNotFoundError, AssertionError) as exc:  # the binary is missing or failed
        raise SearchIndexError(f"Pagefind failed: {exc}") from exc
