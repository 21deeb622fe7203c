"""Work beside the build (nianbao/background.py): run in a forked child when that is safe, its
result or exception handed back when collected; at once where a process has threads."""

from __future__ import annotations

import os
import threading

import pytest

from nianbao.background import started


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
