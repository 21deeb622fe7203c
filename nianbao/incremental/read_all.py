"""Stages 1–3 for every content file — load, parse, validate — cached by content hash and run
across processes for the files the cache does not hold. Results come back in path order, so the
output does not depend on how the work was shared out."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from nianbao.checks.identities import validate
from nianbao.domain.diagnostics import Diagnostic, display_path
from nianbao.domain.forms import load_forms
from nianbao.domain.model import Check, Report
from nianbao.incremental.memo import stale
from nianbao.incremental.read_cache import ReadCache, code_version, key
from nianbao.incremental.report_briefs import Brief, brief
from nianbao.reading.load import content_files, load_document
from nianbao.reading.parse import parse_document

Result = tuple[Report | None, tuple[Check, ...], list[Diagnostic]]
Scanned = tuple[Brief | None, list[Diagnostic]]
POOL_FROM = 16  # fewer files than this are read in-process (starting workers costs more)


def read_one(path: Path, content_dir: Path) -> Result:
    forms = load_forms()
    doc, diags = load_document(path, content_dir)
    if doc is None:
        return None, (), diags
    report, more = parse_document(doc, forms)
    diags += more
    if report is None:
        return None, (), diags
    checks, more = validate(report, forms)
    return report, checks, diags + more


def _bytes(path: Path) -> bytes:
    """The file's bytes for its cache key; an unreadable file is reported by load_document."""
    try:
        return path.read_bytes()
    except OSError:
        return b"\0unreadable"


RACY_NS = 2_000_000_000  # a file changed this close to the index being written is read again


def _keys(files: list[Path], shown_dir: str, cache: ReadCache) -> list[str]:
    """Each file's cache key. Like git's index, a file whose size, modification time and inode
    are as the last build recorded keeps its key without being read; a file modified within
    ``RACY_NS`` of that record (it could have changed again in the same tick) is read."""
    head = (code_version(), shown_dir)
    index = cache.get("stat-index") if cache.root is not None else None
    known = index["files"] if index and index.get("head") == head else {}
    trusted_before = index["time"] - RACY_NS if known else 0
    keys, record = [], {}
    folders: dict[Path, str] = {}  # each folder as shown (resolving every file took a second)
    for path in files:
        try:
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):  # shown as where it leads
                shown, st = display_path(path), path.stat()
            else:
                folder = folders.get(path.parent)
                if folder is None:
                    folder = folders[path.parent] = display_path(path.parent)
                shown = path.name if folder == "." else os.path.join(folder, path.name)
            facts = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            shown, facts = display_path(path), None
        entry = known.get(shown)
        if facts and entry and entry[:3] == facts and facts[1] < trusted_before:
            k = entry[3]
        else:
            k = key(shown, shown_dir, _bytes(path))
        keys.append(k)
        if facts:
            record[shown] = (*facts, k)
    # written again when more than a few files changed (writing 10,000 entries cost more than
    # an edit's file or two read again next time) or when many went away
    differ = sum(1 for shown, facts in record.items() if known.get(shown) != facts)
    if cache.root is not None and (differ > len(record) // 100 or len(known) > len(record) + 100):
        cache.put("stat-index", {"head": head, "time": time.time_ns(), "files": record})
    return keys


def _read_brief(path: Path, content_dir: Path, root: Path, k: str) -> Scanned:
    """Read one file whole, keep the result in the cache under ``k`` and return its brief."""
    report, checks, diags = result = read_one(path, content_dir)
    ReadCache(root).put(k, result)
    return (None if report is None else brief(report, checks)), diags


def read_all(content_dir: Path, cache: ReadCache, jobs: int | None = None,
             progress: Callable[[int, int], None] | None = None, briefs: bool = False) -> list:
    """(key of the file as read, result) for every content file, in path order. With
    ``briefs``, the result is (``Brief`` or None, diagnostics): each file's whole result is only
    kept in the cache (which must have a folder), under its key, and its brief beside it."""
    files = content_files(content_dir)
    shown_dir = display_path(content_dir)
    keys = _keys(files, shown_dir, cache)
    kind = "b" if briefs else ""  # a brief's entry beside the whole result's
    # the briefs of the last build's files, in one file (opening 10,000 took a second)
    index = (cache.get("brief-index") or {}) if briefs else {}
    results: list = [index.get(k) or cache.get(kind + k) for k in keys]
    misses = [i for i, r in enumerate(results) if r is None]
    done = len(files) - len(misses)
    if progress:
        progress(done, len(files))
    jobs = jobs or os.cpu_count() or 1
    args = [[files[i] for i in misses], [content_dir] * len(misses)]
    if briefs:
        args += [[cache.root] * len(misses), [keys[i] for i in misses]]
    work = _read_brief if briefs else read_one
    with ExitStack() as stack:
        if len(misses) >= POOL_FROM and jobs > 1:
            pool = stack.enter_context(ProcessPoolExecutor(jobs))
            computed = pool.map(work, *args, chunksize=max(1, len(misses) // (jobs * 8)))
        else:
            computed = map(work, *args)
        for i, result in zip(misses, computed):
            results[i] = result
            cache.put(kind + keys[i], result)
            done += 1
            if progress:
                progress(done, len(files))
    if briefs and stale(index.keys(), keys):
        cache.put("brief-index", dict(zip(keys, results)))
    return list(zip(keys, results))
