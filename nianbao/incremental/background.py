"""Work started beside the build on the other core, and collected when its result is needed.

A rebuild after one edit is one process on a two-core machine: writing and hashing the combined
files (0.5 s at 10,000 reports), Frictionless (imported, 0.15 s, and validating the edited
report's package and its slice of the combined package) and making the few pages the edit
changed need nothing the build's other work needs but the files' sizes, so they run in forked
children while the build checks the units kept, and the build waits for them only where it must.

A child is a plain ``fork`` (no executor: its manager thread would keep later forks of
``Memo.prepare`` from happening): it runs the function, sends back the pickled result or
exception through a pipe and ends with ``os._exit`` (nothing of the build's own is flushed or
cleaned up twice). Where forking is unsafe (a process with threads, such as the preview
server's) or impossible, the function runs at once, in the build's own process (``at_once``).

``Ready`` is a child forked when the build starts, while the other core would idle: it imports
Frictionless and validates a tiny package (0.18 s), then waits for the edit's validation, sent
by name once the edited package exists.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def started(work: Callable[[], T]) -> Callable[[], T]:
    """``work`` started now, in a child when that is safe; the returned function waits for its
    result (or raises its exception) and may be called once."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return at_once(work)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read)
            _answer(write, work)
        finally:
            os._exit(0)
    os.close(write)
    return _answered(read, pid)


def _answer(fd: int, work: Callable[[], object]) -> None:
    """In a child: ``work``'s result, or its exception, pickled into ``fd``."""
    try:
        payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
        try:
            payload = pickle.dumps((False, exc))
        except Exception:  # an exception that does not pickle: its text
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    with os.fdopen(fd, "wb") as f:
        f.write(payload)


def _answered(fd: int, pid: int) -> Callable[[], T]:
    """What waits for the child ``pid``'s answer on ``fd`` and gives it (or raises it)."""
    def result() -> T:
        with os.fdopen(fd, "rb") as f:
            data = f.read()
        os.waitpid(pid, 0)
        if not data:
            raise RuntimeError("a background child of the build ended without a result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    return result


def at_once(work: Callable[[], T]) -> Callable[[], T]:
    """``work`` run now, here; the returned function gives its result (or raises its exception),
    as ``started``'s does."""
    try:
        value = work()
    except Exception as exc:  # raised when collected, as from a child
        def fail() -> T:
            raise exc
        return fail
    return lambda: value


class Ready:
    """A child forked early, while the build's own process is still small and the other core idle
    (the build reads its files), that makes itself ready (``prepare``: Frictionless's import,
    0.16 s) and then runs one call sent to it later. The call must be a module-level function
    with picklable arguments (it is sent by name: the child was forked before it existed).
    ``close`` ends a child that got no call. Where forking is unsafe or impossible there is no
    child, and ``call`` says so (None)."""

    def __init__(self, prepare: Callable[[], object]) -> None:
        self.pid = 0
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        ask_read, self._ask = os.pipe()
        self._answer, answer_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            try:
                os.close(self._ask)
                os.close(self._answer)
                try:
                    prepare()
                except Exception:  # noqa: BLE001 - the call will meet it again, and say so
                    pass
                with os.fdopen(ask_read, "rb") as f:  # one pickle, not all up to the end: the
                    try:  # children forked later hold the pipe's other end open too
                        request = pickle.load(f)
                    except EOFError:  # closed without a call
                        request = None
                if request is not None:
                    func, args = request
                    _answer(answer_write, lambda: func(*args))
            finally:
                os._exit(0)
        os.close(ask_read)
        os.close(answer_write)
        self.pid = pid

    def call(self, func: Callable[..., T], *args) -> Callable[[], T] | None:
        """``func(*args)`` in the child; the returned function waits for its result or raises
        its exception. None (and the child ended) when there is no child or the call cannot be
        sent by name. Once only."""
        try:
            request = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a closure, a lambda: not for this child
            request = None
        if not self.pid or request is None:
            self.close()
            return None
        with os.fdopen(self._ask, "wb") as f:
            f.write(request)
        pid, self.pid = self.pid, 0
        return _answered(self._answer, pid)

    def close(self) -> None:
        """End the child if it got no call (it may still be making itself ready)."""
        if self.pid:
            os.close(self._ask)
            os.close(self._answer)
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
