"""The search index made from a built site (nianbao.publishing.search_index.index_site): what the bundle holds, what
is indexed and what is not, reproducibility and errors. Queries run in the browser tests."""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import CONTENT

from nianbao.domain.model import BLANK, REPORTED
from nianbao.incremental.read_all import read_one
from nianbao.pages.search_text import pinyin, review_gist
from nianbao.publishing import search_index
from nianbao.publishing.search_index import (BUNDLE, UNUSED, SearchIndexError, index_site,
                                             pagefind_command, search_copy, stop_indexing)


def fragments(bundle: dict[str, bytes]) -> dict[str, dict]:
    """Page URL → the page's stored fragment (its text, title, anchors)."""
    out = {}
    for path, data in bundle.items():
        if path.startswith(BUNDLE + "fragment/"):
            raw = gzip.decompress(data)
            assert raw.startswith(b"pagefind_dcd")
            fragment = json.loads(raw[len(b"pagefind_dcd"):])
            out[fragment["url"]] = fragment
    return out


def text(fragment: dict) -> str:
    return fragment["content"].replace("\u200b", "")  # the segmenter's word breaks


def words(content: str) -> list[str]:
    return content.replace(".", " ").split()


def indexed_pages(site) -> set[str]:
    return {"/" + p.relative_to(site).as_posix() for p in site.rglob("*.html")
            if BeautifulSoup(p.read_text("utf-8"), "html.parser").find("main", {"data-pagefind-body": True})}


@pytest.fixture(scope="module")
def bundle(built_site) -> dict[str, bytes]:
    return index_site(built_site)


def test_bundle_holds_the_default_ui_and_one_fragment_per_indexed_page(bundle, built_site):
    for name in ("pagefind-entry.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css",
                 "pagefind-worker.js", "wasm.unknown.pagefind"):
        assert BUNDLE + name in bundle, name
    assert not [p for p in bundle if p[len(BUNDLE):].startswith(UNUSED)], "unused UIs are not shipped"
    entry = json.loads(bundle[BUNDLE + "pagefind-entry.json"])
    assert list(entry["languages"]) == ["zh-cn"]  # the extended build, Chinese forced
    meta = f"{BUNDLE}pagefind.{entry['languages']['zh-cn']['hash']}.pf_meta"
    assert meta in bundle
    pages = indexed_pages(built_site)
    assert entry["languages"]["zh-cn"]["page_count"] == len(pages)
    found = fragments(bundle)
    assert set(found) == pages  # URLs keep index.html (keep_index_url)
    assert "/reports/2020-heilongjiang/index.html" in found and "/index.html" not in found


def test_a_report_is_found_by_title_agency_year_headings_and_captions_not_prose(bundle):
    report = fragments(bundle)["/reports/2020-heilongjiang/index.html"]
    assert report["meta"]["title"] == "黑龙江省2020年政府信息公开工作年度报告"
    content = text(report)
    for wanted in ("黑龙江省人民政府", "2020 年度", "新收申请 6,117 件", "行政复议 225 件",  # header
                   "一、总体情况", "（二）坚持以人民为中心，依法办理依申请公开",  # headings
                   "表三 收到和处理政府信息公开申请情况"):  # the tables' captions
        assert wanted in content, wanted
    # left out: prose paragraphs, English, the tables' rows, checks, downloads, the previous year
    for unwanted in ("按照《中华人民共和国政府信息公开条例》", "Table", "结果维持", "11,293",
                     "applications.csv", "勾稽关系校验", "下载本报告数据"):
        assert unwanted not in content, unwanted
    assert len(content) < 1200  # the prose alone is about 8,000 characters
    # headings with an id are the results' sub-results; the table cells' ids are not kept
    assert {a["element"] for a in report["anchors"]} <= {"section", "h2", "figure", "figcaption"}


