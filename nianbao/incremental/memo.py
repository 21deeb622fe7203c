"""Work already done, by key: what makes a rebuild cost its change rather than the site's size.

An output unit (a report's page, its data package, a chart) is a pure function of what it is made
from. Its key hashes the code version and those inputs; the memo keeps, per key, the files the
unit produced and their digests. A build then asks, unit by unit: is this key known, and does the
live output tree still hold exactly those bytes (``publish.live_manifest``)? If so the files are
*kept*: neither computed nor even loaded. If the key is known but the tree differs, the bytes come
from the memo; otherwise the unit is computed and remembered.

The memo lives in the cache folder (``.cache/memo/``); without one (``--no-cache``) every unit is
computed: the memo is then a folder of the build's own, removed afterwards, through which units
still go to worker processes and out of memory. A stale or broken entry can only be unused, never
wrong: the key covers the inputs.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from nianbao.disk.fileops import digest
from nianbao.disk.manifest import Shas
from nianbao.incremental.background import started
from nianbao.incremental.read_cache import ReadCache, code_version
from nianbao.publishing.publish import Output, StaleOutput

Files = dict[str, bytes]


_BASES: dict[str, "hashlib._Hash"] = {}  # code version → the hash of it, to be copied


def key_of(*parts: object) -> str:
    """A stable key for the given inputs (bytes and str as they are, anything else pickled)."""
    version = code_version()
    base = _BASES.get(version)
    if base is None:
        base = _BASES[version] = hashlib.sha256(version.encode())
    h = base.copy()  # (50,000 keys an edit at 10,000 reports)
    for part in parts:
        if isinstance(part, str):
            part = part.encode("utf-8")
        elif not isinstance(part, bytes):
            part = pickle.dumps(part, protocol=5)
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def digests(files: Files) -> dict[str, tuple[str, int]]:
    return {p: (digest(b), len(b)) for p, b in files.items()}


def stale(indexed, used) -> bool:
    """Whether an index of what the last build used is worth writing again (writing 40,000
    entries costs half a second): when more than 1 % of what this build used is missing from it
    (those are found one file each meanwhile), or it holds much that is no longer used."""
    missing = sum(1 for k in used if k not in indexed)
    return missing > len(used) // 100 or len(indexed) > 2 * len(used) + 100


INDEX = "unit-digests"
INDEX_FROM = 256  # lookups of unit digests from which the index pays for its loading


class Memo:
    """Pickled results by key under ``root`` (None: remembers nothing)."""

    def __init__(self, root: Path | None, jobs: int | None = None, lasting: bool = True):
        self.store = ReadCache(root)
        self.jobs = jobs  # processes ``prepare`` may use (None: one per core)
        # False: the folder is this build's alone (``--no-cache``), used to hand units between
        # processes and to keep them out of memory; nothing is kept in it for a next build
        self.lasting = lasting and root is not None
        # the digests of every unit a build used, in one file: asking 40,000 units one file each
        # took seconds. Loaded for many lookups only: an edit keeps nearly every unit by the
        # record of the tree (``Emitter.ledger``) and asks for a few, one file each
        self._index: dict[str, dict[str, tuple[str, int]]] | None = None
        self._asked = 0
        self._used: dict[str, dict[str, tuple[str, int]]] = {}
        self._carried: set[str] = set()  # units kept by a tree's record, their digests not asked
        self._beside: list[Callable[[], dict[str, dict[str, tuple[str, int]]]]] = []

    def __enter__(self) -> "Memo":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None and self.lasting and self._index is not None:  # (else left as it is:
            # a cache of the per-unit files, never wrong, and loaded only for many lookups)
            index = self._index
            used = {**{k: index[k] for k in self._carried if k in index}, **self._used}
            if stale(index.keys(), used.keys()):
                self.store.put(INDEX, used)

    def value(self, key: str, compute: Callable[[], object]) -> object:
        found = self.store.get("v" + key)
        if found is None:
            found = compute()
            self.store.put("v" + key, found)
        return found

    def digests(self, key: str) -> dict[str, tuple[str, int]] | None:
        """Path → (sha256, size) of a unit's files, if it was made before."""
        found = self._used.get(key)
        if found is None:
            self._asked += 1
            if self._index is None and self._asked > INDEX_FROM:
                self._index = self.store.get(INDEX) or {}
            found = (self._index or {}).get(key) or self.store.get("d" + key)
        if found is not None:
            self._used[key] = found
        return found

    def carry(self, key: str) -> None:
        """A unit kept as published without its digests being asked (``Emitter.unit``)."""
        self._carried.add(key)

    def has_value(self, key: str) -> bool:
        return self.store.has("v" + key)

    def files(self, key: str) -> Files | None:
        return self.store.get("f" + key)

    def remember(self, key: str, files: Files) -> dict[str, tuple[str, int]]:
        found = digests(files)
        self.store.put("f" + key, files)
        self.store.put("d" + key, found)
        self._used[key] = found
        return found

    def prepare(self, work: list[tuple[str, Callable[[], object]]], files: bool = True,
                beside: bool = False, each: Callable[[str, Files], None] | None = None
                ) -> frozenset[str]:
        """Make, across processes, the units (``files``: their files, else values) of ``work``
        — (key, compute) each — that the memo does not hold yet, and remember them; the build
        then finds them here as if made before. Only with a memo folder, on a system that forks
        (workers inherit the build's memory, so ``compute`` may be any closure), and for enough
        work to pay for the workers; otherwise nothing is done and units are made when asked.

        With ``beside`` (units' files), fewer units than pay for workers (an edit's handful) are
        made in one child beside the build (``nianbao.incremental.background``) while it goes on: their
        keys are returned, and ``settle()`` must be called before any of them is asked for.

        ``each``: given each unit's files made across the cores as they come back, in order, so
        that the build takes them while the workers go on, instead of loading them from the
        memo afterwards."""
        jobs = self.jobs or os.cpu_count() or 1
        if (self.store.root is None or jobs < 2 or "fork" not in mp.get_all_start_methods()
                or threading.active_count() > 1):
            return frozenset()
        todo = [(k, c) for k, c in work
                if (self.digests(k) is None if files else not self.has_value(k))]
        if len(todo) < PARALLEL_FROM:
            if not (beside and files and todo):
                return frozenset()
            self._beside.append(started(lambda: {k: self.remember(k, c()) for k, c in todo}))
            return frozenset(k for k, _ in todo)
        _TASKS[:] = [c for _, c in todo]
        try:
            with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
                chunk = max(1, min(32, len(todo) // (jobs * 8)))
                for (k, _), made in zip(todo, pool.map(_run_task, range(len(todo)),
                                                       chunksize=chunk)):
                    if files:
                        self.remember(k, made)
                        if each is not None:
                            each(k, made)
                    else:
                        self.store.put("v" + k, made)
        finally:
            _TASKS.clear()
        return frozenset()

    def settle(self) -> None:
        """Wait for the units ``prepare`` made beside the build, and take their digests."""
        while self._beside:
            self._used.update(self._beside.pop(0)())


PARALLEL_FROM = 16  # units to make before it pays to start worker processes
# A process that has started threads (the preview server) must not fork: the child would wait
# forever on threads it does not have.


_TASKS: list[Callable[[], object]] = []  # what forked workers run, by index


def _run_task(i: int) -> object:
    return _TASKS[i]()


HOLD = 64 * 2**20  # bytes of output an emitter holds in memory before it spills to files


@dataclass
class Emitter:
    """Collects one output tree: files computed or loaded, and files kept as they are. Beyond
    ``HOLD`` bytes, new files go to the ``spill`` folder (if given) and are held by path, so a
    cold build of a big site does not hold the whole site in memory.

    With the record of the units the last build put in the live tree (``ledger``, see
    ``records.read_units``), a unit found in it is kept without looking at its files at all:
    the new tree is then the live one, less what is ``gone`` (the files of the units this build
    does not have, and those the last build added on their own), plus what this build made."""

    memo: Memo
    live: Shas | None  # path → sha256 of the live tree (``Manifest.shas``), or None
    files: dict[str, bytes | Path] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)  # live files kept, found one by one
    spill: Path | None = None
    held: int = 0
    spilled: int = 0  # files put in ``spill``, named by their number there (one flat folder,
    # whose files publishing moves into the standby: nothing of it is left to delete)
    # the units the live tree holds and what it holds on its own (files added, folders kept
    # whole: those ending in "/"), as the build that published it recorded them; None: unknown
    ledger: frozenset[str] | None = None
    before: frozenset[str] = frozenset()
    units: set[str] = field(default_factory=set)  # this build's units, for the next one's ledger
    loose: set[str] = field(default_factory=set)  # and what it holds on its own
    _gone: tuple[int, frozenset[str]] | None = None

    def _put(self, path: str, data: bytes | Path) -> None:
        if isinstance(data, bytes) and self.spill is not None:
            if self.held + len(data) > HOLD:
                if not self.spilled:
                    self.spill.mkdir(parents=True, exist_ok=True)
                self.spilled += 1
                target = self.spill / str(self.spilled)
                target.write_bytes(data)
                data = target
            else:
                self.held += len(data)
        self.files[path] = data

    def carries(self, key: str, prefix: str = "", select: Callable[[str], bool] | None = None) -> bool:
        """Whether the unit is kept as the live tree holds it (``unit`` then makes nothing)."""
        return self.ledger is not None and _token(key, prefix, select) in self.ledger

    def unit(self, key: str, compute: Callable[[], Files], prefix: str = "",
             select: Callable[[str], bool] | None = None, made: Files | None = None
             ) -> dict[str, tuple[str, int]] | None:
        """Add the files of one unit (paths relative to ``prefix``; only those ``select``
        accepts, all without it); ``made``: its files as just made and remembered
        (``Memo.prepare``'s ``each``). Returns path → (sha256, size) of all the unit's files,
        or None for a unit kept by the ledger (its files are not looked at)."""
        unit = _token(key, prefix, select)
        self.units.add(unit)
        if self.ledger is not None and unit in self.ledger:
            self.memo.carry(key)
            return None
        known = self.memo.digests(key)
        if known is not None and self.live is not None:
            live, paths = self.live.get, []
            for p, (sha, _) in known.items():
                if select is None or select(p):
                    if live(prefix + p) != sha:
                        break
                    paths.append(prefix + p)
            else:
                self.kept.update(paths)
                return known
        if made is None and known is not None:
            made = self.memo.files(key)
        if made is None:
            made = compute()
            known = self.memo.remember(key, made)
        for p, data in made.items():
            if select is None or select(p):
                self._put(prefix + p, data)
        return known

    def add(self, files: dict[str, bytes | Path], prefix: str = "") -> None:
        for p, data in files.items():
            self._put(prefix + p, data)
            self.loose.add(prefix + p)

    def keep_under(self, folder: str) -> None:
        """Keep the live tree's files under ``folder`` (ending in "/") as they are."""
        self.loose.add(folder)
        if self.ledger is None and self.live is not None:
            self.kept.update(self.live.under(folder))

    def gone(self) -> frozenset[str] | None:
        """With a ledger: the live tree's files that the new one holds only if this build made
        them (``files``). None without a ledger: the new tree is then ``files`` and ``kept``.
        Raises ``StaleOutput`` when a unit's files cannot be known (its memo entry is gone)."""
        if self.ledger is None or self.live is None:
            return None
        if self._gone is None or self._gone[0] != len(self.units):
            found: list[str] = []
            live = self.live
            for token in self.ledger - self.units:
                prefix, key = token.split("\0")[:2]
                known = self.memo.digests(key)
                if known is None:
                    raise StaleOutput(f"the files of a unit of the live tree are unknown ({key})")
                found += [p for p in (prefix + q for q in known) if p in live]
            self._gone = len(self.units), frozenset(found)
        loose = [p for p in self.before if not p.endswith("/") and p in self.live]
        for folder in self.before:
            if folder.endswith("/") and folder not in self.loose:
                loose += self.live.under(folder)
        return self._gone[1].union(loose)

    def paths(self, suffix: str = "") -> set[str]:
        """Every path of the new tree (only those ending with ``suffix``)."""
        found = {p for p in chain(self.files, self.kept) if p.endswith(suffix)}
        gone = self.gone()
        if gone is not None:
            found.update(p for p in self.live if p.endswith(suffix) and p not in gone)
        return found

    def recorded_size(self, path: str) -> int | None:
        """The size of a file of the live tree as its record has it (None: not known)."""
        return None if self.live is None else self.live.size(path)

    def output(self) -> Output:
        """What publish is to make of the tree."""
        return Output(self.files, frozenset(self.kept), frozenset(self.units),
                      frozenset(self.loose), self.gone(), self.spill)


def _token(key: str, prefix: str, select: Callable[[str], bool] | None) -> str:
    # one select per prefix (today's only caller): whether one was given is enough
    return f"{prefix}\0{key}" if select is None else f"{prefix}\0{key}\0selected"
