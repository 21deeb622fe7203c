"""The three tables laid out as printed: merged header cells as rowspan/colspan, from forms.yaml.

A ``TableView`` is plain data for the page template: header rows and body row groups of cells,
each cell either a header (``th`` with scope) or a figure (``td``) already formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from nianbao.domain.forms import Forms, Label
from nianbao.domain.model import ABSENT, BLANK, DASH, REPORTED, UNREADABLE, Cell, Report


@dataclass(frozen=True)
class HeadCell:
    zh: str
    en: str = ""
    colspan: int = 1
    rowspan: int = 1
    scope: str = "col"  # col | colgroup | row | rowgroup
    cls: str = ""
    header: bool = True


@dataclass(frozen=True)
class DataCell:
    text: str  # formatted figure, or the printed nil
    unit: str = ""
    title: str = ""  # explanation shown on hover and read by screen readers
    id: str = ""
    cls: str = "num"
    header: bool = False
    flags: tuple[tuple[str, str], ...] = ()  # failing checks on this cell: (check id, item anchor)


@dataclass(frozen=True)
class TableView:
    id: str
    number: str
    caption_zh: str
    caption_en: str
    unit: str
    head: tuple[tuple[HeadCell, ...], ...]
    bodies: tuple[tuple[tuple[HeadCell | DataCell, ...], ...], ...]
    version: str


STATUS_TEXT = {
    BLANK: ("", "原表此格空白 / blank in the report"),
    ABSENT: ("缺", "原表缺少此行 / row missing from the report"),
    UNREADABLE: ("?", "原文无法唯一识别 / cannot be read unambiguously"),
}


def format_value(value, kind: str = "count") -> str:
    if isinstance(value, Decimal):
        text = format(value, ",f")
    else:
        text = f"{value:,}"
    if kind == "signed" and value > 0:
        text = "+" + text
    return text


Failing = dict[str, tuple[tuple[str, str], ...]]  # cell anchor → (check id, item anchor) of each failure


def data_cell(cell: Cell | None, kind: str, failing: Failing) -> DataCell:
    if cell is None:
        return DataCell("", cls="na")
    flags = failing.get(cell.anchor, ())
    cls = "num" + (" fail" if flags else "")
    if cell.status == REPORTED:
        title = f"原文：{cell.raw}" if cell.raw and cell.raw != str(cell.value) else ""
        unit = cell.unit if kind == "money" else ""
        return DataCell(format_value(cell.value, kind), unit, title, cell.anchor, cls, flags=flags)
    if cell.status == DASH:
        return DataCell(cell.raw or "-", "", "原表以符号表示 / printed as a dash", cell.anchor,
                        cls + " nil", flags=flags)
    text, title = STATUS_TEXT[cell.status]
    return DataCell(text, "", title, cell.anchor, f"{cls} nil {cell.status}", flags=flags)


def column_header(leaves: list[tuple[list[Label], Label]], lead: list[HeadCell] = ()) -> tuple:
    """Header rows for leaf columns under nested groups: groups span their leaves, a leaf
    shallower than the deepest spans down to the last header row."""
    depth = max(len(groups) + 1 for groups, _ in leaves)
    rows: list[list[HeadCell]] = [list(lead) if i == 0 else [] for i in range(depth)]
    for level in range(depth):
        i = 0
        while i < len(leaves):
            groups, leaf = leaves[i]
            path = [*groups, leaf]
            if level < len(groups):
                j = i
                while j < len(leaves) and leaves[j][0][: level + 1] == groups[: level + 1]:
                    j += 1
                g = groups[level]
                rows[level].append(HeadCell(g.zh(), g.label_en, colspan=j - i, scope="colgroup"))
                i = j
                continue
            if level == len(path) - 1:
                rows[level].append(HeadCell(leaf.zh(), leaf.label_en, rowspan=depth - level))
            i += 1
    return tuple(tuple(r) for r in rows)


def _applications(report: Report, forms: Forms, failing: Failing, version: str) -> TableView:
    table = forms.table("applications")
    groups = {**table.row_groups}
    cols = [([table.column_groups[g] for g in c.groups], c) for c in table.columns]
    present = [r for r in table.rows if report.cell("applications", r.code, "total") is not None]
    depth = max(len(r.groups) for r in present) + 1 if present else 1
    corner = HeadCell(table.corner_zh, table.corner_en, colspan=depth, rowspan=3, scope="col",
                      cls="corner")
    head = column_header(cols, [corner])
    body = []
    for i, row in enumerate(present):
        cells: list = []
        for level, g in enumerate(row.groups):
            if i > 0 and present[i - 1].groups[: level + 1] == row.groups[: level + 1]:
                continue
            span = sum(1 for r in present[i:] if r.groups[: level + 1] == row.groups[: level + 1])
            label = groups[g]
            cells.append(HeadCell(label.printed(), label.label_en, rowspan=span,
                                  scope="rowgroup", cls=f"group at{level}"))
        # at<n>: the label column the cell starts in, where a phone's stylesheet pins it
        cells.append(HeadCell(row.printed(version), row.label_en,
                              colspan=depth - len(row.groups), scope="row",
                              cls=f"at{len(row.groups)}"))
        for col in table.columns:
            cells.append(data_cell(report.cell("applications", row.code, col.code), "count",
                                   failing))
        body.append(tuple(cells))
    return TableView("table-applications", table.number, table.label_zh, table.label_en,
                     table.unit, head, (tuple(body),), version)


def _review(report: Report, forms: Forms, failing: Failing) -> TableView:
    table = forms.table("review_litigation")
    leaves = []
    figures = []
    for p in table.rows:
        for o in table.columns:
            label = Label(f"{p.code}.{o.code}", o.label_zh, o.label_en)
            leaves.append(([table.column_groups[g] for g in p.groups] + [p], label))
            figures.append(data_cell(report.cell("review_litigation", p.code, o.code), "count",
                                     failing))
    head = column_header(leaves)
    return TableView("table-review_litigation", table.number, table.label_zh, table.label_en,
                     table.unit, head, ((tuple(figures),),), "")


def _active(report: Report, forms: Forms, failing: Failing) -> TableView:
    table = forms.table("active")
    width = max(len(m) for a in table.articles for m in a.measures.values())
    bodies = []
    for article in table.articles:
        cells = [c for c in report.table_cells("active") if c.key[0] == article.code]
        if not cells:
            continue
        measures = list(dict.fromkeys(c.key[2] for c in cells))
        version = next(v for v, ms in article.measures.items() if ms == tuple(measures))
        rows = [(HeadCell(article.label.zh(), article.label.label_en, colspan=width + 1,
                          scope="colgroup", cls="block"),)]
        head = [HeadCell(table.stub_zh, table.stub_en, cls="stub")]
        for m in measures:
            label = table.measures[m]  # a money cell shows its own unit (元 or 万元, as printed)
            head.append(HeadCell(label.zh(version), label.label_en))
        head += [HeadCell("", "", cls="empty", scope="col")] * (width - len(measures))
        rows.append(tuple(head))
        for item in article.items:
            if version not in item.templates:
                continue
            row: list = [HeadCell(item.zh(version), item.label_en, scope="row")]
            for m in measures:
                row.append(data_cell(report.cell("active", article.code, item.code, m),
                                     table.measures[m].kind, failing))
            row += [DataCell("", cls="na")] * (width - len(measures))
            rows.append(tuple(row))
        bodies.append(tuple(rows))
    return TableView("table-active", table.number, table.label_zh, table.label_en, "",
                     (), tuple(bodies), report.table_templates.get("active", ""))


def table_views(report: Report, forms: Forms, failing: Failing) -> dict[str, TableView]:
    """table code → its printed layout, for the tables the report has."""
    version = report.table_templates.get("applications") or report.template
    return {
        "active": _active(report, forms, failing),
        "applications": _applications(report, forms, failing,
                                      "2019" if version == "2019" else "2021"),
        "review_litigation": _review(report, forms, failing),
    }
