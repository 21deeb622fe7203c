"""Stage 3: the accounting identities (勾稽关系) checked on a report. Results are data.

``validate`` never raises and never changes a figure: a report that breaks its own arithmetic
gets ``fail`` rows in ``checks``, shown on its page. Blank and dash cells count as zero in a sum
(and the message says so); an identity that touches an absent or unreadable cell cannot be
decided and gives no row, only a warning.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from nianbao.domain.diagnostics import Diagnostic
from nianbao.domain.forms import Forms, Identity, Label, load_forms
from nianbao.domain.model import (ABSENT, BLANK, DASH, REPORTED, UNREADABLE, Cell, Check, Number,
                                  Report)


def _fmt(n: Number) -> str:
    return f"{n:,}"


class _Grid:
    """A report's table as (row code, column code) → cell."""

    def __init__(self, report: Report, table: str):
        self.cells = {c.key: c for c in report.table_cells(table)}
        self.rows = tuple(dict.fromkeys(k[0] for k in self.cells))
        self.cols = tuple(dict.fromkeys(k[1] for k in self.cells))

    def total(self, keys: list[tuple[str, str]]) -> tuple[Number | None, list[Cell], list[Cell]]:
        """Sum of the cells; None if one cannot be read. Also the cells, and those taken as 0."""
        cells = [self.cells[k] for k in keys if k in self.cells]
        if any(c.status in (ABSENT, UNREADABLE) for c in cells):
            return None, cells, []
        nil = [c for c in cells if c.status in (BLANK, DASH)]
        return sum((c.value for c in cells if c.status == REPORTED), 0), cells, nil


def _names(labels: list[Label], limit: int = 3) -> str:
    if len(labels) <= limit:
        return "+".join(label.zh() for label in labels)
    return f"{len(labels)}项之和"


def _sum_check(
    report: Report, ident: Identity, grid: _Grid, scope: Label, total: list, parts: list,
    total_labels: list[Label], part_labels: list[Label],
) -> Check | None:
    actual, t_cells, t_nil = grid.total(total)
    expected, p_cells, p_nil = grid.total(parts)
    if actual is None or expected is None:
        return None
    sign = "=" if actual == expected else "≠"
    shown_actual = "空白" if t_cells and len(t_nil) == len(t_cells) else _fmt(actual)
    shown_expected = "空白" if p_cells and len(p_nil) == len(p_cells) else _fmt(expected)
    message = (f"{scope.zh()}：{_names(total_labels)} {shown_actual} {sign} "
               f"{_names(part_labels)} {shown_expected}")
    if actual != expected:
        message += f"（相差 {_fmt(actual - expected)}）"
    if t_nil or p_nil:
        message += f"；{len(t_nil) + len(p_nil)} 个空白或“-”单元格按 0 计"
    return Check(
        report_id=report.report_id, check=ident.id, scope=scope.code, expected=expected,
        actual=actual, result="pass" if actual == expected else "fail", message=message,
        cells=tuple(c.anchor for c in t_cells + p_cells),
        focus=tuple(c.anchor for c in t_cells),
    )


def _grid_checks(report: Report, ident: Identity, forms: Forms) -> list[Check]:
    table = forms.table(ident.table)
    grid = _Grid(report, ident.table)
    out = []
    if ident.kind == "columns":
        rows_total = ident.expand(ident.total, grid.rows)
        rows_parts = ident.expand(ident.parts, grid.rows)
        for col in grid.cols:
            check = _sum_check(
                report, ident, grid, table.column(col),
                [(r, col) for r in rows_total], [(r, col) for r in rows_parts],
                [table.row(r) for r in rows_total], [table.row(r) for r in rows_parts])
            if check:
                out.append(check)
    else:  # rows
        cols_total = ident.expand(ident.total, grid.cols)
        cols_parts = ident.expand(ident.parts, grid.cols)
        for row in ident.rows or grid.rows:
            if row not in grid.rows:
                continue
            check = _sum_check(
                report, ident, grid, table.row(row),
                [(row, c) for c in cols_total], [(row, c) for c in cols_parts],
                [table.column(c) for c in cols_total], [table.column(c) for c in cols_parts])
            if check:
                out.append(check)
    return out


def _nonnegative(report: Report, ident: Identity, forms: Forms) -> list[Check]:
    cells = [c for c in report.table_cells(ident.table) if c.status == REPORTED]
    bad = [c for c in cells if not (isinstance(c.value, int) and c.value >= 0)
           and not (isinstance(c.value, Decimal) and c.value >= 0 and c.value == int(c.value))]
    table = forms.table(ident.table)
    message = (f"表{table.number}：{len(cells)} 个已填单元格都是非负整数" if not bad else
               f"表{table.number}：{len(bad)} 个单元格不是非负整数：" +
               "、".join(f"{'/'.join(c.key)}={c.raw}" for c in bad[:5]))
    return [Check(report.report_id, ident.id, ident.table, 0, len(bad),
                  "pass" if not bad else "fail", message, cells=tuple(c.anchor for c in bad))]


def _prose(report: Report, ident: Identity, forms: Forms) -> list[Check]:
    grid = _Grid(report, ident.table)
    table = forms.table(ident.table)
    out: list[Check] = []
    for section in report.sections:
        text = unicodedata.normalize("NFKC", section.markdown)
        taken: list[tuple[int, int]] = []
        for pattern in ident.patterns:
            for m in re.finditer(pattern["regex"], text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                rows = ident.expand(tuple(pattern["total"]), grid.rows)
                digits = m.group("n")  # beyond int()'s digit limit, kept exact as a Decimal
                stated = int(digits) if len(digits) <= 15 else Decimal(digits)
                expected, cells, _ = grid.total([(r, pattern["column"]) for r in rows])
                if expected is None:
                    continue
                n = sum(1 for c in out if c.scope.startswith(section.code)) + 1
                sign = "=" if stated == expected else "≠"
                out.append(Check(
                    report.report_id, ident.id, f"{section.code}.{n}", expected, stated,
                    "pass" if stated == expected else "fail",
                    f"正文“{m.group(0)}” {_fmt(stated)} {sign} 表{table.number} "
                    f"{'+'.join(table.row(r).zh() for r in rows)} {_fmt(expected)}",
                    cells=tuple(c.anchor for c in cells)))
    return out


def validate(report: Report, forms: Forms | None = None) -> tuple[tuple[Check, ...], list[Diagnostic]]:
    """Every identity of ``forms.yaml`` on one report: (checks, warnings). Never raises."""
    forms = forms or load_forms()
    checks: list[Check] = []
    for ident in forms.identities:
        if ident.kind in ("columns", "rows"):
            checks += _grid_checks(report, ident, forms)
        elif ident.kind == "nonnegative":
            checks += _nonnegative(report, ident, forms)
        elif ident.kind == "prose":
            checks += _prose(report, ident, forms)
    return tuple(checks), []
