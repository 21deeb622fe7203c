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
"""

from __future__ import annotations

import os
import pickle
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
            try:
                payload = pickle.dumps((True, work()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
                try:
                    payload = pickle.dumps((False, exc))
                except Exception:  # an exception that does not pickle: its text
                    payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(write, "wb") as f:
                f.write(payload)
        finally:
            os._exit(0)
    os.close(write)

    def result() -> T:
        with os.fdopen(read, "rb") as f:
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
