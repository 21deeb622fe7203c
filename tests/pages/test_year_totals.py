"""Figures over many reports: a total counts only the reports that published every figure it
needs, and says how many it covers and which were left out, and why, on the page and in the
data; a figure not published is said to be so, never shown as 0 or followed by a unit."""

import csv
import io
from pathlib import Path
from types import SimpleNamespace

from bs4 import BeautifulSoup

from nianbao.domain.model import ABSENT, BLANK, DASH, REPORTED
from nianbao.incremental.report_briefs import brief, kept_cells
from nianbao.pages.charts import Point, counts_chart, rates_chart
from nianbao.pages.contexts import human_size
from nianbao.pages.series import Measure
from nianbao.pages.year_totals import report_fields, total, year_file_docs
from nianbao.pipeline import read_reports

from conftest import CONTENT


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def figures(doc, within=None) -> dict[str, dict[str, str]]:
    """Each figure of the first ``dl.figures`` (in ``within``): label → value, note, coverage."""
    dl = (within or doc).select_one("dl.figures")
    out = {}
    for div in dl.find_all("div", recursive=False):
        dd = div.dd
        note, coverage = dd.select_one(".note"), dd.select_one(".coverage")
        out[div.dt.get_text(strip=True)] = {
            "value": dd.strong.get_text(strip=True),
            "note": note.get_text(strip=True) if note else "",
            "coverage": coverage.get_text(strip=True) if coverage else ""}
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def test_a_rate_over_reports_counts_only_those_that_published_both_its_parts(built_site):
    """上海 2019 printed 805 results but left 予以公开 and 部分公开 blank: counted, the year's
    rate read 1.0 % (8 / 828), about 30 times too low. It is the rate of 平潭 alone, and says so."""
    for rel, within in (("years/2019/index.html", None),
                        ("years/index.html", "section[aria-labelledby=y2019]")):
        doc = soup(built_site, rel)
        shown = figures(doc, doc.select_one(within) if within else None)
        granted = shown["予以公开及部分公开"]
        assert granted["value"] == "34.8%", rel
        assert granted["note"] == "8 / 23 件"
        assert granted["coverage"] == "2 份报告中的 1 份；未计入：上海市人民政府办公厅（予以公开、部分公开未填）"
        # counts both reports published are summed over both, and say nothing more
        assert shown["新收申请"] == {"value": "882", "note": "件", "coverage": ""}
        assert shown["报告"]["value"] == "2"


def test_a_total_no_report_published_is_not_published_and_names_every_report_left_out():
    def report(n: int):
        return SimpleNamespace(report_id=f"2020-a{n}", meta=SimpleNamespace(agency=f"机关{n}"))

    missing = [Measure("行政复议", None, code="review", missing=(("行政复议总计", s),))
               for s in (BLANK, DASH, ABSENT, BLANK, BLANK, BLANK, BLANK)]
    t = total([(report(n), m) for n, m in enumerate(missing)])
    f = t.figure()
    assert (f.value, f.note) == ("未公布", "")  # not 0, and no unit after it
    assert f.coverage.startswith("7 份报告中的 0 份；未计入：机关0（行政复议总计未填）；"
                                 "机关1（行政复议总计填作“—”等符号）；机关2（行政复议总计缺行）")
    assert "等 7 份" in f.coverage  # five named on the page, all of them in the data
    assert t.coverage(named=7).count("（行政复议总计") == 7
    # a rate: a report that published its denominator but not its numerator adds to neither
    rates = [Measure("予以公开及部分公开", 8, 23, True, "granted"),
             Measure("予以公开及部分公开", None, 805, True, "granted",
                     (("予以公开", BLANK), ("部分公开", BLANK)))]
    t = total([(report(n), m) for n, m in enumerate(rates)])
    assert (t.num, t.den, t.counted, t.reports) == (8, 23, 1, 2)
    assert t.figure().value == "34.8%"


