"""Stage 5: the static site as bytes (Jinja pages, assets, downloads); nothing is written here."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import replace
from itertools import chain
from pathlib import Path

from nianbao.domain.forms import Forms, load_forms
from nianbao.domain.model import Check, Report
from nianbao.incremental.memo import Emitter, Files, key_of
from nianbao.incremental.report_store import ReportStore
from nianbao.packaging.packages import PACKAGE_NAME, Packages, report_file
from nianbao.packaging.schemas import STATUS_MEANINGS
from nianbao.pages.agencies import agencies_index, agency_page, series_row, year_chart
from nianbao.pages.base_url import public_base
from nianbao.pages.check_pages import check_groups, checks_page, failing_cells
from nianbao.pages.compare import (compare_index, compare_item, compare_page, pairs, previous_of,
                                   previous_report)
from nianbao.pages.contexts import (AboutData, DatasetsData, Download, Figure, HomeData, human_size,
                                    IdentityDoc, NavItem, Page, PreviousReport, ReportData,
                                    ReportSummary, SectionView, Site, YearData)
from nianbao.pages.datasets_doc import resource_docs
from nianbao.pages.search_text import pinyin, review_gist
from nianbao.pages.series import Measure, headline, histories, key_series
from nianbao.pages.site_meta import dataset_jsonld, feed, robots, sitemap
from nianbao.pages.table_layout import format_value, table_views
from nianbao.pages.templating import environment, markdown
from nianbao.pages.year_totals import (Total, totals_figures, year_file_docs, year_downloads,
                                       year_totals, years_index)

SITE_TITLE = "政府信息公开年报数据"
SITE_TITLE_EN = "China FOI annual reports as open data"
STATUS_DOCS = tuple(Figure(code, *STATUS_MEANINGS[code]) for code in STATUS_MEANINGS)


def _headline(m: Measure, note: str = "件") -> Figure:
    """A report's figure in its summary; one not published says which cell and how."""
    return headline(m, note, m.why)


def key_figures(report: Report, checks: tuple[Check, ...] = ()) -> tuple[Figure, ...]:
    new, granted, _, review, _, suits, _ = key_series(report)
    r1 = next((c for c in checks if c.check == "R1" and not c.passed), None)
    review_note = f"件（原表总计；分项之和为 {format_value(r1.expected)}）" if r1 else "件"
    return (_headline(new), _headline(granted), _headline(review, review_note), _headline(suits))


def summary(report, failing: tuple[Check, ...], total: int) -> ReportSummary:
    """A report (or its brief) in a list: headline figures and its checks in numbers, from its
    failing checks and how many it has."""
    forms = load_forms()
    m = report.meta
    failing = tuple(c for c in failing if not c.passed)
    return ReportSummary(
        report_id=m.report_id, title=m.title, agency=m.agency, year=m.year,
        template=report.template, template_label=forms.template_name(report.template),
        href=f"reports/{m.report_id}/index.html",
        figures=key_figures(report, failing),
        checks_passed=total - len(failing),
        checks_failed=sum(not forms.identity(c.check).soft for c in failing),
        checks_soft_failed=sum(forms.identity(c.check).soft for c in failing),
        full_text=report.full_text,
    )


def template_tables(report: Report, forms: Forms) -> str:
    """For a report of both forms, which table is of which (``表二 主动公开 2021 年格式，…``)."""
    if report.template != "hybrid":
        return ""
    return "，".join(f"{forms.table(t).short} {forms.template_name(report.table_templates[t])}"
                    for t in forms.tables if report.table_templates.get(t))


def _download(packages: Packages, path: str, label: str, note: str = "") -> Download:
    kind = path.rsplit(".", 1)[-1].upper()
    return Download(label, f"data/{path}", kind, human_size(packages.size(path)), note)


