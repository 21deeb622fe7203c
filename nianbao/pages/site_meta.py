"""The site's machine-readable files: sitemap, robots.txt, Atom feed of reports, and the
schema.org Dataset description of the datasets page. Absolute addresses need ``--base-url`` as an
absolute http(s) URL; without it, or with a path only (``/nianbao/``: where the 404 page links
to), the sitemap, the feed and canonical links are left out (relative links keep working
everywhere)."""

from __future__ import annotations

import json
from html import escape as _html_escape

from nianbao.domain.model import Report
from nianbao.packaging.packages import PACKAGE_NAME
from nianbao.pages.contexts import Page


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities (what ``xml.sax.saxutils.escape`` does, without
    the import of ``urllib.request`` and ``http.client`` it brings: 30 ms of every build's start)."""
    return _html_escape(text, quote=False)


def absolute(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{path}"


def sitemap(base_url: str, paths: list[str]) -> bytes:
    urls = "".join(f"  <url><loc>{escape(absolute(base_url, p))}</loc></url>\n"
                   for p in sorted(paths) if p != "404.html")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n").encode("utf-8")


def robots(base_url: str) -> bytes:
    text = "User-agent: *\nAllow: /\n"
    if base_url:
        text += f"Sitemap: {absolute(base_url, 'sitemap.xml')}\n"
    return text.encode("utf-8")


def _updated(report: Report) -> str:
    """The content's own date: when it was published, else the end of its reporting year."""
    return f"{report.meta.published or f'{report.meta.year}-12-31'}T00:00:00Z"


def feed(base_url: str, title: str, reports: list[Report]) -> bytes:
    ordered = sorted(reports, key=lambda r: (_updated(r), r.report_id), reverse=True)
    entries = []
    for r in ordered:
        url = absolute(base_url, f"reports/{r.report_id}/index.html")
        entries.append(
            "  <entry>\n"
            f"    <id>{escape(url)}</id>\n"
            f"    <title>{escape(r.meta.title)}</title>\n"
            f"    <link rel=\"alternate\" type=\"text/html\" href=\"{escape(url)}\"/>\n"
            f"    <updated>{_updated(r)}</updated>\n"
            f"    <author><name>{escape(r.meta.agency)}</name></author>\n"
            f"    <summary>{escape(r.meta.agency)} {r.meta.year} 年度政府信息公开工作年度报告的表格与校验。</summary>\n"
            "  </entry>\n")
    updated = _updated(ordered[0]) if ordered else "1980-01-01T00:00:00Z"
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
            f"  <id>{escape(absolute(base_url, 'feed.xml'))}</id>\n"
            f"  <title>{escape(title)}</title>\n"
            f"  <link rel=\"self\" href=\"{escape(absolute(base_url, 'feed.xml'))}\"/>\n"
            f"  <updated>{updated}</updated>\n"
            + "".join(entries) + "</feed>\n").encode("utf-8")


def dataset_jsonld(base_url: str, reports: list[Report], description: str) -> str:
    """schema.org Dataset for the datasets page, safe to embed in a <script> element."""
    years = sorted({r.meta.year for r in reports})

    def url(path: str) -> str:
        return absolute(base_url, path) if base_url else path

    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": "政府信息公开工作年度报告数据",
        "alternateName": "Government information disclosure annual reports (China)",
        "description": description,
        "inLanguage": "zh-CN",
        "keywords": ["政府信息公开", "年度报告", "依申请公开", "行政复议", "open government"],
        "temporalCoverage": f"{years[0]}/{years[-1]}" if years else "",
        "isAccessibleForFree": True,
        "url": url("datasets/index.html"),
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": fmt, "contentUrl": url(f"data/{path}")}
            for fmt, path in (("application/json", "datapackage.json"),
                              ("application/zip", f"{PACKAGE_NAME}.zip"),
                              ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               f"{PACKAGE_NAME}.xlsx"))
        ],
        "creator": [{"@type": "GovernmentOrganization", "name": a}
                    for a in sorted({r.meta.agency for r in reports})],
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
