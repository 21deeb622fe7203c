"""The documented context object of every page.

Each page template receives exactly two names: ``page`` (a ``Page``) and ``site`` (a ``Site``).
Page-specific data hangs off ``page.data``, whose type is named per template below. Every
``href`` in these objects is relative to the site root; templates prefix it with ``page.root``
(``""``, ``"../"``, ``"../../"``…), so the site works from disk and under any sub-path.

=================  ==================  =========================================================
template           page.data           what it shows
=================  ==================  =========================================================
home.html          ``HomeData``        what the site is, headline figures, latest reports
years.html         ``YearsData``       every year with its totals, newest first; their CSV
year.html          ``YearData``        a page of one year's reports with their key figures
report.html        ``ReportData``      one report: prose, the three tables, checks, downloads
datasets.html      ``DatasetsData``    every resource and field of the packages, downloads
agencies.html      ``tuple[NavItem]``  every agency, with its years
checks.html        ``tuple[IdentityFailures]``  every failing identity anywhere, linked to its cells
compare.html       ``CompareData``     two reports side by side on the figures both forms share
compare_index.html ``tuple[NavItem]``  every comparison page (key: agency | year)
agency.html        ``AgencyData``      one agency: its reports and key series, year by year
about.html         ``AboutData``       sources, the identities and what the statuses mean
search.html        ``None``            search (Pagefind; the only page that needs JavaScript)
404.html           ``None``            not found, with links home (absolute base path)
=================  ==================  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.pages.table_layout import TableView

INDEXED = ("report.html", "agency.html", "year.html", "about.html")


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    href: str


@dataclass(frozen=True)
class Site:
    title: str
    title_en: str
    description: str
    base_url: str  # absolute base URL given with --base-url, or "" (links never depend on it)
    nav: tuple[NavItem, ...]


@dataclass(frozen=True)
class Page:
    path: str  # output path below the site root, e.g. "reports/2020-heilongjiang/index.html"
    template: str
    title: str
    description: str
    nav_key: str
    data: object
    breadcrumbs: tuple[NavItem, ...] = ()
    root_path: str = ""  # for 404.html, served at any depth: the site's absolute base path
    files: tuple[tuple[str, bytes], ...] = ()  # files the page links to (charts and their data)

    @property
    def indexed(self) -> bool:
        """Whether search indexes this page (its ``<main>`` carries ``data-pagefind-body``)."""
        return self.template in INDEXED

    @property
    def root(self) -> str:
        return self.root_path or "../" * self.path.count("/")


@dataclass(frozen=True)
class Figure:
    """A headline number with what it counts."""

    label: str
    value: str
    note: str = ""
    coverage: str = ""  # a total over reports: how many it covers, which were left out and why


@dataclass(frozen=True)
class Chart:
    """A static SVG chart; ``alt`` says in words what it shows, ``data`` is its CSV."""

    id: str
    title: str
    src: str  # from the site root
    data: str  # from the site root
    alt: str
    width: int  # the SVG's own size, so the page keeps its place before it loads
    height: int


@dataclass(frozen=True)
class Download:
    label: str
    href: str
    kind: str  # CSV | JSON | ZIP
    size: str  # human-readable size, e.g. "3.1 KB"
    note: str = ""


def human_size(n: int) -> str:
    """A download's size as a page shows it."""
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024**2 else f"{n / 1024**2:.1f} MB"


@dataclass(frozen=True)
class ReportSummary:
    report_id: str
    title: str
    agency: str
    year: int
    template: str  # the data's code: 2019 | 2021 | hybrid
    template_label: str  # as the pages name it: 2019 年格式 | 2021 年格式 | 混合格式
    href: str
    figures: tuple[Figure, ...]
    checks_passed: int
    checks_failed: int  # hard identities that fail
    checks_soft_failed: int  # soft checks (cross-year, prose) that fail
    full_text: bool


@dataclass(frozen=True)
class CheckView:
    id: str
    scope: str  # code of the column, row, table or passage checked
    scope_label: str  # the same in Chinese, as printed
    result: str
    message: str
    href: str  # the first cell involved, on the report page ("#c-…")
    anchor: str  # this check's own line on the report page ("chk-A3-granted")
    table: str  # the table the identity belongs to
    soft: bool  # a cross-year or prose check
    note: str = ""  # the maintainer's note where the failure is acknowledged (confirmed in the source)


@dataclass(frozen=True)
class CheckGroup:
    """All results of one identity on one report."""

    id: str
    label: str  # what the identity says, in Chinese
    label_en: str
    passed: int
    failed: int
    soft: bool  # a cross-year or prose check: a failure is a prompt to look, not an error
    items: tuple[CheckView, ...]  # failures first


@dataclass(frozen=True)
class SectionView:
    code: str
    heading: str
    html: str  # the prose rendered from Markdown (escaped; no raw HTML passes)
    table: TableView | None
    notes_html: str = ""  # notes on the table (注：…, e.g. cells the import could not read)
    problems: tuple[CheckView, ...] = ()  # failing checks on this table, explained under it
    gist: str = ""  # search only, not shown: the table's figures in a line (searchtext.review_gist)


