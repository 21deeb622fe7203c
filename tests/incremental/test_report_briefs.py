"""A build holds reports in brief (nianbao/brief.py) and loads them whole only for the pages and
files made from one report: the site and data are the same as from whole reports."""

import pickle

import pytest

from nianbao.domain.forms import load_forms
from nianbao.incremental.memo import Emitter, Memo, key_of
from nianbao.incremental.read_cache import ReadCache
from nianbao.incremental.report_briefs import brief
from nianbao.incremental.make_packages import build_packages, emit_combined
from nianbao.incremental.make_pages import render_site
from nianbao.pipeline import TEMPLATES, read_reports, scan_reports

from conftest import CONTENT


def made(tmp_path, reports, checked, library, keys) -> dict[str, bytes]:
    forms = load_forms()
    data, site = Emitter(Memo(None), None), Emitter(Memo(None), None)
    scratch = tmp_path / f"scratch-{len(list(tmp_path.iterdir()))}"
    packages = build_packages(reports, library, forms, keys, data, site, scratch)
    render_site(reports, checked, library, packages, TEMPLATES, "https://example.test/", forms,
                site, keys)
    emit_combined(packages, data, site)
    return {p: d if isinstance(d, bytes) else d.read_bytes()
            for tree in (data, site) for p, d in tree.files.items()}


def test_the_same_site_and_data_from_briefs_as_from_whole_reports(tmp_path):
    whole = read_reports(CONTENT, None, 1)
    briefs, library = scan_reports(CONTENT, ReadCache(tmp_path / "reads"), 1)
    assert [b.report_id for b in briefs.reports] == [r.report_id for r in whole.reports]
    assert briefs.totals == whole.totals and briefs.tried == whole.tried
    assert briefs.checks == {rid: tuple(c for c in cs if not c.passed)
                             for rid, cs in whole.checks.items()}
    assert [d.format() for d in briefs.diagnostics] == [d.format() for d in whole.diagnostics]
    for r in whole.reports:
        assert library.report(r.report_id) == r
        assert library.checks(r.report_id) == whole.checks[r.report_id]
    keys = {rid: key_of(k) for rid, k in briefs.keys.items()}
    from_whole = made(tmp_path, whole.reports, whole, library, keys)
    from_briefs = made(tmp_path, briefs.reports, briefs, library, keys)
    assert sorted(from_briefs) == sorted(from_whole)
    for path, data in from_whole.items():
        assert from_briefs[path] == data, path


def test_a_brief_refuses_a_cell_it_does_not_keep():
    report = next(r for r in read_reports(CONTENT, None, 1).reports
                  if r.report_id == "2020-heilongjiang")
    b = brief(report, ())
    assert b.value("applications", "new", "total") == report.value("applications", "new", "total")
    with pytest.raises(KeyError, match="does not keep"):
        b.value("applications", "new", "natural_person")
    assert len(pickle.dumps(b)) < len(pickle.dumps(report)) / 10


def test_a_brief_keeps_the_headings_its_failing_checks_name_and_its_figures():
    """A failing prose check's scope is ``<section>.<n>``: the checks page names the passage by
    its heading, so the brief keeps that section's heading (and no other section)."""
    from nianbao.incremental.report_briefs import kept_cells
    from nianbao.pages.check_pages import scope_label
    from nianbao.domain.model import Check

    report = next(r for r in read_reports(CONTENT, None, 1).reports
                  if r.report_id == "2020-heilongjiang")
    section = next(s for s in report.sections if s.heading)
    failing = Check(report.report_id, "X5", f"{section.code}.1", 5, 6, "fail", "", cells=())
    b = brief(report, (failing,))
    assert [s.code for s in b.sections] == [section.code]
    forms = load_forms()
    assert scope_label(b, failing, forms) == scope_label(report, failing, forms)
    assert section.heading in scope_label(b, failing, forms)
    assert brief(report, ()).sections == ()
    for table, key in kept_cells():
        assert b.value(table, *key) == report.value(table, *key)
