"""Parsing the seed report, and located errors for broken tables."""

from pathlib import Path

import pytest

from nianbao.reading.load import load_content
from nianbao.reading.parse import parse_document

from conftest import CONTENT


def parse(content: Path):
    docs, diags = load_content(content)
    assert not diags
    return parse_document(docs[0])


def replace_line(path: Path, old: str, new: str) -> int:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_seed_structure(seed_content):
    report, diags = parse(seed_content)
    assert not diags
    assert report.template == "2019"
    assert report.table_templates == {"active": "2019", "applications": "2019",
                                      "review_litigation": "2019"}
    assert [s.code for s in report.sections] == ["preamble", "s1_overview", "s2_active",
                                                 "s3_applications", "s4_review_litigation",
                                                 "s5_problems", "s6_other"]
    assert all(c.status == "reported" for c in report.cells)


def test_seed_prose(seed_content):
    report, _ = parse(seed_content)
    s1 = next(s for s in report.sections if s.code == "s1_overview")
    assert "**二是建立政府信息公开平台。**" in s1.markdown
    assert "答复合法性审核机制" in s1.markdown  # a page break cut this word in the source
    assert "### （二）坚持以人民为中心，依法办理依申请公开" in s1.markdown
    s2 = next(s for s in report.sections if s.code == "s2_active")
    assert s2.markdown == ""  # table lines are not prose
    preamble = report.sections[0]
    assert preamble.markdown.startswith("按照《中华人民共和国政府信息公开条例》")


def test_seed_cells_keep_source_positions(seed_content):
    report, _ = parse(seed_content)
    cell = report.cell("active", "art20_9", "central_procurement", "total_amount")
    assert (cell.raw, cell.unit) == ("3618261.46 万元", "万元")
    text = (CONTENT / "2020" / "heilongjiang.md").read_text("utf-8").split("\n")
    assert text[cell.line - 1][cell.col - 1 :].startswith("3618261.46 万元")


@pytest.mark.parametrize("old,new,code,col", [
    ("\t\t5672\t174\t", "\t\t5672\tabc\t", "cell-not-number", 24),
    ("4. 保护第三方合法权益\t288\t3\t0\t0\t0\t0\t291", "4. 保护第三方合法权益\t288\t3\t0\t0\t0\t291", "cell-count", 16),
    ("109\t50\t33\t33\t225\t", "109\t50\t33\t225\t", "cell-count", 1),
    ("行政许可\t851\t-38\t2180117", "行政许可\t851\t-38", "cell-count", 6),
])
def test_bad_cells_are_located(content_copy, seed_file, old, new, code, col):
    line = replace_line(seed_file, old, new)
    report, diags = parse(content_copy)
    assert report is None
    errors = [d for d in diags if d.is_error]
    assert [(d.code, d.line) for d in errors] == [(code, line)]
    assert errors[0].col == col
    text = errors[0].format()
    assert text.startswith(f"content/2020/heilongjiang.md:{line}:{col}: error[{code}]: ") or \
        f":{line}:{col}: error[{code}]: " in text
    assert "hint:" in text


def test_missing_table_is_named(content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    start = text.index("行政复议\t\t")
    end = text.index("五、存在的问题及改进情况")
    seed_file.write_text(text[:start] + text[end:], "utf-8")
    report, diags = parse(content_copy)
    assert report is None
    assert [d.code for d in diags if d.is_error] == ["table-missing"]
    assert "table 四" in diags[0].message


def test_missing_section_is_named(content_copy, seed_file):
    replace_line(seed_file, "三、行政机关收到和处理政府信息公开申请情况", "（三）其他")
    report, diags = parse(content_copy)
    assert report is None
    assert "section-missing" in [d.code for d in diags if d.is_error]


def test_missing_row_is_absent_not_zero(content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    line = next(l for l in text.split("\n") if "8. 属于行政查询事项" in l)
    seed_file.write_text(text.replace(line + "\n", ""), "utf-8")
    report, diags = parse(content_copy)
    assert not [d for d in diags if d.is_error]
    cells = [c for c in report.cells if c.key[0] == "withheld.admin_query"]
    assert len(cells) == 7 and {c.status for c in cells} == {"absent"}
    assert {c.value for c in cells} == {None}


def test_extra_row_is_kept_aside_not_counted(content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    row = "四、结转下年度继续办理\t\t129\t4\t0\t1\t4\t0\t138\t"
    seed_file.write_text(text.replace(row, row + "\n其他主动公开文件\t\t1\t2\t3\t4\t5\t6\t21\t"), "utf-8")
    report, diags = parse(content_copy)
    assert [d.code for d in diags] == ["unknown-row"] and not diags[0].is_error
    assert any("其他主动公开文件" in n and "未计入" in n for n in report.notes["applications"])
    assert len(report.table_cells("applications")) == 161


def test_label_typo_is_matched_by_similarity(content_copy, seed_file):
    text = seed_file.read_text("utf-8")
    seed_file.write_text(text.replace("3. 要求提供公开出版物", "3. 要求提共公开出版务"), "utf-8")
    report, diags = parse(content_copy)
    assert not diags
    assert report.cell("applications", "not_processed.publication", "total").value == 2
