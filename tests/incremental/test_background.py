"""Work beside the build (nianbao/background.py): run in a forked child when that is safe, its
result or exception handed back when collected; at once where a process has threads."""

from __future__ import annotations

import os
import threading
import time

import pytest

from nianbao.incremental.background import Ready, started


def test_work_runs_in_a_child_and_its_result_comes_back():
    parent = os.getpid()
    pending = started(lambda: (os.getpid(), [1, 2, 3]))
    pid, value = pending()
    assert value == [1, 2, 3]
    if threading.active_count() == 1:
        assert pid != parent, "run in a forked child"


def test_an_exception_in_the_child_is_raised_when_collected():
    def fail():
        raise ValueError("slice 3 is not valid")

    pending = started(fail)
    with pytest.raises(ValueError, match="slice 3"):
        pending()


def test_a_process_with_threads_runs_the_work_itself():
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert started(os.getpid)() == os.getpid()
    finally:
        stop.set()
        helper.join()


def _pid_and(value):
    return os.getpid(), value


def _slow_ready():
    time.sleep(5)


def _fail(message):
    raise ValueError(message)


@pytest.mark.skipif(threading.active_count() > 1, reason="forks only without threads")
def test_a_ready_child_runs_one_call_sent_by_name_even_with_later_children_alive():
    """The child is forked first and gets its call later: children forked in between hold its
    input pipe open too, so the call is one pickle read, not everything up to the pipe's end."""
    prepared = []
    ready = Ready(lambda: prepared.append(True))
    later = started(lambda: time.sleep(2))  # holds the ready child's pipe until it ends
    t = time.monotonic()
    pending = ready.call(_pid_and, [1, 2])
    pid, value = pending()
    assert value == [1, 2] and pid != os.getpid()
    assert time.monotonic() - t < 1.5, "the call waited for a later child to end"
    later()
    failing = Ready(lambda: None)
    with pytest.raises(ValueError, match="slice 3"):
        failing.call(_fail, "slice 3 is not valid")()


@pytest.mark.skipif(threading.active_count() > 1, reason="forks only without threads")
def test_an_unused_ready_child_is_ended_and_a_call_it_cannot_take_is_refused():
    ready = Ready(_slow_ready)
    t = time.monotonic()
    ready.close()  # still making itself ready: ended, not waited for
    assert time.monotonic() - t < 2 and ready.call(_pid_and, 1) is None
    other = Ready(lambda: None)
    assert other.call(lambda: 1) is None  # a lambda cannot be sent by name: the caller runs it
    assert other.call(_pid_and, 1) is None  # (and the child is gone)
