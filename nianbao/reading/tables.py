"""Reading the three statutory tables out of a section's rows (see ``table_rows`` for the layouts).

Rows are found by their labels (anchors), never by position in the text: a row's label text is
matched against the template's row labels (``forms.yaml`` keywords), and the figures after it
are read in the template's fixed column order. Header text is not trusted to assign columns,
except table 二's measure headers, which tell the template version of a block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nianbao.domain.diagnostics import Diagnostic, SourceText
from nianbao.domain.forms import Article, Forms, Label, squash
from nianbao.domain.model import ABSENT, REPORTED, UNREADABLE, Cell
from nianbao.reading.cells import MAX_DIGITS, digit_count, mistyped_figure, parse_cell, plain
from nianbao.reading.glued_digits import columns_fit, explain, groups_sum, split_glued, too_long
from nianbao.reading.row_labels import best
from nianbao.reading.table_rows import EMPTY, NUM, TEXT, Line, Row, Tok, table_rows

_GLUED = re.compile(r"^([+\-]?\d+(?:\.\d+)?)(万元|元)?$")


@dataclass
class TableRead:
    cells: list[Cell] = field(default_factory=list)
    version: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    prose: list[Line] = field(default_factory=list)
    found: bool = False
    notes: list[str] = field(default_factory=list)  # unreadable rows, with their readings
    candidates: dict[str, list[list]] = field(default_factory=dict)  # row → readings that fit
    similar: int = 0  # labels compared by similarity so far (``row_labels.nearest`` is slow)


@dataclass(frozen=True)
class Value:
    """One cell's reading: the token it came from, or a part of a glued token."""

    value: object
    status: str
    raw: str
    unit: str
    line: int
    col: int


def _from_tok(tok: Tok) -> Value:
    parsed = parse_cell(tok.text)
    return Value(parsed.value, parsed.status, tok.text, parsed.unit, tok.line, tok.col)


def read_values(vals: list[Tok], expected: int, what: str, src: SourceText, read: TableRead,
                identity=None, layout: str = "cells", key: str = "") -> list[Value] | None:
    """The ``expected`` cells of a row. In the cells layout leading empties are the label's
    merged cells and trailing empties layout, while empties between figures are blank cells.
    Glued digits are split by ``identity`` (see ``glued_digits``)."""
    vals = list(vals)
    if layout == "cells":
        while len(vals) > expected and vals and vals[0].kind == EMPTY:
            vals.pop(0)
        while len(vals) > expected and vals[-1].kind == EMPTY:
            vals.pop()
    filled = [v for v in vals if v.kind != EMPTY]
    first = filled[0] if filled else (vals[0] if vals else None)
    line, col = (first.line, first.col) if first else (0, 1)
    for v in filled:
        if v.kind == TEXT:
            read.diagnostics.append(src.diagnostic(
                v.line, v.col, "cell-not-number", f"{what}: {v.text!r} is not a number",
                hint="a figure such as 12, +3 or 3618261.46 万元; '-' or '/' for a nil"))
            return None
    if len(vals) == expected:
        return _in_range([_from_tok(v) for v in vals], what, src, read)
    glued = [_GLUED.match(v.text) for v in vals]
    if layout == "stream" and vals and len(vals) < expected and all(glued):
        unit = next((m.group(2) for m in glued if m.group(2)), "")
        digits = [m.group(1) for m in glued]
        found, candidates = split_glued(digits, expected, identity)
        raw = " ".join(digits)
        if found is not None:  # each cell keeps its own part of the text (the unit on the last)
            return _in_range([Value(v, REPORTED, plain(v) + (unit if i == expected - 1 else ""),
                                    unit if i == expected - 1 else "", line, col)
                              for i, v in enumerate(found)], what, src, read)
        if key and candidates:
            read.candidates[key] = candidates
        shown, reason, why = explain(candidates, too_long(digits, expected, identity))
        read.notes.append(f"{zh_what(what)}：原文“{raw}”无法唯一拆分（{why}）")
        read.diagnostics.append(src.diagnostic(
            line, col, "cell-unreadable",
            f"{what}: glued figures {raw!r} cannot be split unambiguously ({reason}: {shown})",
            hint="the cells are marked unreadable; correct them from the original document",
            severity="warning"))
        return [Value(None, UNREADABLE, raw, "", line, col) for _ in range(expected)]
    read.diagnostics.append(src.diagnostic(
        line, col, "cell-count", f"{what}: expected {expected} figures, found {len(filled)}",
        hint=f"the row is printed with {expected} cells; write '-' for a nil, leave none out"))
    return None


