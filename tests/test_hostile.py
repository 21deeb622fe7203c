"""Nothing injected: hostile content, built through the command line as a new user would.

- raw HTML and scripts in the prose are shown as text; `javascript:`, `vbscript:`, `data:` and
  `file:` links are dropped; front-matter strings are escaped wherever they appear (pages, the
  search page's data, the feed, the charts);
- `agency_id` values that name other folders are rejected with a located error, and the
  previous `site/` and `datapackages/` stay byte-identical;
- text cells a spreadsheet would run as a formula are neutralised in every CSV and workbook,
  while numbers stay numbers;
- every page carries the Content-Security-Policy meta tag and no script but the site's own.

Pages are asserted on parsed HTML (BeautifulSoup's html.parser, as tests/pages/test_site_views.py)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urljoin
from xml.etree import ElementTree as ET

import pytest
import yaml
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from nianbao.cli import main

from conftest import CONTENT, ROOT

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TITLE = ('=HYPERLINK("http://evil.example","点我")<script>alert(1)</script>'
         '"><img src=x onerror=alert(1)>黑龙江省2020年政府信息公开工作年度报告')
AGENCY = '@SUM(1+1)"><img src=x onerror=alert(1)></script><!--<script>'
SOURCE_URL = 'https://example.org/"onmouseover="alert(1)"><script>alert(2)</script>'
TITLE_2 = "-2+3+cmd|' /C calc'!A0 黑龙江省2020年政府信息公开工作年度报告"
AGENCY_2 = "+cmd|' /C calc'!A0"
PROSE = """\
<script>alert("prose")</script>

<iframe src="https://evil.example/"></iframe>

