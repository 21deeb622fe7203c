"""The Excel writer (nianbao/workbook.py, zipfile and the minimal OOXML parts): the same sheets, headers
and cells as the openpyxl writer it replaced, read back by openpyxl and by pandas; well-formed
parts; byte-identical across runs; text never a formula; Excel's row and cell limits; faster.

The openpyxl writer is kept below only as the reference (`reference_workbook`, the former
nianbao/workbook.py verbatim but for its name)."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import warnings
import zipfile
from decimal import Decimal
from xml.etree import ElementTree as ET

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from nianbao.domain.forms import load_forms
from nianbao.packaging import combined
from nianbao.packaging import packages as package_module
from nianbao.packaging import workbook
from nianbao.pipeline import read_reports

from conftest import CONTENT

EPOCH = dt.datetime(1980, 1, 1)


def reference_workbook(sheets: list[tuple[str, list[dict], list[dict]]]) -> bytes:
    """The former writer (openpyxl), the reference for every sheet, header and cell."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "nianbao"
    wb.properties.created = EPOCH
    wb.properties.modified = EPOCH
    for name, fields, rows in sheets:
        ws = wb.create_sheet(name[:31])
        for col, f in enumerate(fields, 1):
            cell = ws.cell(1, col, workbook._zh(f.get("title", "")) or f["name"])
            cell.font = Font(bold=True)
        for r, row in enumerate(rows, 2):
            for col, f in enumerate(fields, 1):
                value = row.get(f["name"])
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    value = "是" if value else "否"
                if isinstance(value, Decimal):
                    value = float(value)
                cell = ws.cell(r, col, value)
                if isinstance(value, str):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def real_sheets() -> dict[str, list]:
    """Every workbook the build makes from content/ (the combined one and one per report):
    name → the ``sheets`` argument the package stage gives ``workbook``."""
    outcome = read_reports(CONTENT, None, 1)
    assert not outcome.errors, [d.format() for d in outcome.errors]
    forms = load_forms()
    reports = sorted(outcome.reports, key=lambda r: r.report_id)
    out = {"combined": combined_sheets(reports, outcome.checks, forms)}
    for report in reports:
        out[report.report_id] = package_module.report_package(
            report, outcome.checks[report.report_id], forms)[1]
    assert len(out) == 8
    return out


def combined_sheets(reports, checks, forms) -> list:
    """The combined package's tables as ``workbook`` sheets, rows as in its CSV files."""
    p = package_module
    dims = {t: forms.table(t).dimensions for t in forms.tables}
    rows = {
        "reports": [p.report_row(r) for r in reports],
        "proactive": [x for r in reports for x in p.cell_rows(r, "active", dims["active"])],
        "applications": [x for r in reports for x in p.cell_rows(r, "applications", dims["applications"])],
        "review_litigation": [x for r in reports
                              for x in p.cell_rows(r, "review_litigation", dims["review_litigation"])],
        "checks": [p._check_row(c) for r in reports for c in checks[r.report_id]],
        "codes": forms.codes(),
    }
    return [(p.RESOURCE_TITLES[n][0], s["fields"], rows[n])
            for n, s in p.combined_schemas(forms).items()]


def streamed_combined(tmp_path, reports, checks, forms) -> bytes:
    """The combined workbook as the build makes it: streamed from every report's chunks."""
    p = package_module
    schemas = p.combined_schemas(forms)
    chunks = {r.report_id: p.report_chunks(r, checks[r.report_id], forms) for r in reports}
    codes = forms.codes()
    _, made, _ = combined.write_combined(
        tmp_path, schemas, [r.report_id for r in reports], chunks.__getitem__, codes,
        p.to_csv([f["name"] for f in schemas["codes"]["fields"]], codes), b"{}",
        {n: p.RESOURCE_TITLES[n][0] for n in schemas}, p.to_csv)
    return made["xlsx"].read_bytes()