@dataclass(frozen=True)
class ReportData:
    summary: ReportSummary
    agency_id: str
    source_url: str
    published: str
    template_label: str  # the form's full name (国办公开办函〔2019〕60号格式), or 混合格式
    template_tables: str  # a mixed report's form of each table (表二 主动公开 2021 年格式，…), or ""
    preamble_html: str
    sections: tuple[SectionView, ...]
    checks: tuple[CheckGroup, ...]
    downloads: tuple[Download, ...]
    previous: "PreviousReport | None" = None  # change against the agency's previous report
    comparisons: tuple[NavItem, ...] = ()  # compare pages this report is on
    pinyin: str = ""  # search only, not shown: the agency's id and name in pinyin (searchtext.pinyin)


@dataclass(frozen=True)
class YearData:
    """One page of a year: a year of many reports is shown ``render.YEAR_PAGE`` reports a page,
    in agency order; the first page also has the year's totals and chart."""

    year: int
    reports: tuple[ReportSummary, ...]  # this page's
    totals: tuple[Figure, ...]  # the year's (first page only)
    series: tuple[SeriesRow, ...] = ()  # one row per report: the comparison across agencies
    charts: tuple[Chart, ...] = ()  # first page only
    count: int = 0  # the year's reports, on all its pages
    page: int = 1
    pages: tuple[NavItem, ...] = ()  # every page of the year (key: its number), when more than one
    downloads: tuple[Download, ...] = ()  # the year's table and totals as CSV (first page only)


@dataclass(frozen=True)
class YearTotals:
    year: int
    totals: tuple[Figure, ...]


@dataclass(frozen=True)
class YearsData:
    years: tuple[YearTotals, ...]  # newest first
    downloads: tuple[Download, ...]  # every year's totals as CSV


@dataclass(frozen=True)
class HomeData:
    latest: tuple[ReportSummary, ...]
    headline: tuple[Figure, ...]
    headline_year: int | None
    years: tuple[NavItem, ...]
    downloads: tuple[Download, ...]


@dataclass(frozen=True)
class FieldDoc:
    name: str
    type: str
    title: str
    description: str
    constraints: str  # "required; enum: a, b…"


@dataclass(frozen=True)
class ResourceDoc:
    name: str
    title: str
    path: str
    primary_key: str
    fields: tuple[FieldDoc, ...]
    download: Download | None


@dataclass(frozen=True)
class DatasetsData:  # jsonld: the schema.org Dataset as JSON text (escaped for <script>)
    combined: tuple[ResourceDoc, ...]
    per_report: tuple[ResourceDoc, ...]
    downloads: tuple[Download, ...]
    report_packages: tuple[NavItem, ...]  # every report (key: report_id, label: its title)
    jsonld: str = ""
    year_files: tuple[ResourceDoc, ...] = ()  # the year pages' CSV files (no download: per year)
    years: tuple[NavItem, ...] = ()  # every year page's downloads


@dataclass(frozen=True)
class IdentityDoc:
    id: str
    table: str  # the table's code (applications …)
    table_label: str  # its short name: 表三 依申请公开
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class AboutData:
    identities: tuple[IdentityDoc, ...]
    statuses: tuple[Figure, ...]
    versions: tuple[Figure, ...]


@dataclass(frozen=True)
class SeriesRow:
    year: int
    href: str  # the report page
    figures: tuple[Figure, ...]  # counts, and rates with numerator / denominator in the note
    agency: str = ""


@dataclass(frozen=True)
class AgencyData:
    agency: str
    agency_id: str
    rows: tuple[SeriesRow, ...]  # oldest first
    charts: tuple[Chart, ...] = ()
    pinyin: str = ""  # search only, not shown: the agency's id and name in pinyin (searchtext.pinyin)


@dataclass(frozen=True)
class FailureRow:
    """One failing check on the checks page."""

    report_id: str
    title: str
    agency: str
    year: int
    report_href: str
    check: CheckView
    cell_href: str  # the flagged cell on the report page, from the site root
    acknowledged: bool  # confirmed against the source and noted in the front matter


@dataclass(frozen=True)
class IdentityFailures:
    id: str
    table: str
    label: str
    label_en: str
    soft: bool
    reports_checked: int
    reports_failing: int
    rows: tuple[FailureRow, ...]  # newest year first


@dataclass(frozen=True)
class CompareRow:
    label: str
    label_en: str
    a: str  # the first report's figure as printed ("无此项" where its form has no such cell)
    b: str
    diff: str  # b − a where both are figures, else "—"
    changed: bool
    note: str = ""  # e.g. approximately comparable
    a_note: str = ""  # what ``a`` means where it is a mark, not a figure ("?": 原文无法唯一识别…)
    b_note: str = ""
    diff_note: str = ""  # why there is no difference ("—")


@dataclass(frozen=True)
class CompareTable:
    id: str
    title: str
    title_en: str
    rows: tuple[CompareRow, ...]
    collapsed: bool = False  # long detail, shown folded
    marks: tuple[Figure, ...] = ()  # legend: each mark its cells show (label) and its meaning


@dataclass(frozen=True)
class CompareData:
    a: ReportSummary
    b: ReportSummary
    kind: str  # agency (one agency, two years) | year (two agencies, one year)
    tables: tuple[CompareTable, ...]
    differing: int
    compared: int


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str
    change: str  # signed difference (counts, with percent) or percentage points (rates)
    before_note: str = ""  # numerator / denominator of a rate
    after_note: str = ""


@dataclass(frozen=True)
class PreviousReport:
    year: int
    title: str
    href: str
    compare_href: str
    rows: tuple[ChangeRow, ...]