def _in_range(values: list[Value], what: str, src: SourceText, read: TableRead) -> list[Value] | None:
    """The row's values, unless one has more digits than any figure of a report can."""
    big = next((v for v in values if digit_count(v.value) > MAX_DIGITS), None)
    if big is not None:
        read.diagnostics.append(src.diagnostic(big.line, big.col, "cell-too-large", f"{what}: "
            f"{big.raw[:40]!r} has {digit_count(big.value)} digits, more than any figure of a "
            f"report", hint=f"a figure has at most {MAX_DIGITS} digits; are cells run together?"))
    return None if big else values


def zh_what(what: str) -> str:
    """``table 三, row （一）予以公开`` → ``表三（一）予以公开`` for notes in the content file."""
    return re.sub(r"^table (\S+?)(?:, row |, |$)", r"表\1 ", what).replace(", ", " ").strip()


def _cell(table: str, key: tuple[str, ...], v: Value, unit: str) -> Cell:
    return Cell(table, key, v.value, v.status, v.raw, v.unit or unit, v.line, v.col)


def _extra(read: TableRead, what: str, label: str, vals: list[Tok]) -> None:
    """A row that is not in the template: kept aside as a note, never counted."""
    figures = " ".join(v.text for v in vals if v.kind != EMPTY)
    read.notes.append(f"{what}另有一行“{label}”{('：' + figures) if figures else ''}"
                      "（不属于国家格式，未计入数据）")


def _split(row: Row) -> tuple[list[Tok], list[Tok]]:
    """(label cells, the cells after the last label). Labels come before the first figure: a
    text cell among the figures is a bad figure, not a label, and so is a first figure with a
    letter in it (``1O``: reported as not a number where it is, not as a cell missing)."""
    first_num = next((i for i, t in enumerate(row)
                      if t.kind == NUM or t.kind == TEXT and mistyped_figure(t.text)), len(row))
    last = max((i for i, t in enumerate(row[:first_num]) if t.kind == TEXT), default=-1)
    return [t for t in row[: last + 1] if t.kind == TEXT], row[last + 1 :]


# --- table 三 -------------------------------------------------------------------------------


def read_applications(lines: list[Line], src: SourceText, forms: Forms, year: int) -> TableRead:
    table = forms.table("applications")
    read = TableRead()
    rows, read.prose, layout = table_rows(lines)
    ncols = len(table.columns)
    found: dict[str, tuple[int, list[Value]]] = {}
    group = ""
    for row in rows:
        labels, vals = _split(row)
        has_values = any(v.kind == NUM for v in vals) or (
            layout == "cells" and len(vals) >= ncols)
        match: tuple[Tok, Label] | None = None
        for tok in reversed(labels):
            label = best(table.rows, squash(tok.text), read)
            if label and label.code == "other_handling.other" and group != "other_handling":
                label = None
            if label and label.code == "other_handling" and not has_values:
                label = None  # the 2021 group header （六）其他处理
            if label:
                match = (tok, label)
                break
        if not has_values:
            if any(table.row_groups["other_handling"].matches(squash(t.text)) for t in labels):
                group = "other_handling"
            continue
        read.found = True
        if match is None:
            first = labels[0] if labels else vals[0]
            read.diagnostics.append(src.diagnostic(
                first.line, first.col, "unknown-row",
                f"table 三: no row of the template is labelled {first.text[:40]!r}",
                hint="row labels such as 一、本年新收政府信息公开申请数量 or 1.属于国家秘密",
                severity="warning"))
            if labels:
                _extra(read, "表三", labels[-1].text[:40], vals)
            continue
        tok, label = match
        group = label.groups[-1] if label.groups else ""
        if label.code in found:
            read.diagnostics.append(src.diagnostic(
                tok.line, tok.col, "duplicate-row",
                f"table 三: row {label.printed()} appears twice (first on line {found[label.code][0]})",
                hint="each row of the template is printed once"))
            continue
        values = read_values(vals, ncols, f"table 三, row {label.printed()}", src, read,
                             groups_sum(ncols), layout, key=label.code)
        if values is not None:
            found[label.code] = (tok.line, values)
    has_2019 = "other_handling" in found
    has_2021 = any(code.startswith("other_handling.") for code in found)
    read.version = ("hybrid" if has_2019 and has_2021 else "2019" if has_2019
                    else "2021" if has_2021 else ("2019" if year < 2021 else "2021"))
    version = "2019" if read.version == "2019" else "2021"
    _resolve_by_columns(found, read, forms, version)
    for row in table.rows_for(version):
        for col_index, col in enumerate(table.columns):
            key = (row.code, col.code)
            if row.code in found:
                read.cells.append(_cell("applications", key, found[row.code][1][col_index],
                                        table.unit))
            else:
                read.cells.append(Cell("applications", key, None, ABSENT, unit=table.unit))
    return read


