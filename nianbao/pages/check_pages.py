"""Check results as pages see them: grouped per identity on a report page, flagged on the cells
they involve, and gathered on one page of every failure in the collection."""

from __future__ import annotations

import re
from collections import Counter

from nianbao.domain.forms import Forms
from nianbao.domain.model import Check, Report
from nianbao.pages.contexts import (CheckGroup, CheckView, FailureRow, IdentityFailures, NavItem,
                                    Page)
from nianbao.pages.table_layout import Failing


def item_anchor(check: Check) -> str:
    """The id of a check's line on its report page (``chk-A3-withheld-state_secret``)."""
    return "chk-" + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{check.check}-{check.scope}")


def scope_label(report: Report, check: Check, forms: Forms) -> str:
    """The checked column, row, table or passage, named as the report prints it."""
    table = forms.table(forms.identity(check.check).table)
    if check.scope == table.code:
        return f"表{table.number}"
    section, _, n = check.scope.partition(".")
    heading = next((s.heading for s in report.sections if s.code == section), "")
    if heading:
        return f"{heading}（第 {n} 处）"
    if table.code == "active":
        article_code, _, item_code = check.scope.partition(".")
        article = next((a for a in table.articles if a.code == article_code), None)
        item = next((i for i in article.items if i.code == item_code), None) if article else None
        return f"{article.label.zh()} {item.zh()}" if item else check.scope
    codes = {label.code: label for label in (*table.rows, *table.columns)}
    label = codes.get(check.scope)
    return label.printed() if label else check.scope


def check_view(report: Report, check: Check, forms: Forms) -> CheckView:
    shown = check.focus or check.cells
    note = next((d.note for d in report.meta.discrepancies
                 if check.acknowledged and (d.check, d.scope) == (check.check, check.scope)), "")
    return CheckView(check.check, check.scope, scope_label(report, check, forms), check.result,
                     check.message, f"#{shown[0]}" if shown else "#checks", item_anchor(check),
                     forms.identity(check.check).table, forms.identity(check.check).soft, note)


def check_groups(report: Report, checks: tuple[Check, ...], forms: Forms) -> tuple[CheckGroup, ...]:
    groups = []
    for ident in forms.identities:
        mine = sorted((c for c in checks if c.check == ident.id), key=lambda c: c.passed)
        if not mine:
            continue
        items = tuple(check_view(report, c, forms) for c in mine)
        passed = sum(c.passed for c in mine)
        groups.append(CheckGroup(ident.id, ident.label_zh, ident.label_en, passed,
                                 len(mine) - passed, ident.soft, items))
    return tuple(groups)


def failing_cells(checks: tuple[Check, ...]) -> Failing:
    """Every cell a failing check involves → the checks that flag it. The printed totals a check
    compares (its focus) carry the flag; where it names none, every cell it read does."""
    flags: dict[str, list[tuple[str, str]]] = {}
    for c in checks:
        if c.passed:
            continue
        for anchor in c.focus or c.cells:
            flags.setdefault(anchor, []).append((c.check, item_anchor(c)))
    return {a: tuple(dict.fromkeys(f)) for a, f in flags.items()}


def checks_page(reports: list[Report], checks: dict[str, tuple[Check, ...]], forms: Forms,
                tried: dict[str, frozenset[str]] | None = None) -> Page:
    """One page listing every failing identity anywhere, each linked to its cell. ``checks`` may
    be the failing ones only when ``tried`` says which identities gave each report a result."""
    ordered = sorted(reports, key=lambda r: (-r.meta.year, r.report_id))
    found: dict[str, list[tuple[Report, Check]]] = {}  # identity → (report, check), in page order
    tried_by: Counter[str] = Counter()  # identity → how many reports it gave a result
    gave: Counter[frozenset[str]] = Counter()  # the identities that gave a result → reports
    for report in ordered:
        mine = checks.get(report.report_id, ())
        for c in mine:
            found.setdefault(c.check, []).append((report, c))
        gave[tried[report.report_id] if tried is not None else frozenset(c.check for c in mine)] += 1
    for identities, n in gave.items():  # (a few kinds of report: counted by kind, not one by one)
        for ident in identities:
            tried_by[ident] += n
    groups = []
    for ident in forms.identities:
        rows = []
        for report, c in found.get(ident.id, ()):
            if c.passed:
                continue
            view = check_view(report, c, forms)
            page = f"reports/{report.report_id}/index.html"
            rows.append(FailureRow(report.report_id, report.meta.title, report.meta.agency,
                                   report.meta.year, page, view,
                                   page + (view.href if view.href != "#checks" else "#" + view.anchor),
                                   c.acknowledged))
        groups.append(IdentityFailures(ident.id, ident.table, ident.label_zh, ident.label_en,
                                       ident.soft, tried_by[ident.id],
                                       len({r.report_id for r in rows}), tuple(rows)))
    return Page("checks/index.html", "checks.html", "勾稽关系不符之处",
                "所有报告中不符合国家格式勾稽关系的数字，逐项链接到原表单元格。", "checks",
                tuple(groups), (NavItem("home", "首页", "index.html"),))
