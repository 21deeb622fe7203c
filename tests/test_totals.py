"""Figures over many reports: a total counts only the reports that published every figure it
needs, and says how many it covers and which were left out, and why, on the page and in the
data; a figure not published is said to be so, never shown as 0 or followed by a unit."""

from pathlib import Path

from bs4 import BeautifulSoup

from nianbao.brief import brief, kept_cells
from nianbao.charts import Point, counts_chart, rates_chart
from nianbao.model import BLANK
from nianbao.pipeline import read_reports
from nianbao.series import Measure

from conftest import CONTENT


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def test_charts_say_a_missing_point_in_words_without_a_unit():
    missing = Measure("新收申请", None, code="new", missing=(("新收申请", BLANK),))
    chart, _ = counts_chart("x", "n", "标题", "agency", [Point("甲", Measure("新收申请", 5)),
                                                          Point("乙", missing)], horizontal=True)
    assert chart.alt == "柱状图，标题：甲 5 件；乙 未公布（新收申请未填）。"
    rate = Measure("予以公开及部分公开", None, 805, True, "granted", (("予以公开", BLANK),))
    zero = Measure("予以公开及部分公开", 0, 0, True, "granted")
    chart, _ = rates_chart("x", "r", "比例", [[Point("2019", rate), Point("2020", zero)]])
    assert "2019 年 未公布（予以公开未填），2020 年 无法计算（分母为 0）" in chart.alt


def test_the_checks_page_says_not_applicable_for_an_identity_no_report_could_take(built_site):
    doc = soup(built_site, "checks/index.html")
    rows = {tr.th.get_text(strip=True): tr for tr in doc.select("table.checks.summary tbody tr")}
    x2 = rows["X2"].find_all("td")
    assert x2[-2].get_text(strip=True) == "0"
    assert x2[-1].get_text(strip=True).startswith("不适用")
    assert rows["X2"].select_one(".badge") is None  # no green 0 for a check that never ran
    a1 = rows["A1"].find_all("td")
    assert a1[-2].get_text(strip=True) == "7" and a1[-1].select_one(".badge.pass").text == "0"


def test_a_brief_tells_how_each_kept_cell_was_published():
    """The pages made from many reports say why a figure is missing: the brief keeps each kept
    cell's status as the report has it."""
    reports = read_reports(CONTENT, None, 1).reports
    shanghai = next(r for r in reports if r.report_id == "2019-shanghai-office")
    assert shanghai.status("applications", "granted", "total") == BLANK
    for report in reports:
        b = brief(report, ())
        for table, key in kept_cells():
            assert b.status(table, *key) == report.status(table, *key), (report.report_id, key)
