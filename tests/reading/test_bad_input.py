"""Every way a content file can be wrong, through the command line as a user meets it: exit 1, a
located ``path:line:col: error[code]:`` line with a hint, no traceback, every problem of the run
reported together, and the previous output left as it was. docs/errors.md lists these tests."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.reading.load import MAX_BYTES, load_document

from conftest import CONTENT, ROOT

SEED = (CONTENT / "2020" / "heilongjiang.md").read_text("utf-8")
CELL_ROW = "一、本年新收政府信息公开申请数量\t\t5672\t174\t12\t23\t29\t207\t6117\t"


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def edit(old: str, new: str, count: int = 1) -> bytes:
    assert old in SEED, old
    return SEED.replace(old, new, count).encode("utf-8")


def check(content: Path, capsys) -> tuple[int, str]:
    code = main(["check", "--content", str(content), "--no-cache"])
    return code, capsys.readouterr().err


def located(err: str, path: Path, code: str) -> list[tuple[int, int]]:
    """(line, col) of every ``path:line:col: error[code]:`` line."""
    head = re.escape(str(path)) + r":(\d+):(\d+): error\[" + re.escape(code) + r"\]: \S"
    return [(int(a), int(b)) for a, b in re.findall("^" + head, err, re.M)]


# class of bad input: id → (bytes of the file, code, line, col); None: not checked
CLASSES = {
    "yaml": (edit("agency_id: heilongjiang", "agency_id: [heilongjiang"), "front-matter-yaml", 5, 5),
    "field-missing": (edit("agency: 黑龙江省人民政府\n", ""), "front-matter-field", 1, 1),
    "field-unknown": (edit("year: 2020\n", "year: 2020\ntemplate: 2019\n"), "front-matter-unknown", 6, 1),
    "field-twice": (edit("year: 2020\n", "year: 2020\nyear: 2020\n"), "front-matter-duplicate", 6, 1),
    "year-not-a-year": (edit("year: 2020", "year: twenty"), "front-matter-year", 5, 1),
    "agency-id": (edit("agency_id: heilongjiang", "agency_id: 黑龙江"), "front-matter-agency-id", 4, 1),
    "date": (edit("year: 2020\n", "year: 2020\npublished: 2021-13-40\n"), "front-matter-date", 6, 1),
    "url": (edit("year: 2020\n", "year: 2020\nsource_url: ftp://x\n"), "front-matter-url", 6, 1),
    "title-not-text": (edit("title: 黑龙江省2020年政府信息公开工作年度报告", "title: [a, b]"),
                       "front-matter-field", 2, 1),
    "discrepancies": (edit("year: 2020\n", "year: 2020\ndiscrepancies: R1\n"),
                      "front-matter-discrepancies", 6, 1),
    "no-front-matter": (SEED.split("---\n", 2)[2].encode(), "front-matter-missing", 1, 1),
    "unclosed": (edit("---\n\n", "\n\n"), "front-matter-unclosed", 1, 1),
    "year-vs-folder": (edit("year: 2020", "year: 2021"), "year-mismatch", 5, 1),
    "not-a-number": (edit("\t5672\t174\t", "\t5672\tabc\t"), "cell-not-number",
                     line_of(SEED, CELL_ROW), 24),
    "letter-in-first-figure": (edit("2. 其他法律行政法规禁止公开\t9\t", "2. 其他法律行政法规禁止公开\t1O\t"),
                               "cell-not-number", line_of(SEED, "2. 其他法律行政法规禁止公开"), 19),
    "cell-count": (edit("4. 保护第三方合法权益\t288\t3\t0\t0\t0\t0\t291", "4. 保护第三方合法权益\t288\t3\t0\t0\t0\t291"),
                   "cell-count", line_of(SEED, "4. 保护第三方合法权益"), 16),
    "too-many-digits": (edit("\t5672\t174\t", "\t5672\t1740000000000000000\t"), "cell-too-large",
                        line_of(SEED, CELL_ROW), 24),
    "table-missing": (edit(SEED[SEED.index("行政复议\t\t"):SEED.index("五、存在的问题")], ""),
                      "table-missing", line_of(SEED, "四、因政府信息公开工作"), 1),
    "table-unknown": (edit(SEED[SEED.index(CELL_ROW):SEED.index("\n", SEED.index("四、结转下年度"))],
                           "某某项目\t\t1\t2\t3\t4\t5\t6\t21\t\n另一项目\t\t1\t1\t1\t1\t1\t1\t6\t"),
                      "table-unknown", line_of(SEED, CELL_ROW), 1),
    "duplicate-row": (edit("\t\t8. 属于行政查询事项", "\t\t7. 属于行政执法案卷\t33\t7\t1\t0\t0\t0\t41\n\t\t8. 属于行政查询事项"),
                      "duplicate-row", line_of(SEED, "\t\t8. 属于行政查询事项"), 3),
    "section-missing": (edit("三、行政机关收到和处理政府信息公开申请情况", "（三）其他"), "section-missing", None, 1),
    "empty": (b"", "file-empty", 1, 1),
    "white-space": (b" \n\t\n\n", "file-empty", 1, 1),
    "binary-pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "file-binary", 1, 1),
    "binary-bytes": (bytes(range(256)) * 8, "file-binary", 1, 1),
    "nul-byte": (edit("year: 2020\n", "year: 2020\n\x00"), "control-character", 6, 1),
    "gb18030": (SEED.encode("gb18030"), "encoding-gb18030", 2, 8),
    "utf16-bom": (SEED.encode("utf-16"), "encoding-utf16", 1, 1),
    "utf16-no-bom": (SEED.encode("utf-16-le"), "encoding-utf16", 1, 1),
    "latin1": ("---\ntitle: café\n".encode("latin-1"), "not-utf8", 2, 11),
    "too-large": (SEED.encode() + b"x" * (MAX_BYTES + 1), "file-too-large", 1, 1),
}


@pytest.mark.parametrize("name", CLASSES)
def test_bad_content_is_located_with_exit_1(tmp_path, capsys, name):
    data, code, line, col = CLASSES[name]
    content = tmp_path / "content"
    (content / "2020").mkdir(parents=True)
    path = content / "2020" / "heilongjiang.md"
    path.write_bytes(data)
    status, err = check(content, capsys)
    assert status == 1, err
    assert "Traceback" not in err
    found = located(err, path, code)
    assert found, err
    assert line is None or found[0][0] == line, err
    assert col is None or found[0][1] == col, err
    block = err[err.index(f"error[{code}]"):]
    assert "= hint: " in block.split("\nerror: ")[0]  # a hint says what was expected
    assert re.search(r"^error: \d+ problem\(s\) in the content; nothing was written$", err, re.M)


def test_duplicate_report_id(tmp_path, capsys):
    content = tmp_path / "content"
    (content / "2020").mkdir(parents=True)
    (content / "2020" / "heilongjiang.md").write_text(SEED, "utf-8")
    (content / "2020" / "hlj.md").write_text(SEED, "utf-8")
    status, err = check(content, capsys)
    assert status == 1 and "Traceback" not in err
    assert located(err, content / "2020" / "hlj.md", "duplicate-report") == [(1, 1)]
    assert "also defined in" in err
    # the second file is also not where its report belongs: a warning says so
    assert f"{content / '2020' / 'hlj.md'}:4:1: warning[content-path]" in err


def test_a_missing_content_folder_is_located(tmp_path, capsys):
    status, err = check(tmp_path / "nothing", capsys)
    assert status == 1 and "Traceback" not in err
    assert located(err, tmp_path / "nothing", "content-missing") == [(1, 1)]


def test_control_characters_are_located_one_by_one(tmp_path, capsys):
    content = tmp_path / "content"
    (content / "2020").mkdir(parents=True)
    path = content / "2020" / "heilongjiang.md"
    text = SEED.replace("本年度全省", "本年度\x0c全省", 1).replace("二、行政机关", "二、\x1b行政机关", 1)
    path.write_text(text, "utf-8")
    status, err = check(content, capsys)
    assert status == 1
    assert located(err, path, "control-character") == [
        (line_of(text, "本年度\x0c全省"), text.split("\n")[line_of(text, "本年度\x0c") - 1].index("\x0c") + 1),
        (line_of(text, "二、\x1b"), 3)]
    assert "U+000C (form feed, a page break)" in err


def test_front_matter_and_table_problems_of_one_file_come_together(tmp_path, capsys):
    content = tmp_path / "content"
    (content / "2020").mkdir(parents=True)
    path = content / "2020" / "heilongjiang.md"
    path.write_text(SEED.replace("year: 2020", "year: twenty").replace("\t5672\t174\t", "\t5672\tabc\t"),
                    "utf-8")
    status, err = check(content, capsys)
    assert status == 1
    assert located(err, path, "front-matter-year") == [(5, 1)]
    assert located(err, path, "cell-not-number") == [(line_of(SEED, CELL_ROW), 24)]


PIPES = CONTENT / "2019" / "pingtan.md"  # the canonical form: Markdown pipe tables


@pytest.mark.parametrize("row, cell", [
    pytest.param("| 规章 | 0 | 0 | 0 |", "1O", id="table-2"),
    pytest.param("| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "1O", id="table-3"),  # its label has a digit
    pytest.param("| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "O1", id="table-3-letter-first"),
    pytest.param("| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "l2", id="table-3-lowercase-l"),
    pytest.param("| 行政复议 | 0 | 0 | 0 | 0 | 0 |", "1O", id="table-4"),
])
def test_a_letter_in_a_rows_first_figure_is_not_a_number_at_that_cell(tmp_path, capsys, row, cell):
    """``| 1O | 0 |…`` is a figure mistyped, not a part of the row's label: not ``cell-count`` with
    the caret on the next cell, but ``cell-not-number`` where the letter is."""
    seed = PIPES.read_text("utf-8")
    label, rest = row[2:].split(" | 0 ", 1)
    bad = f"| {label} | {cell} {rest}"
    assert row in seed
    content = tmp_path / "content"
    (content / "2019").mkdir(parents=True)
    path = content / "2019" / "pingtan.md"
    path.write_text(seed.replace(row, bad, 1), "utf-8")
    status, err = check(content, capsys)
    assert status == 1 and "Traceback" not in err
    assert located(err, path, "cell-not-number") == [(line_of(seed, row), bad.index(cell) + 1)], err
    assert f"{cell!r} is not a number" in err
    assert "cell-count" not in err and "table-unknown" not in err


def test_labels_with_digits_and_letters_are_no_mistyped_figures():
    from nianbao.reading.cells import mistyped_figure
    for label in ("1.", "1．", "12.", "1、", "(1)", "（三）", "A", "Other", "1. 属于国家秘密",
                  "2.其他法律行政法规禁止公开", "第二十条第（一）项", "3.危及“三安全一稳定”", "12", "-", "A项", "1项"):
        assert not mistyped_figure(label), label
    for figure in ("1O", "O1", "l2", "3,5o1", "1O万元", "+1O", "１Ｏ"):
        assert mistyped_figure(figure), figure


BROKEN = {  # several files, each broken its own way, in one content folder
    "2019/empty.md": b"",
    "2019/gbk.md": SEED.replace("2020", "2019").encode("gb18030"),
    "2020/heilongjiang.md": edit("\t5672\t174\t", "\t5672\tabc\t"),
    "2020/yaml.md": edit("agency_id: heilongjiang", "agency_id: [x"),
    "2021/heilongjiang.md": edit("year: 2020", "year: 2020"),
}


def test_every_problem_of_a_build_is_reported_together(tmp_path, capsys):
    content = tmp_path / "content"
    for name, data in BROKEN.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_bytes(data)
    status, err = check(content, capsys)
    assert status == 1 and "Traceback" not in err
    codes = {name: re.findall(re.escape(str(content / name)) + r":\d+:\d+: error\[([a-z0-9-]+)\]", err)
             for name in BROKEN}
    assert codes == {"2019/empty.md": ["file-empty"], "2019/gbk.md": ["encoding-gb18030"],
                     "2020/heilongjiang.md": ["cell-not-number"],
                     "2020/yaml.md": ["front-matter-yaml"], "2021/heilongjiang.md": ["year-mismatch"]}
    assert "error: 5 problem(s) in the content; nothing was written" in err


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_failed_build_leaves_site_and_data_byte_identical(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = ["--content", str(content), "--data", str(tmp_path / "data"), "--site",
           str(tmp_path / "site"), "--cache", str(tmp_path / "cache")]
    assert main(["build", *out]) == 0, capsys.readouterr().err
    before = (tree(tmp_path / "data"), tree(tmp_path / "site"))
    for name, data in BROKEN.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_bytes(data)
    assert main(["build", *out]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nothing was written" in err
    assert len(re.findall(r"^\S+:\d+:\d+: error\[", err, re.M)) == 5
    assert (tree(tmp_path / "data"), tree(tmp_path / "site")) == before


def test_unreadable_file_is_located(tmp_path, monkeypatch):
    path = tmp_path / "2020" / "heilongjiang.md"
    path.parent.mkdir()
    path.write_text(SEED, "utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    doc, diags = load_document(path, tmp_path)
    assert doc is None
    assert [(d.code, d.line, d.col) for d in diags] == [("file-unreadable", 1, 1)]
    assert "Permission denied" in diags[0].message and diags[0].hint


def test_deeply_nested_front_matter_is_a_yaml_error(tmp_path):
    path = tmp_path / "2020" / "heilongjiang.md"
    path.parent.mkdir()
    path.write_text(SEED.replace("year: 2020", "year: " + "[" * 20000), "utf-8")
    doc, diags = load_document(path, tmp_path)
    assert doc is None and [d.code for d in diags] == ["front-matter-yaml"]


@pytest.mark.parametrize("field,value", [("title", r'"\x07\0\e[31m黑龙江省2020年政府信息公开工作年度报告"'),
                                         ("agency", r'"黑龙江省\ufffe人民政府"'),
                                         ("title", r'"\ud800黑龙江省2020年政府信息公开工作年度报告"')])
def test_escaped_control_characters_in_front_matter_are_located(tmp_path, capsys, field, value):
    """A YAML escape puts a character in a string that the raw text never shows."""
    content = tmp_path / "content"
    (content / "2020").mkdir(parents=True)
    path = content / "2020" / "heilongjiang.md"
    lines = [line for line in SEED.split("\n") if not line.startswith(f"{field}:")]
    lines.insert(1, f"{field}: {value}")
    path.write_text("\n".join(lines), "utf-8")
    status, err = check(content, capsys)
    assert status == 1 and "Traceback" not in err
    assert located(err, path, "control-character") == [(2, 1)]
    assert f"'{field}' holds the character U+" in err


def test_a_prose_figure_of_thousands_of_digits_is_not_a_crash(tmp_path):
    from nianbao.incremental.read_all import read_one

    path = tmp_path / "2020" / "heilongjiang.md"
    path.parent.mkdir()
    path.write_text(SEED.replace("共办理依申请公开 6189 件", "共办理依申请公开 " + "9" * 5000 + " 件"), "utf-8")
    report, checks, diags = read_one(path, tmp_path)
    assert report is not None and any(c.check == "X5" and not c.passed for c in checks)


# --- docs/errors.md cannot go stale -------------------------------------------------------------

DOCS = (ROOT / "docs" / "errors.md").read_text("utf-8")


def emitted_codes() -> tuple[set[str], set[str]]:
    """(codes, f-string families as their literal prefix) passed as the code of a diagnostic
    anywhere in nianbao/: Diagnostic(…, code, …), source.diagnostic(line, col, code, …),
    SourceError(code, …), check_meta's bad(name, code, …) and the importer's problems tuples."""
    codes, families, unknown = set(), set(), []
    for path in sorted((ROOT / "nianbao").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            keywords = {k.arg: k.value for k in node.keywords}
            position = {"Diagnostic": 3, "diagnostic": 2, "SourceError": 0, "bad": 1}.get(name)
            if position is not None:
                arg = keywords.get("code", node.args[position] if len(node.args) > position else None)
            elif name == "append" and ast.unparse(func) == "problems.append" and \
                    isinstance(node.args[0], ast.Tuple):
                arg = node.args[0].elts[0]
            else:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                families.add("".join(v.value for v in arg.values if isinstance(v, ast.Constant)))
            elif ast.unparse(arg) not in PASSED_ON:
                unknown.append(f"{path.name}:{node.lineno}: {ast.unparse(arg)}")
    assert not unknown, f"a code that is neither a literal nor passed on: {unknown}"
    return codes, families


# names through which a code already counted above is passed on (never a new code)
PASSED_ON = {"code", "d.code", "exc.code", "c"}


def test_every_code_is_documented():
    codes, families = emitted_codes()
    assert len(codes) >= 40 and families == {"check-"}
    documented = set(re.findall(r"^#### `([a-z0-9<>-]+)`", DOCS, re.M))
    assert codes - documented == set(), "codes missing from docs/errors.md"
    stale = {c for c in documented - codes if not any(c.startswith(f + "<") for f in families)}
    assert stale == set(), "docs/errors.md describes codes nothing emits"
    assert {f + "<id>" for f in families} <= documented


def test_every_test_the_docs_name_exists():
    named = set(re.findall(r"`(tests/(?:\w+/)?test_\w+\.py)::(\w+)(?:\[([\w-]+)\])?`", DOCS))
    assert len(named) >= 40
    for file, name, param in named:
        source = (ROOT / file).read_text("utf-8")
        assert re.search(rf"^def {name}\(", source, re.M), f"{file}::{name} does not exist"
        if param:
            assert name == "test_bad_content_is_located_with_exit_1" and param in CLASSES, param
