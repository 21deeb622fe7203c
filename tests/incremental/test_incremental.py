"""Incremental builds: after any sequence of edits, the output is byte-identical to a cold build
of the same content; a build killed at any moment leaves complete trees; two builds at once do
not corrupt each other."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nianbao.pipeline import build
from nianbao.publishing.records import intact

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from synthetic import generate  # noqa: E402


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def cold(content: Path, out: Path) -> dict[str, dict[str, bytes]]:
    """The plain build's trees (``nianbao.plain``: no cache, no units, every report whole)."""
    from nianbao import plain

    shutil.rmtree(out, ignore_errors=True)
    outcome = plain.build(content, out / "data", out / "site", search=False)
    assert not outcome.errors, [d.format() for d in outcome.errors]
    return {"data": tree(out / "data"), "site": tree(out / "site")}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))


@pytest.fixture
def content(tmp_path) -> Path:
    dest = tmp_path / "content"
    generate(12, dest, seed=3)  # two agencies, six years, both forms
    shutil.copytree(ROOT / "content" / "2020", dest / "2020", dirs_exist_ok=True)
    return dest


def _edit_figure(path: Path) -> None:
    text = path.read_text("utf-8")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("| 一、本年新收政府信息公开申请数量 |"):
            cells = line.split("|")
            cells[2] = f" {int(cells[2]) + 7} "
            lines[i] = "|".join(cells)
            break
    else:
        raise AssertionError(f"no row to edit in {path}")
    path.write_text("\n".join(lines), "utf-8")


