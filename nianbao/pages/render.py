"""Stage 5: the pages made from one report or one year part, as contexts (``site_plan`` lists them all)."""

from __future__ import annotations

from collections.abc import Callable

from nianbao.domain.forms import Forms, load_forms
from nianbao.domain.model import Check, Report
from nianbao.packaging.packages import Packages, report_file
from nianbao.packaging.schemas import STATUS_MEANINGS
from nianbao.pages.agencies import series_row, year_chart
from nianbao.pages.check_pages import check_groups, failing_cells
from nianbao.pages.contexts import (Download, Figure, NavItem, Page, PreviousReport, ReportData,
                                    ReportSummary, SectionView, YearData, human_size)
from nianbao.pages.search_text import pinyin, review_gist
from nianbao.pages.series import Measure, headline, key_series
from nianbao.pages.table_layout import format_value, table_views
from nianbao.pages.templating import markdown
from nianbao.pages.year_totals import Total, totals_figures, year_downloads

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


def download(packages: Packages, path: str, label: str, note: str = "") -> Download:
    """A file of the downloads as a page links it, with its size."""
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
        download(packages, f"{base}/{report_file(rid, 'proactive')}", "表二 主动公开（CSV）"),
        download(packages, f"{base}/{report_file(rid, 'applications')}", "表三 依申请公开（CSV）"),
        download(packages, f"{base}/{report_file(rid, 'review_litigation')}",
                  "表四 复议诉讼（CSV）"),
        download(packages, f"{base}/{report_file(rid, 'checks')}", "校验结果（CSV）"),
        download(packages, f"{base}/{report.report_id}.xlsx", "三张表与校验结果（Excel 工作簿）"),
        download(packages, f"{base}/datapackage.json", "数据包描述 datapackage.json"),
        download(packages, f"{base}/{report.report_id}.zip", "整个数据包（ZIP）"),
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
