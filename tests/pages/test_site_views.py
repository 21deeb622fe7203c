"""Pages that compare and explain: the checks page, compare pages, change against the previous
report, the year page's comparison across agencies. Asserted on parsed HTML."""

from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from nianbao.pages.compare import YEAR_PAIRS_UP_TO


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def cells_text(row) -> list[str]:
    return [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])]


def test_checks_page_links_every_failure_to_a_marked_cell(built_site, built):
    failing = [c for cs in built["outcome"].checks.values() for c in cs if not c.passed]
    doc = soup(built_site, "checks/index.html")
    items = doc.select("ul.failures > li")
    assert len(items) == len(failing) == 16
    for li in items:
        link = li.find("a", string="查看单元格")
        path, _, anchor = link["href"].removeprefix("../").partition("#")
        report = soup(built_site, path)
        cell = report.find(id=anchor)
        assert cell is not None and cell.name == "td", link["href"]
        assert "fail" in cell["class"]
        # the cell explains itself: a flag naming the check, linking to its line in words
        flag = cell.find("a", class_="flag")
        assert flag is not None
        explained = report.find(id=flag["href"][1:])
        assert explained is not None and "≠" in explained.get_text()
    # each is acknowledged in its content file: shown as confirmed, with the maintainer's note
    assert all(li.find(class_="badge ack") and li.find("p", class_="ack") for li in items)
    summary = {cells_text(tr)[0]: cells_text(tr)[-1] for tr in doc.select("table.summary tbody tr")}
    assert summary["A2"] == "2" and summary["A3"] == "1" and summary["A1"] == "0"


def test_failing_table_is_explained_in_words_under_it(built_site):
    doc = soup(built_site, "reports/2019-shanghai-office/index.html")
    box = doc.select_one("#s3_applications .problems")
    assert "本表有 12 处勾稽关系不符" in box.get_text()
    assert "总计 805 ≠ 19项之和" in box.get_text()
    total = doc.find("td", id=box.find("a")["href"][1:]) if box.find("a")["href"].startswith("#") else None
    assert total is not None and "fail" in total["class"]
    # tables that pass carry no such box
    assert doc.select_one("#s4_review_litigation .problems") is None


def test_compare_page_same_agency_across_years(built_site):
    doc = soup(built_site, "compare/2020-pingtan--2021-pingtan/index.html")
    assert doc.h1.get_text() == "平潭综合实验区：2020 年与 2021 年对比"
    totals = doc.find("section", attrs={"aria-labelledby": "cmp-applications"})
    rows = {cells_text(tr)[0].split(" ")[0]: tr for tr in totals.select("table.compare tbody tr")}
    new = rows["一、本年新收政府信息公开申请数量"]
    assert cells_text(new)[1:] == ["21", "70", "不同： +49"] and "changed" in new["class"]
    carried = rows["二、上年结转政府信息公开申请数量"]
    assert cells_text(carried)[1:] == ["0", "0", "0"] and not carried.get("class")
    # 2019 form prints （六）其他处理 in one row, the 2021 form in three: compared on their sum
    other = rows["（六）其他处理"]
    assert cells_text(other)[1:3] == ["4", "1（3 项之和）"]
    # the approximate mapping is flagged in words
    assert "口径相近但不相同" in doc.select_one("table.compare").get_text()


def test_compare_pages_cover_agency_years_and_year_pairs(built_site):
    index = soup(built_site, "compare/index.html")
    hrefs = sorted(a["href"] for a in index.select("main ul.links a"))
    assert hrefs == [
        "../compare/2019-pingtan--2019-shanghai-office/index.html",
        "../compare/2019-pingtan--2020-pingtan/index.html",
        "../compare/2020-heilongjiang--2020-pingtan/index.html",
        "../compare/2020-pingtan--2021-pingtan/index.html",
        "../compare/2021-pingtan--2022-pingtan/index.html",
    ]
    assert YEAR_PAIRS_UP_TO >= 2
    two = soup(built_site, "compare/2020-heilongjiang--2020-pingtan/index.html")
    head = cells_text(two.select_one("table.compare thead tr"))
    assert head[1:3] == ["黑龙江省人民政府", "平潭综合实验区"]


def test_report_shows_change_against_previous_report(built_site):
    doc = soup(built_site, "reports/2021-pingtan/index.html")
    change = doc.select_one("#change")
    assert "与上一份报告（2020 年度）相比" in change.h2.get_text()
    rows = {cells_text(tr)[0]: cells_text(tr)[1:] for tr in change.select("tbody tr")}
    assert rows["新收申请"] == ["21", "70", "+49（+233.3%）"]
    granted = rows["予以公开及部分公开"]
    assert granted[0] == "61.9% 13 / 21" and granted[1] == "50.7% 35 / 69"
    assert granted[2] == "-11.2 个百分点"
    assert change.find("a", string="两份报告逐项对比")["href"] == "../../compare/2020-pingtan--2021-pingtan/index.html"
    # the first report of an agency has nothing to compare with
    assert soup(built_site, "reports/2020-heilongjiang/index.html").select_one("#change") is None


