"""The search index: Pagefind's extended build (Chinese word segmentation), made by one run of the
``pagefind_extended`` binary over the pages already written in the site folder, and shipped with the
site as ``pagefind/``.

What is indexed, and why. Readers look a report up by agency (and so region), year and title, and
by what it reports on. The index holds what tells one report from another and names its topics:

- pages whose ``<main>`` carries ``data-pagefind-body``: reports, agencies, years and about;
- a report's title, its agency, year, form and date line, the headline figures with their labels
  (新收申请, 行政复议 …), the section headings, the prose's own sub-headings (``<h3>``: 依申请公开 …)
  and the tables' captions (Chinese only: the English lines ``.en`` are left out);
- words the pages carry for the index alone (nianbao/searchtext.py: attributes named by
  ``data-pagefind-index-attrs``, neither shown nor read aloud): the agency's name in pinyin and its
  id on a report's and an agency's page, and table 四 in a line under the heading of section 四
  (行政复议 225 件、行政诉讼 199 件；复议结果：…), so that 行政复议 finds each report by its figures;
- an agency's or a year's heading, lead and totals, and the about page whole.

Left out: the prose paragraphs (about 3,000-8,000 characters a report: with them the index of
10,000 reports took several times longer and gigabytes of memory), the tables' rows and columns
(every report of a form has the same labels, so they find all reports alike; their numbers are
in the data downloads), the check lists, downloads, comparisons, charts, and the long lists of a
year's or an agency's reports (each report is found on its own page). The templates mark those
``data-pagefind-ignore``; the prose paragraphs are matched by ``PROSE``.

Pagefind parses every byte of the HTML it is given, and a report page is some 70 KB of which
about 1 KB is indexed. So index_site first writes a search copy of each indexed page to a temporary
folder: its ``<main>`` less what is marked ``data-pagefind-ignore``, the prose's paragraphs and the
English lines (the cuts Pagefind would make; it still makes them on the copies), and runs Pagefind
once over the copies. The results' URLs are the pages' own.

The index is a step of its own: ``index_site(site_dir)`` reads the pages already written, so a
build can publish an edited report first and index afterwards (the CLI does it after the pages,
in the background while serving, or on demand with ``build.py search``).

Same pages, same bundle, byte for byte: Pagefind numbers the pages in the order the file system
lists them, so the copies are written in the order of their paths to a memory-backed folder
(/dev/shm), which lists files by when they were made. Where there is none, the system's
temporary folder is used: the bundle is then the same from run to run on one machine, but another
file system may list the copies in another order and number the pages differently (the pages'
fragments are the same; equally ranked results may come in another order).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from nianbao.publishing.publish import Output, catch_up, publish
from nianbao.publishing.records import live_manifest

BUNDLE = "pagefind/"
# The default UI needs these; the other bundled UIs (modular, component, highlight) are not shipped.
UNUSED = ("pagefind-highlight.js", "pagefind-modular-ui.", "pagefind-component-ui.")
# Never indexed (besides data-pagefind-ignore): the English second lines.
EXCLUDE = (".en",)
# The prose (rendered Markdown): its paragraphs, lists and quotes; its headings are indexed.
PROSE = (".prose p", ".prose li", ".prose blockquote", ".prose pre", ".prose table")

_NAME = re.compile(rb"[a-zA-Z][a-zA-Z0-9-]*")
_VOID = {b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta",
         b"source", b"track", b"wbr"}
_HEADING = re.compile(rb"<h([1-6])\b[^>]*>.*?</h\1>", re.S)
_EN = re.compile(rb'<span class="en"[^>]*>[^<]*</span>')
_TAGS: dict[bytes, re.Pattern[bytes]] = {}
_SCRATCH_PREFIX = "nianbao-search-"
_IGNORE = b"data-pagefind-ignore"
_INDEXED = b"data-pagefind-body"
# A run may take at most DEADLINE[0] s + DEADLINE[1] s per page (about 2 ms a page here).
DEADLINE = (120.0, 0.05)
# Pagefind runs of this process (pid → (process, scratch folder)), ended by stop_indexing.
_RUNS: dict[int, tuple[subprocess.Popen, str]] = {}
_RUNS_LOCK = threading.Lock()


class SearchIndexError(Exception):
    """Pagefind could not be started or failed while indexing."""


def pagefind_binary() -> Path:
    """The extended Pagefind binary (Chinese segmentation): $PAGEFIND_BINARY_PATH, else the one
    the ``pagefind_bin_extended`` package ships."""
    if env := os.environ.get("PAGEFIND_BINARY_PATH"):
        path = Path(env)
    else:
        try:
            from pagefind_bin_extended import get_executable
        except ImportError as exc:
            raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[extended]' "
                                   "(the extended build segments Chinese)") from exc
        try:
            path = get_executable()
        except FileNotFoundError as exc:
            raise SearchIndexError(f"the Pagefind binary is missing: {exc}") from exc
    if not path.is_file() or not os.access(path, os.X_OK):
        raise SearchIndexError(f"the Pagefind binary {path} is missing or not executable")
    return path


def pagefind_command(site_dir: Path, output: Path, *, prose: bool = False) -> list[str]:
    """The command line that indexes the pages in site_dir into output."""
    cmd = [str(pagefind_binary()), "--site", str(site_dir), "--output-path", str(output),
           "--force-language", "zh-cn", "--keep-index-url", "--silent"]
    for selector in EXCLUDE + (() if prose else PROSE):
        cmd += ["--exclude-selectors", selector]
    return cmd


def _element_end(html: bytes, start: int, name: bytes) -> int:
    """The end of the element whose start tag begins at start (nested namesakes counted)."""
    if name in _VOID:
        return html.index(b">", start) + 1
    tags = _TAGS.get(name) or _TAGS.setdefault(name, re.compile(rb"<(/?)" + name + rb"[\s/>]", re.I))
    depth = 0
    for m in tags.finditer(html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return html.index(b">", m.end() - 1) + 1
    return len(html)


def _drop_ignored(html: bytes) -> bytes:
    """html less every element that carries data-pagefind-ignore."""
    out, pos = [], 0
    while (k := html.find(_IGNORE, pos)) >= 0:
        start = html.rfind(b"<", pos, k)
        name = _NAME.match(html, start + 1) if start >= 0 and b">" not in html[start:k] else None
        if name is None:  # the words in text, not an attribute
            out.append(html[pos:k + len(_IGNORE)])
            pos = k + len(_IGNORE)
            continue
        out.append(html[pos:start])
        out.append(b" ")
        pos = _element_end(html, start, name.group(0).lower())
    out.append(html[pos:])
    return b"".join(out)


def _prose_headings(html: bytes) -> bytes:
    """html with each prose block's content cut to its headings. Markdown rendered without raw
    HTML holds no <div>, so a prose block ends at the first </div>."""
    out, pos = [], 0
    while (start := html.find(b'<div class="prose', pos)) >= 0:
        inner = html.index(b">", start) + 1
        end = html.find(b"</div>", inner)
        if end < 0:
            break
        out += [html[pos:inner], b" ".join(m.group(0) for m in _HEADING.finditer(html, inner, end))]
        pos = end
    out.append(html[pos:])
    return b"".join(out)


def _main(html: bytes) -> bytes | None:
    """The <main> element that carries data-pagefind-body, if the page has one."""
    start = html.find(b"<main")
    while start >= 0:
        tag_end = html.find(b">", start)
        if _INDEXED in html[start:tag_end]:
            end = html.rfind(b"</main>")
            return html[start:end + len(b"</main>")] if end > start else html[start:]
        start = html.find(b"<main", tag_end)
    return None


def search_copy(html: bytes, *, prose: bool = False) -> bytes | None:
    """What Pagefind indexes of a page (UTF-8), as a small page of its own; None if the page is
    not indexed."""
    main = _main(html)
    if main is None:
        return None
    main = _drop_ignored(main)
    if not prose:
        main = _prose_headings(main)
    return (b'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"></head>\n<body>'
            + _EN.sub(b"", main) + b"</body></html>\n")


def _indexed_html(path: Path) -> bytes | None:
    """The page's bytes if its <main> carries data-pagefind-body; pages without it (compare pages,
    lists) are left after their first bytes."""
    with path.open("rb") as f:
        head = f.read(16384)
        if _INDEXED not in head and b"<main" in head:
            return None
        data = head + f.read()
    return data if _INDEXED in data else None


def _site_pages(site_dir: Path, between: Callable[[], None] | None = None
                ) -> Iterator[tuple[str, bytes]]:
    """(site path, bytes) of the indexed pages of site_dir, by path (``between`` called before
    each is read)."""
    paths = []
    for folder, dirs, files in os.walk(site_dir):
        if folder == str(site_dir) and BUNDLE.rstrip("/") in dirs:
            dirs.remove(BUNDLE.rstrip("/"))
        paths += [os.path.join(folder, f) for f in files if f.endswith(".html")]
    for path in sorted(Path(p).relative_to(site_dir).as_posix() for p in paths):
        if between is not None:
            between()
        if (data := _indexed_html(site_dir / path)) is not None:
            yield path, data


def _scratch() -> str | None:
    """A memory-backed folder for the temporary files where there is one: Pagefind writes one file
    per page, which an ordinary file system makes slower. Folders of earlier runs that were killed
    before they could remove theirs (an hour old) are removed: they would hold memory."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return None
    for stale in shm.glob(f"{_SCRATCH_PREFIX}*"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            pass
    return str(shm)


def index_site(site_dir: Path, *, prose: bool = False,
               between: Callable[[], None] | None = None) -> dict[str, bytes]:
    """Site path → bytes of the search bundle (``pagefind/…``) for the pages written in site_dir.

    site_dir is only read (a ``pagefind/`` already there is neither read nor changed): the search
    copies and the bundle are written to a temporary folder and the bundle returned. ``prose=True``
    indexes the prose paragraphs too (not used by the site: see the module docstring).
    ``between`` is called before each page is read (an exception it raises abandons the index:
    the preview's, when a build starts). Raises SearchIndexError if the binary is missing or
    fails."""
    site_dir = Path(site_dir).resolve()
    if not site_dir.is_dir():
        raise SearchIndexError(f"no site to index: {site_dir} is not a folder")
    return _index(_site_pages(site_dir, between), prose, str(site_dir))


def _index(pages: Iterable[tuple[str, bytes]], prose: bool, what: str) -> dict[str, bytes]:
    pagefind_binary()  # fails early, before any copy is written
    # Pagefind reads pagefind.yml/.json/.toml in its working folder and PAGEFIND_* variables:
    # neither may change the index, so it runs in an empty folder without them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    with tempfile.TemporaryDirectory(prefix=_SCRATCH_PREFIX, dir=_scratch(),
                                     ignore_cleanup_errors=True) as tmp:
        copies, work, output = Path(tmp) / "pages", Path(tmp) / "work", Path(tmp) / "bundle"
        work.mkdir()
        copies.mkdir()
        # Pagefind numbers the pages in the order the file system lists them; the copies are
        # written in the order of their paths (which a memory-backed folder keeps).
        count = 0
        for path, data in pages:
            if (copy := search_copy(data, prose=prose)) is not None:
                target = copies / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(copy)
                count += 1
        if not count:
            raise SearchIndexError(f"nothing to index in {what}: no page's <main> carries "
                                   "data-pagefind-body")
        cmd = pagefind_command(copies, output, prose=prose)
        code, said = _run(cmd, work, env, Path(tmp), DEADLINE[0] + DEADLINE[1] * count, what)
        if code != 0 or not (output / "pagefind-entry.json").is_file():
            raise SearchIndexError(f"Pagefind failed (exit status {code}) indexing {what}: "
                                   f"{said or 'no output'}")
        out: dict[str, bytes] = {}
        for f in sorted(output.rglob("*")):
            rel = f.relative_to(output).as_posix()
            if f.is_file() and not rel.startswith(UNUSED):
                out[BUNDLE + rel] = f.read_bytes()
    return out