[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:msgbox(1)) [d](data:text/html,<script>alert(1)</script>) [e](jav&#x09;ascript:alert(1)) [f](&#106;avascript:alert(1)) [g]( javascript:alert(1)) [h](file:///etc/passwd) [i](<javascript:alert(1)>) [ref][r]。

<a href="javascript:alert(1)">raw</a> <javascript:alert(1)> <https://example.org/ok> <img src=x onerror=alert(1)> <svg onload=alert(1)>。

![svg](data:image/svg+xml,<svg onload=alert(1)>) ![png](data:image/png;base64,iVBORw0KGgo=)。

[r]: javascript:alert(1)
"""
NOTE = '注：<script>alert("note")</script> [n](javascript:alert(1)) <img src=x onerror=alert(1)>。'
TRIGGER_ROWS = "=cmd|' /C calc'!A0\t1\t2\t3\n+1+1\t1\t2\t3\n-1+1\t1\t2\t3\n@SUM(A1)\t1\t2\t3\n"


def seed_text() -> str:
    return (CONTENT / "2020" / "heilongjiang.md").read_text("utf-8")


def content_file(front: dict, body_edit=None) -> str:
    """The seed report with other front matter (quoted by YAML itself) and an edited body."""
    body = seed_text().split("---\n", 2)[2]
    if body_edit:
        body = body_edit(body)
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10**6) + \
        "---\n" + body


def hostile_body(body: str) -> str:
    body = body.replace("\n一、总体情况\n", "\n一、总体情况\n\n" + PROSE + "\n", 1)
    body = body.replace("规范性文件\t1959\t1959\t11293\n", "规范性文件\t1959\t1959\t11293\n" + TRIGGER_ROWS, 1)
    body = body.replace("\n五、存在的问题及改进情况\n", "\n" + NOTE + "\n\n五、存在的问题及改进情况\n", 1)
    assert PROSE in body and TRIGGER_ROWS in body and NOTE in body
    return body


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def cli_build(content: Path, out: Path, *extra: str) -> int:
    return main(["build", "--content", str(content), "--site", str(out / "site"),
                 "--data", str(out / "data"), "--no-cache", *extra])


def seed_folder(out: Path) -> Path:
    """``out/content/2020`` holding the seed report: the content folder of both builds here."""
    content = out / "content" / "2020"
    content.mkdir(parents=True)
    shutil.copy(CONTENT / "2020" / "heilongjiang.md", content / "heilongjiang.md")
    return content


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """The seed report and two hostile ones (accepted: their front matter is valid), built."""
    out = tmp_path_factory.mktemp("hostile")
    content = seed_folder(out)
    (content / "evil.md").write_text(content_file(
        {"title": TITLE, "agency": AGENCY, "agency_id": "evil", "year": 2020,
         "source_url": SOURCE_URL}, hostile_body), "utf-8")
    (content / "evil-two.md").write_text(content_file(
        {"title": TITLE_2, "agency": AGENCY_2, "agency_id": "evil-two", "year": 2020}), "utf-8")
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli_build(out / "content", out, "--base-url", "https://example.org/nianbao")
    assert code == 0, err.getvalue()
    return {"root": out, "site": out / "site", "data": out / "data", "stderr": err.getvalue()}


def pages(site: Path):
    for path in sorted(site.rglob("*.html")):
        yield path, BeautifulSoup(path.read_text("utf-8"), "html.parser")


URL_ATTRS = ("href", "src", "action", "formaction", "poster", "background", "cite", "data",
             "xlink:href", "srcset", "longdesc", "ping")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
# markdown-it lets raster images through as data: URLs (CommonMark's validateLink); they cannot
# run script, and the CSP allows `img-src data:`
HARMLESS_DATA = re.compile(r"^data:image/(gif|png|jpeg|webp);", re.I)


def scheme_of(url: str) -> str:
    """The URL as a browser parses its scheme: ASCII whitespace and controls removed, lowered."""
    return re.sub(r"[\x00-\x20]", "", url).lower()


def test_no_script_but_the_sites_own_on_any_page(hostile):
    site = hostile["site"]
    own = {p for p in site.rglob("*.js")}
    for path, doc in pages(site):
        for script in doc.find_all("script"):
            if script.get("src"):
                target = Path(unquote(urljoin(path.as_uri(), script["src"]).removeprefix("file://")))
                assert target in own and target.parent.name in ("assets", "pagefind"), (path, script)
                assert not script.string, (path, script)
            else:  # the datasets page's schema.org description: data, not code
                assert script.get("type") == "application/ld+json", (path, script)
                json.loads(script.string)
        for tag in doc.find_all(True):
            handlers = [a for a in tag.attrs if a.lower().startswith("on")]
            assert not handlers, (path, tag.name, handlers)
            assert tag.name not in ("iframe", "object", "embed", "base", "frame", "svg", "math"), (path, tag)
            if tag.name == "meta":
                assert tag.get("http-equiv", "").lower() != "refresh", (path, tag)
            for attr in URL_ATTRS:
                value = tag.get(attr)
                if value is None:
                    continue
                url = scheme_of(" ".join(value) if isinstance(value, list) else value)
                if tag.name == "img" and attr == "src" and HARMLESS_DATA.match(url):
                    continue
                assert not url.startswith(BAD_SCHEMES), (path, tag)
        assert doc.find("img", src="x") is None, path


def test_every_page_has_the_content_security_policy(hostile):
    checked = 0
    for path, doc in pages(hostile["site"]):
        csp = doc.head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert csp is not None, path
        policy = csp["content"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
        assert "object-src 'none'" in policy and "base-uri 'none'" in policy, path
        checked += 1
    assert checked >= 15


def test_hostile_strings_are_shown_as_text(hostile):
    site = hostile["site"]
    doc = BeautifulSoup((site / "reports/2020-evil/index.html").read_text("utf-8"), "html.parser")
    assert doc.h1.get_text() == TITLE
    assert doc.title.get_text().startswith(TITLE)
    assert AGENCY in doc.get_text()
    text = doc.select_one("main").get_text()
    for shown in ('<script>alert("prose")</script>', '<iframe src="https://evil.example/"></iframe>',
                  "[a](javascript:alert(1))", "[b](JAVASCRIPT:alert(1))", "[c](vbscript:msgbox(1))",
                  "[h](file:///etc/passwd)", '<a href="javascript:alert(1)">raw</a>',
                  "<javascript:alert(1)>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
                  '<script>alert("note")</script>'):
        assert shown in text, shown
    links = {a["href"] for a in doc.select("main a[href]")}
    assert "https://example.org/ok" in links  # a safe autolink stays a link
    assert SOURCE_URL in links  # the address is one attribute value, quotes and all
    for rel in ("index.html", "agencies/evil/index.html", "years/2020/index.html",
                "agencies/index.html"):
        page = BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")
        assert AGENCY in page.get_text(), rel


def test_feed_and_sitemap_are_well_formed(hostile):
    feed = ET.parse(hostile["site"] / "feed.xml").getroot()
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert TITLE in titles
    ET.parse(hostile["site"] / "sitemap.xml")


def test_charts_carry_no_script(hostile):
    svgs = sorted(hostile["site"].rglob("*.svg"))
    assert svgs
    for path in svgs:
        for el in ET.parse(path).getroot().iter():
            assert not el.tag.endswith(("script", "foreignObject")), path
            assert not [a for a in el.attrib if a.rsplit("}", 1)[-1].lower().startswith("on")], path
            for attr, value in el.attrib.items():
                if attr.endswith("href"):
                    assert not scheme_of(value).startswith(BAD_SCHEMES), path


def test_unknown_rows_with_formula_labels_are_warned_and_not_published(hostile):
    warned = re.findall(r"evil\.md:(\d+):1: warning\[unknown-row\]", hostile["stderr"])
    assert len(warned) == 4, hostile["stderr"]
    text = "".join(p.read_text("utf-8") for p in hostile["data"].rglob("*.csv"))
    for label in ("=cmd|", "+1+1", "-1+1", "@SUM(A1)"):
        assert label not in text, label


def csv_rows(descriptor: Path):
    package = json.loads(descriptor.read_text("utf-8"))
    for resource in package["resources"]:
        types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        with open(descriptor.parent / resource["path"], encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                yield resource["name"], types, row


def test_csv_text_cells_are_neutralised_and_numbers_stay_numbers(hostile):
    data = hostile["data"]
    negatives = 0
    for descriptor in sorted(data.rglob("datapackage.json")):
        for name, types, row in csv_rows(descriptor):
            for field, value in row.items():
                if types[field] in ("number", "integer", "year") and value:
                    negatives += Decimal(value) < 0  # a number, written as one
                elif types[field] in ("string", "date"):
                    assert not value.startswith(TRIGGERS), (descriptor, name, field, value)
    assert negatives >= 2 * 5  # table 二's -38, -909, -61, -1 … of each report, twice
    with open(data / "data" / "reports.csv", encoding="utf-8", newline="") as f:
        reports = {r["report_id"]: r for r in csv.DictReader(f)}
    assert reports["2020-evil"]["title"] == "'" + TITLE
    assert reports["2020-evil"]["agency"] == "'" + AGENCY
    assert reports["2020-evil"]["source_url"] == SOURCE_URL
    assert reports["2020-evil-two"]["title"] == "'" + TITLE_2
    assert reports["2020-evil-two"]["agency"] == "'" + AGENCY_2
    # the site offers the same files
    for path in data.rglob("*.csv"):
        assert (hostile["site"] / "data" / path.relative_to(data)).read_bytes() == path.read_bytes()


def test_chart_csv_text_cells_are_neutralised(hostile):
    site = hostile["site"]
    files = [p for p in site.rglob("*.csv") if not p.relative_to(site).as_posix().startswith("data/")]
    assert files
    for path in files:
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                for value in row:
                    assert not value.startswith(TRIGGERS) or re.fullmatch(r"-?\d+(\.\d+)?", value), (path, value)


def test_json_ld_follows_the_script_content_restrictions(hostile):
    doc = BeautifulSoup((hostile["site"] / "datasets/index.html").read_text("utf-8"), "html.parser")
    script = doc.find("script", type="application/ld+json")
    assert AGENCY in [c["name"] for c in json.loads(script.string)["creator"]]
    # HTML's restrictions for contents of script elements: no "<!--", "<script", "</script"
    assert not re.search(r"<!--|<script|</script", script.string, re.I)


def test_workbooks_neutralise_text_and_keep_numbers(hostile):
    site = hostile["site"]
    books = sorted(site.rglob("*.xlsx"))
    assert len(books) == 1 + 3
    for path in books:
        wb = load_workbook(path)
        for ws in wb:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "s":
                        assert not cell.value.startswith(TRIGGERS), (path, ws.title, cell.coordinate)
                    assert cell.data_type != "f", (path, ws.title, cell.coordinate)
    wb = load_workbook(site / "data" / "gov-info-disclosure-annual-reports.xlsx")
    reports = {r[0]: r for r in wb["报告"].iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in wb["报告"][1]]
    evil = dict(zip(header, reports["2020-evil"]))
    assert evil["标题"] == "'" + TITLE and evil["机关"] == "'" + AGENCY
    proactive = wb["表二 主动公开政府信息情况"]
    column = [c.value for c in proactive[1]].index("数值")
    values = [r[column] for r in proactive.iter_rows(min_row=2, values_only=True)]
    assert values.count(-38) == 3 and all(isinstance(v, (int, float)) for v in values if v is not None)
    import pandas as pd
    frame = pd.read_excel(site / "data" / "gov-info-disclosure-annual-reports.xlsx", sheet_name="报告")
    assert set(frame["标题"]) >= {"'" + TITLE, "'" + TITLE_2}


def test_outputs_stay_in_their_folders(hostile):
    root = hostile["root"]
    names = {p.name for p in root.iterdir()}
    assert {"content", "site", "data"} <= names
    # beside the outputs only the build's own bookkeeping (publish state, lock), nothing named by content
    assert all(n in ("content", "site", "data") or n.startswith(".") for n in names), names
    assert not [n for n in names if "evil" in n or "etc" in n], names
    reports = sorted(p.name for p in (hostile["data"] / "2020").iterdir())
    assert reports == ["2020-evil", "2020-evil-two", "2020-heilongjiang"]


# Rejected inputs: exit 1, a located error, the previous output byte-identical.

@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("previous")
    seed_folder(out)
    assert cli_build(out / "content", out) == 0
    return {"root": out, "site": tree(out / "site"), "data": tree(out / "data")}


BASE = {"title": "黑龙江省2020年政府信息公开工作年度报告", "agency": "黑龙江省人民政府", "year": 2020,
        "agency_id": "evil"}
REJECTED = {  # case: (front matter fields, the field the error points at, its code)
    "dot-dot-slash": ({"agency_id": "../../etc"}, "agency_id", "front-matter-agency-id"),
    "dot-dot": ({"agency_id": ".."}, "agency_id", "front-matter-agency-id"),
    "sub-folder": ({"agency_id": "a/b"}, "agency_id", "front-matter-agency-id"),
    "absolute": ({"agency_id": "/etc/passwd"}, "agency_id", "front-matter-agency-id"),
    "windows": ({"agency_id": "C:\\Windows\\evil"}, "agency_id", "front-matter-agency-id"),
    "encoded": ({"agency_id": "%2e%2e%2fetc"}, "agency_id", "front-matter-agency-id"),
    "nul": ({"agency_id": "evil\x00"}, "agency_id", "front-matter-agency-id"),
    "script": ({"agency_id": "<script>alert(1)</script>"}, "agency_id", "front-matter-agency-id"),
    "not-text": ({"agency_id": ["..", "etc"]}, "agency_id", "front-matter-agency-id"),
    "year-path": ({"year": "../2020"}, "year", "front-matter-year"),
    "title-mapping": ({"title": {"<script>": "alert(1)"}}, "title", "front-matter-field"),
    "javascript-source": ({"source_url": "javascript:alert(1)"}, "source_url", "front-matter-url"),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_rejected_input_leaves_previous_output_byte_identical(case, previous, capsys):
    fields, key, code = REJECTED[case]
    root = previous["root"]
    hostile = root / "content" / "2020" / "evil.md"
    text = content_file({**BASE, **fields})
    line = next(i for i, t in enumerate(text.split("\n"), 1) if t.startswith(f"{key}:"))
    hostile.write_text(text, "utf-8")
    try:
        capsys.readouterr()
        assert cli_build(root / "content", root) == 1
        err = capsys.readouterr().err
    finally:
        hostile.unlink()
    assert re.search(rf"evil\.md:{line}:\d+: error\[{code}\]", err), err
    assert "Traceback" not in err and "nothing was written" in err
    assert tree(root / "site") == previous["site"]
    assert tree(root / "data") == previous["data"]


def test_a_content_path_through_dot_dot_builds_into_the_given_folders(tmp_path):
    content = tmp_path / "content" / "2020"
    content.mkdir(parents=True)
    shutil.copy(CONTENT / "2020" / "heilongjiang.md", content / "heilongjiang.md")
    (tmp_path / "elsewhere").mkdir()
    assert main(["build", "--content", str(tmp_path / "elsewhere" / ".." / "content"),
                 "--site", str(tmp_path / "out" / ".." / "site"), "--data", str(tmp_path / "data"),
                 "--no-cache"]) == 0
    assert (tmp_path / "site" / "reports" / "2020-heilongjiang" / "index.html").is_file()
    assert not list((tmp_path / "elsewhere").iterdir())
    assert sorted((tmp_path / "data" / "2020").iterdir()) == [tmp_path / "data" / "2020" / "2020-heilongjiang"]


CONTROLS = {  # YAML escapes in double-quoted strings make characters the raw-text check never sees
    "bell-nul-escape": ("title", "\x07\x00\x1b[31m黑龙江省2020年政府信息公开工作年度报告"),
    "noncharacter": ("agency", "黑龙江省\ufffe人民政府"),
    "lone-surrogate": ("title", "\ud800黑龙江省2020年政府信息公开工作年度报告"),
}


@pytest.mark.parametrize("case", sorted(CONTROLS))
def test_control_characters_in_front_matter_are_a_located_error(case, tmp_path):
    """Run in a process of its own, as a user runs it: such a label must stop the build with a
    located error before it reaches any page, chart or file."""
    key, value = CONTROLS[case]
    content = tmp_path / "content" / "2020"
    content.mkdir(parents=True)
    text = content_file({"title": BASE["title"], "agency": BASE["agency"], "agency_id": "bell",
                         "year": 2020, key: value})
    (content / "bell.md").write_text(text, "utf-8")
    line = next(i for i, t in enumerate(text.split("\n"), 1) if t.startswith(f"{key}:"))
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--content", str(tmp_path / "content"),
         "--site", str(tmp_path / "site"), "--data", str(tmp_path / "data"), "--no-cache"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert re.search(rf"bell\.md:{line}:\d+: error\[", result.stderr), result.stderr