def _resolve_by_columns(found: dict[str, tuple[int, list[Value]]], read: TableRead,
                        forms: Forms, version: str) -> None:
    """Rows that A3 left ambiguous, settled by the column identities (A1, A2) of the whole
    table: when exactly one combination of their readings makes every column add up."""
    ambiguous = {code: c for code, c in read.candidates.items() if code in found}
    if not ambiguous:
        return
    known = {code: [v.value for v in vals] for code, (_, vals) in found.items()
             if code not in ambiguous and all(v.status == REPORTED for v in vals)}
    rows = tuple(r.code for r in forms.table("applications").rows_for(version))
    identities = [(i.expand(i.total, rows), i.expand(i.parts, rows))
                  for i in forms.identities if i.table == "applications" and i.kind == "columns"]
    needed = {code for total, parts in identities for code in total + parts}
    if not needed <= set(known) | set(ambiguous):
        return
    chosen = columns_fit(known, ambiguous, identities)
    if chosen is None:
        return
    for code, values in chosen.items():
        line, old = found[code]
        found[code] = (line, [Value(v, REPORTED, plain(v), o.unit, o.line, o.col)
                              for v, o in zip(values, old)])
        label = f"table 三, row {forms.table('applications').row(code).printed()}"
        read.diagnostics = [d for d in read.diagnostics
                            if not (d.code == "cell-unreadable" and d.message.startswith(label + ":"))]
        what = zh_what(label)
        read.notes = [n for n in read.notes if not n.startswith(what + "：")]
        read.notes.append(f"{what}：原文“{old[0].raw}”按各列勾稽关系（A1、A2）唯一拆分为 "
                          + "/".join(str(v) for v in values))


# --- table 二 -------------------------------------------------------------------------------

_ARTICLE = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")


def read_active(lines: list[Line], src: SourceText, forms: Forms, year: int) -> TableRead:
    table = forms.table("active")
    read = TableRead()
    rows, read.prose, layout = table_rows(lines)
    article: Article | None = None
    headers: dict[str, list[str]] = {}  # article → measure codes from its header
    values: dict[tuple[str, str], list[Value]] = {}
    measure_labels = tuple(table.measures.values())
    for row in rows:
        labels, vals = _split(row)
        text = "".join(squash(t.text) for t in labels)
        for m in _ARTICLE.finditer(text):
            article = next((a for a in table.articles if a.number == m.group(1)), article)
            read.found = True
            text = text[m.end():]
        if article is None:
            continue
        hits = sorted((text.find(k), k, label.code) for label in measure_labels
                      for k in label.keywords if k in text)
        if hits:
            headers[article.code] = list(dict.fromkeys(code for _, _, code in hits))
            last = max(pos + len(k) for pos, k, _ in hits)
            text = text[last:]
            if not any(v.kind == NUM for v in vals):
                continue  # a header row: the text left is its last header's tail (数量, （单位…）)
        if not any(v.kind == NUM for v in vals) and not (layout == "cells" and text and vals):
            continue
        item = best(article.items, text, read)
        if item is None:
            where = labels[-1] if labels else vals[0]
            read.diagnostics.append(src.diagnostic(
                where.line, where.col, "unknown-row",
                f"table 二, {article.label.zh()}: no row labelled {text[:30]!r}",
                hint="rows: " + "、".join(i.zh() for i in article.items), severity="warning"))
            _extra(read, f"表二 {article.label.zh()} ", text[:40], vals)
            continue
        expected = len(headers.get(article.code) or _default_measures(article, year))
        got = read_values(vals, expected, f"table 二, {article.label.zh()}, {item.zh()}", src,
                          read, None, layout)
        if got is not None:
            values[(article.code, item.code)] = got
    versions = {}  # of the blocks with rows: a header alone has no cells to give a form to
    for a in table.articles:
        if any(k[0] == a.code for k in values):
            versions[a.code] = _article_version(a, headers.get(a.code), values, table, year)
    distinct = set(versions.values())
    read.version = distinct.pop() if len(distinct) == 1 else ("hybrid" if distinct else "")
    # a block that was not found is absent in the form the rest of the table uses
    fallback = read.version if read.version in ("2019", "2021") else ("2019" if year < 2021 else "2021")
    for a in table.articles:
        version = versions.get(a.code) or fallback
        if version not in a.templates:
            continue
        measures = a.measures[version]
        for item in a.items:
            if version not in item.templates:
                continue
            got = values.get((a.code, item.code))
            if got is not None and len(got) != len(measures):  # its header named other columns
                read.diagnostics.append(src.diagnostic(
                    got[0].line, got[0].col, "cell-count",
                    f"table 二, {a.label.zh()}, {item.zh()}: {len(got)} figure(s) under the "
                    f"header, the {version} form has {len(measures)}",
                    hint="columns: " + "、".join(table.measures[m].zh(version) for m in measures)))
                got = None
            for i, m in enumerate(measures):
                key, unit = (a.code, item.code, m), table.measures[m].unit
                if got is None:
                    read.cells.append(Cell("active", key, None, ABSENT, unit=unit))
                elif m == "total_amount":  # the unit is what the report printed, if anything
                    read.cells.append(_cell("active", key, got[i], ""))
                else:
                    read.cells.append(_cell("active", key, got[i], unit))
    return read


