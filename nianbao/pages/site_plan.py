"""The site as a plan: every page as a recipe (what it is made from, how), for whoever builds it.

The pages stage decides what pages there are and how each is made; it does not decide which
must be made again, nor where reports come from. ``plan_site`` gives the pages made from one
report, a pair or an agency's reports, and a year's parts, as ``Recipe``s: the reports whose
inputs the page's bytes are a function of (``reports``), those it is made from whole
(``whole``), everything else it depends on (``inputs``), and ``make``, which gets the whole
reports (each ``(report, checks)``) and returns the ``Page``. The pages made from every report
(indexes, checks, about; home and datasets last, since they show the combined files' sizes) are
made here from the reports in brief. The plain build (``nianbao.plain``) makes every recipe; the
incremental one (``nianbao.incremental.make_pages``) only those whose key changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.domain.forms import Forms
from nianbao.domain.model import Check, Report
from nianbao.packaging.packages import PACKAGE_NAME, Packages
from nianbao.pages.agencies import agencies_index, agency_page
from nianbao.pages.base_url import public_base
from nianbao.pages.check_pages import checks_page
from nianbao.pages.compare import (compare_index, compare_item, compare_page, pairs, previous_of,
                                   previous_report)
from nianbao.pages.contexts import (AboutData, DatasetsData, Download, Figure, HomeData,
                                    IdentityDoc, NavItem, Page, ReportSummary, Site)
from nianbao.pages.datasets_doc import resource_docs
from nianbao.pages.render import (SITE_TITLE, SITE_TITLE_EN, STATUS_DOCS, download, report_page,
                                  summary, year_page, year_parts)
from nianbao.pages.series import histories
from nianbao.pages.site_meta import dataset_jsonld, feed, robots, sitemap
from nianbao.pages.year_totals import Total, totals_figures, year_file_docs, years_index

Whole = tuple[Report, tuple[Check, ...]]  # a report as read, with every check it has


@dataclass(frozen=True)
class Checked:
    """Each report's checks as the pages made from many reports see them: the failing ones,
    how many there are, and which identities gave a result."""

    failing: dict[str, tuple[Check, ...]]
    totals: dict[str, int]
    tried: dict[str, frozenset[str]]


@dataclass(frozen=True)
class Recipe:
    """One page made from a few reports (module docstring)."""

    kind: str  # "compare", "report", "agency", "year"
    inputs: tuple  # what its bytes depend on besides the reports' inputs and the shared settings
    reports: tuple[str, ...]  # the reports whose inputs it depends on, in a fixed order
    whole: tuple[str, ...]  # the reports ``make`` gets whole, in this order
    make: Callable[..., Page]


@dataclass(frozen=True)
class SitePlan:
    recipes: list[Recipe]
    pages: list[Page]  # made from every report in brief, ready now
    later: list[Callable[[], Page]]  # made last: they show the combined files' sizes


def by_year(reports: list) -> dict[int, list]:
    """Reports (or briefs) by year, each year's in the order the pages list them."""
    found: dict[int, list] = defaultdict(list)
    for r in sorted(reports, key=lambda r: (-r.meta.year, r.report_id)):
        found[r.meta.year].append(r)
    return found


def site_settings(base_url: str) -> tuple[Site, str, str]:
    """What every page shares, the site's absolute address (may be empty) and its path."""
    base_url, base_path = public_base(base_url)  # a path only: no absolute addresses anywhere
    site = Site(SITE_TITLE, SITE_TITLE_EN,
                "政府信息公开工作年度报告的开放数据：表格、校验与下载。", base_url.rstrip("/"),
                (NavItem("home", "首页", "index.html"), NavItem("years", "年度", "years/index.html"),
                 NavItem("agencies", "机关", "agencies/index.html"),
                 NavItem("compare", "对比", "compare/index.html"),
                 NavItem("checks", "校验", "checks/index.html"),
                 NavItem("datasets", "数据下载", "datasets/index.html"),
                 NavItem("about", "关于", "about/index.html")))
    return site, base_url, base_path