def report_page(report: Report, checks: tuple[Check, ...], packages: Packages, forms: Forms,
                previous: PreviousReport | None = None, comparisons: tuple[NavItem, ...] = ()) -> Page:
    views = table_views(report, forms, failing_cells(checks))
    check_views = check_groups(report, checks, forms)
    problems = [i for g in check_views for i in g.items if i.result == "fail"]
    tables = {s.code: s.table for s in forms.sections if s.table}
    sections, preamble = [], ""
    for s in report.sections:
        if s.code == "preamble":
            preamble = markdown().render(s.markdown)
            continue
        table = views.get(tables.get(s.code, ""))
        paragraphs = s.markdown.split("\n\n") if s.markdown else []
        notes = [p for p in paragraphs if table and p.startswith("注：")]
        notes += [f"注：{n}" for n in report.notes.get(tables.get(s.code, ""), ())]
        body = [p for p in paragraphs if p not in notes]
        if not report.full_text and not body and not table:
            continue  # a data-only entry: no prose to show under this heading
        sections.append(SectionView(
            s.code, s.heading, markdown().render("\n\n".join(body)), table,
            markdown().render("\n\n".join(notes)) if notes else "",
            tuple(p for p in problems if table and p.table == tables.get(s.code)),
            review_gist(report) if tables.get(s.code) == "review_litigation" else ""))
    base, rid = f"{report.meta.year}/{report.report_id}", report.report_id
    downloads = (
        _download(packages, f"{base}/{report_file(rid, 'proactive')}", "表二 主动公开（CSV）"),
        _download(packages, f"{base}/{report_file(rid, 'applications')}", "表三 依申请公开（CSV）"),
        _download(packages, f"{base}/{report_file(rid, 'review_litigation')}",
                  "表四 复议诉讼（CSV）"),
        _download(packages, f"{base}/{report_file(rid, 'checks')}", "校验结果（CSV）"),
        _download(packages, f"{base}/{report.report_id}.xlsx", "三张表与校验结果（Excel 工作簿）"),
        _download(packages, f"{base}/datapackage.json", "数据包描述 datapackage.json"),
        _download(packages, f"{base}/{report.report_id}.zip", "整个数据包（ZIP）"),
    )
    m = report.meta
    data = ReportData(
        summary=summary(report, checks, len(checks)), agency_id=m.agency_id,
        source_url=m.source_url, published=m.published,
        template_label=forms.template_name(report.template, full=True),
        template_tables=template_tables(report, forms),
        preamble_html=preamble, sections=tuple(sections), checks=check_views,
        downloads=downloads, previous=previous, comparisons=comparisons,
        pinyin=pinyin(m.agency, m.agency_id))
    return Page(f"reports/{m.report_id}/index.html", "report.html", m.title,
                f"{m.agency} {m.year} 年政府信息公开工作年度报告：正文、三张法定表格、校验与下载。",
                "years", data,
                (NavItem("home", "首页", "index.html"),
                 NavItem("year", f"{m.year} 年", f"years/{m.year}/index.html")))


@dataclass(frozen=True)
class Units:
    """How each output unit is keyed: every report's key (its file as read and its checks) and
    the key of what every page shares (templates, site settings)."""

    reports: dict[str, str]
    shared: str


@dataclass(frozen=True)
class Checked:
    """Each report's checks as the pages made from many reports see them: the failing ones,
    how many there are, and which identities gave a result."""

    failing: dict[str, tuple[Check, ...]]
    totals: dict[str, int]
    tried: dict[str, frozenset[str]]


