"""The rendered site, asserted on parsed HTML (not byte strings)."""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

REPORT = "reports/2020-heilongjiang/index.html"


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def pages(site: Path):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_page_types_exist(built_site):
    found = pages(built_site)
    for page in ["404.html", "about/index.html", "datasets/index.html", "index.html", REPORT,
                 "years/2020/index.html", "years/index.html"]:
        assert page in found


@pytest.mark.parametrize("rel", ["index.html", REPORT, "datasets/index.html", "about/index.html",
                                 "years/2020/index.html", "years/index.html"])
def test_every_page_is_chinese_mobile_ready_and_self_hosted(built_site, rel):
    doc = soup(built_site, rel)
    assert doc.html["lang"] == "zh-CN"
    assert doc.find("meta", attrs={"name": "viewport"})
    assert doc.find("title").text.strip()
    assert doc.find("h1")
    # no JavaScript needed: the only script element is the datasets page's JSON-LD
    assert all(s.get("type") == "application/ld+json" for s in doc.find_all("script"))
    for tag in doc.find_all(["link", "img", "script", "iframe"]):
        ref = tag.get("href") or tag.get("src") or ""
        assert not urlsplit(ref).scheme and not ref.startswith("//"), ref


@pytest.mark.slow
def test_every_internal_link_and_download_resolves(built_site):
    checked = 0
    for rel in pages(built_site):
        page = built_site / rel
        doc = soup(built_site, rel)
        for tag in doc.find_all(["a", "link"]):
            href = tag.get("href")
            if not href or urlsplit(href).scheme:
                continue
            assert not href.startswith("/"), f"{rel}: absolute link {href}"
            parts = urlsplit(href)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{rel}: broken link {href}"
            if parts.fragment and target.suffix == ".html":
                ids = {t["id"] for t in soup(built_site, target.relative_to(built_site.resolve()).as_posix()
                                                if target.is_relative_to(built_site.resolve())
                                                else rel).find_all(id=True)}
                assert parts.fragment in ids, f"{rel}: missing anchor {href}"
            checked += 1
    assert checked > 50


def test_report_has_the_three_tables_as_printed(built_site):
    doc = soup(built_site, REPORT)
    apps = doc.find(id="table-applications").find("table")
    head = apps.find("thead").find_all("tr")
    assert len(head) == 3
    corner = head[0].find("th")
    assert corner["rowspan"] == "3" and "勾稽关系" in corner.text
    legal = next(th for th in apps.find_all("th") if th.text.startswith("法人或其他组织"))
    assert legal["colspan"] == "5" and legal["scope"] == "colgroup"
    results = next(th for th in apps.find_all("th") if th.text.startswith("三、本年度办理结果"))
    assert results["rowspan"] == "20" and results["scope"] == "rowgroup"
    body_rows = apps.find("tbody").find_all("tr")
    assert len(body_rows) == 23
    assert all(len(r.find_all("td")) == 7 for r in body_rows)
    assert all(th.get("scope") for th in apps.find_all("th"))
    review = doc.find(id="table-review_litigation").find("table")
    assert len(review.find("tbody").find_all("td")) == 15
    assert [th.text.strip()[:4] for th in review.find("thead").find("tr").find_all("th")] == ["行政复议", "行政诉讼"]
    active = doc.find(id="table-active").find("table")
    assert len(active.find_all("tbody")) == 5


def test_figures_are_formatted_and_right_aligned(built_site):
    doc = soup(built_site, REPORT)
    cell = lambda anchor: doc.find(id=anchor)
    assert cell("c-active-art20_5-licensing-decisions").text == "2,180,117"
    assert cell("c-active-art20_5-other_services-change").text == "+1,366"
    assert cell("c-active-art20_5-licensing-change").text == "-38"
    assert cell("c-active-art20_9-central_procurement-total_amount").text == "3,618,261.46 万元"
    assert cell("c-applications-new-total").text == "6,117"
    assert all("num" in td["class"] for td in doc.find(id="table-applications").find_all("td"))


def test_prose_renders_markdown_bold_and_sections(built_site):
    doc = soup(built_site, REPORT)
    strong = [s.text for s in doc.find_all("strong")]
    assert "二是建立政府信息公开平台。" in strong
    assert "**" not in doc.find(id="s1_overview").text
    headings = [h.text for h in doc.select("section > h2")]
    assert headings[:6] == ["一、总体情况", "二、行政机关主动公开政府信息情况",
                            "三、行政机关收到和处理政府信息公开申请情况",
                            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                            "五、存在的问题及改进情况", "六、其他需要报告的事项"]