def plan_site(reports: list, checked: Checked, packages: Packages, forms: Forms,
              totals: dict[int, tuple[Total, ...]], base_path: str = "/") -> SitePlan:
    """Every page of the site (module docstring). ``reports`` may be briefs; ``totals``: each
    year's totals (``year_totals.year_totals`` of the year's reports)."""
    reports = sorted(reports, key=lambda r: (-r.meta.year, r.report_id))
    checks = checked.failing
    made: dict[str, ReportSummary] = {}

    def summary_of(r) -> ReportSummary:  # made for the pages that are made, not for all
        found = made.get(r.report_id)
        if found is None:
            found = made[r.report_id] = summary(r, checks.get(r.report_id, ()),
                                                checked.totals[r.report_id])
        return found

    years_of = by_year(reports)
    years = tuple(NavItem(str(y), f"{y} 年", f"years/{y}/index.html")
                  for y in sorted(years_of, reverse=True))
    latest_year = max(years_of) if years_of else None
    figures = {year: totals_figures(len(rs), totals[year]) for year, rs in years_of.items()}
    groups = histories(reports)
    found = pairs(reports, groups)
    recipes: list[Recipe] = []
    comparisons: dict[str, list[NavItem]] = defaultdict(list)
    items = tuple(compare_item(a, b, kind) for a, b, kind in found)
    for (a, b, kind), item in zip(found, items):
        comparisons[a.report_id].append(item)
        comparisons[b.report_id].append(item)
        recipes.append(Recipe(
            "compare", (kind,), (a.report_id, b.report_id), (a.report_id, b.report_id),
            lambda wa, wb, a=a, b=b, kind=kind: compare_page(
                wa[0], wb[0], kind, forms, {r.report_id: summary_of(r) for r in (a, b)})))
    before_of = previous_of(reports, groups)  # the change against it is made with the page
    for r in reports:
        rid, base = r.report_id, f"{r.meta.year}/{r.report_id}/"
        mine = tuple(comparisons[rid])
        before = before_of.get(rid)
        # its links in text, not pickled (pickling 10,000 reports' took a tenth of a second),
        # and its package's key for its files' sizes
        recipes.append(Recipe(
            "report", ("\0".join(f"{i.key}\1{i.label}\1{i.href}" for i in mine),
                       packages.keys[base]),
            (rid, before.report_id) if before else (rid,), (rid,),
            lambda whole, r=r, before=before, mine=mine: report_page(
                *whole, packages, forms, before and previous_report(before, r), mine)))
    for agency_id, mine in groups.items():
        recipes.append(Recipe("agency", (agency_id,), tuple(r.report_id for r in mine), (),
                              lambda agency_id=agency_id, mine=mine: agency_page(agency_id, mine)))
    for year, rs in sorted(years_of.items()):  # a year's page is made again when one of its
        # reports changed, from their briefs; the first, with the totals and chart, when any did
        parts = year_parts(rs)
        for n, part in enumerate(parts, 1):
            recipes.append(Recipe(
                "year", (year, n, len(parts), len(rs)),
                tuple(r.report_id for r in (rs if n == 1 else part)), (),
                lambda year=year, rs=rs, n=n, part=part, count=len(parts): year_page(
                    year, part, n, count, rs, totals[year], summary_of)))

    pages = [years_index([(y, figures[y], totals[y]) for y in sorted(years_of, reverse=True)]),
             agencies_index(groups), checks_page(reports, checks, forms, checked.tried),
             compare_index(items)]
    pages.append(Page("about/index.html", "about.html", "关于本站",
                      "数据来源、勾稽关系校验的含义与各状态的解释。", "about",
                      AboutData(tuple(IdentityDoc(i.id, i.table, forms.table(i.table).short,
                                                  i.label_zh, i.label_en)
                                      for i in forms.identities),
                                STATUS_DOCS,
                                tuple(Figure(forms.template_name(k), v["label_zh"], v["label_en"])
                                      for k, v in forms.versions.items())),
                      (NavItem("home", "首页", "index.html"),)))
    pages.append(Page("search/index.html", "search.html", "搜索", "按机关、年度和关键词搜索报告。", "",
                      None, (NavItem("home", "首页", "index.html"),)))
    pages.append(Page("404.html", "404.html", "页面不存在", "找不到这个页面。", "", None,
                      root_path=base_path))

    def combined() -> tuple[Download, ...]:  # the combined files' sizes: they may be written
        # beside the build, so the pages that show them are made last
        return (
            download(packages, "datapackage.json", "组合数据包描述 datapackage.json"),
            download(packages, f"{PACKAGE_NAME}.xlsx", "全部数据（Excel 工作簿，每表一页，中文列名）"),
            download(packages, f"{PACKAGE_NAME}.zip", "组合数据包（ZIP，全部 CSV 与描述）"),
        )

    def home() -> Page:
        return Page("index.html", "home.html", SITE_TITLE,
                    "中国各级行政机关政府信息公开工作年度报告的法定表格：可比较、可校验、可下载。",
                    "home", HomeData(tuple(map(summary_of, reports[:10])),
                                     figures[latest_year] if latest_year else (),
                                     latest_year, years, combined()))

    def datasets() -> Page:
        combined_docs, per_report_docs = resource_docs(packages, forms)
        return Page("datasets/index.html", "datasets.html", "数据下载与字段说明",
                    "组合数据包与各报告数据包的全部资源、字段、类型与代码。", "datasets",
                    DatasetsData(combined_docs, per_report_docs, combined(),
                                 tuple(NavItem(r.report_id, r.meta.title,
                                               f"reports/{r.report_id}/index.html")
                                       for r in reports),
                                 year_files=year_file_docs(),
                                 years=tuple(replace(y, href=y.href + "#year-data")
                                             for y in years)),
                    (NavItem("home", "首页", "index.html"),))

    return SitePlan(recipes, pages, [home, datasets])


def finished(page: Page, base_url: str, reports: list) -> Page:
    """A page as published: the datasets page with its schema.org JSON-LD."""
    if page.template == "datasets.html":
        return replace(page, data=replace(page.data, jsonld=dataset_jsonld(
            base_url, reports, page.description)))
    return page


def render_page(env, site: Site, page: Page) -> dict[str, bytes]:
    """A page's files: its HTML, rendered by ``env`` with its template, and the files it
    carries (a year page's CSVs and chart data)."""
    html = env.get_template(page.template).render(page=page, site=site)
    return {page.path: html.encode("utf-8"), **dict(page.files)}


def asset_files(templates: Path, base_url: str) -> dict[str, bytes]:
    """The templates' assets (CSS, icon, search script), ``.nojekyll`` and ``robots.txt``."""
    assets = templates / "assets"
    files = {f"assets/{path.relative_to(assets).as_posix()}": path.read_bytes()
             for path in sorted(assets.rglob("*")) if path.is_file()}
    files.update({".nojekyll": b"", "robots.txt": robots(base_url)})
    return files


def meta_files(base_url: str, html_paths: list[str], reports: list) -> dict[str, bytes]:
    """The sitemap and the feed, which need absolute addresses (none without ``--base-url``)."""
    if not base_url:
        return {}
    return {"sitemap.xml": sitemap(base_url, html_paths),
            "feed.xml": feed(base_url, SITE_TITLE, reports)}
