"""`build.py import`: real documents into canonical content files, and located refusals."""

import subprocess
import sys
from pathlib import Path

import pytest

from nianbao.importing.importer import import_source

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


@pytest.mark.parametrize("name,data,code", [
    ("empty.txt", b"", "file-empty"),
    ("blank.html", b"  \n\n", "file-empty"),
    ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "file-binary"),
    ("report.html", b"PK\x03\x04\x14\x00\x06\x00", "file-binary"),
    ("noise.txt", bytes(range(256)) * 16, "file-binary"),
])
def test_empty_and_binary_sources_are_named(tmp_path, name, data, code):
    source = tmp_path / name
    source.write_bytes(data)
    result = import_source(source, tmp_path / "content", agency_id="hlj")
    assert [(d.code, d.line, d.col) for d in result.diagnostics] == [(code, 1, 1)]
    assert result.diagnostics[0].hint and result.path is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "gb18030", "utf-8-sig"])
def test_sources_in_other_encodings_are_read(tmp_path, encoding):
    """A published document comes in whatever its site used; the content file is UTF-8."""
    text = (ROOT / "content" / "2020" / "heilongjiang.md").read_text("utf-8")
    source = tmp_path / "report.txt"
    source.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    result = import_source(source, tmp_path / "content", agency_id="hlj")
    assert result.path is not None, [d.format() for d in result.diagnostics]
    assert len(result.report.cells) == 198
    result.path.read_text("utf-8")


def test_control_characters_in_a_source_become_spaces(tmp_path):
    """Page breaks (form feeds) of text taken from a PDF: imported, never written out."""
    text = (ROOT / "content" / "2020" / "heilongjiang.md").read_text("utf-8")
    source = tmp_path / "report.txt"
    source.write_text(text.replace("二、行政机关主动公开", "\x0c二、行政机关主动公开").replace("。", "。\x07", 3), "utf-8")
    result = import_source(source, tmp_path / "content", agency_id="hlj")
    assert result.path is not None, [d.format() for d in result.diagnostics]
    assert not any(ch in result.path.read_text("utf-8") for ch in "\x0c\x07")


def test_a_year_before_the_regulations_is_refused(tmp_path):
    result = import_source(ROOT / "content" / "2020" / "heilongjiang.md", tmp_path, year=1999,
                           agency_id="hlj")
    assert [(d.code, d.message) for d in result.diagnostics] == [("year-invalid", "1999 is not a reporting year")]
    assert result.path is None


def test_an_invalid_source_url_option_is_refused(tmp_path):
    result = import_source(ROOT / "content" / "2020" / "heilongjiang.md", tmp_path,
                           agency_id="hlj", source_url="ftp://example.org/x")
    assert [d.code for d in result.diagnostics] == ["source-url-invalid"] and result.path is None


def test_a_detected_date_or_address_that_is_not_one_is_left_out(tmp_path):
    text = (ROOT / "content" / "2020" / "heilongjiang.md").read_text("utf-8").split("---\n", 2)[2]
    source = tmp_path / "crawl.txt"
    source.write_text("标题: 黑龙江省2020年政府信息公开工作年度报告\n发布时间: 2021-13-45 10:00\n"
                      "原文链接: javascript:alert(1)\n===== 正文 =====\n" + text, "utf-8")
    result = import_source(source, tmp_path / "content", agency_id="hlj")
    assert result.path is not None, [d.format() for d in result.diagnostics]
    warnings = [d for d in result.diagnostics if d.code == "detected-field-dropped"]
    assert len(warnings) == 1 and not warnings[0].is_error
    assert "'javascript:alert(1)'" in warnings[0].message and "'2021-13-45'" in warnings[0].message
    written = result.path.read_text("utf-8")
    assert "published" not in written and "source_url" not in written


def test_a_source_too_large_is_refused(tmp_path, monkeypatch):
    from nianbao.reading import sources

    monkeypatch.setitem(sources.MAX_BYTES, "", 1000)
    result = import_source(ROOT / "content" / "2020" / "heilongjiang.md", tmp_path, agency_id="hlj")
    assert [d.code for d in result.diagnostics] == ["file-too-large"] and result.path is None


def test_an_unreadable_source_is_located(tmp_path, monkeypatch):
    source = tmp_path / "report.txt"
    source.write_text("x", "utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = import_source(source, tmp_path / "content")
    assert [(d.code, d.line) for d in result.diagnostics] == [("file-unreadable", 1)]
    assert "Permission denied" in result.diagnostics[0].message


@needs_shared
def test_a_damaged_pdf_is_named_never_a_traceback(tmp_path):
    """Found by fuzzing: pdfminer raises while reading a page of a damaged PDF, not only on open."""
    import random

    data = bytearray((REPORTS / "hongze-2023.pdf").read_bytes())
    rng = random.Random("pdf-8")  # 50 flipped bits that break page 4
    for _ in range(50):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    source = tmp_path / "damaged.pdf"
    source.write_bytes(bytes(data))
    result = import_source(source, tmp_path / "content", agency_id="hz", agency="淮安市洪泽区人民政府")
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("pdf-unreadable", "the PDF is damaged (PdfminerException on page 4)")]


def test_year_and_agency_not_found_are_named(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("工作总结\n今天天气很好。\n", "utf-8")
    result = import_source(source, tmp_path / "content")
    assert [(d.code, d.line) for d in result.diagnostics] == [("year-unknown", 1), ("agency-unknown", 1)]
    result = import_source(source, tmp_path / "content", year=2020, agency="（）")
    assert [d.code for d in result.diagnostics] == ["agency-id"]
    assert "--agency-id" in result.diagnostics[0].hint


def test_a_pdf_without_text_is_named(tmp_path):
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    body, offsets = b"%PDF-1.4\n", []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf = body + xref + b"trailer\n<< /Root 1 0 R /Size 4 >>\nstartxref\n%d\n%%%%EOF\n" % len(body)
    source = tmp_path / "scan.pdf"
    source.write_bytes(pdf)
    result = import_source(source, tmp_path / "content", agency_id="x")
    assert [d.code for d in result.diagnostics] == ["pdf-no-text"]


def test_control_characters_in_a_crawl_header_or_option_never_reach_the_front_matter(tmp_path):
    """Found by fuzzing: a NUL in the crawl's title line went into the front matter, which the
    round trip then refused (RuntimeError)."""
    text = (ROOT / "content" / "2020" / "heilongjiang.md").read_text("utf-8").split("---\n", 2)[2]
    source = tmp_path / "crawl.txt"
    source.write_text("标题: 黑龙江省2020年政府\x00信息公开工作年度报告\uffff\n"
                      "原文链接: https://example.org/\x0fa\n===== 正文 =====\n" + text, "utf-8")
    result = import_source(source, tmp_path / "content", agency_id="hlj", agency="黑龙江省\x07人民政府")
    assert result.path is not None, [d.format() for d in result.diagnostics]
    front = result.path.read_text("utf-8").split("---\n")[1]
    assert "title: 黑龙江省2020年政府信息公开工作年度报告\n" in front and "agency: 黑龙江省 人民政府\n" in front
    assert "source_url" not in front
    assert [d.code for d in result.diagnostics] == ["detected-field-dropped"]
