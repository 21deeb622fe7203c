"""The whole build as a user runs it: determinism, atomic publishing, the command line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.pipeline import build

from conftest import CONTENT, ROOT


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_two_builds_are_byte_identical(tmp_path, built):
    build(CONTENT, tmp_path / "data", tmp_path / "site")
    assert tree(tmp_path / "data") == tree(built["data"])
    assert tree(tmp_path / "site") == tree(built["site"])


def test_failed_build_leaves_previous_output_untouched(tmp_path, content_copy, seed_file):
    data, site = tmp_path / "data", tmp_path / "site"
    assert not build(content_copy, data, site).errors
    before = (tree(data), tree(site))
    text = seed_file.read_text("utf-8")
    seed_file.write_text(text.replace("\t5672\t174\t", "\t5672\tx174\t"), "utf-8")
    outcome = build(content_copy, data, site)
    assert [d.code for d in outcome.errors] == ["cell-not-number"]
    assert (tree(data), tree(site)) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == \
        ["content", "data", "site"]


@pytest.mark.slow
def test_crash_while_publishing_leaves_previous_output(tmp_path, monkeypatch):
    from nianbao.publishing import publish as publish_module

    data, site = tmp_path / "data", tmp_path / "site"
    build(CONTENT, data, site)
    before = (tree(data), tree(site))

    writes = {"n": 0}
    real = publish_module.atomic_write

    def broken(path, data):  # the disk fills up halfway through the standby of site/
        writes["n"] += 1
        if "site" in str(path) and writes["n"] > 3:
            raise OSError("disk full")
        return real(path, data)

    (CONTENT_COPY := tmp_path / "content").mkdir()
    for f in CONTENT.rglob("*.md"):
        dest = CONTENT_COPY / f.relative_to(CONTENT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(f.read_bytes().replace("title: ".encode(), "title: 新 ".encode(), 1))
    monkeypatch.setattr(publish_module, "atomic_write", broken)
    with pytest.raises(OSError):
        build(CONTENT_COPY, data, site)
    assert (tree(data), tree(site)) == before
    monkeypatch.setattr(publish_module, "atomic_write", real)
    build(CONTENT_COPY, data, site)  # the next build mends the half-written standby
    fresh = tmp_path / "fresh"
    build(CONTENT_COPY, fresh / "data", fresh / "site")
    assert (tree(data), tree(site)) == (tree(fresh / "data"), tree(fresh / "site"))


@pytest.mark.slow
def test_cli_build_and_check(tmp_path, seed_content):
    result = run("--content", str(CONTENT), "--data", str(tmp_path / "d"), "--site", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built 7 report(s), 30 pages")
    assert (tmp_path / "s" / "index.html").is_file()
    assert "warning[check-" not in result.stderr  # the build counts discrepancies, check lists them
    # 上海 2019, 平潭 2020 and 洪泽 2023 break their own identities as published; each failure is
    # acknowledged in its front matter, so --strict (run by .ci/run and the Pages workflow) passes
    result = run("check", "--content", str(CONTENT), "--strict")
    assert result.returncode == 0, result.stderr
    assert "321 checks, 0 failing, 16 acknowledged" in result.stdout
    result = run("check", "--content", str(seed_content), "--strict")
    assert result.returncode == 0 and "43 checks, 0 failing" in result.stdout


def test_cli_user_error_is_located_never_a_traceback(tmp_path, content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    seed_file.write_text(text.replace("year: 2020", "year: twenty"), "utf-8")
    result = run("--content", str(content_copy), "--data", str(tmp_path / "d"), "--site", str(tmp_path / "s"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "heilongjiang.md:5:1: error[front-matter-year]: year 'twenty' is not a reporting year" in result.stderr
    assert "hint:" in result.stderr
    assert not (tmp_path / "s").exists()


def test_cli_strict_fails_on_a_published_discrepancy(content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    seed_file.write_text(text.replace("109\t50\t33\t33\t225", "109\t50\t33\t33\t226"), "utf-8")
    lenient = run("check", "--content", str(content_copy))
    assert lenient.returncode == 0 and "warning[check-R1]" in lenient.stderr
    strict = run("check", "--content", str(content_copy), "--strict")
    assert strict.returncode == 1 and "error[check-R1]" in strict.stderr
    assert "R1 fails on review" in strict.stderr


def test_cli_usage_error_exits_2():
    assert run("--no-such-option").returncode == 2
    assert run("frobnicate").returncode == 2


def test_acknowledged_discrepancy_passes_strict_and_a_stale_one_is_reported(content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    broken = text.replace("109\t50\t33\t33\t225", "109\t50\t33\t33\t226")
    ack = ("discrepancies:\n"
           "  - {check: R1, scope: review, note: 原表如此，已核对}\n"
           "  - {check: R2, scope: litigation_direct, note: 多余的一条}\n---\n")
    seed_file.write_text(broken.replace("\n---\n", "\n" + ack, 1), "utf-8")  # before the closing ---
    strict = run("check", "--content", str(content_copy), "--strict")
    assert strict.returncode == 0, strict.stderr
    assert "0 failing, 1 acknowledged" in strict.stdout
    # the R2 entry names a check that holds: a located warning, not silence
    lines = seed_file.read_text("utf-8").split("\n")
    line = next(i for i, t in enumerate(lines, 1) if "R2" in t)
    assert f"heilongjiang.md:{line}:1: warning[discrepancy-unmatched]: R2 holds on litigation_direct" in strict.stderr


def test_malformed_discrepancies_are_located(tmp_path, content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    seed_file.write_text(text.replace("\n---\n", "\ndiscrepancies:\n  - {check: R1, scope: review}\n---\n", 1),
                         "utf-8")
    result = run("check", "--content", str(content_copy))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "error[front-matter-discrepancies]: discrepancy 1 has no note" in result.stderr


def test_a_written_csv_gets_its_package_validated(tmp_path, built_data):
    """Publishing validates the per-report package each written file belongs to (the combined
    package is validated in slices before: next test)."""
    import shutil

    from nianbao.pipeline import verify_packages

    root = tmp_path / "data"
    shutil.copytree(built_data, root)
    report_csv = next(root.rglob("*-checks.csv"))  # a per-report one
    written = {"data/applications.csv", report_csv.relative_to(root).as_posix()}
    assert verify_packages(root, root, written, root)() == []
    assert verify_packages(tmp_path / "site", root, written, root)() == []  # not the data tree
    report_csv.write_text(report_csv.read_text("utf-8").replace("pass", "bogus", 1), "utf-8")
    problems = verify_packages(root, root, written, root)()
    assert len(problems) == 1 and "is not a valid data package" in problems[0]
    assert problems[0].startswith(report_csv.parent.relative_to(root).as_posix())


def _real_chunks():
    """(forms, combined schemas, each report's chunks, the report ids, a key for each) of the
    real content."""
    from nianbao.domain.forms import load_forms
    from nianbao.packaging.packages import combined_schemas, report_chunks
    from nianbao.pipeline import read_reports

    outcome = read_reports(CONTENT, None, 1)
    forms = load_forms()
    chunks = {r.report_id: report_chunks(r, outcome.checks[r.report_id], forms)
              for r in outcome.reports}
    ids = sorted(chunks)
    return forms, combined_schemas(forms), chunks, ids, {rid: f"key-{rid}" for rid in ids}


def test_combined_package_validated_slice_by_slice(tmp_path):
    """Each slice (up to PER_BUCKET reports, every table) is validated by Frictionless; a bad
    row is found, a duplicate report id is found (both copies in one slice), reports that did
    not change are not validated again and an edited one is validated alone."""
    from dataclasses import replace

    from nianbao.incremental import combined_validation
    from nianbao.incremental.memo import Memo
    from nianbao.packaging.packages import combined_descriptor, to_csv, to_json
    from nianbao.packaging.batch_validation import validate_each

    forms, schemas, chunks, ids, keys = _real_chunks()
    descriptor = to_json(combined_descriptor(schemas, [2020]))
    codes = to_csv([f["name"] for f in schemas["codes"]["fields"]], forms.codes())
    calls: list[int] = []

    def validate(paths):
        calls.append(len(paths))
        for path in paths:  # the reports each slice holds
            rows = (Path(path).parent / "data" / "reports.csv").read_text("utf-8").splitlines()
            validated.append(sorted(line.split(",")[0] for line in rows[1:]))
        return validate_each(paths, 1)

    def verify(folder, load, memo, ids=ids):  # as nianbao.incremental.validation_schedule does, slice by slice
        found = combined_validation.combined_slices(tmp_path / folder, schemas, ids, keys, load, codes,
                                       descriptor, memo, to_csv)
        return found.settle(validate(found.paths) if found.paths else [])

    validated: list[list[str]] = []
    memo = Memo(tmp_path / "memo")
    assert verify("a", chunks.__getitem__, memo) == [] and validated == [ids]
    assert verify("b", chunks.__getitem__, memo) == [] and calls == [1]
    keys[ids[-1]] = "edited"
    assert verify("b2", chunks.__getitem__, memo) == [] and validated[-1] == [ids[-1]]
    assert verify("b3", chunks.__getitem__, memo) == [] and calls == [1, 1]

    bad = dict(chunks)
    first = bad[ids[0]]["applications"]
    bad[ids[0]] = {**bad[ids[0]], "applications": replace(
        first, csv=first.csv.replace(b"reported", b"bogus", 1))}
    keys[ids[0]] = "changed"
    problems = verify("c", bad.__getitem__, Memo(None))
    assert len(problems) == 1 and "is not a valid data package" in problems[0]

    dup = dict(chunks)
    dup[ids[1]] = chunks[ids[0]]  # a second report with the first one's id and rows
    keys[ids[1]] = "changed too"
    problems = verify("d", dup.__getitem__, Memo(None))
    assert len(problems) == 1 and ("unique" in problems[0] or "primary" in problems[0]), problems


def test_combined_rows_of_unchanged_reports_are_copied_from_the_last_build(tmp_path,
                                                                           monkeypatch):
    """The combined files are the same whether each report's rows come from its chunks or are
    copied from the spools the last build kept; only changed reports' chunks are loaded, a
    table whose rows did not change is linked from the kept spools with its digest known, and
    kept spools that differ from their record are not used."""
    from dataclasses import replace

    from nianbao.packaging import combined
    from nianbao.packaging.packages import RESOURCE_TITLES, to_csv
    from nianbao.disk.fileops import file_facts

    forms, schemas, chunks, ids, keys = _real_chunks()
    codes = forms.codes()
    codes_csv = to_csv([f["name"] for f in schemas["codes"]["fields"]], codes)
    titles = {n: RESOURCE_TITLES[n][0] for n in schemas}
    loaded: list[str] = []

    def write(folder: str, keep: Path | None, order: list[str] | None = None) -> dict[str, bytes]:
        def load(rid):
            loaded.append(rid)
            return chunks[rid]
        files, made, facts = combined.write_combined(tmp_path / folder, schemas, order or ids, load,
                                                     codes, codes_csv, b"{}", titles, to_csv,
                                                     keys, keep)
        csvs = {str(d) for d in files.values() if isinstance(d, Path)}
        assert set(facts) == csvs and all(facts[f] == file_facts(Path(f)) for f in csvs)
        out = {p: (d if isinstance(d, bytes) else d.read_bytes()) for p, d in files.items()}
        return {**out, **{k: v.read_bytes() for k, v in made.items()}}

    def linked(folder: str) -> tuple[dict[str, bytes], set[str]]:
        """``write`` with the kept spools, and the tables whose CSV is the kept spool's file."""
        before = {p.stem: p.stat().st_ino for p in keep.glob("*.csv")}
        out = write(folder, keep)
        return out, {p.stem for p in (tmp_path / folder).glob("*.csv")
                     if p.stat().st_ino == before[p.stem]}

    keep = tmp_path / "kept"
    first = write("a", keep)
    assert sorted(loaded) == ids and write("plain", None) == first
    loaded.clear()
    assert write("b", keep) == first and loaded == []  # every row copied
    middle = ids[len(ids) // 2]
    old = chunks[middle]["applications"]
    chunks[middle] = {**chunks[middle], "applications": replace(
        old, csv=old.csv.replace(b"reported", b"REPORTED", 1))}
    keys[middle] = "changed"
    changed, same = linked("c")
    assert loaded == [middle] and changed != first
    assert same == {"reports", "proactive", "review_litigation", "checks"}
    loaded.clear()
    assert write("fresh", None) == changed
    loaded.clear()
    keys[middle] = "changed again, the same rows"
    assert linked("c2") == (changed, set(schemas) - {"codes"}) and loaded == [middle]
    loaded.clear()
    loaded.clear()
    with open(keep / "applications.csv", "r+b") as f:  # changed in place behind the build's back
        f.write(b"x")
    assert write("d", keep) == changed and sorted(loaded) == ids
    # reports in another order, one gone and one new: runs of kept rows around them; and
    # sheets of a few rows, split where the kept runs are not
    loaded.clear()
    order = [ids[-1], *ids[1:3], *ids[4:-1], ids[0]]
    chunks["new"], keys["new"] = chunks[ids[3]], "new"
    order.insert(len(order) // 2, "new")
    moved = write("e", keep, order)
    assert loaded == ["new"] and moved == write("plain-e", None, order)
    from nianbao.packaging import workbook
    monkeypatch.setattr(workbook, "MAX_ROWS", 300)
    loaded.clear()
    split = write("f", keep, order)
    assert loaded == [] and split == write("plain-f", None, order) and split != moved


def test_output_spilled_to_files_is_the_same(tmp_path, monkeypatch):
    """Beyond a memory budget the build holds its output as files in a scratch folder (a cold
    build of a big site), which publishing moves into the standby trees (nothing left to delete); the
    trees published are the same, and the scratch folder is gone, as
    are the reads a build without a cache kept beside the output, and those a killed one left."""
    from nianbao.incremental import memo

    build(CONTENT, tmp_path / "a" / "data", tmp_path / "a" / "site", base_url="https://x.test/")
    monkeypatch.setattr(memo, "HOLD", 0)
    killed = tmp_path / "b" / ".nianbao-reads-killed"  # what a killed --no-cache build leaves
    (killed / "00").mkdir(parents=True)
    (killed / "00" / "00.pickle").write_bytes(b"x")
    from nianbao.publishing import publish
    moved: list[str] = []

    def move_into(source, path):  # spilled files go into the standby trees by rename
        moved.append(path.relative_to(tmp_path / "b").as_posix())
        return real_move(source, path)

    real_move = publish.move_into
    monkeypatch.setattr(publish, "move_into", move_into)
    build(CONTENT, tmp_path / "b" / "data", tmp_path / "b" / "site", base_url="https://x.test/")
    assert any("2020-heilongjiang/2020-heilongjiang-applications.csv" in p for p in moved)
    assert any(p.endswith("reports/2020-heilongjiang/index.html") for p in moved)
    assert all(p.startswith((".data.publish/", ".site.publish/")) for p in moved), "into standby trees"

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    for name in ("data", "site"):
        assert tree(tmp_path / "b" / name) == tree(tmp_path / "a" / name), name
    assert not list((tmp_path / "b").glob(".nianbao-scratch-*"))
    assert not list((tmp_path / "b").glob(".nianbao-reads-*"))  # its own and the killed build's


PARALLEL = r"""
import os, sys
from pathlib import Path
from nianbao.incremental import memo
from nianbao.pages import render
pids = Path(sys.argv[1])
memo.PARALLEL_FROM = 1
real = render.report_page
def report_page(*args, **kwargs):
    (pids / str(os.getpid())).touch()
    return real(*args, **kwargs)
render.report_page = report_page
from nianbao.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_units_are_made_across_processes_with_the_same_output(tmp_path):
    """A build with a cache makes the units not made before in forked workers (report pages
    here): they run in other processes than the build's, and the output is the same as made in
    one process."""
    pids = tmp_path / "pids"
    pids.mkdir()
    out = {}
    for jobs in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", PARALLEL, str(pids), "build", "--content", str(CONTENT),
             "--data", str(tmp_path / jobs / "data"), "--site", str(tmp_path / jobs / "site"),
             "--cache", str(tmp_path / jobs / "cache"), "--jobs", jobs, "--no-search"],
            cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        out[jobs] = {p.relative_to(tmp_path / jobs).as_posix(): p.read_bytes()
                     for tree in ("data", "site") for p in sorted((tmp_path / jobs / tree).rglob("*"))
                     if p.is_file()}
        made_by = {p.name for p in pids.iterdir()}
        assert len(made_by) == (1 if jobs == "1" else 3), made_by  # the build's, then 2 workers
    assert out["1"] == out["2"]


def test_a_first_build_leaves_its_standby_in_step_by_links(tmp_path):
    """After the first publish the standby holds the same files as the live tree, as hard links
    (so the first edit writes only its change); the next build still gives the same trees."""
    data, site = tmp_path / "data", tmp_path / "site"
    build(CONTENT, data, site, cache_dir=tmp_path / "cache", search=False)
    for live in (data, site):
        standby = live.parent / f".{live.name}.publish" / "standby"
        files = sorted(p.relative_to(live) for p in live.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(standby) for p in standby.rglob("*") if p.is_file())
        assert all((live / f).stat().st_ino == (standby / f).stat().st_ino for f in files)
    before = {p: p.read_bytes() for p in sorted(tmp_path.glob("[ds]*/**/*")) if p.is_file()}
    outcome = build(CONTENT, data, site, cache_dir=tmp_path / "cache", search=False)
    assert outcome.changed == 0
    assert {p: p.read_bytes() for p in sorted(tmp_path.glob("[ds]*/**/*")) if p.is_file()} == before


def test_a_published_search_index_is_linked_into_the_standby_at_once(tmp_path, content_copy,
                                                                   seed_file, monkeypatch):
    """Publishing the search bundle brings the standby in step too, by links, so the edit after it
    does not link the bundle's files (12,000 at 10,000 reports) into the standby itself; the trees
    stay as the builds make them."""
    import nianbao.publishing.publish as publish
    from nianbao.pipeline import index_search
    from nianbao.publishing.records import intact
    from nianbao.publishing.search_index import BUNDLE

    data, site, cache = tmp_path / "data", tmp_path / "site", tmp_path / "cache"
    assert not build(content_copy, data, site, cache_dir=cache, search=False).errors
    index_search(site)
    standby = tmp_path / ".site.publish" / "standby"
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert any(f.as_posix().startswith(BUNDLE) for f in files)
    assert files == sorted(p.relative_to(standby) for p in standby.rglob("*") if p.is_file())
    assert all((site / f).stat().st_ino == (standby / f).stat().st_ino for f in files)
    linked: list[str] = []
    real = publish._kept
    monkeypatch.setattr(publish, "_kept", lambda source, dest, entry:
                        linked.append(dest.as_posix()) or real(source, dest, entry))
    seed_file.write_text(seed_file.read_text("utf-8").replace("title: ", "title: 修订 ", 1), "utf-8")
    assert not build(content_copy, data, site, cache_dir=cache, search=False).errors
    assert not [p for p in linked if f"/standby/{BUNDLE}" in p]
    assert intact(site, check=True) and intact(data, check=True)
    assert any(f.as_posix().startswith(BUNDLE) for f in (p.relative_to(site) for p in site.rglob("*")))


def test_an_edited_reports_package_is_validated_beside_the_build(tmp_path, content_copy,
                                                                  seed_file, monkeypatch):
    """An edit's own report package is validated by Frictionless in the child beside the pages
    (this process never validates it, nor does publishing again); a problem found there fails
    the build before anything is published."""
    import threading

    import nianbao.pipeline as pipeline
    from nianbao.publishing.publish import PublishError

    data, site, cache = tmp_path / "data", tmp_path / "site", tmp_path / "cache"
    assert not build(content_copy, data, site, cache_dir=cache, search=False).errors
    before = (tree(data), tree(site))
    seed_file.write_text(seed_file.read_text("utf-8").replace("title: ", "title: 修订 ", 1), "utf-8")
    real = pipeline.validate_packages
    here: list[list[str]] = []  # calls made in this process (a child's are not seen here)

    def invalid(paths, jobs=None):
        here.append(paths)
        return [["row 2: bogus"] for _ in paths]

    monkeypatch.setattr(pipeline, "validate_packages", invalid)
    with pytest.raises(PublishError, match="2020/2020-heilongjiang/datapackage.json is not a "
                                           "valid data package: row 2: bogus"):
        build(content_copy, data, site, cache_dir=cache, search=False)
    assert (tree(data), tree(site)) == before

    def recorded(paths, jobs=None):
        here.append(paths)
        return real(paths, jobs)

    def recorded_when_published(paths, jobs=None):
        here.append(paths)
        return real_when_published(paths, jobs)

    real_when_published = pipeline.validating_packages
    monkeypatch.setattr(pipeline, "validate_packages", recorded)
    monkeypatch.setattr(pipeline, "validating_packages", recorded_when_published)
    here.clear()
    assert not build(content_copy, data, site, cache_dir=cache, search=False).errors
    assert tree(site) != before[1]
    if threading.active_count() == 1:  # (a process with threads validates in itself)
        assert here == [], "validated in the child only, not again when published"


def test_an_invalid_combined_slice_found_beside_the_build_publishes_nothing(tmp_path, content_copy,
                                                                           seed_file, monkeypatch):
    """An edit's slice of the combined package is validated in a child beside the pages; when
    Frictionless finds a problem there, the build fails before publishing anything."""
    import nianbao.pipeline as pipeline
    from nianbao.publishing.publish import PublishError

    data, site, cache = tmp_path / "data", tmp_path / "site", tmp_path / "cache"
    assert not build(content_copy, data, site, cache_dir=cache, search=False).errors
    before = (tree(data), tree(site))
    seed_file.write_text(seed_file.read_text("utf-8").replace("title: ", "title: 修订 ", 1), "utf-8")
    children: list[int] = []
    real = pipeline.validate_each

    def invalid(paths, jobs=None):
        children.append(os.getpid())
        return [["row 3: bogus"] for _ in paths]

    monkeypatch.setattr(pipeline, "validate_each", invalid)
    with pytest.raises(PublishError, match="slice-0.*bogus"):
        build(content_copy, data, site, cache_dir=cache, search=False)
    assert (tree(data), tree(site)) == before
    import threading
    if threading.active_count() == 1:  # (a process with threads validates in itself)
        assert children == [], "validated in the child, not in this process"
    monkeypatch.setattr(pipeline, "validate_each", real)
    assert not build(content_copy, data, site, cache_dir=cache, search=False).errors
    assert tree(site) != before[1]


def test_each_tree_is_verified_as_soon_as_written_and_a_later_failure_leaves_none_running(tmp_path):
    """``publish`` starts ``verify`` on a tree once its new files are in its standby, while it
    writes the next tree (the report packages are validated while the site is written), and
    waits for every verification it started, also when a later tree fails."""
    from nianbao.publishing.publish import Output, PublishError, publish

    a, b = tmp_path / "a", tmp_path / "b"
    publish({a: Output({"x.txt": b"1"}), b: Output({"y.txt": b"1"})})
    events: list[tuple] = []

    def verify(target, root, written):
        events.append(("started", target.name, sorted(written),
                       sorted(p.name for p in (tmp_path / "b").parent.rglob("y.txt")
                              if p.read_bytes() == b"2")))
        return lambda: events.append(("waited", target.name)) or []

    publish({a: Output({"x.txt": b"2"}), b: Output({"y.txt": b"2"})}, verify=verify)
    assert events == [("started", "a", ["x.txt"], []), ("started", "b", ["y.txt"], ["y.txt"]),
                      ("waited", "a"), ("waited", "b")]
    assert (a / "x.txt").read_bytes() == (b / "y.txt").read_bytes() == b"2"

    events.clear()
    with pytest.raises(PublishError, match="missing.txt was to be kept"):
        publish({a: Output({"x.txt": b"3"}), b: Output({}, frozenset({"missing.txt"}))},
                verify=verify)
    assert events == [("started", "a", ["x.txt"], ["y.txt"]), ("waited", "a")]
    assert (a / "x.txt").read_bytes() == (b / "y.txt").read_bytes() == b"2"


def test_a_kept_file_linked_new_never_writes_into_a_file_linked_elsewhere(tmp_path):
    """A first publish links the live files into its empty standby trees under their own names (no
    temporary name, no rename); a file that is there after all, maybe a hard link shared with
    another tree, is replaced by the link, never written in place."""
    import os

    from nianbao.disk.fileops import digest
    from nianbao.publishing.publish import _kept

    live = tmp_path / "live" / "reports" / "index.html"
    live.parent.mkdir(parents=True)
    live.write_bytes(b"<p>1</p>")
    st = live.stat()
    entry = (digest(b"<p>1</p>"), st.st_size, st.st_mtime_ns)
    standby = tmp_path / "standby" / "reports" / "index.html"
    got = _kept(live, standby, entry, new=True)  # its folders made
    assert standby.samefile(live) and (got.st_size, got.st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    other = tmp_path / "other.html"
    other.write_bytes(b"other")
    standby.unlink()
    os.link(other, standby)  # there after all, shared with another file
    _kept(live, standby, entry, new=True)
    assert standby.samefile(live) and other.read_bytes() == b"other"
    assert sorted(p.name for p in standby.parent.iterdir()) == ["index.html"]