def test_check_summary_and_downloads(built_site):
    doc = soup(built_site, REPORT)
    rows = doc.find(id="checks").find("tbody").find_all("tr")
    assert [r.th.text for r in rows] == ["A1", "A2", "A3", "A4", "R1", "R2", "R3", "R4", "X5"]
    assert all("pass" in r["class"] for r in rows)
    items = doc.find(id="checks").select("ul.check-items li")
    assert len(items) == 43
    a3 = doc.find(id="check-A3").select("li")[0]
    assert a3.strong.text == "一、本年新收政府信息公开申请数量"
    links = [a["href"] for a in doc.find(id="downloads").select("ul.downloads a")]
    assert [l.rsplit("/", 1)[-1] for l in links] == [
        "2020-heilongjiang-proactive.csv", "2020-heilongjiang-applications.csv",
        "2020-heilongjiang-review_litigation.csv", "2020-heilongjiang-checks.csv",
        "2020-heilongjiang.xlsx", "datapackage.json", "2020-heilongjiang.zip"]


def followed(site: Path, page: str, href: str) -> Path:
    """The file a relative link of ``page`` leads to, as a browser resolves it."""
    from posixpath import normpath
    from urllib.parse import urljoin
    path = unquote(urlsplit(urljoin("https://x.test/" + page, href)).path)
    return site / normpath(path.lstrip("/"))


def test_report_page_csv_downloads_say_whose_table_and_why_a_cell_is_empty(built_site):
    """As a journalist downloads them: every CSV linked from 上海 2019's report page is named by
    the report, says on every row which report, year and agency it is, and its empty cells say
    why (the report printed 科研机构's 本年新收 as a blank cell)."""
    import csv
    import pandas as pd
    page = "reports/2019-shanghai-office/index.html"
    box = soup(built_site, page).find(id="downloads")
    docs = box.find("a", string="字段说明")["href"]  # where the columns are explained
    target = followed(built_site, page, docs.split("#")[0])
    assert docs.endswith("#per-report") and soup(built_site, str(target.relative_to(built_site))
                                                 ).find(id="per-report")
    links = [a for a in box.select("ul.downloads a") if a["href"].endswith(".csv")]
    assert len(links) == 4 and all(a.has_attr("download") for a in links)
    tables = {}
    for a in links:
        path = followed(built_site, page, a["href"])
        assert path.is_file(), a["href"]
        assert path.name.startswith("2019-shanghai-office-"), path.name
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(frame.columns[:4]) == ["report_id", "year", "agency_id", "agency"], path.name
        assert frame[["report_id", "year", "agency_id", "agency"]].drop_duplicates().values.tolist(
            ) == [["2019-shanghai-office", "2019", "shanghai-office", "上海市人民政府办公厅"]]
        tables[path.name.removeprefix("2019-shanghai-office-")] = path
    assert sorted(tables) == ["applications.csv", "checks.csv", "proactive.csv",
                              "review_litigation.csv"]
    with open(tables["applications.csv"], encoding="utf-8", newline="") as f:
        new = next(r for r in csv.DictReader(f) if r["row"] == "new")
    assert new["research_institution"] == "" and new["research_institution_status"] == "blank"
    assert (new["natural_person"], new["natural_person_status"]) == ("821", "reported")


def test_datasets_page_documents_every_field(built_site, built_data):
    import json
    doc = soup(built_site, "datasets/index.html")
    package = json.loads((built_data / "datapackage.json").read_text("utf-8"))
    for res in package["resources"]:
        section = doc.find(id=f"combined-{res['name']}")
        assert section, res["name"]
        names = [code.text for code in section.select("tbody th code")]
        assert names == [f["name"] for f in res["schema"]["fields"]]


def test_datasets_page_documents_the_per_report_files_by_name_and_status(built_site, built_data):
    import json
    doc = soup(built_site, "datasets/index.html")
    sample = json.loads((built_data / "2019" / "2019-pingtan" / "datapackage.json").read_text("utf-8"))
    for res in sample["resources"]:
        section = doc.find(id=f"per-report-{res['name']}")
        assert section.select_one("p.meta code").text == f"<报告编号>-{res['name']}.csv"
        names = [code.text for code in section.select("tbody th code")]
        assert names == [f["name"] for f in res["schema"]["fields"]]
        assert names[:4] == ["report_id", "year", "agency_id", "agency"]
    rows = doc.find(id="per-report-applications").select("tbody tr")
    status = next(r for r in rows if r.th.text == "natural_person_status")
    assert "blank" in status.select_one("td.constraints").text