def _default_measures(article: Article, year: int) -> tuple[str, ...]:
    version = "2019" if year < 2021 else "2021"
    return article.measures.get(version) or next(iter(article.measures.values()))


def _article_version(article: Article, header, values, table, year: int) -> str:
    votes = {table.measures[c].templates[0] for c in header or ()
             if len(table.measures[c].templates) == 1}
    if len(votes) == 1:
        return votes.pop()
    widths = {len(v) for k, v in values.items() if k[0] == article.code}
    fitting = [v for v, ms in article.measures.items() if widths == {len(ms)}]
    if len(fitting) == 1:
        return fitting[0]
    return "2019" if year < 2021 else "2021"


# --- table 四 -------------------------------------------------------------------------------


def read_review(lines: list[Line], src: SourceText, forms: Forms, year: int) -> TableRead:
    """Table 四 is one row of 15 figures in a fixed order; its header text is never trusted."""
    table = forms.table("review_litigation")
    read = TableRead(version="2019" if year < 2021 else "2021")
    rows, read.prose, layout = table_rows(lines)
    keys = table.cell_keys("2019")
    figures: list[Tok] = []
    anchored = _review_by_label(rows, table) if layout == "cells" else None
    if anchored is not None:
        read.found = True
        figures = anchored
        rows = []
    for row in rows:
        labels, vals = _split(row)
        if not any(v.kind == NUM for v in vals):
            continue
        read.found = True
        if layout == "cells" and len(vals) > len(keys):
            nums = [i for i, v in enumerate(vals) if v.kind == NUM]
            vals = vals[nums[0] : nums[-1] + 1]
        figures.extend(vals)
    if not read.found:
        return read
    got = read_values(figures, len(keys), "table 四", src, read, groups_sum(5), layout)
    if got is not None:
        for key, v in zip(keys, got):
            read.cells.append(_cell("review_litigation", key, v, table.unit))
    return read


def _review_by_label(rows: list[Row], table) -> list[Tok] | None:
    """The canonical layout: one row per proceeding, labelled, five cells each."""
    by_code: dict[str, list[Tok]] = {}
    for row in rows:
        labels, vals = _split(row)
        if not labels:
            continue
        label = squash(labels[-1].text)
        proceeding = next((p for p in table.rows if label.endswith(squash(p.zh()))), None)
        while len(vals) > len(table.columns) and vals[-1].kind == EMPTY:
            vals = vals[:-1]
        if proceeding and len(vals) == len(table.columns):
            by_code[proceeding.code] = vals
    if len(by_code) != len(table.rows):
        return None
    return [tok for p in table.rows for tok in by_code[p.code]]


READERS = {"active": read_active, "applications": read_applications,
           "review_litigation": read_review}