def test_year_page_compares_its_agencies(built_site):
    doc = soup(built_site, "years/2020/index.html")
    rows = {cells_text(tr)[0]: cells_text(tr)[1:] for tr in doc.select("table.series tbody tr")}
    assert set(rows) == {"黑龙江省人民政府", "平潭综合实验区"}
    assert rows["黑龙江省人民政府"][0] == "6,117"
    assert rows["平潭综合实验区"][0] == "21"
    for a in doc.select("table.series tbody th a"):
        assert (doc and urlsplit(a["href"]).path.startswith("../../reports/"))


def test_agency_charts_are_static_svg_with_words_and_data(built_site):
    import csv

    doc = soup(built_site, "agencies/pingtan/index.html")
    figures = doc.select("figure.chart")
    assert [f.figcaption.get_text() for f in figures] == [
        "历年新收申请", "予以公开及部分公开、本机关不掌握占办理结果的比例"]
    bars = figures[0]
    assert bars.img["alt"] == "柱状图，历年新收申请：2019 23 件；2020 21 件；2021 70 件；2022 74 件。"
    svg = (built_site / "agencies/pingtan" / bars.img["src"]).read_text("utf-8")
    assert svg.startswith("<svg") and "<script" not in svg and "2022" in svg
    data = bars.find("a", string="图表数据（CSV）")["href"]
    rows = list(csv.DictReader((built_site / "agencies/pingtan" / data).open(encoding="utf-8")))
    assert rows == [{"year": "2019", "value": "23"}, {"year": "2020", "value": "21"},
                    {"year": "2021", "value": "70"}, {"year": "2022", "value": "74"}]
    rates = list(csv.DictReader((built_site / "agencies/pingtan/rates.csv").open(encoding="utf-8")))
    assert rates[1] == {"year": "2020", "measure": "予以公开及部分公开", "numerator": "13",
                        "denominator": "21", "share": "0.6190"}
    assert "61.9%" in figures[1].img["alt"]


def test_year_chart_ranks_agencies(built_site):
    chart = soup(built_site, "years/2020/index.html").select_one("figure.chart img")
    assert chart["alt"] == "柱状图，2020 年度新收申请（按机关）：黑龙江省人民政府 6,117 件；平潭综合实验区 21 件。"
    assert (built_site / "years/2020" / chart["src"]).is_file()


def test_search_bundle_and_page(built_site):
    bundle = built_site / "pagefind"
    assert (bundle / "pagefind-ui.js").is_file() and (bundle / "pagefind.js").is_file()
    assert list(bundle.glob("pagefind.zh-cn_*.pf_meta")), "a Chinese index (extended build)"
    assert not list(bundle.glob("pagefind-component-ui*")), "unused UIs are not shipped"
    page = soup(built_site, "search/index.html")
    scripts = [s["src"] for s in page.find_all("script")]
    assert scripts == ["../pagefind/pagefind-ui.js", "../assets/search.js"]
    assert page.find(id="search")["data-bundle"] == "../pagefind/"
    assert page.find("noscript").find("a")  # without JavaScript: browse instead
    # what is indexed: report, agency, year and about pages; not navigation or lists
    indexed = sorted(p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
                     if soup(built_site, p.relative_to(built_site).as_posix()).find("main", attrs={"data-pagefind-body": True}))
    assert "reports/2020-heilongjiang/index.html" in indexed
    assert "agencies/pingtan/index.html" in indexed
    assert "index.html" not in indexed and "search/index.html" not in indexed
    report = soup(built_site, "reports/2020-heilongjiang/index.html")
    assert report.select_one("#downloads").has_attr("data-pagefind-ignore")
    # every page has the header's search form, which works without JavaScript (a GET to the page)
    form = report.find("form", role="search")
    assert form["action"] == "../../search/index.html" and form.find("input")["name"] == "q"


def test_every_page_carries_a_content_security_policy(built_site):
    """No inline script or style may run: a script that slipped into a page would be refused."""
    for path in sorted(built_site.rglob("*.html")):
        doc = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        csp = doc.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert csp is not None, path
        policy = dict(part.strip().split(" ", 1) for part in csp["content"].split(";"))
        assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
        assert "unsafe-inline" not in csp["content"] and "unsafe-eval'" not in csp["content"].replace("wasm-unsafe-eval'", "")
        assert not doc.find(attrs={"style": True}), path
        assert all(s.get("src") or s.get("type") == "application/ld+json" for s in doc.find_all("script")), path