def test_home_shows_headline_and_latest(built_site):
    doc = soup(built_site, "index.html")
    assert doc.find(id="headline").text.startswith("2023")
    assert "21" in doc.find("dl", class_="figures").text  # 洪泽 2023: 21 new applications
    assert doc.find("a", href=REPORT)


def test_year_page_lists_its_reports(built_site):
    doc = soup(built_site, "years/2020/index.html")
    links = {a["href"] for a in doc.select("ul.reports h3 a")}
    assert links == {"../../reports/2020-heilongjiang/index.html", "../../reports/2020-pingtan/index.html"}


def test_excel_workbook_matches_the_csv(built_site):
    import csv
    from openpyxl import load_workbook
    base = built_site / "data" / "2020" / "2020-heilongjiang"
    wb = load_workbook(base / "2020-heilongjiang.xlsx")
    assert wb.sheetnames == ["表二 主动公开政府信息情况", "表三 收到和处理政府信息公开申请情况",
                             "表四 行政复议、行政诉讼情况", "勾稽关系校验", "公布情况说明"]
    sheet = wb["表三 收到和处理政府信息公开申请情况"]
    header = [c.value for c in sheet[1]]
    assert header[:7] == ["报告编号", "报告年度", "机关代码", "机关", "行", "中文名称", "自然人"]
    assert header[13:15] == ["自然人·公布情况", "商业企业·公布情况"]
    with open(base / "2020-heilongjiang-applications.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    for xl_row, csv_row in zip(sheet.iter_rows(min_row=2, values_only=True), rows):
        assert [str(v) for v in xl_row] == csv_row  # numbers stay numbers, same figures
    assert isinstance(sheet["G2"].value, int) and sheet["N2"].value == "reported"
    legend = {r[0]: r[1] for r in wb["公布情况说明"].iter_rows(min_row=2, values_only=True)}
    assert legend == {"reported": "已填数字", "blank": "空白", "dash": "符号", "absent": "缺行",
                      "unreadable": "无法识别"}


def test_metadata_under_a_project_subpath(tmp_path):
    import json
    import xml.etree.ElementTree as ET
    from nianbao.pipeline import build
    from conftest import CONTENT
    base = "https://example.github.io/nianbao"
    assert not build(CONTENT, tmp_path / "d", tmp_path / "s", base).errors
    site = tmp_path / "s"
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter()
            if e.tag.endswith("loc")]
    assert f"{base}/{REPORT}" in locs and all(l.startswith(base + "/") for l in locs)
    assert (site / "robots.txt").read_text().endswith(f"Sitemap: {base}/sitemap.xml\n")
    feed = ET.parse(site / "feed.xml").getroot()
    titles = [e.text for e in feed.iter() if e.tag.endswith("title")]
    assert "黑龙江省2020年政府信息公开工作年度报告" in titles
    notfound = soup(site, "404.html")
    assert notfound.find("a", string="回到首页")["href"] == "/nianbao/index.html"
    assert notfound.find("link", rel="stylesheet")["href"] == "/nianbao/assets/site.css"
    report = soup(site, REPORT)
    assert report.find("meta", property="og:url")["content"] == f"{base}/{REPORT}"
    ld = json.loads(soup(site, "datasets/index.html").find("script", type="application/ld+json").string)
    assert ld["@type"] == "Dataset" and ld["distribution"][0]["contentUrl"] == f"{base}/data/datapackage.json"


def test_a_path_only_base_url_writes_no_address_that_is_not_absolute(tmp_path, capsys):
    """``--base-url /nianbao/`` tells the 404 page where the site is; the sitemap, robots'
    ``Sitemap:``, the feed, ``og:url`` and canonical links need an absolute URL, so none is
    written (a path there is invalid), and the build says so in one line."""
    from nianbao.cli import main
    from conftest import CONTENT
    site = tmp_path / "s"
    assert main(["build", "--content", str(CONTENT), "--data", str(tmp_path / "d"), "--site",
                 str(site), "--no-cache", "--no-search", "--base-url", "/nianbao/"]) == 0
    err = capsys.readouterr().err
    assert [l for l in err.splitlines() if "--base-url" in l] == [
        "note: --base-url /nianbao/ is a path: no sitemap.xml, feed.xml or canonical links "
        "(they need an absolute http(s) URL)"]
    assert not (site / "sitemap.xml").exists() and not (site / "feed.xml").exists()
    assert "Sitemap:" not in (site / "robots.txt").read_text()
    report = soup(site, REPORT)
    assert not report.find("meta", property="og:url") and not report.find("link", rel="canonical")
    import json
    ld = json.loads(soup(site, "datasets/index.html").find("script", type="application/ld+json").string)
    assert ld["url"] == "datasets/index.html"  # relative, as without --base-url
    notfound = soup(site, "404.html")
    assert notfound.find("a", string="回到首页")["href"] == "/nianbao/index.html"


