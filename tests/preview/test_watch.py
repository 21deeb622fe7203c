"""What ``serve`` sees change (``nianbao.preview.watch``): reported by the system, or polled with
``--poll``; bursts as one; hidden files and backups left out. Every wait has a deadline (a timer
stops the watcher, and ``next`` then returns None)."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from pathlib import Path

import pytest

from nianbao.preview.watch import Watcher

SETTLE = 0.6  # seconds for the watcher to start (a poller takes its first look)


@pytest.fixture
def trees(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content" / "2020").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "content" / "2020" / "a.md").write_text("a", "utf-8")
    return [Path("content"), Path("templates")]  # as serve is given them: relative


@contextlib.contextmanager
def watching(roots, polling=None, settle=SETTLE):
    """A watcher stopped on leaving, or after 20 s at most (its ``next`` then returns None)."""
    stop = threading.Event()
    timer = threading.Timer(20, stop.set)
    timer.start()
    try:
        watcher = Watcher(roots, stop, force_polling=polling)
        time.sleep(settle)
        yield watcher
    finally:
        stop.set()
        timer.cancel()


@pytest.mark.parametrize("polling", [None, True], ids=["reported", "polled"])
def test_changes_are_shown_under_the_roots_as_given_and_hidden_files_left_out(trees, polling):
    with watching(trees, polling) as watcher:
        Path("content/.git").mkdir()
        Path("content/.git/index").write_text("x", "utf-8")
        Path("content/2020/.a.md.swp").write_text("x", "utf-8")
        Path("content/2020/a.md~").write_text("x", "utf-8")
        Path("content/2020/#a.md#").write_text("x", "utf-8")
        Path("content/2020/a.md").write_text("b", "utf-8")
        Path("templates/report.html").write_text("x", "utf-8")
        assert watcher.next() == ["content/2020/a.md", "templates/report.html"]
    assert watcher.next() is None  # stopped


@pytest.mark.parametrize("polling", [None, True], ids=["reported", "polled"])
def test_changes_made_while_nobody_asks_come_together_at_the_next_ask(trees, polling):
    with watching(trees, polling) as watcher:
        Path("content/2020/b.md").write_text("b", "utf-8")
        time.sleep(1.5)  # two bursts (a build was running meanwhile)
        Path("content/2020/a.md").unlink()
        time.sleep(1.5)
        assert watcher.next() == ["content/2020/a.md", "content/2020/b.md"]
        Path("content/2020/c.md").write_text("c", "utf-8")
        assert watcher.next() == ["content/2020/c.md"]  # nothing seen twice


@pytest.mark.parametrize("polling", [None, True], ids=["reported", "polled"])
def test_a_save_by_rename_is_the_file_saved(trees, polling):
    with watching(trees, polling) as watcher:
        Path("content/2020/.a.md.tmp").write_text("saved", "utf-8")  # as editors save
        Path("content/2020/.a.md.tmp").replace("content/2020/a.md")
        assert watcher.next() == ["content/2020/a.md"]


@pytest.mark.parametrize("polling", [None, True], ids=["reported", "polled"])
def test_a_watched_folder_replaced_whole_is_watched_again(trees, polling):
    with watching(trees, polling) as watcher:
        shutil.rmtree("content")
        assert watcher.next()  # a rebuild: the content is gone (the build says so)
        Path("content/2020").mkdir(parents=True)
        Path("content/2020/a.md").write_text("a", "utf-8")
        seen = set(watcher.next())  # the folder back (reported), or the file (polled)
        time.sleep(SETTLE)
        Path("content/2020/b.md").write_text("b", "utf-8")
        while "content/2020/b.md" not in seen:  # seen by the watch made again
            seen |= set(watcher.next() or pytest.fail("no change seen in the folder made again"))


def test_a_root_not_there_yet_is_watched_once_it_is_made(tmp_path):
    with watching([tmp_path / "content", tmp_path / "templates"], settle=0) as watcher:
        (tmp_path / "templates").mkdir()
        (tmp_path / "content").mkdir()
        assert watcher.next()  # what came (the folders, as the system tells it)
        time.sleep(SETTLE)
        (tmp_path / "content" / "x.md").write_text("x", "utf-8")
        assert watcher.next() == [str(tmp_path / "content" / "x.md")]


def _refusing(exc):
    def watch(*args, **kwargs):
        raise exc
        yield  # a generator, as watchfiles.watch is

    return watch


def test_a_system_that_cannot_report_changes_is_polled_instead(trees, monkeypatch, capsys):
    import watchfiles

    monkeypatch.setattr(watchfiles, "watch", _refusing(OSError("OS file watch limit reached")))
    with watching(trees, None) as watcher:
        Path("content/2020/a.md").write_text("b", "utf-8")  # the same size, within a second
        assert watcher.next() == ["content/2020/a.md"]
    assert capsys.readouterr().err == ("warning: the system does not report changes (OS file "
                                       "watch limit reached); looking every 0.3 s instead\n")


def test_a_crash_of_the_watching_thread_reaches_whoever_waits_for_changes(trees, monkeypatch):
    import watchfiles

    monkeypatch.setattr(watchfiles, "watch", _refusing(RuntimeError("a bug")))
    with watching(trees, None) as watcher:
        with pytest.raises(RuntimeError, match="a bug"):
            watcher.next()
