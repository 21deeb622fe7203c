"""`build.py import`: real documents into canonical content files, and located refusals."""

import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.importer import import_source

from conftest import CONTENT, ROOT, SHARED

REPORTS = SHARED / "reports"
needs_shared = pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared/reports is absent")

# source, options, committed content file
IMPORTS = [
    ("pingtan-2019.txt", {"agency_id": "pingtan"}, "2019/pingtan.md"),
    ("pingtan-2020.txt", {"agency_id": "pingtan"}, "2020/pingtan.md"),
    ("pingtan-2021.txt", {"agency_id": "pingtan"}, "2021/pingtan.md"),
    ("pingtan-2022.txt", {"agency_id": "pingtan"}, "2022/pingtan.md"),
    ("shanghai-office-2019.html", {"agency_id": "shanghai-office"}, "2019/shanghai-office.md"),
    ("hongze-2023.pdf", {"agency_id": "hongze", "agency": "淮安市洪泽区人民政府"}, "2023/hongze.md"),
]


@needs_shared
@pytest.mark.parametrize("source,options,committed", IMPORTS, ids=[i[0] for i in IMPORTS])
def test_committed_entries_are_what_the_import_writes(tmp_path, source, options, committed):
    """Re-importing over the committed file (--force) gives it back byte for byte: the figures
    as the importer reads them, and the maintainer's acknowledged discrepancies kept."""
    (tmp_path / committed).parent.mkdir(parents=True)
    (tmp_path / committed).write_text((CONTENT / committed).read_text("utf-8"), "utf-8")
    result = import_source(REPORTS / source, tmp_path, data_only=True, force=True, **options)
    assert result.path is not None, [d.format() for d in result.diagnostics]
    assert not [d for d in result.diagnostics if d.is_error]
    assert result.path.read_text("utf-8") == (CONTENT / committed).read_text("utf-8")


@needs_shared
def test_detects_year_agency_source_and_template(tmp_path):
    result = import_source(REPORTS / "pingtan-2019.txt", tmp_path, data_only=True)
    meta = result.report.meta
    assert (meta.year, meta.agency, result.report.template) == (2019, "平潭综合实验区", "2019")
    assert meta.source_url.startswith("https://www.pingtan.gov.cn/")
    assert meta.published == "2020-01-20"
    assert result.path.name == "pingtanzongheshiyanqu.md"  # from the name, unless --agency-id


@needs_shared
def test_full_text_import_keeps_the_prose(tmp_path):
    result = import_source(REPORTS / "heilongjiang-2020.txt", tmp_path, agency_id="hlj",
                           agency="黑龙江省人民政府")
    text = result.path.read_text("utf-8")
    assert "full_text" not in text
    assert "**二是建立政府信息公开平台。**" in text
    assert "| 5. 要求行政机关确认或重新出具已获取信息 |" not in text  # canonical labels
    assert "| 5.要求行政机关确认或重新出具已获取信息 | 14 | 1 | 0 | 1 | 0 | 0 | 16 |" in text


@needs_shared
def test_unreadable_cells_are_marked_with_their_readings(tmp_path):
    result = import_source(REPORTS / "pingtan-2021.txt", tmp_path, agency_id="pingtan",
                           data_only=True)
    text = result.path.read_text("utf-8")
    assert "| 行政规范性文件 | ? | ? | ? |" in text
    assert "原文“693665”无法唯一拆分" in text
    warnings = [d for d in result.diagnostics if d.code == "cell-unreadable"]
    assert len(warnings) == 1 and "693665" in warnings[0].message


def test_not_a_report_names_what_was_expected(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("2020年工作总结\n今天天气很好。\n", "utf-8")
    result = import_source(source, tmp_path / "content", year=2020, agency="测试局", agency_id="t")
    errors = [d for d in result.diagnostics if d.is_error]
    assert {d.code for d in errors} == {"section-missing"}
    assert any("二、主动公开政府信息情况" in d.message for d in errors)
    assert result.path is None and not (tmp_path / "content").exists()


def test_missing_table_is_located(tmp_path):
    text = (ROOT / "content" / "2020" / "heilongjiang.md").read_text("utf-8")
    start, end = text.index("行政复议\t\t"), text.index("五、存在的问题及改进情况")
    source = tmp_path / "report.txt"
    source.write_text(text[:start] + text[end:], "utf-8")
    result = import_source(source, tmp_path / "content", agency_id="hlj")
    errors = [d for d in result.diagnostics if d.is_error]
    assert [d.code for d in errors] == ["table-missing"]
    assert errors[0].line == text[:start].count("\n") - 1  # the heading, as a line of the file
    assert "table 四" in errors[0].message and "hint" in errors[0].format()


def test_existing_content_is_never_overwritten_silently(tmp_path):
    source = ROOT / "content" / "2020" / "heilongjiang.md"
    first = import_source(source, tmp_path, agency_id="hlj")
    assert first.path is not None
    before = first.path.read_bytes()
    again = import_source(source, tmp_path, agency_id="hlj")
    assert again.path is None and [d.code for d in again.diagnostics] == ["content-exists"]
    assert first.path.read_bytes() == before


@pytest.mark.parametrize("name,data,code", [
    ("report.docx", b"PK\x03\x04", "unknown-format"),
    ("report.pdf", b"not a pdf", "pdf-unreadable"),
    ("missing.txt", None, "source-missing"),
])
def test_unreadable_sources(tmp_path, name, data, code):
    source = tmp_path / name
    if data is not None:
        source.write_bytes(data)
    result = import_source(source, tmp_path / "content")
    assert [d.code for d in result.diagnostics] == [code]


def test_cli_import_exit_codes(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, str(ROOT / "build.py"), "import", *args],
                              capture_output=True, text=True, cwd=ROOT)

    ok = run(str(ROOT / "content" / "2020" / "heilongjiang.md"), "--content", str(tmp_path),
             "--agency-id", "hlj")
    assert ok.returncode == 0 and "imported 2020-hlj (2019 template, 198 cells" in ok.stdout
    bad = run(str(tmp_path / "nothing.pdf"), "--content", str(tmp_path))
    assert bad.returncode == 1 and "error[source-missing]" in bad.stderr
    assert "Traceback" not in bad.stderr