@pytest.mark.parametrize("base", ["example.org/nianbao", "nianbao/", "ftp://example.org/",
                                  "//example.org/nianbao", "https:///nianbao", "https://x.org/?a=1"])
def test_a_base_url_neither_absolute_nor_a_path_is_a_usage_error(tmp_path, capsys, base):
    from nianbao.cli import main
    with pytest.raises(SystemExit) as stop:
        main(["build", "--data", str(tmp_path / "d"), "--site", str(tmp_path / "s"),
              "--base-url", base])
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].startswith("python build.py build: error: argument --base-url: ")
    assert "absolute http(s) URL" in lines[-1] and not (tmp_path / "s").exists()


def test_the_pages_workflow_passes_the_absolute_address_of_the_site():
    """configure-pages' ``base_url`` is the site's full URL (https://owner.github.io/repo): the
    one kind of ``--base-url`` that gives the sitemap and the feed."""
    import yaml
    from conftest import ROOT
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8"))
    steps = flow["jobs"]["build"]["steps"]
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    build = next(s["run"] for s in steps if "build.py" in s.get("run", ""))
    assert f'--base-url "${{{{ steps.{pages["id"]}.outputs.base_url }}}}"' in build


def test_template_versions_read_in_chinese_on_every_page(built_site):
    """The data's ``hybrid`` is 混合格式 wherever a reader meets it, and the forms are named the
    same way on every page (2019 年格式 …); the code stays only as code (``<code>``) and where
    the datasets page documents the ``template`` field's values."""
    for rel in pages(built_site):
        doc = soup(built_site, rel)
        for field in doc.select("tr"):
            if field.th and field.th.get_text() == "template":
                field.decompose()
        for code in doc.find_all("code"):
            code.decompose()
        text = doc.find("main").get_text()
        assert "hybrid" not in text and "2019 格式" not in text and "2021 格式" not in text, rel
    for rel in ("index.html", "years/2023/index.html"):
        meta = [p.get_text(" ", strip=True) for p in soup(built_site, rel).select("ul.reports p.meta")]
        assert any(m.startswith("淮安市洪泽区人民政府 · 2023 年 · 混合格式 ·") for m in meta), meta
    report = soup(built_site, "reports/2023-hongze/index.html").select_one("p.meta").get_text()
    assert "表格格式：混合格式（表二 主动公开 2021 年格式，表三 依申请公开 2019 年格式，" in report
    pair = soup(built_site, "compare/2020-pingtan--2021-pingtan/index.html").select(".pair p")
    assert [p.get_text(" ", strip=True).rsplit(" · ", 1)[1] for p in pair] == ["2019 年格式", "2021 年格式"]
    about = soup(built_site, "about/index.html").find("section", attrs={"aria-labelledby": "sources"})
    assert "混合格式" in about.get_text()
    assert [li.strong.get_text() for li in about.find_all("li")] == ["2019 年格式", "2021 年格式"]
    field = next(tr for tr in soup(built_site, "datasets/index.html").select("tr")
                 if tr.th and tr.th.get_text() == "template")
    assert "hybrid 即混合格式" in field.get_text()


def test_about_page_names_each_identitys_table_in_chinese(built_site):
    rows = soup(built_site, "about/index.html").select("table.checks tbody tr")
    names = {"active": "表二 主动公开", "applications": "表三 依申请公开", "review_litigation": "表四 复议诉讼"}
    assert len(rows) > 10
    for tr in rows:
        cell = tr.find("td")
        code = cell.select_one("span.en code").get_text()  # the code, as secondary text
        assert cell.contents[0].strip() == names[code], cell


def test_agency_page_shows_series_with_numerators(built_site):
    doc = soup(built_site, "agencies/pingtan/index.html")
    rows = doc.select("table.series tbody tr")
    assert [r.th.text for r in rows] == ["2019", "2020", "2021", "2022"]
    cells = rows[2].find_all("td")  # 2021: 70 new; 35 of 69 results disclosed in full or part
    assert cells[0].text.strip() == "70"
    assert cells[1].text.split()[0] == "50.7%" and "35 / 69" in cells[1].text
    index = soup(built_site, "agencies/index.html")
    assert len(index.select(".agency-list a")) == 4