def _run(cmd: list[str], work: Path, env: dict[str, str], tmp: Path, deadline: float,
         what: str) -> tuple[int, str]:
    """Run Pagefind; its exit status and the end of what it printed. Killed (SearchIndexError)
    past the deadline, on stop_indexing, or when the caller is interrupted.

    It prints to a file, not a pipe: a pipe whose reader has gone (a preview stopped mid-index)
    made it hang instead of exit. It runs in a session of its own, so a Ctrl-C at the terminal
    reaches this process only, which then ends the run; it is killed with SIGKILL because it may
    have inherited a signal mask that blocks SIGINT and SIGTERM (serve sets one for its threads)."""
    log = tmp / "pagefind.log"
    with open(log, "wb") as out:
        try:
            proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            raise SearchIndexError(f"Pagefind could not be started ({cmd[0]}): {exc}") from exc
    with _RUNS_LOCK:
        _RUNS[proc.pid] = (proc, str(tmp))
    try:
        code = proc.wait(deadline)
    except subprocess.TimeoutExpired:
        raise SearchIndexError(f"Pagefind did not finish indexing {what} in {deadline:.0f} s "
                               "and was stopped") from None
    finally:
        with _RUNS_LOCK:
            _RUNS.pop(proc.pid, None)
        _end(proc)
    if code < 0:
        raise SearchIndexError(f"Pagefind was stopped (signal {-code}) while indexing {what}")
    said = log.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
    return code, said


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def stop_indexing() -> None:
    """End every Pagefind run of this process and remove its scratch folder: a preview that
    stops (its indexing thread is not waited for) and the interpreter's exit call this."""
    with _RUNS_LOCK:
        runs = list(_RUNS.values())
        _RUNS.clear()
    for proc, tmp in runs:
        _end(proc)
        shutil.rmtree(tmp, ignore_errors=True)


atexit.register(stop_indexing)


def publish_bundle(site_dir: Path, bundle: dict[str, bytes]) -> int:
    """Publish a new search bundle with the rest of the site kept; returns the site's files."""
    live = live_manifest(site_dir)
    if live is None:  # never publish a bundle alone over a tree we do not know
        raise SearchIndexError(f"{site_dir} changed while it was indexed; run `python build.py`")
    old = frozenset(live.under(BUNDLE))  # the rest is kept
    files = publish({site_dir: Output(bundle, gone=old)}).trees[str(site_dir)]
    catch_up(site_dir)  # the bundle into the standby too, now rather than in the next edit
    return files
