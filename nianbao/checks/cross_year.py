"""Cross-year identities X1-X3 between consecutive reports of one agency (soft checks).

Each result belongs to the later report: it compares that report's figures with the report of
the year before. Only cells published as numbers take part; a pair of years with a missing or
unreadable cell gives no result.
"""

from __future__ import annotations

from collections import defaultdict

from nianbao.domain.forms import Forms, Identity, load_forms
from nianbao.domain.model import REPORTED, Check, Report


def _value(report: Report, table: str, *key: str):
    cell = report.cell(table, *key)
    return (cell.value, cell.anchor) if cell is not None and cell.status == REPORTED else (None, "")


def _check(report: Report, prev: Report, ident: Identity, scope: str, actual, expected,
           what: str, anchors: tuple[str, ...]) -> Check:
    ok = actual == expected
    sign = "=" if ok else "≠"
    message = (f"{what}：{report.meta.year} 年 {actual:,} {sign} 按 {prev.meta.year} 年报告推算 "
               f"{expected:,}" + ("" if ok else f"（相差 {actual - expected:,}）"))
    return Check(report.report_id, ident.id, scope, expected, actual, "pass" if ok else "fail",
                 message, cells=anchors)


def _carry(report: Report, prev: Report, ident: Identity, forms: Forms) -> list[Check]:
    table = forms.table(ident.table)
    out = []
    for col in table.columns:
        now, anchor = _value(report, ident.table, ident.total[0], col.code)
        before, _ = _value(prev, ident.table, ident.parts[0], col.code)
        if now is None or before is None:
            continue
        out.append(_check(report, prev, ident, col.code, now, before,
                          f"{col.zh()}：上年结转", (anchor,)))
    return out


def _items(report: Report, prev: Report, ident: Identity, forms: Forms) -> list[Check]:
    table = forms.table("active")
    out = []
    for article in table.articles:
        if article.code not in ident.rows:
            continue
        for item in article.items:
            key = (article.code, item.code)
            if ident.kind == "items_carry":
                now, anchor = _value(report, "active", *key, "prior_year_items")
                before, _ = _value(prev, "active", *key, "prior_year_items")
                change, _ = _value(prev, "active", *key, "change")
                terms = (before, change)
                expected = None if None in terms else before + change
                anchors = (anchor,)
            else:  # in_force
                now, anchor = _value(report, "active", *key, "in_force")
                before, _ = _value(prev, "active", *key, "in_force")
                issued, a2 = _value(report, "active", *key, "issued")
                repealed, a3 = _value(report, "active", *key, "repealed")
                terms = (before, issued, repealed)
                expected = None if None in terms else before + issued - repealed
                anchors = (anchor, a2, a3)
            if now is None or expected is None:
                continue
            out.append(_check(report, prev, ident, f"{article.code}.{item.code}", now, expected,
                              item.zh(), anchors))
    return out


KINDS = {"carry": _carry, "items_carry": _items, "in_force": _items}


def consecutive(reports: list[Report]) -> list[tuple[Report, Report]]:
    """(report, the same agency's report of the year before) for every report that has one."""
    by_agency: dict[str, dict[int, Report]] = defaultdict(dict)
    for report in reports:
        by_agency[report.meta.agency_id][report.meta.year] = report
    return [(report, years[year - 1]) for years in by_agency.values()
            for year, report in sorted(years.items()) if year - 1 in years]


def pair_checks(report: Report, prev: Report, forms: Forms | None = None) -> tuple[Check, ...]:
    """``report``'s cross-year results against ``prev``, the agency's report of the year before
    (whole reports or their briefs: the same results)."""
    forms = forms or load_forms()
    return tuple(c for ident in forms.identities if ident.kind in KINDS
                 for c in KINDS[ident.kind](report, prev, ident, forms))


def cross_year(reports: list[Report], forms: Forms | None = None) -> dict[str, tuple[Check, ...]]:
    """report_id → its cross-year results against the same agency's report of the year before."""
    forms = forms or load_forms()
    out = {}
    for report, prev in consecutive(reports):
        checks = pair_checks(report, prev, forms)
        if checks:
            out[report.report_id] = checks
    return out


def cells_read(forms: Forms) -> frozenset[tuple[str, tuple[str, ...]]]:
    """Every cell the cross-year identities may read (of either report of a pair)."""
    out = set()
    for ident in forms.identities:
        if ident.kind == "carry":
            for col in forms.table(ident.table).columns:
                out |= {(ident.table, (ident.total[0], col.code)), (ident.table, (ident.parts[0], col.code))}
        elif ident.kind in KINDS:
            for article in forms.table("active").articles:
                if article.code in ident.rows:
                    out |= {("active", (article.code, item.code, m)) for item in article.items
                            for m in ("prior_year_items", "change", "in_force", "issued", "repealed")}
    return frozenset(out)
