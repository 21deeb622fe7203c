"""Stage 6, the only stage that writes: each output tree replaced at once, at the cost of its change.

Every target (``site/``, ``datapackages/``) has a standby beside it (``.site.publish/standby``), a
complete copy of the tree as it was one build earlier. A build brings the standby up to the new
output — writing only the files whose bytes differ, deleting only the files that went away — and
then exchanges the two directories in one ``renameat2(RENAME_EXCHANGE)`` call: readers see the
old tree or the new one, never a mix, and nothing is deleted and recreated. The old tree becomes
the standby for the next build.

What each tree holds is recorded beside the standby (``nianbao.publishing.records``): every file's digest,
size and time for the live tree and the standby, the directories' inodes and the tops of the
trees. The record is trusted, as make trusts its outputs: a build looks only at the files it
changes, so its cost follows the change. A changed top (files added,
removed or edited at the top of a tree, a sub-folder deleted or replaced), an unknown record (a
first build, a killed one) or ``check=True`` (``--check-output``) makes it check every file of
the standby by ``stat`` (nothing is read unless a size or time differs) and repair what differs. A
file changed by hand deeper in a tree is noticed only with ``check``.

Crash safety: a build killed while the standby is written leaves the live trees untouched. The
exchanges of several trees are journalled (``journal.json``) and completed by the next
publish (or ``recover()``), so a kill between two exchanges is rolled forward; a kill between an
exchange and the state update is recognised by the directories' inodes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.disk.fileops import Discards, atomic_write, digest, exchange, file_facts, move_into
from nianbao.disk.manifest import Entry, Manifest, differing, lined_up, top, walk
from nianbao.publishing.records import (home, inode, normalised, read_state, read_units, standby_of,
                                        unsure, write_state, write_units)


class PublishError(Exception):
    """The new output failed its verification, or the trees could not be exchanged; the live
    trees were not replaced."""


class StaleOutput(PublishError):
    """A file to be kept was changed in the live tree since it was published (by hand, by git):
    the build must render it again."""


@dataclass(frozen=True)
class Output:
    """A tree's new content: ``files`` to (re)write and ``kept``, paths whose bytes are unchanged
    since the last publish (not rendered again). Anything else in the live tree goes away."""

    files: dict[str, bytes | Path]  # a Path: a file in the build's scratch folder, linked
    # (moved when under ``own``)
    kept: frozenset[str] = frozenset()
    # the output units (``memo.Emitter``) the new tree holds and what it holds on its own; None:
    # those the live one holds (a publish that leaves every unit's files alone, such as a search
    # bundle's)
    units: frozenset[str] | None = None
    loose: frozenset[str] | None = None
    # not None: every file of the live tree is kept too, except these (unless in ``files``)
    gone: frozenset[str] | None = None
    # a folder of the build's whose files in ``files`` are this tree's alone (``memo.Emitter``'s
    # spill): moved into the standby, not linked and deleted with the folder afterwards
    own: Path | None = None

    def put(self, path: Path, rel: str) -> os.stat_result:
        """The file ``rel`` of ``files`` written at ``path`` in a standby."""
        data = self.files[rel]
        if (self.own is not None and isinstance(data, Path)
                and str(data).startswith(f"{self.own}{os.sep}")):
            return move_into(data, path)
        return atomic_write(path, data)


@dataclass
class Stats:
    changed: int = 0  # files new, changed or gone, against the live trees
    trees: dict[str, int] = field(default_factory=dict)  # target → files in the new tree


def _facts(data: bytes | Path, seen: dict[str, tuple[str, int]]) -> tuple[str, int]:
    """(sha256, size) of bytes or of a file's bytes (read once per publish)."""
    if isinstance(data, bytes):
        return digest(data), len(data)
    found = seen.get(str(data))
    if found is None:
        found = seen[str(data)] = file_facts(data)
    return found


