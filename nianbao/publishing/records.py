"""What publish records of each output tree, beside its standby (``nianbao.publishing.publish``).

What each tree holds is kept in ``.<tree>.publish/``: path → (sha256, size, mtime_ns) for the
live tree and for the standby (``nianbao.disk.manifest``), each in a file of its own written once
(``manifest-*.pickle``: a publish makes one new manifest, the standby's, and exchanging the trees
only swaps their names), and in ``state.pickle`` the names of those two files, each
directory's inode and what the top of each tree looked like. The record is trusted, as make
trusts its outputs; a record whose directories were exchanged without it being updated (a build
killed between the two) is recognised by the inodes, and a standby being changed is marked by a
file beside it (``unsure``) so that its record is not trusted if the build is killed meanwhile.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Mapping
from pathlib import Path

from nianbao.disk.manifest import Manifest, top, walk

STATE_VERSION = 6  # 6: the standby tree was called the twin (folder ``twin``) before
MANIFESTS = ("live", "standby")


def home(target: Path) -> Path:
    return target.parent / f".{target.name}.publish"


def standby_of(target: Path) -> Path:
    return home(target) / "standby"


def state_path(target: Path) -> Path:
    return home(target) / "state.pickle"


def inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return 0


_STATES: dict[Path, tuple[tuple[int, int, int], dict]] = {}  # state file → (its stat, state)


def _stat_key(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns


def read_state(target: Path) -> dict:
    """The record of ``target`` (a pickle: at 100,000+ files JSON took seconds to read and write;
    the record is the build's own, never read by anything else). Read once per version of the
    file (a build asks for each several times; records are never changed in place)."""
    path = state_path(target)
    try:
        seen = _STATES.get(path)
        if seen is not None and seen[0] == _stat_key(path.stat()):
            return seen[1]
        with open(path, "rb") as f:  # its stat and bytes of one file (it is replaced, never
            key = _stat_key(os.fstat(f.fileno()))  # written in place)
            state = pickle.loads(f.read())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            ImportError):  # none, torn, or written by another version
        return {}
    if not (isinstance(state, dict) and state.get("version") == STATE_VERSION):
        return {}
    state = {**state, **{k: _read_manifest(path.parent, state.get(k)) for k in MANIFESTS}}
    _STATES[path] = (key, state)
    return state


def _read_manifest(folder: Path, name: str | None) -> Manifest | None:
    """A manifest of the record (none when its file is missing or torn: its tree is then
    looked at file by file)."""
    if not name:
        return None
    try:
        manifest = pickle.loads((folder / name).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            ImportError):
        return None
    if not isinstance(manifest, Manifest):
        return None
    manifest.stored = folder / name
    return manifest


def unsure(target: Path) -> Path:
    """A marker beside the standby: present while the standby is changed, so its record is not trusted
    (a whole record rewritten for it cost a twentieth of a second at 100,000 files)."""
    return home(target) / "standby-changing"


def write_state(target: Path, state: dict) -> None:
    """Record ``state``: a manifest not yet in a file of this record gets one (written before the
    state that names it), then the state, then the files it no longer names go."""
    path = state_path(target)
    folder = path.parent
    state = {**state, "version": STATE_VERSION}
    names = {}
    for k in MANIFESTS:
        manifest = state.get(k)
        if manifest is not None and (manifest.stored is None or manifest.stored.parent != folder):
            stored = folder / f"manifest-{time.time_ns():x}-{os.getpid():x}-{k}.pickle"
            _replace(stored, pickle.dumps(manifest, protocol=5))
            manifest.stored = stored
        names[k] = None if manifest is None else manifest.stored.name
    key = _replace(path, pickle.dumps({**state, **names}, protocol=5))
    _STATES[path] = (key, state)
    for old in folder.glob("manifest-*"):  # (and any a killed build left half written)
        if old.name not in names.values():
            old.unlink(missing_ok=True)


def _replace(path: Path, data: bytes) -> tuple[int, int, int]:
    """``data`` in place of ``path`` at once; the stat key of the new file."""
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    key = _stat_key(tmp.stat())
    os.replace(tmp, path)
    return key


def normalised(target: Path, state: dict) -> dict:
    """The state with the manifests of ``live`` and ``standby`` matched to the directories that are
    there now (an exchange whose state update was lost is recognised by the inodes)."""
    live_ino, standby_ino = inode(target), inode(standby_of(target))
    if state.get("live_ino") == standby_ino and state.get("standby_ino") == live_ino and live_ino:
        state = {**state, "live": state.get("standby"), "standby": state.get("live"),
                 "live_top": state.get("standby_top"), "standby_top": state.get("live_top"),
                 "live_ino": live_ino, "standby_ino": standby_ino}
    if state.get("live_ino") != live_ino:
        state = {**state, "live": None, "live_top": None, "live_ino": live_ino}
    if state.get("standby_ino") != standby_ino:
        state = {**state, "standby": None, "standby_top": None, "standby_ino": standby_ino}
    if state.get("standby") is not None and unsure(target).exists():  # a build killed meanwhile
        state = {**state, "standby": None}
    return state


def live_record(target: Path) -> Manifest | None:
    """The manifest of the live tree as last published, or None when unknown."""
    return normalised(target, read_state(target)).get("live")


def live_manifest(target: Path) -> Mapping[str, str] | None:
    """Path → sha256 of the live tree as last published, or None when unknown."""
    live = live_record(target)
    return None if live is None else live.shas()


def units_path(target: Path) -> Path:
    return home(target) / "units"


UNITS_VERSION = "units 2"


def read_units(target: Path, live: Manifest | None) -> tuple[frozenset[str], frozenset[str]] | None:
    """The units (``memo.Emitter``) the build that published ``live`` put in ``target``, and
    what it put there on its own (files, and folders kept whole ending in "/"), if ``live`` is
    what their record was written for (None otherwise)."""
    if live is None:
        return None
    try:
        head, _, rest = units_path(target).read_text("utf-8").partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if head != f"{UNITS_VERSION} {live.id()}":
        return None
    units, _, loose = rest.partition("\n\n")
    return (frozenset(units.split("\n")) if units else frozenset(),
            frozenset(loose.split("\n")) if loose else frozenset())


def write_units(target: Path, live: Manifest,
                record: tuple[frozenset[str], frozenset[str]] | None) -> None:
    """Record what the tree ``live`` (now published) holds (``read_units``): a line with the
    id of its manifest, one unit a line, an empty line, one of its own a line. None: no record
    (the next build looks at every unit's files)."""
    path = units_path(target)
    if record is None:
        path.unlink(missing_ok=True)
        return
    units, loose = record
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{UNITS_VERSION} {live.id()}\n" + "\n".join(units) + "\n\n" + "\n".join(loose),
                   "utf-8")
    os.replace(tmp, path)


def intact(target: Path, check: bool = False) -> bool:
    """Whether the live tree is as last published: its top as recorded (see the module's
    docstring), or with ``check`` every file (by ``stat``: sizes and times)."""
    state = normalised(target, read_state(target))
    live = state.get("live")
    if live is None:
        return False
    if not check:
        return state.get("live_top") is not None and top(target) == state["live_top"]
    seen = 0
    for rel, st in walk(target):
        entry = live.get(rel)
        if entry is None or entry[1] != st.st_size or entry[2] != st.st_mtime_ns:
            return False
        seen += 1
    return seen == len(live)
