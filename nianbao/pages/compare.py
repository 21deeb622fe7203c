"""Two reports side by side on the figures both forms share (template-spec §7), and each report's
change against the same agency's previous report.

Which pairs get a page: every report with its agency's previous report, and every two agencies of
a year while the year holds at most ``YEAR_PAIRS_UP_TO`` reports (pairs grow with the square of a
year's reports; beyond that the year page's comparison table compares them all at once).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from nianbao.domain.forms import Forms
from nianbao.domain.model import ABSENT, BLANK, DASH, REPORTED, UNREADABLE, Report
from nianbao.pages.contexts import (ChangeRow, CompareData, CompareRow, CompareTable, Figure,
                                    NavItem, Page, PreviousReport)
from nianbao.pages.series import Measure, histories, key_series
from nianbao.pages.table_layout import format_value

YEAR_PAIRS_UP_TO = 12
# a cell printed with no figure: (mark shown, what it means), as the report page explains it
NIL = {BLANK: ("空白", "原表此格空白"), DASH: ("", "原表以符号表示（无或不适用）"),
       ABSENT: ("缺", "原表缺少此行"), UNREADABLE: ("?", "原文无法唯一识别（如数字粘连），不作猜测")}
UNSUMMED = "分项中有无法识别或缺少的格，不求和"
NO_DIFF = "两栏不都是数字，不相减"


def _read(report: Report, table: str, key: tuple[str, ...], kind: str = "count"):
    """(text as printed, number or None, what a mark means) of one cell; None when the report
    has no such cell."""
    cell = report.cell(table, *key)
    if cell is None:
        return None
    if cell.status == REPORTED:
        return (format_value(cell.value, kind) + (f" {cell.unit}" if kind == "money" else ""),
                cell.value, "")
    mark, meaning = NIL[cell.status]
    return mark or cell.raw or "-", None, meaning


def _sum_of(report: Report, table: str, rows: tuple[str, ...], col: str):
    cells = [report.cell(table, r, col) for r in rows]
    if all(c is None for c in cells):
        return None
    if any(c is None or c.status not in (REPORTED, BLANK, DASH) for c in cells):
        return "?", None, UNSUMMED
    total = sum(c.value for c in cells if c.status == REPORTED)
    return f"{format_value(total)}（{len(rows)} 项之和）", total, ""


def _row(label: str, label_en: str, a, b, note: str = "") -> CompareRow:
    a_text, a_num, a_note = a or ("无此项", None, "")
    b_text, b_num, b_note = b or ("无此项", None, "")
    if a_num is not None and b_num is not None:
        delta = b_num - a_num
        diff, diff_note = "0" if delta == 0 else format_value(delta, "signed"), ""
        changed = delta != 0
    else:
        diff, diff_note, changed = "—", NO_DIFF, a_text != b_text
    return CompareRow(label, label_en, a_text, b_text, diff, changed, note, a_note, b_note,
                      diff_note)


def _table(id: str, title: str, title_en: str, rows: list[CompareRow],
           collapsed: bool = False) -> CompareTable:
    """A table with the legend of the marks its cells show (each mark's meaning, once)."""
    marks: dict[str, list[str]] = {}
    for r in rows:
        for text, meaning in ((r.a, r.a_note), (r.b, r.b_note)):
            if meaning and text not in marks.setdefault(meaning, []):
                marks[meaning].append(text)
    legend = [Figure("".join(f"“{t}”" for t in texts), meaning)
              for meaning, texts in sorted(marks.items(), key=lambda m: _ORDER.index(m[0]))]
    if any(r.diff_note for r in rows):
        legend.append(Figure("差值“—”", NO_DIFF))
    return CompareTable(id, title, title_en, tuple(rows), collapsed, tuple(legend))


_ORDER = [meaning for _, meaning in NIL.values()] + [UNSUMMED]


def _applications(a: Report, b: Report, forms: Forms) -> tuple[CompareTable, CompareTable]:
    table = forms.table("applications")
    sums = {c.code: c for c in forms.comparable if c.table == "applications"}
    parts = {p for c in sums.values() for p in c.sum_of}
    totals, by_applicant = [], []
    for row in table.rows:
        if row.code in parts or (len(row.templates) < 2 and row.code not in sums):
            continue
        for col in table.columns:
            if row.code in sums:
                pair = [_read(r, "applications", (row.code, col.code))
                        or _sum_of(r, "applications", sums[row.code].sum_of, col.code) for r in (a, b)]
            else:
                pair = [_read(r, "applications", (row.code, col.code)) for r in (a, b)]
            label, label_en = _in_group(table, row)
            if col.code == "total":
                totals.append(_row(label, label_en, *pair))
            else:
                by_applicant.append(_row(f"{label} · {col.zh()}", f"{label_en} · {col.label_en}",
                                         *pair))
    return (_table("applications", f"表{table.number} {table.label_zh}（总计列）",
                   f"{table.label_en} (totals)", totals),
            _table("applicants", f"表{table.number} 按申请人类型",
                   f"{table.label_en} (by applicant)", by_applicant, collapsed=True))


def _in_group(table, row) -> tuple[str, str]:
    """A row of table 三 named with its group where its number alone repeats (``（三）不予公开 ·
    1.属于国家秘密``, as the report page's table shows it under its group)."""
    if len(row.groups) < 2:
        return row.printed(), row.label_en
    group = table.row_groups[row.groups[-1]]
    return f"{group.printed()} · {row.printed()}", f"{group.label_en} · {row.label_en}"


def _active(a: Report, b: Report, forms: Forms) -> CompareTable:
    table = forms.table("active")
    approx = [c for c in forms.comparable if c.table == "active"]
    rows = []
    for article in table.articles:
        if len(article.templates) < 2:
            continue
        shared = [m for m in article.measures["2019"] if m in article.measures["2021"]]
        for item in article.items:
            if len(item.templates) < 2:
                continue
            for c in approx:
                measures = c.measures.values()
                if all(m in article.measures[v] for v, m in c.measures.items()):
                    pair = [next(filter(None, (_read(r, "active", (article.code, item.code, m))
                                               for m in measures)), None) for r in (a, b)]
                    rows.append(_row(f"{item.zh()} · {c.label_zh}", f"{item.label_en} · {c.label_en}",
                                     *pair, note=c.note_zh))
            for m in shared:
                label = table.measures[m]
                pair = [_read(r, "active", (article.code, item.code, m), label.kind) for r in (a, b)]
                rows.append(_row(f"{item.zh()} · {label.zh()}", f"{item.label_en} · {label.label_en}",
                                 *pair))
    return _table("active", f"表{table.number} {table.label_zh}", table.label_en, rows)


def _review(a: Report, b: Report, forms: Forms) -> CompareTable:
    table = forms.table("review_litigation")
    rows = [_row(f"{p.zh()} · {o.zh()}", f"{p.label_en} · {o.label_en}",
                 *[_read(r, "review_litigation", (p.code, o.code)) for r in (a, b)])
            for p in table.rows for o in table.columns]
    return _table("review_litigation", f"表{table.number} {table.label_zh}", table.label_en, rows)


def compare_path(a: Report, b: Report) -> str:
    return f"compare/{a.report_id}--{b.report_id}/index.html"


def pairs(reports: list[Report], groups: dict[str, list[Report]] | None = None
          ) -> list[tuple[Report, Report, str]]:
    """(older or first, newer or second, kind) for every pair that gets a page (``groups``: the
    reports' ``histories`` if already made)."""
    out = []
    by_year = defaultdict(list)
    for r in reports:
        by_year[r.meta.year].append(r)
    for mine in (groups or histories(reports)).values():
        out += [(x, y, "agency") for x, y in zip(mine, mine[1:])]
    for year_reports in by_year.values():
        if len(year_reports) <= YEAR_PAIRS_UP_TO:
            year_reports.sort(key=lambda r: r.report_id)
            out += [(x, y, "year") for i, x in enumerate(year_reports) for y in year_reports[i + 1:]]
    return sorted(out, key=lambda p: (p[2], compare_path(p[0], p[1])))


def compare_title(a: Report, b: Report, kind: str) -> str:
    if kind == "agency":
        return f"{a.meta.agency}：{a.meta.year} 年与 {b.meta.year} 年对比"
    return f"{a.meta.year} 年度：{a.meta.agency}与{b.meta.agency}对比"


def compare_page(a: Report, b: Report, kind: str, forms: Forms, summaries: dict) -> Page:
    applications, applicants = _applications(a, b, forms)
    tables = (_active(a, b, forms), applications, applicants, _review(a, b, forms))
    rows = [r for t in tables for r in t.rows]
    title = compare_title(a, b, kind)
    data = CompareData(summaries[a.report_id], summaries[b.report_id], kind, tables,
                       sum(r.changed for r in rows), len(rows))
    return Page(compare_path(a, b), "compare.html", title,
                f"{title}：两份报告三张表中两种格式共有的数字逐项并列，不同之处标出。", "compare", data,
                (NavItem("home", "首页", "index.html"), NavItem("compare", "对比", "compare/index.html")))


def compare_item(a: Report, b: Report, kind: str) -> NavItem:
    """The link to the comparison of a pair."""
    return NavItem(kind, compare_title(a, b, kind), compare_path(a, b))


def compare_index(index: tuple[NavItem, ...]) -> Page:
    """The list of every comparison (``compare_item`` of each pair, in ``pairs`` order)."""
    return Page("compare/index.html", "compare_index.html", "报告对比",
                "同一机关的相邻两年、同一年度的两个机关：两份报告并列比较。", "compare", index,
                (NavItem("home", "首页", "index.html"),))


def _change(before: Measure, after: Measure) -> ChangeRow:
    was, now = before.figure(), after.figure()
    if after.rate:
        if before.share is None or after.share is None:
            return ChangeRow(after.label, was.value, now.value, "—", was.note, now.note)
        points = (Decimal(str(after.share)) - Decimal(str(before.share))) * 100
        change = f"{points:+.1f} 个百分点" if round(points, 1) else "持平"
        return ChangeRow(after.label, was.value, now.value, change, was.note, now.note)
    if before.num is None or after.num is None:
        return ChangeRow(after.label, was.value, now.value, "—")
    delta = after.num - before.num
    pct = f"（{delta / before.num:+.1%}）" if before.num else ""
    return ChangeRow(after.label, was.value, now.value,
                     "持平" if delta == 0 else format_value(delta, "signed") + pct)


def previous_of(reports: list[Report], groups: dict[str, list[Report]] | None = None
                ) -> dict[str, Report]:
    """report_id → the same agency's previous report (where there is one)."""
    return {after.report_id: before for mine in (groups or histories(reports)).values()
            for before, after in zip(mine, mine[1:])}


def previous_report(before: Report, after: Report) -> PreviousReport:
    """``after``'s change against ``before``, the same agency's previous report."""
    rows = tuple(_change(x, y) for x, y in zip(key_series(before), key_series(after)))
    return PreviousReport(before.meta.year, before.meta.title, f"reports/{before.report_id}/index.html",
                          compare_path(before, after), rows)
