"""Figures over many reports: a total counts only the reports that published every figure it
needs, and says how many it covers and which were left out, and why, on the page and in the
data; a figure not published is said to be so, never shown as 0 or followed by a unit."""

from pathlib import Path

from bs4 import BeautifulSoup


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def test_the_checks_page_says_not_applicable_for_an_identity_no_report_could_take(built_site):
    doc = soup(built_site, "checks/index.html")
    rows = {tr.th.get_text(strip=True): tr for tr in doc.select("table.checks.summary tbody tr")}
    x2 = rows["X2"].find_all("td")
    assert x2[-2].get_text(strip=True) == "0"
    assert x2[-1].get_text(strip=True).startswith("不适用")
    assert rows["X2"].select_one(".badge") is None  # no green 0 for a check that never ran
    a1 = rows["A1"].find_all("td")
    assert a1[-2].get_text(strip=True) == "7" and a1[-1].select_one(".badge.pass").text == "0"
