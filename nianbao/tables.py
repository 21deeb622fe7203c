"""Reading the three statutory tables out of a section's lines.

Rows are found by their labels (anchors), never by position in the text: a line's label cells
are matched against the template's row labels (``forms.yaml`` keywords), and the figures after
the last label are read in the template's fixed column order. Header text is not trusted to
assign columns, except table 二's measure headers, which tell the template version of a block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cells import looks_numeric, parse_cell
from .diagnostics import Diagnostic, SourceText
from .forms import Article, Forms, Label, squash
from .model import ABSENT, Cell

Line = tuple[int, str]


@dataclass(frozen=True)
class Tok:
    text: str
    col: int  # 1-based column of the cell's first character

    @property
    def empty(self) -> bool:
        return self.text.strip() == ""

    @property
    def numeric(self) -> bool:
        return looks_numeric(self.text)


@dataclass
class TableRead:
    cells: list[Cell] = field(default_factory=list)
    version: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    prose: list[Line] = field(default_factory=list)
    found: bool = False


def tokens(text: str) -> list[Tok]:
    """The cells of a tab-separated line, with their columns."""
    out, col = [], 1
    for part in text.split("\t"):
        out.append(Tok(part, col))
        col += len(part) + 1
    return out


def is_table_line(text: str) -> bool:
    return "\t" in text


def _values(
    toks: list[Tok], expected: int, number: int, what: str, src: SourceText, read: TableRead
) -> list[Tok] | None:
    """The ``expected`` value cells after a row's label: leading empties are the label's merged
    cells, trailing empties are layout; empties between figures are blank cells."""
    vals = list(toks)
    while vals and vals[0].empty:
        vals.pop(0)
    while len(vals) > expected and vals[-1].empty:
        vals.pop()
    col = vals[0].col if vals else (toks[-1].col if toks else 1)
    if len(vals) != expected:
        found = sum(1 for v in vals if not v.empty)
        read.diagnostics.append(src.diagnostic(
            number, col, "cell-count", f"{what}: expected {expected} figures, found {found}",
            hint=f"the row is printed with {expected} cells; write '-' for a nil, leave none out"))
        return None
    for v in vals:
        if not v.empty and parse_cell(v.text) is None:
            read.diagnostics.append(src.diagnostic(
                number, v.col, "cell-not-number", f"{what}: {v.text.strip()!r} is not a number",
                hint="a figure such as 12, +3 or 3618261.46 万元; '-' or '/' for a nil"))
            return None
    return vals


def _cell(table: str, key: tuple[str, ...], tok: Tok, number: int, unit: str) -> Cell:
    parsed = parse_cell(tok.text)
    assert parsed is not None  # _values checked it
    return Cell(table, key, parsed.value, parsed.status, tok.text.strip(),
                parsed.unit or unit, number, tok.col)


def _absent(table: str, keys, present: set, unit_of) -> list[Cell]:
    return [Cell(table, k, None, ABSENT, unit=unit_of(k)) for k in keys if k not in present]


def _best(labels: tuple[Label, ...], squashed: str) -> Label | None:
    scored = [(label.matches(squashed), i, label) for i, label in enumerate(labels)]
    scored = [s for s in scored if s[0] > 0]
    return max(scored, key=lambda s: (s[0], -s[1]))[2] if scored else None


# --- table 三 -------------------------------------------------------------------------------


def read_applications(lines: list[Line], src: SourceText, forms: Forms, year: int) -> TableRead:
    table = forms.table("applications")
    read = TableRead()
    ncols = len(table.columns)
    rows: dict[str, tuple[int, list[Tok]]] = {}
    group = ""  # the group the last matched row belongs to
    for number, text in lines:
        if not is_table_line(text):
            read.prose.append((number, text))
            continue
        toks = tokens(text)
        has_numbers = any(t.numeric for t in toks)
        labels = [(i, t) for i, t in enumerate(toks) if not t.empty and parse_cell(t.text) is None]
        match: tuple[int, Label] | None = None
        for i, tok in reversed(labels):
            label = _best(table.rows, squash(tok.text))
            if label and label.code == "other_handling.other" and group != "other_handling":
                label = None
            if label and label.code == "other_handling" and not has_numbers:
                label = None  # the 2021 group header （六）其他处理
            if label:
                match = (i, label)
                break
        if not has_numbers:
            if any(table.row_groups["other_handling"].matches(squash(t.text)) for _, t in labels):
                group = "other_handling"
            continue
        read.found = True
        if match is None:
            first = labels[0][1] if labels else toks[0]
            read.diagnostics.append(src.diagnostic(
                number, first.col, "unknown-row",
                f"table 三: no row of the template is labelled {first.text.strip()!r}",
                hint="row labels such as 一、本年新收政府信息公开申请数量 or 1.属于国家秘密",
                severity="warning"))
            continue
        i, label = match
        group = label.groups[-1] if label.groups else ""
        if label.code in rows:
            read.diagnostics.append(src.diagnostic(
                number, toks[i].col, "duplicate-row",
                f"table 三: row {label.printed()} appears twice (first on line {rows[label.code][0]})",
                hint="each row of the template is printed once"))
            continue
        vals = _values(toks[i + 1 :], ncols, number, f"table 三, row {label.printed()}", src, read)
        if vals is not None:
            rows[label.code] = (number, vals)
    has_2019 = "other_handling" in rows
    has_2021 = any(code.startswith("other_handling.") for code in rows)
    read.version = ("hybrid" if has_2019 and has_2021 else "2019" if has_2019
                    else "2021" if has_2021 else ("2019" if year < 2021 else "2021"))
    for row in table.rows_for("2019" if read.version == "2019" else "2021"):
        if row.code not in rows:
            continue
        number, vals = rows[row.code]
        for col, tok in zip(table.columns, vals):
            read.cells.append(_cell("applications", (row.code, col.code), tok, number, table.unit))
    version = "2019" if read.version == "2019" else "2021"
    present = {c.key for c in read.cells}
    read.cells += _absent("applications", table.cell_keys(version), present, lambda k: table.unit)
    order = {k: i for i, k in enumerate(table.cell_keys(version))}
    read.cells.sort(key=lambda c: order[c.key])
    return read


# --- table 二 -------------------------------------------------------------------------------

_ARTICLE = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")


def _article_of(squashed: str, forms: Forms) -> Article | None:
    m = _ARTICLE.search(squashed)
    if not m:
        return None
    return next((a for a in forms.table("active").articles if a.number == m.group(1)), None)


def read_active(lines: list[Line], src: SourceText, forms: Forms, year: int) -> TableRead:
    table = forms.table("active")
    read = TableRead()
    article: Article | None = None
    headers: dict[str, list[str]] = {}  # article → measure codes from its header line
    values: dict[tuple[str, str], tuple[int, list[Tok]]] = {}
    measure_labels = tuple(table.measures.values())
    for number, text in lines:
        if not is_table_line(text):
            read.prose.append((number, text))
            continue
        toks = [t for t in tokens(text) if not t.empty] or tokens(text)
        head = squash(toks[0].text)
        found_article = _article_of(head, forms)
        if found_article:
            article, read.found = found_article, True
            continue
        if article is None:
            continue
        if not any(t.numeric for t in toks):
            measures = [_best(measure_labels, squash(t.text)) for t in toks[1:]]
            if any(measures):
                headers[article.code] = [m.code for m in measures if m]
            continue
        items = tuple(i for a in table.articles for i in a.items if a.code == article.code)
        item = _best(items, head)
        if item is None:
            read.diagnostics.append(src.diagnostic(
                number, toks[0].col, "unknown-row",
                f"table 二, {article.label.zh()}: no row labelled {toks[0].text.strip()!r}",
                hint="rows: " + "、".join(i.zh() for i in items), severity="warning"))
            continue
        all_toks = tokens(text)
        start = next(i for i, t in enumerate(all_toks) if t.col == toks[0].col)
        expected = len(headers.get(article.code) or _default_measures(article, year))
        vals = _values(all_toks[start + 1 :], expected, number,
                       f"table 二, {article.label.zh()}, {item.zh()}", src, read)
        if vals is not None:
            values[(article.code, item.code)] = (number, vals)
    versions = {}
    for a in table.articles:
        found_items = [k for k in values if k[0] == a.code]
        if not found_items and a.code not in headers:
            continue
        versions[a.code] = _article_version(a, headers.get(a.code), values, table, year)
    distinct = set(versions.values())
    read.version = distinct.pop() if len(distinct) == 1 else ("hybrid" if distinct else "")
    for a in table.articles:
        version = versions.get(a.code) or ("2019" if year < 2021 else "2021")
        if version not in a.templates:
            continue
        measures = a.measures[version]
        for item in a.items:
            if version not in item.templates:
                continue
            number_vals = values.get((a.code, item.code))
            for i, m in enumerate(measures):
                key = (a.code, item.code, m)
                unit = table.measures[m].unit
                if number_vals is None:
                    read.cells.append(Cell("active", key, None, ABSENT, unit=unit))
                    continue
                number, vals = number_vals
                cell = _cell("active", key, vals[i], number, unit)
                if table.measures[m].kind == "money" and m == "total_amount":
                    cell = Cell(cell.table, cell.key, cell.value, cell.status, cell.raw,
                                parse_cell(vals[i].text).unit, cell.line, cell.col)
                read.cells.append(cell)
    return read


def _default_measures(article: Article, year: int) -> tuple[str, ...]:
    version = "2019" if year < 2021 else "2021"
    return article.measures.get(version) or next(iter(article.measures.values()))


def _article_version(article: Article, header, values, table, year: int) -> str:
    votes = set()
    for code in header or ():
        templates = table.measures[code].templates
        if len(templates) == 1:
            votes.add(templates[0])
    if len(votes) == 1:
        return votes.pop()
    widths = {len(v[1]) for k, v in values.items() if k[0] == article.code}
    for version, measures in article.measures.items():
        if widths == {len(measures)} and sum(
            len(m) == len(measures) for m in article.measures.values()) == 1:
            return version
    return "2019" if year < 2021 else "2021"


# --- table 四 -------------------------------------------------------------------------------


def read_review(lines: list[Line], src: SourceText, forms: Forms, year: int) -> TableRead:
    """Table 四 is one row of 15 figures in a fixed order; its header text is never trusted."""
    table = forms.table("review_litigation")
    read = TableRead()
    keys = table.cell_keys("2019")
    figures: list[tuple[int, Tok]] = []
    for number, text in lines:
        if not is_table_line(text):
            read.prose.append((number, text))
            continue
        toks = tokens(text)
        idx = [i for i, t in enumerate(toks) if t.numeric]
        if not idx:
            continue
        read.found = True
        for tok in toks[idx[0] : idx[-1] + 1]:
            if not tok.empty and parse_cell(tok.text) is None:
                read.diagnostics.append(src.diagnostic(
                    number, tok.col, "cell-not-number",
                    f"table 四: {tok.text.strip()!r} is not a number",
                    hint="table 四 holds 15 whole numbers in one row"))
                return read
            figures.append((number, tok))
    read.version = "2019" if year < 2021 else "2021"
    if not read.found:
        return read
    if len(figures) != len(keys):
        number, tok = figures[0]
        read.diagnostics.append(src.diagnostic(
            number, tok.col, "cell-count",
            f"table 四: expected {len(keys)} figures, found {len(figures)}",
            hint="行政复议 5, 未经复议直接起诉 5 and 复议后起诉 5 figures, in the printed order"))
        return read
    for key, (number, tok) in zip(keys, figures):
        read.cells.append(_cell("review_litigation", key, tok, number, table.unit))
    return read


READERS = {"active": read_active, "applications": read_applications,
           "review_litigation": read_review}
