"""Files written at once: a new file under a temporary name that then replaces the old one, a
file linked rather than copied, two folders exchanged in one call, digests; and big files a build
replaces deleted beside it."""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

RENAME_EXCHANGE = 2
AT_FDCWD = -100
_libc = ctypes.CDLL(None, use_errno=True)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_facts(path: Path) -> tuple[str, int]:
    """(sha256, size) of a file's bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest(), os.fstat(f.fileno()).st_size


def _place(path: Path, put: Callable[[Path], object]) -> os.stat_result:
    """``put`` makes the file under a temporary name beside ``path`` (its folder made when
    missing), which then replaces ``path`` at once."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        put(tmp)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        put(tmp)
    os.replace(tmp, path)
    # a link to the file already at ``path`` (a combined table linked whole from the spools it
    # was published from) is not moved by rename(2), which leaves both names: the spare goes
    tmp.unlink(missing_ok=True)
    return path.stat()


def atomic_write(path: Path, data: bytes | Path) -> os.stat_result:
    """``data`` into ``path``; a file is linked, not copied (nothing is written in place: both
    names keep the same bytes), where the file system allows it."""
    if isinstance(data, bytes):
        return _place(path, lambda tmp: tmp.write_bytes(data))
    return _place(path, lambda tmp: link_or_copy(data, tmp))


def move_into(source: Path, path: Path) -> os.stat_result:
    """``source`` (a file of the build's own) renamed to ``path``, replacing any file there at
    once (its folder made when missing): nothing to copy, link or delete afterwards."""
    try:
        os.replace(source, path)
    except FileNotFoundError:
        if not source.exists():
            raise
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, path)
    return path.stat()


def exchange(a: Path, b: Path) -> None:
    """Folder ``b`` in place of ``a`` and ``a`` in place of ``b``, in one call on Linux (where
    ``a`` is missing, ``b`` becomes ``a`` and an empty ``b`` is left)."""
    if not a.exists():
        os.rename(b, a)
        b.mkdir()
        return
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:  # not Linux: three renames, a moment without `a` (not atomic)
        parked = b.with_name(b.name + ".parked")
        os.rename(a, parked)
        os.rename(b, a)
        os.rename(parked, b)
        return
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"could not exchange {a} and {b}: {os.strerror(err)}")


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` (replaced if there, e.g. left by a killed build) as a hard link to ``source``,
    or a copy where links are refused; FileNotFoundError when ``target``'s folder is missing."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # no hard links here (another file system, a restrictive one)
        shutil.copyfile(source, target)


class Discards:
    """Big files about to be replaced, moved aside into ``folder`` and deleted by a thread each
    while the build goes on (freeing a 40 MB file took an edit 20–30 ms); ``wait`` for them
    before the build ends. What a killed build left in ``folder`` goes with the next one."""

    BIG = 1 << 22  # bytes from which a file is deleted beside the build

    def __init__(self, folder: Path):
        self.folder = folder
        self.threads: list[threading.Thread] = []
        self.n = 0

    def __call__(self, path: Path) -> None:
        if not self.threads:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True, exist_ok=True)
        self.n += 1
        aside = self.folder / f"{self.n}-{path.name}"
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return
        thread = threading.Thread(target=aside.unlink, kwargs={"missing_ok": True},
                                  name="nianbao-discard", daemon=True)
        thread.start()
        self.threads.append(thread)

    def wait(self) -> None:
        for thread in self.threads:
            thread.join()
        self.threads.clear()