def _kept(source: Path, dest: Path, entry: Entry, new: bool = False) -> os.stat_result:
    """A kept file of the live tree into the standby: a hard link (both trees then share the file;
    a build never writes a file in place, it replaces it), or a copy where links are refused.
    A live file whose size or time differs from its record is read: if its bytes changed,
    ``StaleOutput``. ``new``: the standby is not known to hold ``dest``, which is then linked
    under its own name at once (a first publish fills its standby trees so)."""
    try:
        st = source.stat()
    except FileNotFoundError:
        raise StaleOutput(f"{source} is gone since it was published") from None
    if (st.st_size, st.st_mtime_ns) != (entry[1], entry[2]):
        data = source.read_bytes()
        if digest(data) != entry[0]:
            raise StaleOutput(f"{source} changed since it was published")
        return atomic_write(dest, data)
    if new:
        try:
            os.link(source, dest)
            return st  # (one file: the stat of either name)
        except OSError:  # its folder missing, a file there after all, no links here
            pass
    return atomic_write(dest, source)


def _sync_standby(target: Path, standby_manifest: Manifest | None, live: Manifest | None,
               new: dict[str, Entry | None], output: Output, check: bool) -> Manifest:
    """Make the standby hold the new tree. ``new`` maps each path to its entry, or None for a kept
    file whose bytes are copied from the live tree; the others are ``output``'s files. The
    standby's record is trusted unless ``check`` (or there is none): then every file of the standby
    is looked at. Returns the standby's manifest."""
    standby = standby_of(target)
    standby.mkdir(parents=True, exist_ok=True)
    if standby_manifest is not None and not check:
        have = standby_manifest.raw  # (raw digest, size, mtime) of what the standby holds
        there = set(standby_manifest)
    else:
        known = standby_manifest or Manifest()
        found: dict[str, tuple[bytes, int, int] | None] = {}
        for rel, st in walk(standby):
            entry = known.raw(rel)
            trusted = entry is not None and entry[1] == st.st_size and entry[2] == st.st_mtime_ns
            found[rel] = entry if trusted else None  # None: there, bytes unknown
        have, there = found.get, set(found)
    paths, files = sorted(new), output.files
    raws: list[bytes] = []
    sizes, mtimes = array("q"), array("q")
    for rel in paths:
        want = new[rel]
        sha = bytes.fromhex(want[0]) if want else live.raw(rel)[0]
        got = have(rel)
        if got is None and rel in there and rel not in files:  # unknown standby file: read it
            data = (standby / rel).read_bytes()
            if hashlib.sha256(data).digest() == sha:
                st = (standby / rel).stat()
                got = (sha, st.st_size, st.st_mtime_ns)
        if got is None or got[0] != sha:
            if rel in files:
                st = output.put(standby / rel, rel)
            else:  # kept: the live file, linked (not copied) once its record says it is unchanged
                st = _kept(target / rel, standby / rel, live[rel], rel not in there)
            got = (sha, st.st_size, st.st_mtime_ns)
        raws.append(got[0])
        sizes.append(got[1])
        mtimes.append(got[2])
    for rel in sorted(there - set(new), reverse=True):
        _remove(standby, rel)
    return Manifest.of_columns(paths, b"".join(raws), sizes, mtimes)


def _same_paths(live: Manifest, output: Output) -> bool:
    """Whether the new tree holds exactly the paths of the live one (a rebuild that adds or
    removes no file: the common case, published at the cost of the files that changed)."""
    if not all(rel in live for rel in output.files):
        return False
    if output.gone is not None:  # (``gone`` is of the live tree's paths)
        files, kept = output.files, output.kept
        return all(rel in live for rel in kept) and all(rel in files or rel in kept
                                                        for rel in output.gone)
    paths = live.paths()
    return len(output.kept | output.files.keys()) == len(paths) and output.kept.issubset(paths)


def _patch_standby(target: Path, standby: Manifest, live: Manifest, facts: dict[str, tuple[str, int]],
                output: Output, discard: Callable[[Path], None] | None = None) -> Manifest:
    """``_sync_standby`` when the standby's record is trusted and the new tree holds the live one's
    paths: the new digests are the live ones with the written files' put in, and only the paths
    whose digest differs from the standby's are written (a written file) or linked (a kept one), so
    its cost follows the change, not the size of the tree. A standby that holds other paths (the
    tree before a search index or a report was added or removed) has its record lined up with
    the new paths first, what it lacks as no digest, and its paths that went away removed.
    ``discard``: given each big file about to be replaced (``fileops.Discards``)."""
    paths, want = live.paths(), bytearray(live.digests())
    for rel, (sha, _) in facts.items():
        i = live.index(rel)
        want[32 * i:32 * i + 32] = bytes.fromhex(sha)
    folder = standby_of(target)
    if standby.paths() == paths:
        sha, (sizes, mtimes) = bytearray(standby.digests()), standby.times()
    else:
        sha, sizes, mtimes = lined_up(standby, paths)
        for rel in sorted((rel for rel in standby.paths() if rel not in live), reverse=True):
            _remove(folder, rel)
    for i in differing(bytes(want), bytes(sha)):
        rel = paths[i]
        if discard is not None and sizes[i] >= Discards.BIG:
            discard(folder / rel)
        if rel in output.files:
            st = output.put(folder / rel, rel)
        else:  # kept: the live file, linked once its record says it is unchanged
            st = _kept(target / rel, folder / rel, live[rel])
        sha[32 * i:32 * i + 32] = want[32 * i:32 * i + 32]
        sizes[i], mtimes[i] = st.st_size, st.st_mtime_ns
    return Manifest.of_columns(paths, bytes(sha), sizes, mtimes)


