"""Per-agency pages: every year of an agency's reports and its key series over time. Every rate
is shown with its numerator and denominator, from published figures only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .contexts import AgencyData, Figure, NavItem, Page, SeriesRow
from .layout import format_value
from .model import Report


def _sum(report: Report, table: str, keys: list[tuple[str, ...]]) -> int | None:
    values = [report.value(table, *k) for k in keys]
    return None if None in values else sum(values)


@dataclass(frozen=True)
class Measure:
    """One key series value: a count (``den`` is None) or a rate ``num / den``."""

    label: str
    num: int | None
    den: int | None = None
    rate: bool = False

    @property
    def share(self) -> float | None:
        return None if self.num is None or not self.den else self.num / self.den

    def figure(self) -> Figure:
        if not self.rate:
            return Figure(self.label, "—" if self.num is None else format_value(self.num), "")
        if self.num is None or self.den is None:
            return Figure(self.label, "—", "未以数字公布")
        if self.den == 0:
            return Figure(self.label, "—", f"{format_value(self.num)} / 0")
        return Figure(self.label, f"{self.share:.1%}",
                      f"{format_value(self.num)} / {format_value(self.den)}")


def key_series(report: Report) -> tuple[Measure, ...]:
    """The figures followed over time: counts, and rates with their numerator and denominator."""
    a, r = "applications", "review_litigation"
    granted = _sum(report, a, [("granted", "total"), ("partially_granted", "total")])
    results = report.value(a, "results_total", "total")
    suits = ("litigation_direct", "litigation_after_review")
    return (
        Measure("新收申请", report.value(a, "new", "total")),
        Measure("予以公开及部分公开", granted, results, rate=True),
        Measure("本机关不掌握", report.value(a, "unable.not_held", "total"), results, rate=True),
        Measure("行政复议", report.value(r, "review", "total")),
        Measure("复议纠正率", report.value(r, "review", "corrected"),
                report.value(r, "review", "total"), rate=True),
        Measure("行政诉讼", _sum(report, r, [(p, "total") for p in suits])),
        Measure("诉讼纠正率", _sum(report, r, [(p, "corrected") for p in suits]),
                _sum(report, r, [(p, "total") for p in suits]), rate=True),
    )


def series_row(report: Report) -> SeriesRow:
    return SeriesRow(report.meta.year, f"reports/{report.report_id}/index.html",
                     tuple(m.figure() for m in key_series(report)), report.meta.agency)


def agency_pages(reports: list[Report]) -> list[Page]:
    by_agency: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        by_agency[report.meta.agency_id].append(report)
    pages, index = [], []
    home = (NavItem("home", "首页", "index.html"),)
    for agency_id, mine in sorted(by_agency.items()):
        mine.sort(key=lambda r: r.meta.year)
        name = mine[-1].meta.agency
        data = AgencyData(name, agency_id, tuple(series_row(r) for r in mine))
        path = f"agencies/{agency_id}/index.html"
        pages.append(Page(path, "agency.html", name,
                          f"{name}历年政府信息公开工作年度报告的主要数据与变化。", "agencies", data,
                          home + (NavItem("agencies", "机关", "agencies/index.html"),)))
        index.append(NavItem(agency_id, f"{name}（{len(mine)} 份，{mine[0].meta.year}–{mine[-1].meta.year}）",
                             path))
    pages.append(Page("agencies/index.html", "agencies.html", "全部机关",
                      "按机关浏览历年报告。", "agencies", tuple(index), home))
    return pages
