"""The read cache and the process pool change how fast, never what: the same outcome cached or
not, serial or parallel, and an edited file is read again."""

import shutil

from nianbao.incremental import read_all
from nianbao.pipeline import read_reports

from conftest import CONTENT


def summary(outcome):
    return ([(r.report_id, r.cells, r.sections) for r in outcome.reports],
            outcome.checks, [d.format() for d in outcome.diagnostics])


def test_cached_parallel_and_serial_reads_agree(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    serial = read_reports(content, None, jobs=1)
    monkeypatch.setattr(read_all, "POOL_FROM", 1)  # force the process pool even for 7 files
    parallel = read_reports(content, tmp_path / "cache", jobs=2)
    cached = read_reports(content, tmp_path / "cache", jobs=2)
    assert summary(serial) == summary(parallel) == summary(cached)
    assert len([p for p in (tmp_path / "cache").rglob("*.pickle") if p.stem != "stat-index"]) == 7


def test_an_edited_file_is_read_again_and_a_broken_entry_is_a_miss(tmp_path, content_copy, seed_file):
    cache = tmp_path / "cache"
    first = read_reports(content_copy, cache)
    assert first.reports[0].value("applications", "new", "total") == 6117
    text = seed_file.read_text("utf-8")
    seed_file.write_text(text.replace("109\t50\t33\t33\t225", "109\t50\t33\t33\t226"), "utf-8")
    edited = read_reports(content_copy, cache)
    assert [c.check for cs in edited.checks.values() for c in cs if not c.passed] == ["R1"]
    for entry in cache.rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = read_reports(content_copy, cache)
    assert summary(again) == summary(edited)


def test_unchanged_files_are_not_read_again(tmp_path, content_copy, seed_file, monkeypatch):
    """Like git's index: a file whose size, time and inode are as recorded keeps its key unread;
    an edited file is read; a file changed just before the record was written is read again."""
    cache = tmp_path / "cache"
    opened: list[str] = []
    real = read_all._bytes
    monkeypatch.setattr(read_all, "_bytes", lambda p: opened.append(p.name) or real(p))
    read_reports(content_copy, cache)
    assert len(opened) == 1
    opened.clear()
    read_reports(content_copy, cache)  # the files were written just now: racily clean, read again
    assert len(opened) == 1
    monkeypatch.setattr(read_all, "RACY_NS", 0)
    opened.clear()
    read_reports(content_copy, cache)
    assert opened == []
    text = seed_file.read_text("utf-8")
    seed_file.write_text(text.replace("109\t50\t33\t33\t225", "109\t50\t33\t33\t226"), "utf-8")
    edited = read_reports(content_copy, cache)
    assert opened == [seed_file.name]
    assert [c.check for cs in edited.checks.values() for c in cs if not c.passed] == ["R1"]


def test_a_new_version_of_the_code_forgets_what_earlier_ones_left(tmp_path, monkeypatch):
    """Every cache key covers the code version: the first build by a new version removes what
    earlier ones left (which can never be used again) and keeps its own; a later build of that
    version walks nothing and reads nothing again."""
    import os
    import time

    from nianbao.incremental import read_cache as cache_module
    from nianbao.incremental import memo
    from nianbao.incremental import read_all
    from nianbao.pipeline import build

    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not build(CONTENT, out / "data", out / "site", cache_dir=cache, search=False).errors
    assert (cache / cache_module.VERSION_FILE).read_text("utf-8") == cache_module.code_version()
    past = time.time_ns() - 3600 * 10**9
    earlier = [p for p in cache.rglob("*") if p.is_file()]
    for p in earlier:  # as if written an hour ago
        os.utime(p, ns=(past, past))
    new_version = cache_module.code_version() + "-next"
    for module in (cache_module, memo, read_all):
        monkeypatch.setattr(module, "code_version", lambda: new_version)
    started = time.time_ns()
    assert not build(CONTENT, out / "data", out / "site", cache_dir=cache, search=False).errors
    left = [p for p in cache.rglob("*") if p.is_file()]
    assert left and (cache / cache_module.VERSION_FILE).read_text("utf-8") == new_version
    stale = [p for p in left if p.stat().st_mtime_ns < started - cache_module.MARGIN_NS]
    assert all("templates" in p.relative_to(cache).parts for p in stale), stale
    walked, reads = [], []
    monkeypatch.setattr(os, "walk", lambda *a, **k: walked.append(a) or iter(()))
    monkeypatch.setattr(read_all, "read_one", lambda *a, **k: reads.append(a))
    outcome = build(CONTENT, out / "data", out / "site", cache_dir=cache, search=False)
    assert not outcome.errors and outcome.changed == 0
    assert walked == [] and reads == [], "the new version's entries were kept"


def test_a_first_build_into_a_new_cache_claims_it_and_walks_nothing_after(tmp_path, monkeypatch):
    """A cache folder that is missing or empty holds nothing of other versions: the first build
    records its version at the start instead of walking all it wrote at the end; a folder that
    holds anything is walked as before."""
    import os

    from nianbao.incremental import read_cache as cache_module
    from nianbao.pipeline import build

    walked: list[str] = []
    real = os.walk
    monkeypatch.setattr(os, "walk", lambda top, *a, **k: (walked.append(str(top)), real(top, *a, **k))[1])
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not build(CONTENT, out / "data", out / "site", cache_dir=cache, search=False).errors
    assert (cache / cache_module.VERSION_FILE).read_text("utf-8") == cache_module.code_version()
    assert not [w for w in walked if w.startswith(str(cache))]
    (cache / cache_module.VERSION_FILE).unlink()  # a cache of unknown version: walked
    assert not build(CONTENT, out / "data", out / "site", cache_dir=cache, search=False).errors
    assert [w for w in walked if w == str(cache)]
    assert (cache / cache_module.VERSION_FILE).read_text("utf-8") == cache_module.code_version()


def test_a_cache_that_is_not_a_folder_only_costs_time(tmp_path):
    """A ``--cache`` path that names a file: nothing is kept, nothing fails."""
    from nianbao.pipeline import build

    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file", "utf-8")
    out = tmp_path / "out"
    outcome = build(CONTENT, out / "data", out / "site", cache_dir=not_a_folder, search=False)
    assert not outcome.errors and outcome.pages > 0
    assert not_a_folder.read_text("utf-8") == "a file"
