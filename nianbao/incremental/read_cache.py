"""A content-hash cache of each content file's reading: front matter, parse and identity checks.

A file whose bytes (and path) are unchanged, read by the same code and templates of the national
forms, is not read again: its ``Report``, checks and diagnostics come back from the cache. The key
covers everything the result depends on, so a stale entry can only be unused, never wrong:

    sha256(code version ∥ path as shown ∥ content folder ∥ file bytes)

where the code version hashes every module of the package and ``forms.yaml``. Entries are
pickles written atomically (temporary file, then rename); an unreadable entry is a miss.

Since every key covers the code version, nothing an earlier version left can be used again: the
first successful build by a new version removes it (``forget_other_versions``; at 10,000 reports
each version leaves 2–3 GB).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # nianbao/


@functools.cache
def code_version() -> str:
    h = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")) + [PACKAGE / "domain" / "forms.yaml"]:
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def key(path: str, content_dir: str, data: bytes) -> str:
    h = hashlib.sha256()
    for part in (code_version(), path, content_dir):
        h.update(part.encode("utf-8") + b"\0")
    h.update(data)
    return h.hexdigest()


class ReadCache:
    """Pickled results by key under ``root`` (None: no cache)."""

    def __init__(self, root: Path | None):
        self.root = root

    def _file(self, k: str) -> Path:
        return self.root / k[:2] / f"{k}.pickle"

    def get(self, k: str):
        if self.root is None:
            return None
        try:
            return pickle.loads(self._file(k).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None

    def has(self, k: str) -> bool:
        return self.root is not None and self._file(k).exists()

    def put(self, k: str, value) -> None:
        if self.root is None:
            return
        target = self._file(k)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written only costs time


VERSION_FILE = "code-version"  # in the cache folder: the version whose entries it holds
MARGIN_NS = 2 * 10**9  # file times lag the clock by a tick: entries this build wrote are newer
# than its start less this


def claim_if_new(root: Path) -> None:
    """Record this version of the code as the one whose entries ``root`` holds when it holds
    none yet (missing or empty): a first build then has nothing of other versions to look for
    afterwards (``forget_other_versions`` walked the 90,000 entries a cold build of 10,000
    reports had just written)."""
    try:
        if any(root.iterdir()):
            return
    except FileNotFoundError:
        pass
    except OSError:  # not a folder, not readable: the cache is of no use, no matter whose
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # then the walk afterwards does it
    _record_version(root)


def _record_version(root: Path) -> None:
    """This version of the code as the one whose entries ``root`` holds (``VERSION_FILE``)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(code_version())
        os.replace(tmp, root / VERSION_FILE)
    except OSError:
        pass


def forget_other_versions(root: Path, since_ns: int) -> int:
    """After a successful build that started at ``since_ns`` (``time.time_ns()``): if the cache
    was last used by another version of the code (or its version is not recorded), remove every
    entry this build did not write or rewrite, and record this version. Returns how many files
    were removed (0 when the version is the one recorded: nothing is walked)."""
    marker = root / VERSION_FILE
    try:
        if marker.read_text("utf-8") == code_version():
            return 0
    except OSError:
        pass
    removed = 0
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = [d for d in dirs if d != "templates"]  # Jinja's own checks say what is current
        for name in files:
            path = here / name
            try:
                if path != marker and path.lstat().st_mtime_ns < since_ns - MARGIN_NS:
                    path.unlink()
                    removed += 1
            except OSError:
                pass
    _record_version(root)
    return removed