def opened(data: bytes):
    """The workbook as openpyxl reads it; any warning (a repaired part) fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_workbook(io.BytesIO(data))


def cells(data: bytes) -> dict[str, list[list[tuple]]]:
    """sheet → rows of (value, type, bold) as openpyxl reads them."""
    wb = opened(data)
    return {ws.title: [[(c.value, type(c.value).__name__, bool(c.font.b)) for c in row]
                       for row in ws.iter_rows()] for ws in wb}


def test_same_sheets_headers_and_cells_as_the_openpyxl_writer(real_sheets):
    for name, sheets in real_sheets.items():
        new, ref = cells(workbook.workbook(sheets)), cells(reference_workbook(sheets))
        assert list(new) == list(ref), name
        for title in ref:
            assert new[title] == ref[title], f"{name}: sheet {title}"
        wb = opened(workbook.workbook(sheets))
        assert all(ws.freeze_panes == "A2" for ws in wb), name


def test_streamed_combined_workbook_has_the_same_cells(tmp_path):
    """The combined workbook is assembled from each report's deflated rows (no cell references):
    openpyxl and pandas read the same sheets, headers and cells as from the reference writer."""
    outcome = read_reports(CONTENT, None, 1)
    forms = load_forms()
    reports = sorted(outcome.reports, key=lambda r: r.report_id)
    data = streamed_combined(tmp_path, reports, outcome.checks, forms)
    sheets = combined_sheets(reports, outcome.checks, forms)
    new, ref = cells(data), cells(reference_workbook(sheets))
    assert list(new) == list(ref)
    for title in ref:
        assert new[title] == ref[title], title
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    frames = pd.read_excel(io.BytesIO(data), sheet_name=None)
    for title, frame in pd.read_excel(io.BytesIO(reference_workbook(sheets)), sheet_name=None).items():
        pd.testing.assert_frame_equal(frames[title], frame, obj=title)
    assert streamed_combined(tmp_path / "again", reports, outcome.checks, forms) == data


def test_streamed_combined_workbook_splits_between_reports(tmp_path, monkeypatch):
    outcome = read_reports(CONTENT, None, 1)
    forms = load_forms()
    reports = sorted(outcome.reports, key=lambda r: r.report_id)
    checks = [len(outcome.checks[r.report_id]) for r in reports]
    biggest = max(c.rows for r in reports
                  for c in package_module.report_chunks(r, outcome.checks[r.report_id], forms).values())
    monkeypatch.setattr(workbook, "MAX_ROWS", biggest + 1)  # the largest report's rows fill a sheet
    wb = opened(streamed_combined(tmp_path, reports, outcome.checks, forms))
    parts = [ws for ws in wb if ws.title.startswith("勾稽关系校验")]
    assert len(parts) > 1 and parts[0].title == "勾稽关系校验 (1)"
    rows = [r for ws in parts for r in list(ws.iter_rows(values_only=True))[1:]]
    assert len(rows) == sum(checks)
    assert all(ws.max_row <= workbook.MAX_ROWS for ws in parts)
    ids = [r[0] for r in rows]
    assert ids == sorted(ids)  # every sheet holds whole reports, in order
    for ws in parts:
        firsts = {r[0] for r in list(ws.iter_rows(values_only=True))[1:]}
        assert all(sum(1 for r in rows if r[0] == i) == sum(1 for r in list(
            ws.iter_rows(values_only=True))[1:] if r[0] == i) for i in firsts)


def test_pandas_reads_the_same_frames(real_sheets):
    for name, sheets in real_sheets.items():
        new = pd.read_excel(io.BytesIO(workbook.workbook(sheets)), sheet_name=None)
        ref = pd.read_excel(io.BytesIO(reference_workbook(sheets)), sheet_name=None)
        assert list(new) == list(ref), name
        for title in ref:
            pd.testing.assert_frame_equal(new[title], ref[title], obj=f"{name}: {title}")


def test_real_workbooks_hold_numbers_as_numbers(real_sheets):
    wb = opened(workbook.workbook(real_sheets["2020-heilongjiang"]))
    sheet = wb["表二 主动公开政府信息情况"]
    header = [c.value for c in sheet[1]]
    values = [row[header.index("本年增/减（项）")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert -38 in values and all(isinstance(v, int) for v in values if v is not None)
    money = [v for row in sheet.iter_rows(min_row=2, values_only=True) for v in row
             if isinstance(v, float)]
    assert 3618261.46 in money


CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def test_parts_are_well_formed_typed_and_linked(real_sheets):
    for name, sheets in real_sheets.items():
        data = workbook.workbook(sheets)
        zf = zipfile.ZipFile(io.BytesIO(data))
        assert zf.testzip() is None
        parts = zf.namelist()
        assert parts[0] == "[Content_Types].xml" and len(set(parts)) == len(parts)
        trees = {p: ET.fromstring(zf.read(p)) for p in parts}  # every part is well-formed XML
        types = trees["[Content_Types].xml"]
        overrides = {o.get("PartName") for o in types.iter(f"{CONTENT_TYPES}Override")}
        defaults = {d.get("Extension") for d in types.iter(f"{CONTENT_TYPES}Default")}
        for p in parts:
            assert f"/{p}" in overrides or p.rsplit(".", 1)[-1] in defaults, (name, p)
        assert overrides <= {f"/{p}" for p in parts}
        for rels, base in (("_rels/.rels", ""), ("xl/_rels/workbook.xml.rels", "xl/")):
            for rel in trees[rels].iter(f"{RELS}Relationship"):
                assert base + rel.get("Target") in parts, (name, rel.get("Target"))
        sheet_xml = [p for p in parts if p.startswith("xl/worksheets/")]
        assert len(sheet_xml) == len(sheets)
        for p in sheet_xml:
            text = zf.read(p).decode("utf-8")
            assert "<f>" not in text and "<f " not in text  # no formula anywhere


def test_byte_identical_across_runs(real_sheets):
    for name, sheets in real_sheets.items():
        first, second = workbook.workbook(sheets), workbook.workbook(sheets)
        assert first == second, name
        infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


FIELDS = [{"name": "text", "title": "文字 / Text"}, {"name": "number", "title": "数值 / Number"},
          {"name": "flag", "title": "标志 / Flag"}]


def one_sheet(rows: list[dict], fields=FIELDS, name="表") -> list[list]:
    wb = opened(workbook.workbook([(name, fields, rows)]))
    return [list(r) for r in wb[wb.sheetnames[0]].iter_rows(values_only=True)]


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1",
                                  "-2+3+cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")'])
def test_text_that_a_spreadsheet_would_run_is_neutralised(text):
    rows = one_sheet([{"text": text, "number": -3, "flag": True}])
    assert rows[1] == ["'" + text, -3, "是"]


def test_numbers_stay_numbers_and_plain_text_stays():
    rows = one_sheet([{"text": "a=b", "number": Decimal("-0.5"), "flag": False},
                      {"text": "", "number": None, "flag": None},
                      {"text": "-3", "number": 0, "flag": True}])
    assert rows[0] == ["文字", "数值", "标志"]
    assert rows[1] == ["a=b", -0.5, "否"]
    assert rows[2] == [None, None, None]
    assert rows[3] == ["-3", 0, "是"]  # a text that is a plain number is no formula: left alone
    wb = opened(workbook.workbook([("表", FIELDS, [{"text": "=1", "number": 1}])]))
    assert wb["表"]["A2"].data_type == "s" and wb["表"]["B2"].data_type == "n"


def test_text_beyond_xml_and_excel_limits():
    long = "长" * 40_000
    rows = one_sheet([{"text": "a\x00b\x07c\ud800d"}, {"text": long}, {"text": "_x0041_ and _x"},
                      {"text": "  spaced \r\n"}])
    assert rows[1][0] == "a\ufffdb\ufffdc\ufffdd"
    assert len(rows[2][0]) == workbook.MAX_CELL_CHARS and rows[2][0].endswith("…")
    # Excel reads _xHHHH_ as a character: a literal one keeps its underscore escaped
    assert rows[3][0] == "_x005F_x0041_ and _x"
    assert rows[4][0] == "  spaced \r\n"
    assert len(workbook._fit("😀" * 20_000)) == 16_383 + 1  # Excel counts UTF-16 units


def test_a_table_beyond_excels_row_limit_is_split_in_numbered_sheets(monkeypatch):
    assert workbook.MAX_ROWS == 1_048_576
    monkeypatch.setattr(workbook, "MAX_ROWS", 5)  # 4 data rows a sheet
    name = "表三 收到和处理政府信息公开申请情况（很长的名称超过三十一个字）"
    data = workbook.workbook([(name, FIELDS, [{"text": f"r{i}", "number": i} for i in range(10)]),
                          ("其他", FIELDS, [{"number": 1}])])
    wb = opened(data)
    assert wb.sheetnames == [name[:27] + " (1)", name[:27] + " (2)", name[:27] + " (3)", "其他"]
    got = [[list(r) for r in wb[t].iter_rows(values_only=True)] for t in wb.sheetnames[:3]]
    assert all(sheet[0] == ["文字", "数值", "标志"] for sheet in got)
    assert [r[1] for sheet in got for r in sheet[1:]] == list(range(10))
    assert [len(s) - 1 for s in got] == [4, 4, 2]


def test_sheet_names_excel_accepts():
    assert workbook._sheet_names(["a/b", "a/b", "'q'", "x" * 40, "", "Sheet"]) == [
        "a_b", "a_b (2)", "q", "x" * 31, "Sheet5", "Sheet"]


def test_faster_than_the_openpyxl_writer(real_sheets, capsys):
    per_report = [s for name, s in real_sheets.items() if name != "combined"]

    def per_workbook(writer) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for sheets in per_report:
                writer(sheets)
            best = min(best, (time.perf_counter() - start) / len(per_report))
        return best

    old, new = per_workbook(reference_workbook), per_workbook(workbook.workbook)
    with capsys.disabled():
        print(f"\nper-report workbook: openpyxl {old * 1000:.1f} ms, new writer {new * 1000:.1f} ms "
              f"({old / new:.1f}x)")
    assert new * 3 < old