def _remove(folder: Path, rel: str) -> None:
    """A file of a standby that the new tree does not hold, and its folders left empty."""
    (folder / rel).unlink(missing_ok=True)
    parent = (folder / rel).parent
    while parent != folder and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _journal(trees) -> Path:
    first = min(trees, key=str)
    return home(first) / "journal.json"


def recover(targets: list[Path]) -> None:
    """Finish the exchanges a killed build had started: all trees of one build, or none."""
    if not targets:
        return
    journal = _journal(targets)
    try:
        pending = json.loads(journal.read_text("utf-8"))
    except (OSError, ValueError):
        return
    for name, wanted in sorted(pending.items()):
        target = Path(name)
        state = normalised(target, read_state(target))
        if state.get("live") is not None and state["live"].id() == wanted:
            continue  # exchanged before the kill
        if state.get("standby") is not None and state["standby"].id() == wanted:
            _swap(target, state)
    journal.unlink()


def _swap(target: Path, state: dict) -> None:
    try:
        exchange(target, standby_of(target))
    except OSError as exc:
        raise PublishError(f"could not exchange {target} and its standby: {exc}") from None
    write_state(target, {"live": state["standby"], "standby": state["live"],
                          "live_ino": inode(target), "standby_ino": inode(standby_of(target)),
                          "live_top": top(target), "standby_top": state.get("live_top")})


Verify = Callable[[Path, Path, set[str]], Callable[[], list[str]]]


def publish(trees: dict[Path, Output], verify: Verify | None = None, check: bool = False,
            known: Mapping[str, tuple[str, int]] | None = None) -> Stats:
    """Replace every target tree by its new output. ``verify`` gets each target, as soon as its
    new tree is written, with the standby folder holding it and the paths written, and returns a
    function that gives the problems found (it may work while the next trees are written); any
    problem aborts before any tree is exchanged. ``check``: look at every file of the standby trees,
    not only at their tops.
    ``known``: (sha256, size) of files to be written, by path, already worked out (the caller
    must not change those files). Callers hold ``lock``."""
    recover(list(trees))
    for target in trees:  # the standby tree of the versions that called it the twin
        old = home(target) / "twin"
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
    discards = {target: Discards(home(target) / "discarded") for target in trees}
    try:
        return _publish(trees, verify, check, known, discards)
    finally:  # the big files the standby trees replaced, deleted beside the publish
        for d in discards.values():
            d.wait()


def _publish(trees: dict[Path, Output], verify: Verify | None, check: bool,
             known: Mapping[str, tuple[str, int]] | None, discards: dict[Path, Discards]) -> Stats:
    stats, states = Stats(), {}
    seen: dict[str, tuple[str, int]] = dict(known or {})
    verifying: list[Callable[[], list[str]]] = []
    try:
        for target, output in trees.items():
            states[target], changed = _write_standby(target, output, check, seen, discards[target],
                                                  stats)
            if verify is not None:
                verifying.append(verify(target, standby_of(target), changed))
    except BaseException:
        for problems in verifying:  # nothing started is left running
            with contextlib.suppress(Exception):
                problems()
        raise
    problems = [p for found in verifying for p in found()]
    if problems:
        raise PublishError("; ".join(problems))
    _exchange(trees, states)
    return stats