def test_the_year_table_is_a_download_with_each_figures_status(built_site):
    doc = soup(built_site, "years/2019/index.html")
    links = {a["href"]: a for a in doc.select("#year-data a[download]")}
    assert set(links) == {"../../years/2019/2019-reports.csv", "../../years/2019/2019-totals.csv"}
    for href, a in links.items():
        size = a.find_parent("li").select_one(".size").get_text(strip=True)
        assert size == human_size((built_site / "years/2019" / href).stat().st_size)
    rows = {r["report_id"]: r for r in read_csv(built_site / "years/2019/2019-reports.csv")}
    assert list(next(iter(rows.values()))) == report_fields()
    table = {tr.th.get_text(strip=True) for tr in doc.select("table.series tbody tr")}
    assert {r["agency"] for r in rows.values()} == table
    shanghai, pingtan = rows["2019-shanghai-office"], rows["2019-pingtan"]
    # a blank is told from a 0: empty, with its status
    assert (shanghai["granted_share"], shanghai["granted_numerator"],
            shanghai["granted_denominator"], shanghai["granted_status"]) == ("", "", "805", BLANK)
    assert shanghai["new"] == "859" and shanghai["new_status"] == REPORTED
    assert shanghai["litigation"] == "" and shanghai["litigation_status"] == BLANK
    assert "复议后起诉总计" in shanghai["not_published"]
    assert pingtan["review"] == "0" and pingtan["review_status"] == REPORTED
    assert (pingtan["granted_share"], pingtan["granted_status"]) == ("0.3478", REPORTED)
    assert pingtan["not_published"] == "" and pingtan["agency"] == "平潭综合实验区"


def test_every_years_totals_are_data_with_the_reports_they_cover(built_site):
    years = soup(built_site, "years/index.html")
    a = years.select_one("#years-data ~ ul.downloads a[download]")
    assert a["href"] == "../years/totals.csv"
    rows = read_csv(built_site / "years/totals.csv")
    assert rows == [r for y in ("2023", "2022", "2021", "2020", "2019")
                    for r in read_csv(built_site / f"years/{y}/{y}-totals.csv")]
    granted = next(r for r in rows if (r["year"], r["measure"]) == ("2019", "granted"))
    assert granted == {"year": "2019", "measure": "granted", "label": "予以公开及部分公开",
                       "value": "0.3478", "numerator": "8", "denominator": "23", "reports": "2",
                       "reports_counted": "1", "reports_left_out": "1",
                       "left_out": "2019-shanghai-office",
                       "note": "2 份报告中的 1 份；未计入：上海市人民政府办公厅（予以公开、部分公开未填）"}
    new = next(r for r in rows if (r["year"], r["measure"]) == ("2019", "new"))
    assert (new["value"], new["reports_counted"], new["left_out"]) == ("882", "2", "")


def test_the_datasets_page_documents_every_column_of_the_year_files(built_site):
    doc = soup(built_site, "datasets/index.html")
    section = doc.find(id="year-files").find_parent("section")
    documented = {s["id"]: [th.get_text(strip=True) for th in s.select("tbody th")]
                  for s in section.select("section.resource")}
    reports = (built_site / "years/2019/2019-reports.csv").read_text("utf-8").split("\n", 1)[0]
    totals = (built_site / "years/totals.csv").read_text("utf-8").split("\n", 1)[0]
    assert documented == {"year-files-year-reports": reports.split(","),
                          "year-files-year-totals": totals.split(",")}
    assert [d.name for d in year_file_docs()] == ["year-reports", "year-totals"]
    assert section.select_one("ul.years a")["href"].endswith("#year-data")


def test_a_figure_not_published_is_said_so_without_a_unit(built_site):
    """Nowhere does a page show "— 件": a missing figure says it is not published, and why."""
    seen = 0
    for path in sorted(built_site.rglob("*.html")):
        for dd in BeautifulSoup(path.read_text("utf-8"), "html.parser").select("dl.figures dd"):
            value, note = dd.strong.get_text(strip=True), dd.select_one(".note")
            if value in ("—", "未公布") and note is not None:
                assert not note.get_text(strip=True).startswith("件"), (path, dd)
            seen += value == "未公布"
    assert seen  # 上海 2019's 行政诉讼 and 予以公开及部分公开, on its page and in lists
    doc = soup(built_site, "reports/2019-shanghai-office/index.html")
    assert figures(doc)["行政诉讼"] == {"value": "未公布", "note": "复议后起诉总计未填",
                                       "coverage": ""}


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
