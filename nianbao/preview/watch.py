"""What ``serve`` watches: the changes under ``content/`` and ``templates/``, in bursts.

The operating system reports the changes (watchfiles: inotify on Linux, FSEvents, Windows'
change notifications), so a watched tree of 10,000 reports costs nothing while nobody saves.
``--poll`` (a network share, whose changes the system does not report), or a system that cannot
report them (the limit of inotify watches reached, said in a warning), falls back on polling:
every file's modification time, in nanoseconds, and size, every 0.3 s (31 ms a poll at 10,000
reports, a tenth of a core).

A burst of saves (an editor's rename and writes, a checkout) is one set of changes: it ends
after ``QUIET_MS`` without another, or after ``BURST_MS`` at most. Changes are collected from
the moment the watcher is made, so a save made during a build causes the next. A watched folder
removed and made again (replaced whole), or not there yet, is watched once it is there (its
coming is a change). Hidden files and folders (``.git``, an editor's ``.swp``) and backups
(``#…``, ``…~``) are left out.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from pathlib import Path

INTERVAL = 0.3  # seconds between polls
QUIET_MS = 100  # without a change, the end of a burst (an editor's save takes milliseconds)
BURST_MS = 3000  # the longest burst: a checkout that takes longer is two rebuilds
READY_MS = 200  # the system's watch answers at least this often, the first time when it is set
READY_S = 5  # the longest the constructor waits for it
_STOPPED = object()


class Watcher:
    """Changed paths under ``roots``, shown under the roots as given, from a thread of its own
    until ``stop`` is set; watching when the constructor returns. ``force_polling``: poll even
    where the system reports changes (None: watchfiles decides, which polls where it knows
    notifications fail, as on WSL's Windows drives, or where ``WATCHFILES_FORCE_POLLING`` says
    so)."""

    def __init__(self, roots: list[Path], stop: threading.Event, *,
                 force_polling: bool | None = None) -> None:
        self._roots = [(os.path.realpath(r), str(r)) for r in roots]
        self._paths = [Path(given) for _, given in self._roots]  # as given, for the poller
        self._stop = stop
        self._found: queue.SimpleQueue = queue.SimpleQueue()
        self._seen = snapshot(self._paths) if force_polling else None
        self._missing_first = self._missing()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(force_polling,),
                                        name="nianbao-watch", daemon=True)
        self._thread.start()
        self._ready.wait(READY_S)

    def next(self) -> list[str] | None:
        """The paths changed since the last call (``_innermost``): waits for a burst of
        changes; None once ``stop`` is set. A crash of the watching thread is raised here."""
        while not self._stop.is_set():
            try:
                first = self._found.get(timeout=0.2)
            except queue.Empty:
                continue
            paths: set[str] = set()
            for found in [first, *_drain(self._found)]:
                if isinstance(found, BaseException):
                    raise found
                if found is not _STOPPED:
                    paths |= found
            if paths:
                return _innermost(paths)
        return None

    def _wanted(self, _change, path: str) -> bool:
        for real, _ in self._roots:
            if path == real or path.startswith(real + os.sep):
                return not any(_hidden(part) for part in path[len(real):].split(os.sep) if part)
        return False

    def _shown(self, path: str) -> str:
        for real, given in self._roots:
            if path == real:
                return given
            if path.startswith(real + os.sep):
                return os.path.join(given, path[len(real) + 1:])
        return path

    def _run(self, force_polling: bool | None) -> None:
        try:
            if force_polling:
                return self._poll()
            try:
                while back := self._notified(force_polling):  # a root removed, back again
                    self._found.put(back)
            except OSError as exc:  # e.g. the limit of inotify watches reached
                if isinstance(exc, FileNotFoundError):
                    raise
                print(f"warning: the system does not report changes ({exc}); "
                      f"looking every {INTERVAL} s instead", file=sys.stderr, flush=True)
                self._seen = snapshot(self._paths)
                self._poll()
        except BaseException as exc:  # a bug: shown by the thread that waits for changes
            self._found.put(exc)
        finally:
            self._ready.set()
            self._found.put(_STOPPED)

    def _notified(self, force_polling: bool | None) -> set[str]:
        """Changes as the system reports them, until ``stop`` (nothing returned) or until a root
        is removed, whose watch ends with it: once it is back (a folder replaced whole, or not
        made yet when watching started), the roots that were missing."""
        from watchfiles import watch

        missing, self._missing_first = self._missing() | self._missing_first, set()
        if not missing:
            # yield_on_timeout: the first (empty) answer says the system watches now
            for changes in watch(*(real for real, _ in self._roots), watch_filter=self._wanted,
                                 debounce=BURST_MS, step=QUIET_MS, stop_event=self._stop,
                                 rust_timeout=READY_MS, yield_on_timeout=True,
                                 raise_interrupt=False, force_polling=force_polling):
                self._ready.set()
                if changes:
                    self._found.put({self._shown(path) for _, path in changes})
                if missing := self._missing():
                    break
            else:
                return set()
        self._ready.set()
        while self._missing():
            if self._stop.wait(INTERVAL):
                return set()
        return missing

    def _missing(self) -> set[str]:
        return {given for real, given in self._roots if not os.path.isdir(real)}

    def _poll(self) -> None:
        self._ready.set()
        before = self._seen
        while not self._stop.wait(INTERVAL):
            after = snapshot(self._paths)
            if after == before:
                continue
            settled = time.monotonic() + BURST_MS / 1000  # a burst: wait until quiet
            while time.monotonic() < settled and not self._stop.wait(QUIET_MS / 1000):
                latest = snapshot(self._paths)
                if latest == after:
                    break
                after = latest
            self._found.put({p for p in before.keys() | after.keys() if before.get(p) != after.get(p)})
            before = after


def snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    """path → (mtime_ns, size) of every file under the roots (hidden files and folders and
    backups left out)."""
    found: dict[str, tuple[int, int]] = {}
    stack = [str(r) for r in roots]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # a folder removed (or not there yet)
            continue
        for entry in entries:
            if _hidden(entry.name):
                continue
            try:
                if entry.is_dir():
                    stack.append(entry.path)
                else:
                    st = entry.stat()
                    found[entry.path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                continue
    return found


def _hidden(name: str) -> bool:
    """A name left out of the watching: hidden (``.git``, ``.a.md.swp``) or a backup."""
    return name.startswith((".", "#")) or name.endswith("~")


def _innermost(paths: set[str]) -> list[str]:
    """The paths sorted, less the folders that hold another (a poller sees a folder change
    with each file made in it; a folder renamed alone is kept)."""
    holders = {str(parent) for p in paths for parent in Path(p).parents}
    return sorted(paths - holders)


def _drain(found: queue.SimpleQueue) -> list:
    items = []
    while True:
        try:
            items.append(found.get_nowait())
        except queue.Empty:
            return items