def test_a_year_of_many_reports_is_shown_a_page_of_them_at_a_time(tmp_path, monkeypatch):
    """A year with more reports than a page holds gets numbered pages in agency order, each
    linking every other; the first has the year's totals and chart, the others point to it; every
    report is on exactly one page; and an edit makes again only its page and the first (a year
    of 1,700 reports was one 2 MB page, made again whole after any edit)."""
    import sys

    import nianbao.pages.render as render
    import nianbao.pages.site_plan as site_plan
    from nianbao.pipeline import build

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from synthetic import generate

    monkeypatch.setattr(render, "YEAR_PAGE", 2)
    content, out = tmp_path / "content", tmp_path / "out"
    paths = generate(30, content, 1)  # five reports a year
    assert not build(content, out / "data", out / "site", cache_dir=tmp_path / "cache",
                     search=False).errors
    site = out / "site"
    first, second, third = (soup(site, p) for p in ("years/2021/index.html",
                                                    "years/2021/2/index.html",
                                                    "years/2021/3/index.html"))
    assert not (site / "years/2021/4/index.html").exists()
    for n, doc in enumerate((first, second, third), 1):
        pager = doc.select("nav.pager")
        assert len(pager) == 2, "a pager above and below the reports"
        items = pager[0].select("li")
        assert [li.get_text(strip=True) for li in items] == ["第 1 页", "第 2 页", "第 3 页"]
        assert items[n - 1].select_one("[aria-current=page]") is not None
        folder = site / ("years/2021" if n == 1 else f"years/2021/{n}")
        for a in pager[0].select("a"):
            assert (folder / a["href"]).resolve().is_file(), a["href"]
    assert first.select_one(".figures") is not None and first.select_one("figure.chart")
    assert second.select_one("figure.chart") is None
    assert second.select_one("p.lead a")["href"].endswith("years/2021/index.html")
    listed = [a.get_text(strip=True) for doc in (first, second, third)
              for a in doc.select("ul.reports h3 a")]
    titles = sorted(p.read_text("utf-8").split("title: ", 1)[1].split("\n", 1)[0].strip("'\" ")
                    for p in paths if p.parent.name == "2021")
    assert sorted(listed) == titles and len(set(listed)) == 5
    rows = [len(doc.select("table tbody tr")) for doc in (first, second, third)]
    assert rows == [2, 2, 1]
    # an edit of a report on page 3 makes page 3 and the first again, not page 2
    made: list[tuple[int, int]] = []
    real = site_plan.year_page
    monkeypatch.setattr(site_plan, "year_page",
                        lambda year, part, n, *rest: made.append((year, n)) or real(year, part, n, *rest))
    last = sorted(p for p in paths if p.parent.name == "2021")[-1]
    text = last.read_text("utf-8")
    last.write_text(text.replace("title: ", "title: 修订 ", 1), "utf-8")
    assert not build(content, out / "data", out / "site", cache_dir=tmp_path / "cache",
                     jobs=1, search=False).errors  # one process: the pages made are seen here
    # (and the agency's 2022 report's pages: its cross-year checks read the edited report)
    assert {(2021, 1), (2021, 3)} <= set(made) and (2021, 2) not in made
    assert {n for year, n in made} == {1, 3}
    assert "修订" in soup(site, "years/2021/3/index.html").get_text()


def test_compare_marks_are_explained_beside_each_cell_and_under_each_table(built_site):
    """A cell with no figure shows a mark (``?``, ``空白``, ``-``…): each says what it means on
    hover and to a screen reader, and a legend under its table lists every mark the table uses."""
    doc = soup(built_site, "compare/2019-pingtan--2019-shanghai-office/index.html")
    seen = set()
    for section in doc.select("section[aria-labelledby^=cmp-]"):
        legend = section.select_one("p.marks")
        for tr in section.select("table.compare tbody tr"):
            for td in tr.find_all("td")[:2]:
                hidden = td.find(class_="vh")
                mark = td.get_text(strip=True).removesuffix(hidden.get_text(strip=True) if hidden else "")
                if mark[:1].isdigit() or mark[:1] in "+-" and mark[1:2].isdigit() or mark == "无此项":
                    assert not td.get("title"), (mark, td)
                    continue
                seen.add(mark)
                assert td["title"] and hidden.get_text(strip=True) == f"（{td['title']}）", td
                assert legend is not None and f"“{mark}” {td['title']}" in legend.get_text(), mark
            diff = tr.find_all("td")[2]
            if diff.get_text(strip=True).endswith("—"):
                assert diff["title"] and "差值“—” " + diff["title"] in legend.get_text()
    assert {"?", "空白"} <= seen
    unreadable = next(td for td in doc.select("table.compare td") if td.get("title", "").startswith("原文无法"))
    assert unreadable.contents[0].strip() == "?"


def test_compare_rows_of_table_3_carry_their_group(built_site):
    doc = soup(built_site, "compare/2019-pingtan--2019-shanghai-office/index.html")
    totals = doc.find("section", attrs={"aria-labelledby": "cmp-applications"})
    labels = [tr.th.contents[0].strip() for tr in totals.select("table.compare tbody tr")]
    assert len(labels) == len(set(labels))  # no two rows read "1.…"
    assert "（三）不予公开 · 1.属于国家秘密" in labels
    assert "（四）无法提供 · 1.本机关不掌握相关政府信息" in labels
    assert "（一）予以公开" in labels  # a row of the results alone keeps its own number
    by_applicant = doc.find("section", attrs={"aria-labelledby": "cmp-applicants"})
    assert any(tr.th.contents[0].strip() == "（三）不予公开 · 1.属于国家秘密 · 自然人"
               for tr in by_applicant.select("tbody tr"))