def test_a_report_is_found_by_its_table_four_figures_under_their_heading(bundle):
    """行政复议 and 行政诉讼 find each report by its figures in section 四, not by the section
    heading and caption every report shares alone (the table's cells are not indexed)."""
    report = fragments(bundle)["/reports/2020-heilongjiang/index.html"]
    content = text(report)
    gist = ("行政复议 225 件、行政诉讼 199 件；复议结果：维持 109、纠正 50、其他 33、未审结 33；"
            "诉讼：未经复议直接起诉 154、复议后起诉 45")
    assert gist in content
    heading = "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"
    # in section 四 (its sub-result), right under its heading, before the table's caption
    assert content.index(heading) < content.index(gist) < content.index("表四")
    zero = text(fragments(bundle)["/reports/2020-pingtan/index.html"])
    assert "行政复议 0 件、行政诉讼 0 件." in zero and "复议结果" not in zero  # all 0: no parts


@pytest.mark.parametrize("url", ["/reports/2020-heilongjiang/index.html",
                                 "/agencies/heilongjiang/index.html"])
def test_an_agency_and_its_reports_are_found_by_pinyin(bundle, url):
    found = words(text(fragments(bundle)[url]))
    for wanted in ("heilongjiang", "heilongjiangsheng", "hei", "long", "jiang", "sheng"):
        assert wanted in found, wanted


def test_pinyin_reads_the_place_names_apart():
    assert pinyin("黑龙江省人民政府", "heilongjiang") == (
        "heilongjiang heilongjiangsheng hei long jiang sheng ren min zheng fu")
    # read whole, 市长寿 would be shi zhang shou (mayor); 广州 keeps its 州
    assert pinyin("重庆市长寿区人民政府", "cq-cs").split()[:6] == [
        "cq-cs", "chongqingshi", "chongqing", "changshouqu", "changshou", "chong"]
    assert pinyin("广州市市场监督管理局", "gz").split()[:3] == ["gz", "guangzhoushi", "guangzhou"]
    assert pinyin("上海市人民政府办公厅", "shanghai-office").startswith("shanghai-office shanghaishi")


def test_review_gist_is_the_table_as_printed():
    report = read_one(CONTENT / "2019" / "shanghai-office.md", CONTENT)[0]
    # cells printed as "—" or left blank have no figure: 未公布 with no unit, never 0 or "— 件"
    assert review_gist(report) == ("行政复议 7 件、行政诉讼 未公布；复议结果：维持 5、纠正 未公布、"
                                   "其他 未公布、未审结 2；诉讼：未经复议直接起诉 9、复议后起诉 未公布")
    blank = replace(report, cells=tuple(
        replace(c, value=None, status=BLANK) if c.table == "review_litigation" else c
        for c in report.cells))
    assert review_gist(blank) == ("行政复议 未公布、行政诉讼 未公布；复议结果：维持 未公布、纠正 未公布、"
                                  "其他 未公布、未审结 未公布；诉讼：未经复议直接起诉 未公布、复议后起诉 未公布")
    zero = replace(report, cells=tuple(
        replace(c, value=0, status=REPORTED) if c.table == "review_litigation" else c
        for c in report.cells))
    assert review_gist(zero) == "行政复议 0 件、行政诉讼 0 件"
    none = replace(report, cells=tuple(c for c in report.cells if c.table != "review_litigation"))
    assert review_gist(none) == ""


def test_search_copies_index_what_pagefind_indexes_of_the_pages(bundle, built_site, tmp_path):
    """The copies handed to Pagefind lose nothing that Pagefind itself indexes of the whole pages."""
    whole = tmp_path / "bundle"
    subprocess.run(pagefind_command(built_site, whole), check=True, capture_output=True)
    from_pages = fragments({BUNDLE + p.relative_to(whole).as_posix(): p.read_bytes()
                            for p in whole.rglob("*") if p.is_file()})
    from_copies = fragments(bundle)
    assert from_pages.keys() == from_copies.keys()
    for url, fragment in from_pages.items():
        assert words(text(fragment)) == words(text(from_copies[url])), url
        assert fragment["meta"]["title"] == from_copies[url]["meta"]["title"]


