"""The folder that holds the output trees: one build at a time in it (``lock``), and a build's
scratch folder beside the trees (``scratch_folder``: the same file system, so its files can be
linked into them)."""

from __future__ import annotations

import errno
import fcntl
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_folder(parent: Path, kind: str = "scratch") -> Iterator[Path]:
    """A folder for a build's big intermediate files beside the output trees (the same file
    system), removed afterwards; those of the same ``kind`` a killed build left are removed
    first (callers hold ``lock``)."""
    prefix = f".nianbao-{kind}-"
    for old in parent.glob(prefix + "*"):
        shutil.rmtree(old, ignore_errors=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def lock(folder: Path, wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One build at a time per output folder: a second build waits for the first."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".nianbao.lock", "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if wait:
                wait()
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