def _write_standby(target: Path, output: Output, check: bool, seen: dict[str, tuple[str, int]],
                discard: Discards, stats: Stats) -> tuple[dict, set[str]]:
    """The tree's new output written into its standby; returns the tree's new state and the paths
    whose bytes changed."""
    home(target).mkdir(parents=True, exist_ok=True)
    state = normalised(target, read_state(target))
    live = state.get("live")
    facts = {rel: _facts(data, seen) for rel, data in output.files.items()}
    same = live is not None and _same_paths(live, output)
    changed_top = state.get("standby_top") is None or top(standby_of(target)) != state["standby_top"]
    standby_record, check_standby = state.get("standby"), check or changed_top
    new: dict[str, Entry | None] | None = None  # path → its entry, None for a kept file
    if not (same and standby_record is not None and not check_standby):  # path by path
        new = {rel: (*f, 0) for rel, f in facts.items()}
        kept = output.kept
        if output.gone is not None:
            kept = kept.union(set(live or ()) - output.gone)
        for rel in kept - set(output.files):
            if live is None or rel not in live:
                raise PublishError(f"{target}/{rel} was to be kept but is not known to be there")
            new[rel] = None
    unsure(target).touch()  # the standby's record is not trusted until it is done
    if new is None:
        standby = _patch_standby(target, standby_record, live, facts, output, discard)
    else:
        standby = _sync_standby(target, standby_record, live, new, output, check_standby)
    # the live tree becomes the standby: its record is trusted next time only if its top is as
    # recorded (and it was not a build told to look at everything)
    live_top = state.get("live_top") if not check and top(target) == state.get("live_top") else None
    state = {**state, "standby": standby, "live_top": live_top}
    write_state(target, state)
    unsure(target).unlink()
    changed = {rel for rel, f in facts.items()
               if (live.sha(rel) if live is not None else None) != f[0]}
    gone = 0 if same else len(set(live or {}) - set(new))  # (``new`` is made when not same)
    stats.changed += len(changed) + gone
    stats.trees[str(target)] = len(standby)
    return state, changed


def _exchange(trees: dict[Path, Output], states: dict[Path, dict]) -> None:
    """Every standby made the live tree, through a journal (``recover``), and its units recorded."""
    # always exchanged, even when the record says nothing changed: the live tree may have been
    # changed by hand since, and the standby now holds exactly the new output (an O(1) rename)
    journal = _journal(trees)
    tmp = journal.with_suffix(".tmp")
    tmp.write_text(json.dumps({str(t): s["standby"].id() for t, s in states.items()},
                              sort_keys=True), "utf-8")
    os.replace(tmp, journal)  # from here on, a kill is rolled forward by the next publish
    for target, state in states.items():
        output = trees[target]
        if output.units is None:  # carried over from the live tree to its new manifest
            record = read_units(target, state.get("live"))
        elif output.loose is None:  # what the tree holds on its own is not known: no record
            record = None
        else:
            record = output.units, output.loose
        _swap(target, state)
        write_units(target, state["standby"], record)
    journal.unlink()
    for target, state in states.items():
        if not state.get("live"):  # a first publish: its standby is empty, bring it in step now (by
            _fill_standby(target)  # links), not in the first edit after it


def catch_up(target: Path) -> None:
    """Bring the standby of ``target`` in step with the live tree now, by links, where its record is
    trusted: what a publish changed is otherwise written into the standby by the next one. For a
    publish whose change is big and whose next one should be quick (a search bundle of 12,000
    files, which cost the edit after it 0.4 s). Callers hold ``lock``."""
    state = normalised(target, read_state(target))
    live, standby = state.get("live"), state.get("standby")
    if live is None or standby is None or top(standby_of(target)) != state.get("standby_top"):
        return  # the next publish looks at the standby as it must
    _renew_standby(target, state, lambda: _patch_standby(target, standby, live, {}, Output({})))


def _fill_standby(target: Path) -> None:
    state = normalised(target, read_state(target))
    live = state.get("live")
    if live is not None:
        _renew_standby(target, state, lambda: _sync_standby(target, state.get("standby"), live,
                                                      {rel: None for rel in live}, Output({}),
                                                      True))


def _renew_standby(target: Path, state: dict, make: Callable[[], Manifest]) -> None:
    """The standby brought in step with the live tree by ``make`` (its record not trusted
    meanwhile), then recorded with its top."""
    unsure(target).touch()
    standby = make()
    write_state(target, {**state, "standby": standby, "standby_top": top(standby_of(target))})
    unsure(target).unlink()

