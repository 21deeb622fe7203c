"""What publish knows of an output tree: each file's sha256, size and modification time, kept
column by column so that the record of a 100,000-file tree loads and saves in milliseconds.

A ``Manifest`` is a read-only mapping path → ``Entry`` (sha256 hex, size, mtime_ns). On disk
(``state.pickle`` beside the standby, see nianbao.publishing.publish) it is four objects — the sorted paths,
the digests as one bytes object, sizes and times as arrays — instead of a dict of tuples, which
took 0.2 s to load and as long to save at 100,000 files, several times a build. The lookup index
is made on first use.

``top(folder)`` is what the top of a tree looks like to ``stat``: the folder's own time and the
name, kind, size and time of each entry in it. A build compares it with what it recorded after
publishing, a cheap sign that the tree was changed by hand (files added or removed at the top,
a top-level file edited, a whole sub-folder deleted or replaced); ``--check-output`` compares
every file.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from pathlib import Path

BISECT_AT_MOST = 256  # lookups before the lookup index is made
Entry = tuple[str, int, int]  # sha256 (hex), size, mtime_ns
Top = tuple[int, tuple[tuple[str, bool, int, int], ...]]


class Manifest(Mapping):
    """Path → Entry of every file of a tree, in path order."""

    __slots__ = ("_paths", "_sha", "_size", "_mtime", "_index", "_hex", "_asked", "_id", "stored")

    def __init__(self, entries: Mapping[str, Entry] | None = None) -> None:
        paths = sorted(entries or ())
        self._set(paths, b"".join(bytes.fromhex(entries[p][0]) for p in paths),
                  array("q", (entries[p][1] for p in paths)), array("q", (entries[p][2] for p in paths)))

    def _set(self, paths: list[str], sha: bytes, size: array, mtime: array) -> None:
        self._paths, self._sha, self._size, self._mtime = paths, sha, size, mtime
        self._index: dict[str, int] | None = None
        self._asked = 0  # lookups by bisection so far (an edit asks for a few paths only)
        self._id: str | None = None
        self._hex: str | None = None  # every digest in hex, made in one call on first ``sha``
        self.stored: Path | None = None  # the file holding it (``nianbao.publishing.records``), if any

    @classmethod
    def of_columns(cls, paths: list[str], sha: bytes, size: array, mtime: array) -> Manifest:
        """From its columns: the sorted paths, their raw digests (32 bytes each) joined, and
        their sizes and times."""
        self = cls.__new__(cls)
        self._set(paths, sha, size, mtime)
        return self

    @classmethod
    def _load(cls, paths: str, sha: bytes, size: bytes, mtime: bytes) -> Manifest:
        return cls.of_columns(_split(paths), sha, array("q", size), array("q", mtime))

    def __reduce__(self):
        # the paths as one string: pickled and unpickled in a few milliseconds where a list of
        # 160,000 took a tenth of a second, and each tree's record is written twice a build
        return Manifest._load, (_joined(self._paths), self._sha, self._size.tobytes(),
                                self._mtime.tobytes())

    def _at(self, rel: str) -> int | None:
        # the index costs a tenth of a second at 160,000 paths: made for many lookups only
        if self._index is None:
            self._asked += 1
            if self._asked <= BISECT_AT_MOST:
                i = bisect_left(self._paths, rel)
                return i if i < len(self._paths) and self._paths[i] == rel else None
            self._index = dict(zip(self._paths, range(len(self._paths))))
        return self._index.get(rel)

    def __getitem__(self, rel: str) -> Entry:
        found = self.raw(rel)
        if found is None:
            raise KeyError(rel)
        return found[0].hex(), found[1], found[2]

    def __contains__(self, rel: object) -> bool:
        return isinstance(rel, str) and self._at(rel) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def raw(self, rel: str) -> tuple[bytes, int, int] | None:
        """(raw digest, size, mtime_ns) of a path, without the hex."""
        i = self._at(rel)
        return None if i is None else (self._sha[32 * i:32 * i + 32], self._size[i], self._mtime[i])

    def sha(self, rel: str) -> str | None:
        # asked for every file of every unit a rebuild keeps (158,000 at 10,000 reports)
        i = self._at(rel)
        if i is None:
            return None
        if self._hex is None:
            self._hex = self._sha.hex()
        return self._hex[64 * i:64 * i + 64]

    def shas(self) -> Shas:
        """Path → sha256 hex, a view."""
        return Shas(self)

    def paths(self) -> list[str]:
        """Every path, sorted (the manifest's own list: not to be changed)."""
        return self._paths

    def under(self, prefix: str) -> list[str]:
        """The paths starting with ``prefix`` (a folder's files, found by bisection)."""
        paths = self._paths
        i = j = bisect_left(paths, prefix)
        while j < len(paths) and paths[j].startswith(prefix):
            j += 1
        return paths[i:j]

    def find(self, rel: str) -> int | None:
        """The position of a path in ``paths()``, None if it is not there."""
        return self._at(rel)

    def index(self, rel: str) -> int:
        """The position of a path in ``paths()`` (KeyError if it is not there)."""
        i = self._at(rel)
        if i is None:
            raise KeyError(rel)
        return i

    def digests(self) -> bytes:
        """The raw digests (32 bytes each) in path order, joined."""
        return self._sha

    def times(self) -> tuple[array, array]:
        """Copies of the sizes and modification times, in path order."""
        return array("q", self._size), array("q", self._mtime)

    def identity(self) -> bytes:
        """The paths and digests in one string (equal manifests hold the same bytes)."""
        return _joined(self._paths).encode() + b"\1" + self._sha

    def id(self) -> str:
        """sha256 of ``identity()``, worked out once."""
        if self._id is None:
            self._id = hashlib.sha256(self.identity()).hexdigest()
        return self._id


# The live and the standby manifest of a tree mostly hold one list of paths (a build's new manifest
# is made with the live one's): joined once and split once, then shared. Each is kept in a file
# of its own (``nianbao.publishing.records``), so paths split from equal text are shared too. The last few
# trees' (a build publishes two) are remembered.
_JOINED: list[tuple[list[str], str]] = []  # (paths list, its paths joined)
_SPLIT: list[tuple[str, list[str]]] = []  # (joined paths, the list made of them)
REMEMBERED = 4


def _joined(paths: list[str]) -> str:
    for known, joined in _JOINED:
        if known is paths:
            return joined
    joined = "\0".join(paths)
    _JOINED[:] = [(paths, joined), *_JOINED[:REMEMBERED - 1]]
    return joined


def _split(joined: str) -> list[str]:
    for known, paths in _SPLIT:
        if known is joined or known == joined:
            return paths
    paths = joined.split("\0") if joined else []
    _SPLIT[:] = [(joined, paths), *_SPLIT[:REMEMBERED - 1]]
    return paths


class Shas(Mapping):
    """A manifest seen as path → sha256 hex, which also tells each path's recorded size and
    the paths under a folder."""

    __slots__ = ("_m",)

    def __init__(self, manifest: Manifest) -> None:
        self._m = manifest

    def __getitem__(self, rel: str) -> str:
        sha = self._m.sha(rel)
        if sha is None:
            raise KeyError(rel)
        return sha

    def get(self, rel, default=None):
        return self._m.sha(rel) or default

    def __contains__(self, rel: object) -> bool:
        return rel in self._m

    def under(self, prefix: str) -> list[str]:
        return self._m.under(prefix)

    def size(self, rel: str) -> int | None:
        found = self._m.raw(rel)
        return None if found is None else found[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._m)

    def __len__(self) -> int:
        return len(self._m)


def walk(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """(path relative to ``root``, stat) of every file below it (symbolic links not followed)."""
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for e in entries:
                rel = prefix + e.name
                if e.is_dir(follow_symlinks=False):
                    stack.append((Path(e.path), rel + "/"))
                else:
                    yield rel, e.stat(follow_symlinks=False)


def top(folder: Path) -> Top | None:
    """The folder's modification time and (name, is folder, size, mtime_ns) of each entry."""
    try:
        with os.scandir(folder) as entries:
            found = []
            for e in entries:
                st = e.stat(follow_symlinks=False)
                found.append((e.name, e.is_dir(follow_symlinks=False), st.st_size, st.st_mtime_ns))
        return folder.stat().st_mtime_ns, tuple(sorted(found))
    except OSError:
        return None


def differing(a: bytes, b: bytes) -> list[int]:
    """Indices of the 32-byte digests that differ between two equally long columns. Few differ
    after an edit: halves that are equal are skipped whole, compared by the C library."""
    ma, mb, out, todo = memoryview(a), memoryview(b), [], [(0, len(a) // 32)]
    while todo:
        lo, hi = todo.pop()
        if ma[32 * lo:32 * hi] == mb[32 * lo:32 * hi]:
            continue
        if hi - lo == 1:
            out.append(lo)
            continue
        mid = (lo + hi) // 2
        todo += [(mid, hi), (lo, mid)]
    return sorted(out)


NO_DIGEST = bytes(32)  # what a path the standby lacks is lined up with: no file's sha256


def lined_up(standby: Manifest, paths: list[str]) -> tuple[bytearray, array, array]:
    """A manifest's digests, sizes and times in the order of ``paths`` (zeros where it lacks
    one): a standby's record lined up with the paths of a new tree."""
    have, (have_sizes, have_mtimes) = standby.digests(), standby.times()
    sha, sizes, mtimes = bytearray(NO_DIGEST * len(paths)), array("q", [0]) * len(paths), \
        array("q", [0]) * len(paths)
    for i, rel in enumerate(paths):
        j = standby.find(rel)
        if j is not None:
            sha[32 * i:32 * i + 32] = have[32 * j:32 * j + 32]
            sizes[i], mtimes[i] = have_sizes[j], have_mtimes[j]
    return sha, sizes, mtimes
