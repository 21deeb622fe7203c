"""Identities on the seed, and on reports that break them (data, never exceptions)."""

import dataclasses
from collections import Counter

from nianbao.checks.identities import validate
from nianbao.domain.model import Cell
from nianbao.reading.load import load_content
from nianbao.reading.parse import parse_document

from conftest import CONTENT


def seed():
    docs, _ = load_content(CONTENT)
    doc = next(d for d in docs if d.meta.report_id == "2020-heilongjiang")
    return parse_document(doc)[0]


def with_cell(report, table, key, value, status="reported"):
    cells = tuple(dataclasses.replace(c, value=value, status=status)
                  if c.table == table and c.key == key else c for c in report.cells)
    return dataclasses.replace(report, cells=cells)


def test_all_identities_pass_on_the_seed():
    checks, _ = validate(seed())
    assert Counter(c.check for c in checks) == {
        "A1": 7, "A2": 7, "A3": 23, "A4": 1, "R1": 1, "R2": 1, "R3": 1, "R4": 1, "X5": 1}
    assert [c for c in checks if not c.passed] == []


def test_x5_compares_the_prose_with_the_table():
    x5 = [c for c in validate(seed())[0] if c.check == "X5"][0]
    assert (x5.actual, x5.expected) == (6189, 6117 + 72)
    assert "6189" in x5.message


def test_a_changed_cell_breaks_exactly_its_identities():
    report = with_cell(seed(), "applications", ("granted", "natural_person"), 2687)
    failed = {(c.check, c.scope) for c in validate(report)[0] if not c.passed}
    assert failed == {("A2", "natural_person"), ("A3", "granted")}
    a3 = next(c for c in validate(report)[0] if c.check == "A3" and c.scope == "granted")
    assert (a3.actual, a3.expected) == (2988, 2989)
    assert "c-applications-granted-natural_person" in a3.cells


def test_review_totals():
    report = with_cell(seed(), "review_litigation", ("review", "total"), 0)
    r1 = next(c for c in validate(report)[0] if c.check == "R1")
    assert (r1.result, r1.actual, r1.expected) == ("fail", 0, 225)


def test_negative_count_fails_a4():
    report = with_cell(seed(), "applications", ("new", "other"), -207)
    a4 = next(c for c in validate(report)[0] if c.check == "A4")
    assert (a4.result, a4.actual) == ("fail", 1)


def test_blank_counts_as_zero_and_says_so():
    report = with_cell(seed(), "review_litigation", ("review", "pending"), None, "blank")
    r1 = next(c for c in validate(report)[0] if c.check == "R1")
    assert r1.result == "fail" and "按 0 计" in r1.message


def test_absent_cells_give_no_verdict_and_no_exception():
    report = seed()
    cells = tuple(Cell(c.table, c.key, None, "absent") if c.key[0] == "results_total" else c
                  for c in report.cells)
    checks, _ = validate(dataclasses.replace(report, cells=cells))
    assert not [c for c in checks if c.check in ("A1", "A2")]
    assert all(c.passed for c in checks)
