"""A fixed-seed fuzz run: mutated real reports into the reader (load, parse, validate) and the
importer; only located diagnostics may come out. The fuzzer is bench/fuzz.py, which also runs
for as long as asked (docs/errors.md). Each failure names its seed and case: reproduce it with
``.venv/bin/python bench/fuzz.py --seed 20261124 --quick --corpus content --case N`` (or
``--corpus reports`` for the published reports)."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from nianbao.domain.diagnostics import SourceText
from nianbao.importing.importer import import_source
from nianbao.incremental.read_all import read_one

from conftest import CONTENT, ROOT, SHARED

SEED = 20261124
CASES = 300
pytestmark = pytest.mark.slow  # the quick set: pytest -m "not slow"

_spec = importlib.util.spec_from_file_location("nianbao_fuzz", ROOT / "bench" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fuzz  # dataclasses look their module up while it loads
_spec.loader.exec_module(fuzz)


def _run(docs, tmp_path, corpus: str) -> tuple[list[str], set[str]]:
    failures, used = [], set()
    for number in range(CASES):
        work = tmp_path / str(number)
        work.mkdir()
        name, mutations, data, problems = fuzz.case(SEED, number, docs, work, quick=True)
        used.update(mutations)
        if problems:
            failures.append(f"bench/fuzz.py --seed {SEED} --quick --corpus {corpus} --case {number}"
                            f" ({name} + {', '.join(mutations)}):\n    " + "\n    ".join(problems))
    return failures, used


def test_mutated_content_files_give_only_located_diagnostics(tmp_path):
    start = time.perf_counter()
    failures, used = _run(fuzz.corpus(shared=False), tmp_path, "content")
    assert not failures, "\n".join(failures[:5])
    assert used == set(fuzz.MUTATIONS)  # every kind of damage was tried
    assert time.perf_counter() - start < 60


@pytest.mark.skipif(not (SHARED / "reports").is_dir(), reason="../shared/reports is absent")
def test_mutated_published_reports_give_only_located_diagnostics(tmp_path):
    docs = [d for d in fuzz.corpus(shared=True) if d[0].startswith("reports/")]
    assert len(docs) >= 5
    failures, used = _run(docs, tmp_path, "reports")
    assert not failures, "\n".join(failures[:5])
    assert used == set(fuzz.MUTATIONS)


def test_the_fuzzer_reports_a_crash(tmp_path, monkeypatch):
    """The harness can fail: an exception in the reader is a finding, with its case."""
    def broken(path, content_dir):
        raise ValueError("boom")

    monkeypatch.setattr(fuzz, "read_one", broken)
    name, mutations, data, problems = fuzz.case(SEED, 0, fuzz.corpus(shared=False), tmp_path, quick=True)
    assert problems and "ValueError: boom" in problems[0]


# --- what the fuzzer found, each fixed and kept fixed -------------------------------------------

HLJ = (CONTENT / "2020" / "heilongjiang.md").read_text("utf-8")


def read(tmp_path: Path, text: str, year: str = "2020", name: str = "heilongjiang.md"):
    path = tmp_path / year / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    report, _, diags = read_one(path, tmp_path)
    return report, [(d.code, d.line) for d in diags if d.is_error], diags


@pytest.mark.parametrize("value", ["!!int abc", "!!bool x", "!!timestamp x", "9" * 5000])
def test_yaml_values_no_constructor_can_make_are_located(tmp_path, value):
    """PyYAML raised ValueError, KeyError or AttributeError, not a YAMLError."""
    report, errors, diags = read(tmp_path, HLJ.replace("year: 2020\n", f"year: 2020\nx: {value}\n"))
    assert report is None and errors == [("front-matter-yaml", 6)]
    assert "cannot be read as" in diags[0].message


def test_a_list_that_holds_itself_is_walked_once(tmp_path):
    """``x: &a [*a]`` (a YAML anchor) sent the check for escaped control characters round forever."""
    report, errors, diags = read(tmp_path, HLJ.replace("year: 2020\n", "year: 2020\nx: &a [*a, \"\\x07\"]\n"))
    assert errors == [("front-matter-unknown", 6), ("control-character", 6)]


def test_a_date_that_does_not_exist_is_named(tmp_path):
    """``published: 2021-02-30`` made PyYAML raise ValueError."""
    report, errors, diags = read(tmp_path, HLJ.replace("year: 2020\n", "year: 2020\npublished: 2021-02-30\n"))
    assert errors == [("front-matter-date", 6)] and "'2021-02-30' is not a date" in diags[0].message


def test_keys_yaml_reads_as_numbers_or_booleans(tmp_path):
    """``2020: x`` and ``on: yes`` gave int and bool keys, and re.escape raised TypeError."""
    report, errors, diags = read(tmp_path, HLJ.replace("year: 2020\n", "year: 2020\n2020: x\non: yes\n"))
    assert errors == [("front-matter-unknown", 6), ("front-matter-unknown", 7)]
    assert "'2020'" in diags[0].message and "'on'" in diags[1].message


def test_a_figure_of_thousands_of_digits_is_too_large(tmp_path):
    """int() refuses more than 4,300 digits: parse_cell raised ValueError."""
    report, errors, _ = read(tmp_path, HLJ.replace("\t5672\t174\t", "\t5672\t" + "7" * 5000 + "\t"))
    assert errors == [("cell-too-large", HLJ[: HLJ.index("\t5672\t174\t")].count("\n") + 1)]


def test_a_sign_before_a_word_is_not_a_figure():
    """``-十`` in a stream table was a figure token that parse_cell could not read."""
    from nianbao.reading.cells import parse_cell
    from nianbao.reading.table_rows import NUM, stream_tokens

    toks = stream_tokens([(1, "行政许可-十 5 +x ²x 3")])
    assert all(parse_cell(t.text) is not None for t in toks if t.kind == NUM)
    assert [t.text for t in toks if t.kind == NUM] == ["5", "3"]


def test_long_glued_runs_are_not_searched():
    """A 56-digit run of a 7-cell row took seconds to search (and grows steeply)."""
    from nianbao.reading.glued_digits import explain, groups_sum, split_glued, too_long

    start = time.perf_counter()
    assert split_glued(["1" * 56], 7, groups_sum(7)) == (None, [])
    assert split_glued(["9" * 5000], 3, None) == (None, [])
    assert time.perf_counter() - start < 0.5
    assert too_long(["1" * 56], 7, groups_sum(7)) and not too_long(["1" * 30], 7, groups_sum(7))
    assert explain([], True)[1] == "too many digits to split"


def test_many_unknown_rows_are_compared_by_similarity_a_bounded_number_of_times(tmp_path, monkeypatch):
    """Thousands of unknown rows each compared with every label took minutes."""
    from nianbao.reading import row_labels as matching

    calls = []
    real = matching.nearest
    monkeypatch.setattr(matching, "nearest", lambda labels, text: calls.append(text) or real(labels, text))
    rows = "".join(f"某某项目{i}\t\t1\t1\t1\t1\t1\t1\t6\t\n" for i in range(500))
    row = "一、本年新收政府信息公开申请数量\t\t5672"
    report, errors, diags = read(tmp_path, HLJ.replace(row, rows + row))
    assert report is not None and not errors
    assert sum(d.code == "unknown-row" for d in diags) == 500
    assert len(calls) <= matching.SIMILAR_AT_MOST


def test_a_source_splits_its_lines_once():
    """Every diagnostic split the whole file again to show its line."""
    source = SourceText("x.md", "a\nb\n" * 1000)
    assert source.lines is source.lines and source.line(2) == "b"


def test_a_block_with_a_header_and_no_rows_takes_the_tables_form(tmp_path):
    """Round trip: a block with only its header took the year's form; once written it was
    omitted and read back in the form of the rest of the table (import raised RuntimeError)."""
    lines = (CONTENT / "2023" / "hongze.md").read_text("utf-8").split("\n")
    a, b = (next(i for i, t in enumerate(lines) if t.startswith(p)) for p in ("| 行政规范性文件", "| 行政许可"))
    lines[a], lines[b] = lines[b], lines[a]
    source = tmp_path / "hongze.md"
    source.write_text("\n".join(lines), "utf-8")
    result = import_source(source, tmp_path / "content", year=2020, agency="测试局", agency_id="fuzz")
    assert result.path is not None, [d.format() for d in result.diagnostics if d.is_error]
    assert read_one(result.path, tmp_path / "content")[0] is not None


def test_figures_under_a_header_of_another_form_are_a_cell_count_error(tmp_path):
    """A row read with the header's columns but kept in a form with other columns was dropped
    silently (its cells absent); the import then failed its round trip."""
    text = HLJ.replace("信息内容\t采购项目数量\t采购总金额\t", "信息内容\t采购项目数量\t") \
              .replace("政府集中采购\t25942\t3618261.46 万元\t", "政府集中采购\t25942\t")
    report, errors, diags = read(tmp_path, text)
    assert errors == [("cell-count", HLJ[: HLJ.index("政府集中采购\t")].count("\n") + 1)]
    assert "1 figure(s) under the header, the 2019 form has 2" in diags[0].message


def test_an_import_too_large_to_be_a_content_file_is_refused(tmp_path, monkeypatch):
    """A page of 8 MB became a content file that the build then refused (RuntimeError)."""
    from nianbao.importing import importer

    monkeypatch.setattr(importer, "MAX_BYTES", 10_000)
    result = import_source(CONTENT / "2020" / "heilongjiang.md", tmp_path, agency_id="hlj")
    assert result.path is None and [d.code for d in result.diagnostics if d.is_error] == ["file-too-large"]
    assert not any(tmp_path.iterdir())
