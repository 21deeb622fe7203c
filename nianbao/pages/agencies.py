"""Per-agency pages: every year of an agency's reports and its key series over time. Every rate
is shown with its numerator and denominator, from published figures only."""

from __future__ import annotations

from nianbao.domain.model import Report
from nianbao.pages.charts import YEAR_TOP, Point, counts_chart, rates_chart
from nianbao.pages.contexts import AgencyData, Figure, NavItem, Page, SeriesRow
from nianbao.pages.search_text import pinyin
from nianbao.pages.series import key_series, new_applications


def series_row(report: Report) -> SeriesRow:
    return SeriesRow(report.meta.year, f"reports/{report.report_id}/index.html",
                     tuple(m.figure() for m in key_series(report)), report.meta.agency)


def agency_charts(base: str, mine: list[Report]) -> tuple[tuple, dict[str, bytes]]:
    """Series over time; an agency with one report has none (its table says it all)."""
    if len(mine) < 2:
        return (), {}
    series = [(str(r.meta.year), key_series(r)) for r in mine]
    new, new_files = counts_chart(base, "applications", "历年新收申请", "year",
                                  [Point(y, s[0]) for y, s in series])
    rates, rate_files = rates_chart(base, "rates", "予以公开及部分公开、本机关不掌握占办理结果的比例",
                                    [[Point(y, s[i]) for y, s in series] for i in (1, 2)])
    return (new, rates), {**new_files, **rate_files}


def year_chart(year: int, reports: list[Report]):
    """The agencies of a year with most new applications (all of them in the table beside)."""
    points = sorted((Point(r.meta.agency, new_applications(r)) for r in reports),
                    key=lambda p: (-(p.measure.num or 0), p.key))[:YEAR_TOP]
    title = f"{year} 年度新收申请" + (f"最多的 {YEAR_TOP} 个机关" if len(reports) > YEAR_TOP else "（按机关）")
    return counts_chart(f"years/{year}", "applications", title, "agency", points, horizontal=True)


HOME = (NavItem("home", "首页", "index.html"),)


def agency_path(agency_id: str) -> str:
    return f"agencies/{agency_id}/index.html"


def agency_page(agency_id: str, mine: list[Report]) -> Page:
    """One agency's page: its reports over the years (oldest first)."""
    name = mine[-1].meta.agency
    charts, files = agency_charts(f"agencies/{agency_id}", mine)
    data = AgencyData(name, agency_id, tuple(series_row(r) for r in mine), charts,
                      pinyin(name, agency_id))
    return Page(agency_path(agency_id), "agency.html", name,
                f"{name}历年政府信息公开工作年度报告的主要数据与变化。", "agencies", data,
                HOME + (NavItem("agencies", "机关", "agencies/index.html"),),
                files=tuple(sorted(files.items())))


def agencies_index(groups: dict[str, list[Report]]) -> Page:
    index = tuple(NavItem(agency_id, f"{mine[-1].meta.agency}（{len(mine)} 份，"
                                     f"{mine[0].meta.year}–{mine[-1].meta.year}）",
                          agency_path(agency_id))
                  for agency_id, mine in groups.items())
    return Page("agencies/index.html", "agencies.html", "全部机关",
                "按机关浏览历年报告。", "agencies", index, HOME)