def test_agency_and_year_pages_without_their_lists(bundle):
    found = fragments(bundle)
    assert "平潭综合实验区" in text(found["/agencies/pingtan/index.html"])
    year = text(found["/years/2020/index.html"])
    assert "2020 年度政府信息公开工作年度报告" in year and "新收申请 6,138 件" in year
    assert "黑龙江省2020年政府信息公开工作年度报告" not in year  # the report list is not indexed


def test_prose_can_be_indexed_on_request(built_site):
    report = fragments(index_site(built_site, prose=True))["/reports/2020-heilongjiang/index.html"]
    assert "按照《中华人民共和国政府信息公开条例》" in text(report)


def test_same_site_same_bundle(bundle, built_site):
    again = index_site(built_site)
    assert again.keys() == bundle.keys()
    assert [p for p in bundle if bundle[p] != again[p]] == []


def test_errors_name_the_cause(built_site, tmp_path, monkeypatch):
    with pytest.raises(SearchIndexError, match="no site to index"):
        index_site(tmp_path / "missing")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "index.html").write_text("<html><body><main>首页</main></body></html>")
    with pytest.raises(SearchIndexError, match="nothing to index"):
        index_site(tmp_path / "plain")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere"))
    with pytest.raises(SearchIndexError, match="missing or not executable"):
        index_site(built_site)
    failing = tmp_path / "pagefind_extended"
    failing.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(failing))
    with pytest.raises(SearchIndexError, match=r"exit status 3.*something broke"):
        index_site(built_site)


def _ended(said) -> tuple[int, Path]:
    pid, work = said.read_text().split()
    for _ in range(50):  # killed and reaped: the pid is gone (or a zombie of someone else's)
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"Pagefind {pid} still runs")
    return int(pid), Path(work)


def test_a_hung_pagefind_is_killed_at_its_deadline_and_its_copies_removed(built_site, hung_pagefind,
                                                                           monkeypatch):
    monkeypatch.setattr(search_index, "DEADLINE", (1.0, 0.0))
    with pytest.raises(SearchIndexError, match=r"did not finish indexing .* in 1 s and was stopped"):
        index_site(built_site)
    _, work = _ended(hung_pagefind)
    assert not work.parent.exists()  # the search copies went with it
    assert not search_index._RUNS


def test_stop_indexing_ends_a_run_of_another_thread(built_site, hung_pagefind):
    failed: list[Exception] = []

    def index() -> None:
        try:
            index_site(built_site)
        except SearchIndexError as exc:
            failed.append(exc)
    thread = threading.Thread(target=index)
    thread.start()
    for _ in range(300):
        if hung_pagefind.exists():
            break
        time.sleep(0.1)
    assert search_index._RUNS
    stop_indexing()  # what serve does when it stops
    thread.join(30)
    assert not thread.is_alive()
    assert "Pagefind was stopped (signal 9)" in str(failed[0])
    _, work = _ended(hung_pagefind)
    assert not work.parent.exists()


def test_search_copy_drops_ignored_elements_whole():
    page = ('<html><body><nav>导航</nav><main id="main" data-pagefind-body><h1>标题</h1>'
            '<div data-pagefind-ignore><div>甲<div>乙</div></div>丙</div><p>丁 data-pagefind-ignore</p>'
            '<section id="s" data-pagefind-ignore="all"><section>戊</section></section>'
            '<div class="prose"><p>正文</p><h3>小标题</h3><ul><li>列表</li></ul></div>'
            '<figcaption>表二<span class="en" lang="en">Table 2</span></figcaption>'
            '<img src="x.svg" alt="图">'
            '</main><footer>页脚</footer></body></html>').encode()
    copy = search_copy(page).decode()
    for kept in ("<h1>标题</h1>", "丁 data-pagefind-ignore", "<h3>小标题</h3>", "表二",
                 '<img src="x.svg" alt="图">'):
        assert kept in copy, kept
    for dropped in ("导航", "甲", "乙", "丙", "戊", "正文", "列表", "Table 2", "页脚"):
        assert dropped not in copy, dropped
    assert "正文" in search_copy(page, prose=True).decode()
    assert search_copy("<html><body><main>不索引</main></body></html>".encode()) is None