def build_pages(reports: list, checked: Checked, library: ReportStore, packages: Packages,
                forms: Forms, render: Callable[[Page], dict[str, bytes]], out: Emitter,
                units: Units) -> tuple[list[Page], list[Callable[[], Page]], Callable[[], None]]:
    """Renders the pages made from one report, a pair or one agency as units (kept when their
    inputs did not change; made from reports loaded whole from ``library``), and returns the
    pages made from everything (rendered by the caller; ``reports`` may be briefs): those ready,
    and those to make last (they show the combined files' sizes); and what to call before those:
    it waits for the units made beside the build."""
    reports = sorted(reports, key=lambda r: (-r.meta.year, r.report_id))
    checks = checked.failing
    made: dict[str, ReportSummary] = {}

    def summary_of(r) -> ReportSummary:  # made for the pages that are made, not for all
        found = made.get(r.report_id)
        if found is None:
            found = made[r.report_id] = summary(r, checks.get(r.report_id, ()),
                                                checked.totals[r.report_id])
        return found

    by_year: dict[int, list[Report]] = defaultdict(list)
    for r in reports:
        by_year[r.meta.year].append(r)
    years = tuple(NavItem(str(y), f"{y} 年", f"years/{y}/index.html") for y in sorted(by_year, reverse=True))
    latest_year = max(by_year) if by_year else None
    key = units.reports.__getitem__
    # each year's reports by their keys: its totals are worked out again only when one changed
    year_keys = {year: key_of("year-reports", year, "".join([key(r.report_id) for r in rs]))
                 for year, rs in by_year.items()}
    totals = {year: out.memo.value(year_keys[year], lambda rs=rs: year_totals(rs))
              for year, rs in by_year.items()}
    figures = {year: totals_figures(len(rs), totals[year]) for year, rs in by_year.items()}
    groups = histories(reports)
    found = pairs(reports, groups)
    work: list[tuple[str, Callable[[], dict[str, bytes]]]] = []  # (key, make) of every unit
    comparisons: dict[str, list[NavItem]] = defaultdict(list)
    items = tuple(compare_item(a, b, kind) for a, b, kind in found)
    for (a, b, kind), item in zip(found, items):
        comparisons[a.report_id].append(item)
        comparisons[b.report_id].append(item)
        work.append((key_of("compare", units.shared, kind, key(a.report_id), key(b.report_id)),
                     lambda a=a, b=b, kind=kind: render(compare_page(
                         library.report(a.report_id), library.report(b.report_id), kind, forms,
                         {r.report_id: summary_of(r) for r in (a, b)}))))
    before_of = previous_of(reports, groups)  # the change against it is made with the page
    for r in reports:
        rid, base = r.report_id, f"{r.meta.year}/{r.report_id}/"
        mine = tuple(comparisons[rid])
        before = before_of.get(rid)
        # its links in text, not pickled (pickling 10,000 reports' took a tenth of a second),
        # and its package's key for its files' sizes
        work.append((key_of("report", units.shared, key(rid), before and key(before.report_id),
                            "\0".join(f"{i.key}\1{i.label}\1{i.href}" for i in mine),
                            packages.keys[base]),
                     lambda rid=rid, r=r, before=before, mine=mine: render(report_page(
                         *library.load(rid), packages, forms,
                         before and previous_report(before, r), mine))))
    for agency_id, mine in groups.items():
        work.append((key_of("agency", units.shared, agency_id, *(key(r.report_id) for r in mine)),
                     lambda agency_id=agency_id, mine=mine: render(agency_page(agency_id, mine))))
    for year, rs in sorted(by_year.items()):  # a year's page is made again when one of its
        # reports changed, from their briefs; the first, with the totals and chart, when any did
        parts = year_parts(rs)
        for n, part in enumerate(parts, 1):
            work.append((key_of("year", units.shared, year, n, len(parts), len(rs),
                                year_keys[year] if n == 1 else
                                "".join([key(r.report_id) for r in part])),
                         lambda year=year, rs=rs, n=n, part=part, count=len(parts): render(
                             year_page(year, part, n, count, rs, totals[year], summary_of))))
    # the units not made before, across the cores, or an edit's few beside the others' checks
    taken = set()

    def take(k: str, made: Files) -> None:  # a unit made across the cores, as it comes back
        out.unit(k, lambda: made, made=made)
        taken.add(k)

    beside = out.memo.prepare([w for w in work if not out.carries(w[0])], beside=True, each=take)
    for k, make in work:
        if k not in beside and k not in taken:
            out.unit(k, make)

    def settle() -> None:  # the units made beside (the caller renders other pages meanwhile)
        out.memo.settle()
        for k, make in work:
            if k in beside:
                out.unit(k, make)

    pages = [years_index([(y, figures[y], totals[y]) for y in sorted(by_year, reverse=True)]),
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

    def combined() -> tuple[Download, ...]:  # the combined files' sizes: they are written
        # beside the build (nianbao.packaging.packages), so the pages that show them are made last
        return (
            _download(packages, "datapackage.json", "组合数据包描述 datapackage.json"),
            _download(packages, f"{PACKAGE_NAME}.xlsx", "全部数据（Excel 工作簿，每表一页，中文列名）"),
            _download(packages, f"{PACKAGE_NAME}.zip", "组合数据包（ZIP，全部 CSV 与描述）"),
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

    return pages, [home, datasets], settle


YEAR_PAGE = 100  # reports a year page shows: a year of 1,700 reports was one 2 MB page


def year_parts(reports: list) -> list[list]:
    """A year's reports in agency order, ``YEAR_PAGE`` a page."""
    ordered = sorted(reports, key=lambda r: (r.meta.agency_id, r.report_id))
    return [ordered[i:i + YEAR_PAGE] for i in range(0, len(ordered), YEAR_PAGE)] or [[]]


def year_path(year: int, n: int = 1) -> str:
    return f"years/{year}/index.html" if n == 1 else f"years/{year}/{n}/index.html"


def year_page(year: int, part: list, n: int, count: int, reports: list,
              totals: tuple[Total, ...], summary_of: Callable[[object], ReportSummary]) -> Page:
    """Page ``n`` of ``count`` of a year: the reports of ``part`` with their key figures and the
    comparison across agencies; the first page also the totals, chart and data of all
    ``reports``."""
    series = tuple(series_row(r) for r in part)
    charts, files, downloads = (), {}, ()
    if n == 1:
        chart, files = year_chart(year, reports)
        charts = (chart,)
        downloads, data = year_downloads(year, reports, totals)
        files.update(data)
    pages = tuple(NavItem(str(k), f"第 {k} 页", year_path(year, k))
                  for k in range(1, count + 1)) if count > 1 else ()
    suffix = f"（第 {n} 页，共 {count} 页）" if count > 1 else ""
    crumbs = (NavItem("home", "首页", "index.html"),) + (
        (NavItem("year", f"{year} 年", year_path(year)),) if n > 1 else ())
    return Page(year_path(year, n), "year.html", f"{year} 年度报告{suffix}",
                f"{year} 年度政府信息公开工作年度报告 {len(reports)} 份及其主要数据{suffix}。", "years",
                YearData(year, tuple(map(summary_of, part)),
                         totals_figures(len(reports), totals) if n == 1 else (), series,
                         charts, len(reports), n, pages, downloads),
                crumbs, files=tuple(sorted(files.items())))


def templates_digest(templates: Path) -> str:
    """What every page shares from the templates folder (each file's path and bytes)."""
    return key_of(*(x for p in sorted(templates.rglob("*")) if p.is_file()
                    for x in (p.relative_to(templates).as_posix(), p.read_bytes())))


def render_site(reports: list, checked: Checked, library: ReportStore, packages: Packages,
                templates: Path, base_url: str, forms: Forms, out: Emitter,
                report_keys: dict[str, str]) -> list[str]:
    """Every page, asset and download into ``out``; returns the paths of the HTML pages.
    ``checked``: anything with the attributes of ``Checked`` (a build's ``Outcome``, whose
    ``checks`` are the failing ones)."""
    checked = Checked(checked.checks, checked.totals, checked.tried)
    root = out.memo.store.root
    base_url, base_path = public_base(base_url)  # a path only: no absolute addresses anywhere

    @functools.cache
    def env():  # the templates' environment, made for the first page rendered
        return environment(templates, root / "templates" if root is not None else None)

    site = Site(SITE_TITLE, SITE_TITLE_EN,
                "政府信息公开工作年度报告的开放数据：表格、校验与下载。", base_url.rstrip("/"),
                (NavItem("home", "首页", "index.html"), NavItem("years", "年度", "years/index.html"),
                 NavItem("agencies", "机关", "agencies/index.html"),
                 NavItem("compare", "对比", "compare/index.html"),
                 NavItem("checks", "校验", "checks/index.html"),
                 NavItem("datasets", "数据下载", "datasets/index.html"),
                 NavItem("about", "关于", "about/index.html")))

    def render(page: Page) -> dict[str, bytes]:
        html = env().get_template(page.template).render(page=page, site=site)
        return {page.path: html.encode("utf-8"), **dict(page.files)}

    units = Units(report_keys, key_of(templates_digest(templates), site))
    pages, later, settle = build_pages(reports, checked, library, packages, forms, render, out,
                                       units)
    pages.append(Page("search/index.html", "search.html", "搜索", "按机关、年度和关键词搜索报告。", "",
                      None, (NavItem("home", "首页", "index.html"),)))
    pages.append(Page("404.html", "404.html", "页面不存在", "找不到这个页面。", "", None,
                      root_path=base_path))
    # remembered by their whole context; those showing the combined files' sizes made last
    def last() -> Iterator[Page]:
        settle()
        for make in later:
            yield make()

    for page in chain(pages, last()):
        if page.template == "datasets.html":
            page = replace(page, data=replace(page.data, jsonld=dataset_jsonld(
                base_url, reports, page.description)))
        out.add(out.memo.value(key_of("page", units.shared, page), lambda page=page: render(page)))
    assets = templates / "assets"
    for path in sorted(assets.rglob("*")):
        if path.is_file():
            out.add({f"assets/{path.relative_to(assets).as_posix()}": path.read_bytes()})
    out.add({".nojekyll": b"", "robots.txt": robots(base_url)})
    paths = sorted(p for p in out.paths(".html") if not p.startswith("data/"))
    if base_url:
        out.add({"sitemap.xml": sitemap(base_url, paths),
                 "feed.xml": feed(base_url, SITE_TITLE, reports)})
    return paths
