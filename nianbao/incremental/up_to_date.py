"""Nothing changed: the answer of a build whose inputs and outputs are as the last build left them.

The inputs are fingerprinted by what ``stat`` says (like make and git's index): every content and
template file's path, size and modification time, the code version and the command's options.
The outputs are checked against what ``publish`` recorded of the live trees: the tops of the
trees, or every file with ``--check-output``. When
both match the last successful build, the build is not run: its report (diagnostics and closing
figures) is shown again. Any difference, or no record, and the build runs as usual (and is itself
incremental). Kept in the cache folder; ``--no-cache`` never uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from nianbao.disk.manifest import walk
from nianbao.incremental.read_cache import code_version
from nianbao.publishing.records import intact

RECORD = "last-build.json"


def _stat_lines(root: Path, suffix: str = "") -> list[str]:
    if not root.is_dir():
        return ["missing"]
    return sorted(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}" for rel, st in walk(root)
                  if rel.endswith(suffix))


def fingerprint(content: Path, templates: Path, options: dict) -> str:
    h = hashlib.sha256(code_version().encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    for root, suffix in ((content, ".md"), (templates, "")):
        h.update(f"\1{root.resolve()}\1".encode())
        for line in _stat_lines(root, suffix):
            h.update(line.encode() + b"\n")
    return h.hexdigest()


def recall(cache_dir: Path, fp: str, outputs: list[Path], check: bool = False) -> dict | None:
    """The last build's report if its fingerprint is ``fp`` and its outputs are intact (their
    tops, or with ``check`` every file: see nianbao.publishing.publish)."""
    try:
        record = json.loads((cache_dir / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("fingerprint") != fp or not all(intact(t, check) for t in outputs):
        return None
    return record


def remember(cache_dir: Path, fp: str, report: dict) -> None:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / (RECORD + ".tmp")
        tmp.write_text(json.dumps({**report, "fingerprint": fp}, ensure_ascii=False, sort_keys=True),
                       "utf-8")
        os.replace(tmp, cache_dir / RECORD)
    except OSError:
        pass


def forget(cache_dir: Path) -> None:
    try:
        (cache_dir / RECORD).unlink()
    except OSError:
        pass
