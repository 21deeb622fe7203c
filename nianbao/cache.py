"""A content-hash cache of each content file's reading: front matter, parse and identity checks.

A file whose bytes (and path) are unchanged, read by the same code and templates of the national
forms, is not read again: its ``Report``, checks and diagnostics come back from the cache. The key
covers everything the result depends on, so a stale entry can only be unused, never wrong:

    sha256(code version ∥ path as shown ∥ content folder ∥ file bytes)

where the code version hashes every module of the package and ``forms.yaml``. Entries are
pickles written atomically (temporary file, then rename); an unreadable entry is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_version() -> str:
    h = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")) + [PACKAGE / "forms.yaml"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
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