@pytest.mark.slow
def test_incremental_equals_plain_after_a_sequence_of_edits(content, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(content, out / "data", out / "site", cache_dir=cache, search=False)
    assert not first.errors
    some = sorted(content.rglob("*.md"))
    removed = some[3].read_bytes()

    def edit_title(p: Path) -> None:
        p.write_text(p.read_text("utf-8").replace("title: ", "title: 修订 ", 1), "utf-8")

    steps = [
        ("edit a figure", lambda: _edit_figure(some[1])),
        ("remove a report", lambda: some[3].unlink()),
        ("change a title", lambda: edit_title(some[5])),
        ("add the report back", lambda: some[3].write_bytes(removed)),
        ("touch without a change", lambda: os.utime(some[0])),
        ("edit a figure of the 2019 form", lambda: _edit_figure(some[0])),
    ]
    for name, step in steps:
        step()
        outcome = build(content, out / "data", out / "site", cache_dir=cache, search=False)
        assert not outcome.errors, name
        want = cold(content, tmp_path / "cold")
        for t in ("data", "site"):
            assert differences(tree(out / t), want[t]) == [], f"{name}: {t} differs from the plain build"
        assert intact(out / "site") and intact(out / "data"), name
        assert intact(out / "site", check=True) and intact(out / "data", check=True), name
        if name == "touch without a change":
            assert outcome.changed == 0


def _rename_agency(content: Path, agency_id: str, old: str, new: str) -> None:
    for p in sorted(content.glob(f"*/{agency_id}.md")):
        p.write_text(p.read_text("utf-8").replace(f"agency: {old}\n", f"agency: {new}\n", 1),
                     "utf-8")


def _move_agency(content: Path, agency_id: str, new_id: str) -> None:
    for p in sorted(content.glob(f"*/{agency_id}.md")):
        text = p.read_text("utf-8").replace(f"agency_id: {agency_id}\n", f"agency_id: {new_id}\n")
        (p.parent / f"{new_id}.md").write_text(text, "utf-8")
        p.unlink()


def _edit_template(templates: Path, name: str, old: str, new: str) -> None:
    path = templates / name
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.slow
def test_incremental_equals_plain_after_edits_of_agencies_reports_and_templates(content, tmp_path,
                                                                              monkeypatch):
    """The edits that reach pages made from many reports (an agency's name on every page that
    names it, an agency moved to another id, a report of a new agency) and those that reach every
    page (a template, the CSS): after each, the cached build equals the plain build (--no-cache) of the same
    content and templates, byte for byte, and differs from the build before it."""
    from nianbao import pipeline

    templates = tmp_path / "templates"
    shutil.copytree(pipeline.TEMPLATES, templates)
    monkeypatch.setattr(pipeline, "TEMPLATES", templates)
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(content, out / "data", out / "site", cache_dir=cache, search=False)
    assert not first.errors
    extra = ROOT / "content"
    steps = [
        ("add a report of a new agency",
         lambda: shutil.copytree(extra / "2023", content / "2023", dirs_exist_ok=True)),
        ("add a second year of an agency",
         lambda: shutil.copy(extra / "2021" / "pingtan.md", content / "2021" / "pingtan.md")),
        ("rename an agency",
         lambda: _rename_agency(content, "agency-00001", "临川市人民政府", "临川市政府")),
        ("move an agency to another id", lambda: _move_agency(content, "agency-00001", "linchuan")),
        ("edit the report template", lambda: _edit_template(
            templates, "report.html", '<h2 class="vh">目录</h2>', '<h2 class="vh">本页目录</h2>')),
        ("edit the shared base template", lambda: _edit_template(
            templates, "base.html", "跳到正文", "跳到本页正文")),
        ("edit the CSS", lambda: (templates / "assets" / "site.css").write_text(
            (templates / "assets" / "site.css").read_text("utf-8") + "\n/* edited */\n", "utf-8")),
        ("delete the new agency's report", lambda: (content / "2023" / "hongze.md").unlink()),
        ("delete a report of a moved agency", lambda: (content / "2022" / "linchuan.md").unlink()),
    ]
    before = {"data": tree(out / "data"), "site": tree(out / "site")}
    for name, step in steps:
        step()
        outcome = build(content, out / "data", out / "site", cache_dir=cache, search=False)
        assert not outcome.errors, (name, [d.format() for d in outcome.errors])
        now = {"data": tree(out / "data"), "site": tree(out / "site")}
        assert now["site"] != before["site"], f"{name}: the edit changed no page"
        want = cold(content, tmp_path / "cold")
        for t in ("data", "site"):
            assert sorted(now[t]) == sorted(want[t]), f"{name}: {t} holds other files than the plain build"
            assert differences(now[t], want[t]) == [], f"{name}: {t} differs from the plain build"
        assert intact(out / "site", check=True) and intact(out / "data", check=True), name
        before = now


@pytest.mark.slow
def test_files_changed_by_hand_deep_in_the_output_are_mended_by_check_output(content, tmp_path):
    """A build trusts what it wrote (its cost follows the change); --check-output looks at every
    file, and so does the build after it (the tree changed by hand is the standby by then)."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out / "data", out / "site", cache_dir=cache, search=False)
    page = next((out / "site" / "reports").rglob("index.html"))
    page.write_text("tampered", "utf-8")  # in place: the standby shares the file
    csv = next((out / "data").rglob("applications.csv"))
    csv.unlink()
    assert intact(out / "site") and not intact(out / "site", check=True)
    some = sorted(content.rglob("*.md"))
    _edit_figure(some[2])
    build(content, out / "data", out / "site", cache_dir=cache, search=False, check_output=True)
    want = cold(content, tmp_path / "cold")
    assert differences(tree(out / "site"), want["site"]) == []
    assert differences(tree(out / "data"), want["data"]) == []
    _edit_figure(some[5])
    build(content, out / "data", out / "site", cache_dir=cache, search=False)
    want = cold(content, tmp_path / "cold")
    assert differences(tree(out / "site"), want["site"]) == []
    assert differences(tree(out / "data"), want["data"]) == []


def _cli(content: Path, out: Path, cache: Path) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
            "--site", str(out / "site"), "--data", str(out / "data"), "--cache", str(cache),
            "--no-search"]


@pytest.mark.slow
def test_a_build_killed_at_any_moment_leaves_complete_trees(content, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    target = sorted(content.rglob("*.md"))[1]
    versions = [target.read_bytes()]
    _edit_figure(target)
    versions.append(target.read_bytes())
    refs = []
    for v in versions:
        target.write_bytes(v)
        refs.append(cold(content, tmp_path / f"ref{len(refs)}"))
    target.write_bytes(versions[0])
    subprocess.run(_cli(content, out, cache), check=True, capture_output=True)
    start = time.perf_counter()
    target.write_bytes(versions[1])
    subprocess.run(_cli(content, out, cache), check=True, capture_output=True)
    duration = time.perf_counter() - start
    rng = random.Random(20261124)
    live = 1
    for attempt in range(8):
        nxt = 1 - live
        target.write_bytes(versions[nxt])
        proc = subprocess.Popen(_cli(content, out, cache), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for t in ("data", "site"):
            now = tree(out / t)
            assert now in (refs[live][t], refs[nxt][t]), \
                f"attempt {attempt}: {t} is neither the last output nor the new one"
        subprocess.run(_cli(content, out, cache), check=True, capture_output=True)
        for t in ("data", "site"):
            assert differences(tree(out / t), refs[nxt][t]) == [], f"attempt {attempt}: {t}"
        live = nxt


@pytest.mark.slow
def test_two_builds_at_once_wait_for_each_other(content, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    procs = [subprocess.Popen(_cli(content, out, cache), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
    want = cold(content, tmp_path / "cold")
    assert differences(tree(out / "site"), want["site"]) == []
    assert differences(tree(out / "data"), want["data"]) == []


def test_publishing_without_renameat2_gives_the_same_trees(content, tmp_path, monkeypatch):
    """Where the C library has no renameat2 (not Linux), the exchange falls back to renames."""
    from nianbao.disk import fileops

    class NoExchange:
        pass

    monkeypatch.setattr(fileops, "_libc", NoExchange())
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out / "data", out / "site", cache_dir=cache, search=False)
    _edit_figure(sorted(content.rglob("*.md"))[1])
    build(content, out / "data", out / "site", cache_dir=cache, search=False)
    want = cold(content, tmp_path / "cold")
    assert differences(tree(out / "site"), want["site"]) == []
    assert differences(tree(out / "data"), want["data"]) == []


def test_output_changed_by_hand_at_the_top_is_mended_with_nothing_else_changed(content, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out / "data", out / "site", cache_dir=cache, search=False)
    (out / "site" / "robots.txt").write_text("tampered", "utf-8")
    shutil.rmtree(out / "site" / "compare")  # a whole folder, and a page deep in it
    next((out / "site" / "reports").rglob("index.html")).write_text("tampered", "utf-8")
    (out / "data" / "datapackage.json").write_text("{}", "utf-8")
    assert not intact(out / "site") and not intact(out / "data")
    build(content, out / "data", out / "site", cache_dir=cache, search=False)
    want = cold(content, tmp_path / "cold")
    for _ in range(2):  # and the next build, whose standby is the tree changed by hand
        assert differences(tree(out / "site"), want["site"]) == []
        assert differences(tree(out / "data"), want["data"]) == []
        assert intact(out / "site", check=True) and intact(out / "data", check=True)
        build(content, out / "data", out / "site", cache_dir=cache, search=False)


def test_nothing_changed_is_told_from_the_records_and_check_output_looks_at_every_file(content,
                                                                                      tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"

    def run(*extra: str) -> str:
        done = subprocess.run(_cli(content, out, cache) + list(extra), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run()
    assert "nothing changed since the last build" in run()
    want = tree(out / "site")
    (out / "site" / "robots.txt").write_text("tampered", "utf-8")  # at the top: noticed
    assert "nothing changed" not in run()
    assert differences(tree(out / "site"), want) == []
    page = next((out / "site" / "reports").rglob("index.html"))
    page.write_text("tampered", "utf-8")  # deep, in place: the records are trusted
    assert "nothing changed" in run()
    assert "nothing changed" not in run("--check-output")
    assert differences(tree(out / "site"), want) == []


@pytest.mark.slow
def test_an_edit_that_adds_no_file_brings_the_standby_in_step_by_its_change_alone(content, tmp_path,
                                                                                 monkeypatch):
    """With the standby's record trusted and no path added or removed, publishing writes only the
    paths whose digest differs from the standby's (no walk over every path); the trees it leaves
    are those of a cold build, and the next build (which uses the old live tree as its standby)
    too."""
    import nianbao.publishing.publish as publish

    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not build(content, out / "data", out / "site", cache_dir=cache, search=False).errors
    some = sorted(content.rglob("*.md"))

    synced: list[Path] = []  # trees whose standby was synced path by path
    real_sync = publish._sync_standby
    monkeypatch.setattr(publish, "_sync_standby",
                        lambda target, *rest: synced.append(target) or real_sync(target, *rest))
    written: list[Path] = []
    real_write = publish.atomic_write
    monkeypatch.setattr(publish, "atomic_write",
                        lambda path, data: written.append(path) or real_write(path, data))
    for path in (some[1], some[2], some[1]):
        written.clear()
        _edit_figure(path)
        synced.clear()
        outcome = build(content, out / "data", out / "site", cache_dir=cache, search=False)
        assert not outcome.errors and synced == []
        total = sum(1 for _ in (out / "site").rglob("*") if _.is_file())
        assert 0 < len(written) < total // 4, "the standby is brought in step by the change"
        want = cold(content, tmp_path / "cold")
        for t in ("data", "site"):
            assert differences(tree(out / t), want[t]) == [], f"{path.name}: {t} differs"
            assert intact(out / t, check=True)


@pytest.mark.slow
def test_a_standby_holding_other_paths_is_lined_up_not_walked(content, tmp_path, monkeypatch):
    """After a report is removed, the standby (the tree before) holds paths the new trees do not:
    the next edit lines its record up with the new paths, removes what went away and writes the
    change, without syncing every path; the trees are those of a cold build."""
    import nianbao.publishing.publish as publish

    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not build(content, out / "data", out / "site", cache_dir=cache, search=False).errors
    some = sorted(content.rglob("*.md"))
    some[3].unlink()
    assert not build(content, out / "data", out / "site", cache_dir=cache, search=False).errors
    synced: list[Path] = []
    real_sync = publish._sync_standby
    monkeypatch.setattr(publish, "_sync_standby",
                        lambda target, *rest: synced.append(target) or real_sync(target, *rest))
    for path in (some[1], some[2]):
        _edit_figure(path)
        synced.clear()
        assert not build(content, out / "data", out / "site", cache_dir=cache, search=False).errors
        assert synced == []
        want = cold(content, tmp_path / "cold")
        for t in ("data", "site"):
            assert differences(tree(out / t), want[t]) == [], f"{path.name}: {t} differs"
            assert intact(out / t, check=True)  # (the live tree is the standby lined up: none of
            # the removed report's files are left in it)


@pytest.mark.slow
def test_an_edit_takes_the_units_it_did_not_change_from_the_record_of_the_last_build(
        content, tmp_path, monkeypatch):
    """Each tree's units are recorded with the manifest they were published in: the next build
    keeps an unchanged unit by that record, without looking up its files one by one. A record
    written for another manifest (here: the live tree republished meanwhile by hand) is not
    used, a publish that leaves every unit alone (a search bundle's) carries it over, and the
    trees are always those of a cold build."""
    from nianbao.disk import manifest
    from nianbao.publishing.publish import Output, publish
    from nianbao.publishing.records import UNITS_VERSION, live_record, read_units, units_path

    out, cache = tmp_path / "out", tmp_path / "cache"
    assert not build(content, out / "data", out / "site", cache_dir=cache, search=False).errors
    reports = len(list(content.rglob("*.md")))  # a package each in data, more units in site
    units, loose = read_units(out / "data", live_record(out / "data"))
    assert len(units) == reports and "datapackage.json" in loose
    units, loose = read_units(out / "site", live_record(out / "site"))
    assert len(units) > 2 * reports and {"index.html", "pagefind/"} <= loose
    lookups: list[str] = []
    real = manifest.Manifest.sha
    monkeypatch.setattr(manifest.Manifest, "sha", lambda self, rel: lookups.append(rel) or real(self, rel))
    some = sorted(content.rglob("*.md"))

    def rebuilt(path: Path) -> None:
        lookups.clear()
        _edit_figure(path)
        assert not build(content, out / "data", out / "site", cache_dir=cache, search=False).errors
        want = cold(content, tmp_path / "cold")
        for t in ("data", "site"):
            have = {p: b for p, b in tree(out / t).items() if not p.startswith("pagefind/")}
            assert differences(have, want[t]) == [], f"{path.name}: {t} differs"

    untouched = "data/2023/2023-agency-00001/datapackage.json"  # a package no edit here changes
    assert (out / "site" / untouched).exists()
    rebuilt(some[1])
    assert lookups and untouched not in lookups, "kept by the record, not looked up file by file"
    # a publish that leaves the units alone carries the record over to its new manifest
    site = out / "site"
    units = read_units(site, live_record(site))
    publish({site: Output({"pagefind/pagefind.js": b"//"}, frozenset(live_record(site)))})
    assert read_units(site, live_record(site)) == units
    # a record for another manifest is not used: every unit is looked at file by file
    units_path(site).write_text(units_path(site).read_text("utf-8").replace(
        f"{UNITS_VERSION} {live_record(site).id()}", f"{UNITS_VERSION} {'0' * 64}"), "utf-8")
    assert read_units(site, live_record(site)) is None
    rebuilt(some[2])
    assert untouched in lookups
    assert read_units(site, live_record(site))  # and recorded again


def test_no_output_path_belongs_to_two_units(content, tmp_path, monkeypatch):
    """What lets a build keep a unit by the record of the last one: the units of a tree hold
    disjoint paths, and no file added on its own is one of theirs."""
    from nianbao.incremental import memo

    seen: dict[tuple[int, str], int] = {}
    real_unit, real_add = memo.Emitter.unit, memo.Emitter.add

    def unit(self, key, compute, prefix="", select=None, made=None):
        known = real_unit(self, key, compute, prefix, select, made)  # (a cold build: all known)
        for p in known:
            if select is None or select(p):
                seen[(id(self), prefix + p)] = seen.get((id(self), prefix + p), 0) + 1
        return known

    def add(self, files, prefix=""):
        for p in files:
            seen[(id(self), prefix + p)] = seen.get((id(self), prefix + p), 0) + 1
        return real_add(self, files, prefix)

    monkeypatch.setattr(memo.Emitter, "unit", unit)
    monkeypatch.setattr(memo.Emitter, "add", add)
    assert not build(content, tmp_path / "data", tmp_path / "site", search=False).errors
    assert len(seen) > 100 and [p for p, n in seen.items() if n > 1] == []


@pytest.mark.slow
def test_what_the_last_build_added_on_its_own_goes_and_unknown_units_are_made_again(
        content, tmp_path, monkeypatch):
    """An edit keeps the live tree less what is gone: the files the last build added on its own
    (here the sitemap and feed, once the base URL is dropped) and the files of the units it no
    longer has. When those cannot be known (the cache deleted, the trees kept) every unit is made
    again. Each time the trees are those of a cold build."""
    out, cache = tmp_path / "out", tmp_path / "cache"

    def same_as_cold(base_url: str = "") -> None:
        assert not build(content, out / "data", out / "site", base_url, cache_dir=cache,
                         search=False).errors
        want = tmp_path / "cold"
        shutil.rmtree(want, ignore_errors=True)
        assert not build(content, want / "data", want / "site", base_url, search=False).errors
        for t in ("data", "site"):
            assert differences(tree(out / t), tree(want / t)) == [], t
            assert intact(out / t, check=True)

    same_as_cold("https://example.org/nianbao/")
    assert (out / "site" / "sitemap.xml").exists()
    same_as_cold()
    assert not (out / "site" / "sitemap.xml").exists() and not (out / "site" / "feed.xml").exists()
    shutil.rmtree(cache)
    _edit_figure(sorted(content.rglob("*.md"))[1])
    from nianbao import pipeline
    fresh: list[bool] = []
    real = pipeline._make
    monkeypatch.setattr(pipeline, "_make", lambda *a, **k: fresh.append(a[6]) or real(*a, **k))
    same_as_cold()
    assert fresh[:2] == [False, True], "the units of the edited report's old files are unknown"


def test_big_files_replaced_in_the_standby_are_deleted_beside_the_build(content, tmp_path,
                                                                      monkeypatch):
    """A file the standby replaces is moved aside and deleted by a thread while the publish goes on
    (freeing a 40 MB file took an edit 20-30 ms); here every file counts as big. The trees are
    those of a cold build, nothing is left aside and no thread outlives the publish."""
    import threading

    from nianbao.disk.fileops import Discards

    monkeypatch.setattr(Discards, "BIG", 1)
    deleted: list[str] = []
    real = Discards.__call__
    monkeypatch.setattr(Discards, "__call__", lambda self, path: deleted.append(path.name)
                        or real(self, path))
    out, cache = tmp_path / "out", tmp_path / "cache"
    for step in range(3):
        if step:
            _edit_figure(sorted(content.rglob("*.md"))[step])
        assert not build(content, out / "data", out / "site", cache_dir=cache, search=False).errors
        assert not [t for t in threading.enumerate() if t.name == "nianbao-discard"]
        for t in ("data", "site"):
            assert not any((out / f".{t}.publish" / "discarded").glob("*"))
    want = cold(content, tmp_path / "cold")
    for t in ("data", "site"):
        assert differences(tree(out / t), want[t]) == [] and intact(out / t, check=True)
    assert "applications.csv" in deleted and "index.html" in deleted


def test_nothing_changed_imports_none_of_the_stages(content, tmp_path):
    """A build that finds nothing changed answers from its records: it imports none of the
    stages' machinery (Jinja, Frictionless, the pages' contexts). Checking ``--base-url`` once
    imported them all, and 'nothing changed' took 0.3 s instead of 0.1 s."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    argv = _cli(content, out, cache)[2:] + ["--base-url", "https://example.org/nianbao/"]
    subprocess.run([sys.executable, str(ROOT / "build.py"), *argv], check=True,
                   capture_output=True, timeout=300)
    probe = ("import sys\nfrom nianbao.cli import main\n"
             f"code = main({argv!r})\n"
             "heavy = [m for m in ('jinja2', 'frictionless', 'nianbao.pages.contexts', 'nianbao.pages.render')"
             " if m in sys.modules]\n"
             "print(code, heavy)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert "nothing changed" in done.stdout, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout
