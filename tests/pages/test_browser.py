"""Browser tests: the built site served over http under a project subpath, driven by Chromium.

Playwright drives Debian's Chromium (/usr/bin/chromium); it never downloads a browser of
its own. `.ci/run` installs `chromium` and `fonts-noto-cjk` when the browser is missing;
elsewhere the module is skipped. Screenshots land in tests/output/screenshots/.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nianbao.pipeline import build

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: install Debian's chromium and fonts-noto-cjk "
                "(as .ci/run does) to run the browser tests", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SCREENSHOTS = ROOT / "tests" / "output" / "screenshots"
SUBPATH = "nianbao"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WIDTHS = (1280, 375, 320)
PHONES = (375, 320)
pytestmark = pytest.mark.slow  # the quick set: pytest -m "not slow"

# Every page type checked in the browser: (name, path under the site root).
# One line per page type; the name is used in test ids and screenshot file names.
PAGES = [
    ("home", "index.html"),
    ("years", "years/index.html"),
    ("year-2020", "years/2020/index.html"),
    ("report-2020-heilongjiang", "reports/2020-heilongjiang/index.html"),
    ("report-2019-shanghai-office", "reports/2019-shanghai-office/index.html"),  # failing checks
    ("agencies", "agencies/index.html"),
    ("agency-heilongjiang", "agencies/heilongjiang/index.html"),
    ("datasets", "datasets/index.html"),
    ("about", "about/index.html"),
    ("checks", "checks/index.html"),
    ("compare-index", "compare/index.html"),
    ("compare-agency", "compare/2020-pingtan--2021-pingtan/index.html"),
    ("compare-year", "compare/2020-heilongjiang--2020-pingtan/index.html"),
    ("search", "search/index.html?q=行政复议"),
    ("404", "404.html"),
]
PAGE_PARAMS = [pytest.param(path, id=name) for name, path in PAGES]
NAME = dict((path, name) for name, path in PAGES)


# --- serving -------------------------------------------------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    """Static files; unknown paths under the project get the site's 404 page, as on GitHub Pages."""

    not_found: Path | None = None

    def send_error(self, code, message=None, explain=None):
        if code == 404 and self.not_found is not None and self.not_found.is_file():
            body = self.not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format, *args):  # keep pytest output quiet
        pass


@dataclass(frozen=True)
class Served:
    url: str  # the site's address, under /nianbao/
    root: Path  # the folder it is served from


@pytest.fixture(scope="session")
def site_url(served) -> str:
    return served.url


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Served:
    """The content built with a base URL under /nianbao/ and served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("browser")
    www = out / "www"
    www.mkdir()
    handler = type("Handler", (_Handler,), {"not_found": www / SUBPATH / "404.html"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(www)))
    base_url = f"http://127.0.0.1:{server.server_address[1]}/{SUBPATH}/"
    # In a thread of its own: the build may run an asyncio loop, and Playwright's sync API may
    # already hold one in this thread (fixture order is not guaranteed).
    with ThreadPoolExecutor(1) as pool:
        outcome = pool.submit(build, CONTENT, out / "datapackages", www / SUBPATH,
                              base_url=base_url).result()
    assert not outcome.errors, [d.format() for d in outcome.errors]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(base_url, www / SUBPATH)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- a page that records what went wrong ------------------------------------------------------


@dataclass
class Problems:
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"request failed: {m}" for m in self.failed]
                + [f"HTTP error: {m}" for m in self.bad_status])


def _root_favicon(url: str) -> bool:
    """Chromium's own request for /favicon.ico at the host root, made when a page declares no
    icon. Whether it happens before a test's assertions is a matter of timing, so it is ignored
    here; test_page_declares_an_icon checks deterministically that every page declares its icon
    (which stops the guess and is itself loaded and checked like any subresource)."""
    return re.fullmatch(r"https?://[^/]+/favicon\.ico", url) is not None


def _icon_cut_short(url: str, failure: str | None) -> bool:
    """Chromium fetches the declared icon after the load event; a click made at once navigates
    away and cancels that fetch (net::ERR_ABORTED). Nothing is wrong with the site then, so only
    that cancellation is ignored: a missing icon still shows as an HTTP error, and
    test_page_declares_an_icon fetches the icon itself on every page type."""
    return failure == "net::ERR_ABORTED" and url.endswith("/assets/icon.svg")


@pytest.fixture
def page(browser) -> Page:
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900},
                                  accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    problems = Problems()

    def on_console(message):
        url = message.location.get("url", "")
        if message.type == "error" and not _root_favicon(url):
            problems.console.append(f"{message.text} @ {url}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: None
            if _root_favicon(r.url) or _icon_cut_short(r.url, r.failure)
            else problems.failed.append(f"{r.url}: {r.failure}"))
    page.on("response", lambda r: problems.bad_status.append(f"{r.status} {r.url}")
            if r.status >= 400 and not _root_favicon(r.url) else None)
    page.problems = problems
    try:
        yield page
    finally:
        context.close()


def open_page(page: Page, site_url: str, path: str) -> None:
    response = page.goto(site_url + path, wait_until="load")
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    if path.startswith("search/") and "?q=" in path:  # the results, not the empty form, are checked
        expect(page.locator(".pagefind-ui__result-link").first).to_be_visible(timeout=15_000)


# --- the reader's journey ----------------------------------------------------------------------


def test_journey_home_to_year_to_report_to_csv(page, site_url, tmp_path):
    open_page(page, site_url, "index.html")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.get_by_role("link", name="2020 年", exact=True).click()
    expect(page).to_have_url(site_url + "years/2020/index.html")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2020")

    page.get_by_role("link", name="黑龙江省2020年政府信息公开工作年度报告").click()
    expect(page).to_have_url(site_url + "reports/2020-heilongjiang/index.html")
    expect(page.get_by_role("heading", level=1)).to_contain_text("黑龙江")

    link = page.get_by_role("link", name=re.compile(r"表三.*（CSV）"))
    expect(link).to_have_count(1)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.url == site_url + "data/2020/2020-heilongjiang/2020-heilongjiang-applications.csv"
    assert download.suggested_filename == "2020-heilongjiang-applications.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    text = saved.read_bytes().decode("utf-8")
    assert not text.startswith("\ufeff"), "CSV must be UTF-8 without a BOM"
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    columns = ["natural_person", "commercial_enterprise", "research_institution",
               "public_interest_org", "legal_service_org", "other", "total"]
    assert list(rows[0]) == ["report_id", "year", "agency_id", "agency", "row", "label_zh",
                             *columns, *(f"{c}_status" for c in columns)]
    new = {r["row"]: r for r in rows}["new"]
    assert (new["report_id"], new["agency"]) == ("2020-heilongjiang", "黑龙江省人民政府")
    assert new["label_zh"] == "一、本年新收政府信息公开申请数量"
    assert (new["natural_person"], new["total"]) == ("5672", "6117")
    assert new["total_status"] == "reported"
    assert page.problems.all() == []


def test_unknown_address_gets_the_404_page_with_its_styles(page, site_url):
    """A missing deep address is answered with 404.html, whose links work from any depth."""
    response = page.goto(site_url + "reports/no-such-report/deeper/index.html")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    # The stylesheet came from the project root, not relative to the missing address.
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href)")
    assert f"{site_url}assets/site.css" in sheets
    subresource_errors = [m for m in page.problems.bad_status if not m.endswith("/deeper/index.html")]
    assert subresource_errors == [] and page.problems.failed == []
    page.get_by_role("link", name="回到首页").click()
    expect(page).to_have_url(site_url + "index.html")


# --- every page type ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_page_screenshot(page, site_url, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, site_url, path)
    page.evaluate("document.fonts.ready.then(() => true)")
    lay_out_everything(page)  # a full-page picture: every section drawn, not only the first screen
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{NAME[path]}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path} scrolls sideways at {width} px: {scroll_width} px wide"


# --- every page the build writes, on a phone; a report on paper ------------------------------


def every_page(root: Path) -> list[str]:
    """Every HTML file the build wrote, and the search page showing results."""
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    return pages + ["search/index.html?q=行政复议"]


def lay_out_everything(page: Page) -> None:
    """Long pages lay out a section only near the screen (content-visibility: auto), and a
    section not laid out shows nothing of its width: measured here as a reader scrolling to it
    would see it."""
    page.evaluate("""() => { for (const e of document.querySelectorAll("*"))
        if (getComputedStyle(e).contentVisibility === "auto") e.style.contentVisibility = "visible"; }""")


def test_a_long_page_lays_out_only_what_is_near_the_screen(page, site_url):
    """A phone's blocking time on a report page was mostly its first layout, of the whole page:
    a section far below the screen is skipped until the reader comes near it."""
    page.set_viewport_size({"width": 375, "height": 800})
    open_page(page, site_url, "reports/2020-heilongjiang/index.html")
    drawn = "e => e.checkVisibility({contentVisibilityAuto: true})"
    checks = page.locator("#checks table")
    assert not checks.evaluate(drawn)
    checks.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({drawn})(document.querySelector('#checks table'))")


def test_no_page_scrolls_sideways_on_a_phone(page, served):
    """At 375 and 320 px no page is wider than the screen: a wide table scrolls in its own box,
    and nothing in it (the hidden text of a blank cell) reaches out of the box."""
    pages = every_page(served.root)
    kinds = {"reports", "compare", "years", "agencies", "checks", "datasets", "about", "search",
             "index.html", "404.html"}
    assert kinds <= {p.split("/")[0] for p in pages} and len(pages) > 30
    wide = []
    for width in PHONES:
        page.set_viewport_size({"width": width, "height": 800})
        for path in pages:
            open_page(page, served.url, path)
            lay_out_everything(page)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                wide.append(f"{path} at {width} px is {scroll_width} px wide")
    assert wide == [], "\n".join(wide)


# Each chart's smallest text as drawn: the SVG's font size times the scale of its <img>.
CHART_TEXT = """async () => Promise.all([...document.querySelectorAll("figure.chart img")].map(async img => {
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), "image/svg+xml");
    const root = svg.documentElement, scale = img.getBoundingClientRect().width
        / parseFloat(root.getAttribute("viewBox").trim().split(/\\s+/)[2]);
    const sizes = [root, ...root.querySelectorAll("text")]
        .map(e => parseFloat(e.getAttribute("font-size"))).filter(n => n > 0);
    return [img.getAttribute("src"), Math.min(...sizes) * scale];
}))"""


def test_chart_text_is_legible_on_a_phone(page, served):
    """A chart shrunk to a phone's width shrinks its text: at least 12 px at 375, 11 at 320."""
    charted = [p for p in every_page(served.root) if "?" not in p
               and '<figure class="chart"' in (served.root / p).read_text(encoding="utf-8")]
    assert any(p.startswith("years/") for p in charted)
    assert any(p.startswith("agencies/") for p in charted)
    small, seen = [], 0
    for width, least in ((375, 12), (320, 11)):
        page.set_viewport_size({"width": width, "height": 800})
        for path in charted:
            open_page(page, served.url, path)
            for src, px in page.evaluate(CHART_TEXT):
                seen += 1
                if px < least - 0.05:
                    small.append(f"{path} {src} at {width} px: text {px:.1f} px")
    assert seen >= 2 * len(charted) and small == [], "\n".join(small)


# In one scrolling table, scrolled to its last column: the row labels not in view or covered.
PINNED = """scroller => {
    scroller.scrollLeft = scroller.scrollWidth;
    const lost = [];
    for (const th of scroller.querySelectorAll("tbody th[scope=row], tbody th[scope=rowgroup]")) {
        window.scrollTo(0, window.scrollY + th.getBoundingClientRect().top - 80);
        const box = scroller.getBoundingClientRect(), r = th.getBoundingClientRect();
        const seen = document.elementFromPoint(r.left + Math.min(r.width / 2, 12),
                                               r.top + Math.min(r.height / 2, 12));
        if (r.left < box.left - 1 || !th.contains(seen))
            lost.push(th.textContent.slice(0, 16) + (seen ? " under " + seen.textContent.slice(0, 16) : ""));
    }
    return lost;
}"""


def test_row_labels_stay_in_view_when_a_table_scrolls_on_a_phone(page, served):
    """At 375 px table 三 is wider than the screen; scrolled to its last column, every row label,
    the merged group labels too, is still in view and on top of the figures. So in every other
    table that scrolls."""
    page.set_viewport_size({"width": 375, "height": 800})
    lost, scrolled = [], set()
    for path in every_page(served.root):
        open_page(page, served.url, path)
        lay_out_everything(page)
        for scroller in page.locator(".scroll").all():
            if not scroller.is_visible() or scroller.evaluate("e => e.scrollWidth <= e.clientWidth"):
                continue
            name = scroller.evaluate("e => e.closest('[id]').id")
            scrolled.add((path, name))
            lost += [f"{path} #{name}: {label}" for label in scroller.evaluate(PINNED)]
    reports = [p for p in every_page(served.root) if p.startswith("reports/")]
    assert {(p, "table-applications") for p in reports} <= scrolled
    assert lost == [], "\n".join(lost)


@pytest.mark.parametrize("report", ["2020-heilongjiang", "2019-shanghai-office"])
def test_a_report_prints_on_a4_with_table_3_on_one_page(page, served, report, tmp_path):
    """Printed (Chromium's PDF, the page's own @page size), a report is on A4, and table 三 with
    its merged group column stands on one page."""
    import pypdfium2 as pdfium

    open_page(page, served.url, f"reports/{report}/index.html")
    table = page.locator("#table-applications")
    caption = table.locator("figcaption").evaluate("e => e.firstChild.textContent")
    labels = table.locator("tbody th").evaluate_all("els => els.map(e => e.firstChild.textContent)")
    headed = page.locator("section:has(figure.table)").evaluate_all(
        "els => els.map(s => [s.querySelector('h2').textContent,"
        " s.querySelector('figure.table figcaption').firstChild.textContent])")
    out = tmp_path / f"{report}.pdf"
    page.pdf(path=str(out), prefer_css_page_size=True)
    pdf = pdfium.PdfDocument(out)
    try:
        sizes = {tuple(round(x) for x in pdf[i].get_size()) for i in range(len(pdf))}
        texts = ["".join(pdf[i].get_textpage().get_text_bounded().split()) for i in range(len(pdf))]
    finally:
        pdf.close()
    assert sizes == {(595, 842)}, f"{report} prints on {sizes} pt pages, not A4 (595 × 842 pt)"
    first = next(i for i, t in enumerate(texts) if "".join(caption.split()) in t)
    elsewhere = [label for label in labels if "".join(label.split()) not in texts[first]]
    assert len(labels) > 20 and elsewhere == [], f"table 三 does not fit page {first + 1}: {elsewhere}"
    for heading, caption in headed:  # a section's heading is not left alone at a page's foot
        heading, caption = "".join(heading.split()), "".join(caption.split())
        on = [i for i, t in enumerate(texts) if caption in t]
        assert on and heading in texts[on[0]], f"{heading} is printed apart from its table"


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_page_loads_without_errors(page, site_url, path):
    open_page(page, site_url, path)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert page.problems.all() == [], "\n".join(page.problems.all())


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_page_declares_an_icon(page, site_url, path):
    """Without <link rel="icon">, browsers ask for /favicon.ico at the host root, outside the
    project's subpath: a 404 and a console error on every visit to a project site."""
    open_page(page, site_url, path)
    icons = page.locator('link[rel~="icon"]')
    assert icons.count() > 0, f'{path} has no <link rel="icon">; the browser asks for /favicon.ico'
    href = icons.first.evaluate("e => e.href")
    if not href.startswith("data:"):
        assert href.startswith(site_url), f"icon {href} is outside {site_url}"
        assert page.request.get(href).status == 200, href
    assert page.problems.all() == [], "\n".join(page.problems.all())


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_page_ids_are_unique(page, site_url, path):
    """Duplicate ids break fragment links and aria-labelledby (axe 4.12 no longer checks this)."""
    open_page(page, site_url, path)
    duplicates = page.evaluate("""() => {
        const seen = {};
        for (const e of document.querySelectorAll("[id]")) seen[e.id] = (seen[e.id] || 0) + 1;
        return Object.entries(seen).filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
    }""")
    assert duplicates == [], f"duplicate ids on {path}: {duplicates}"


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['id']}] ({v.get('impact')}) {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    target: {' '.join(map(str, node['target']))}")
            lines.append(f"      html: {node['html'][:300]}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_page_has_no_axe_violations(page, site_url, path):
    open_page(page, site_url, path)
    violations = Axe().run(page).response["violations"]
    assert violations == [], f"axe-core found {len(violations)} rule(s) violated on {path}:\n" \
                             + _describe(violations)


# --- search and compare -----------------------------------------------------------------------


@pytest.mark.parametrize("term, expected", [
    ("黑龙江", "reports/2020-heilongjiang/index.html"),
    ("平潭综合实验区", "agencies/pingtan/index.html"),
    ("依申请公开", "reports/2020-heilongjiang/index.html"),
    ("行政复议", "reports/2023-hongze/index.html"),
    ("heilongjiang", "reports/2020-heilongjiang/index.html"),  # the agency's name in pinyin
    ("heilongjiang", "agencies/heilongjiang/index.html"),
    ("hei long jiang", "agencies/heilongjiang/index.html"),
    ("heilongjiang sheng", "reports/2020-heilongjiang/index.html"),
    ("hongze", "agencies/hongze/index.html"),  # its id
])
def test_search_finds_known_terms(page, site_url, term, expected):
    """The header's search form (a plain GET) leads to the search page, which runs the query."""
    open_page(page, site_url, "index.html")
    page.get_by_role("searchbox", name="搜索报告").fill(term)
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(site_url + "search/index.html?q=")))
    results = page.locator(".pagefind-ui__result-link")
    expect(results.first).to_be_visible(timeout=15_000)
    hrefs = [h.split("#")[0] for h in results.evaluate_all("els => els.map(e => e.href)")]
    assert site_url + expected in hrefs, hrefs
    # a result opens its page under the project subpath
    results.first.click()
    assert page.url.startswith(site_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.problems.all() == []


# Each report's table 四 totals, as its search result should show them.
REVIEW_TOTALS = {
    "reports/2019-pingtan/index.html": "行政复议 0 件、行政诉讼 0 件",
    "reports/2019-shanghai-office/index.html": "行政复议 7 件、行政诉讼 未公布",
    "reports/2020-heilongjiang/index.html": "行政复议 225 件、行政诉讼 199 件",
    "reports/2020-pingtan/index.html": "行政复议 0 件、行政诉讼 0 件",
    "reports/2021-pingtan/index.html": "行政复议 3 件、行政诉讼 12 件",
    "reports/2022-pingtan/index.html": "行政复议 2 件、行政诉讼 1 件",
    "reports/2023-hongze/index.html": "行政复议 0 件、行政诉讼 0 件",
}


def test_search_for_reconsideration_shows_each_reports_figures(page, site_url):
    """Every report has a section 四 headed 行政复议、行政诉讼: its result shows the report's own
    figures, not that heading alone."""
    open_page(page, site_url, "search/index.html?q=行政复议")
    results = page.locator(".pagefind-ui__results > .pagefind-ui__result")
    shown = {}
    for result in results.all():
        href = result.locator(".pagefind-ui__result-link").first.evaluate("e => e.href")
        shown[href.split("#")[0].removeprefix(site_url)] = result.inner_text()
    reports = {h: t for h, t in shown.items() if h.startswith("reports/")}
    assert len(reports) >= 3, shown
    for href, text in reports.items():
        assert REVIEW_TOTALS[href] in text.replace("\u200b", ""), (href, text)
        assert "— 件" not in text and "：件" not in text, (href, text)  # no unit after no figure
    assert page.problems.all() == []


def test_search_page_without_javascript_explains_at_once(browser, site_url):
    """Without JavaScript no results can come: the note saying so stands right under the lead,
    not below the room kept for the results."""
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      java_script_enabled=False, locale="zh-CN")
        try:
            page = context.new_page()
            page.goto(site_url + "search/index.html", wait_until="load")
            note = page.locator("p.notice", has_text="JavaScript")
            expect(note).to_be_visible()
            box, lead = note.bounding_box(), page.locator("p.lead").bounding_box()
            assert box["y"] - (lead["y"] + lead["height"]) < 40, (width, box, lead)
            assert box["y"] + box["height"] < 900, (width, box)  # on the first screen
            footer = page.locator("footer").bounding_box()
            assert footer["y"] - (box["y"] + box["height"]) < 100, (width, box, footer)
        finally:
            context.close()


def test_compare_from_a_report_page(page, site_url):
    open_page(page, site_url, "reports/2021-pingtan/index.html")
    page.get_by_role("link", name="两份报告逐项对比").click()
    expect(page).to_have_url(site_url + "compare/2020-pingtan--2021-pingtan/index.html")
    row = page.locator("table.compare tr.changed", has_text="一、本年新收政府信息公开申请数量").first
    expect(row.locator("td")).to_have_text(["21", "70", re.compile(r"\+49")])
    # the folded per-applicant table opens without JavaScript
    details = page.locator("details", has_text="按申请人类型")
    expect(details.locator("table")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator("table")).to_be_visible()
    assert page.problems.all() == []


def test_checks_page_leads_to_the_flagged_cell(page, site_url):
    open_page(page, site_url, "checks/index.html")
    page.locator("#A2 ul.failures li", has_text="上海市人民政府办公厅").get_by_role("link", name="查看单元格").click()
    expect(page).to_have_url(re.compile(re.escape(site_url + "reports/2019-shanghai-office/index.html#")))
    cell = page.locator("td:target")
    expect(cell).to_have_class(re.compile(r"\bfail\b"))
    expect(cell).to_contain_text("805")
    expect(cell).to_be_in_viewport()
