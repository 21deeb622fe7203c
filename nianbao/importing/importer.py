"""``build.py import SOURCE``: a published document into one canonical content file.

Read the document (``sources``), detect its year, agency and title (options override), parse it
with the same parser the build uses, write the canonical form (``canonical``), and check that
the written file parses back to exactly the same figures before keeping it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from nianbao.domain.diagnostics import Diagnostic, SourceText, display_path
from nianbao.domain.forms import load_forms
from nianbao.domain.model import Document
from nianbao.domain.model import Meta, Report
from nianbao.importing.canonical import to_content
from nianbao.reading.load import MAX_BYTES, SLUG, load_document
from nianbao.reading.parse import parse_document
from nianbao.reading.sources import Extracted, SourceError, one_line, read_source

_TITLE_YEAR = re.compile(r"^(.*?)(20\d{2})\s*年\s*度?\s*(.*?)(?:政府信息公开|政务公开|信息公开)")


@dataclass
class ImportResult:
    path: Path | None = None
    report: Report | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def detect_title(ex: Extracted) -> str:
    if ex.title and "报告" in ex.title:
        return "".join(ex.title.split())
    head = [line.strip() for line in ex.lines[:12] if line.strip()]
    for i, line in enumerate(head[:4]):
        if "年度报告" in line or "工作报告" in line:
            starts_with_year = re.match(r"^\s*20\d{2}\s*年", line) is not None
            first = i - 1 if i and starts_with_year and len(head[i - 1]) <= 30 else i
            title = "".join("".join(head[first : i + 1]).split())
            return re.split(r"(?<=报告)", title, maxsplit=1)[0]
    return ""


def detect(ex: Extracted, year: int | None, agency: str | None) -> tuple[str, int | None, str]:
    """(title, year, agency) from the document, where the options do not give them."""
    title = detect_title(ex)
    m = _TITLE_YEAR.match(title) if title else None
    if year is None and m:
        year = int(m.group(2))
    if not agency and m:
        agency = (m.group(1) or m.group(3)).strip("《》 ")
    if year is None:
        head = "".join(ex.lines[:40])
        found = re.search(r"(20\d{2})\s*年\s*度?\s*政府信息公开", head)
        year = int(found.group(1)) if found else None
    if not title and agency and year:
        title = f"{agency}{year}年政府信息公开工作年度报告"
    return title, year, agency or ""


def default_agency_id(agency: str) -> str:
    from pypinyin import lazy_pinyin

    slug = "".join(lazy_pinyin(agency)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    return slug[:40].strip("-")


def _locate(diags: list[Diagnostic], ex: Extracted, shown: str) -> list[Diagnostic]:
    """Point diagnostics at the source file: its own line (text, HTML) or its page (PDF)."""
    out = []
    for d in diags:
        origin = ex.origin[d.line - 1] if 0 < d.line <= len(ex.origin) else ""
        if origin.isdigit():
            out.append(Diagnostic(shown, int(origin), d.col, d.code, d.message, d.hint,
                                  d.source, d.severity))
        else:
            page = f" (page {origin[1:]} of the PDF, text line {d.line})" if origin else ""
            out.append(Diagnostic(shown, d.line, d.col, d.code, d.message + page, d.hint,
                                  d.source, d.severity))
    return out


WEB_ADDRESS = re.compile(r"^https?://\S+$")


def _detected(ex: Extracted, shown: str, diags: list[Diagnostic], url: str) -> tuple[str, str]:
    """(source address, publication date): ``url`` if given, else those found in the document;
    one found that is not a web address or a date is left out, with a warning."""
    url, published = url or ex.source_url.strip(), ex.published.strip()
    dropped = []
    if url and not WEB_ADDRESS.match(url):
        dropped.append(f"source address {url[:60]!r}")
        url = ""
    if published:
        try:
            published = dt.date.fromisoformat(published).isoformat()
        except ValueError:
            dropped.append(f"publication date {published[:20]!r}")
            published = ""
    if dropped:
        diags.append(Diagnostic(shown, 1, 1, "detected-field-dropped",
                                f"the {' and '.join(dropped)} found in the document "
                                f"{'is' if len(dropped) == 1 else 'are'} not valid and left out",
                                hint="pass --source-url, or add it to the content file by hand",
                                severity="warning"))
    return url, published


def import_source(source: Path, content: Path, year: int | None = None, agency: str | None = None,
                  agency_id: str | None = None, data_only: bool = False,
                  source_url: str | None = None, force: bool = False) -> ImportResult:
    result = ImportResult()
    shown = display_path(source)
    if not source.is_file():
        result.diagnostics.append(Diagnostic(shown, 1, 1, "source-missing", f"no file {shown}",
                                             hint="the path of a .txt, .md, .html or .pdf report"))
        return result
    try:
        ex = read_source(source)
    except SourceError as exc:
        result.diagnostics.append(Diagnostic(shown, 1, 1, exc.code, exc.message, exc.hint))
        return result
    except OSError as exc:
        result.diagnostics.append(Diagnostic(shown, 1, 1, "file-unreadable",
                                             f"the file cannot be read: {exc.strerror or exc}",
                                             hint="the path of a readable file"))
        return result
    title, year, agency = detect(ex, year, one_line(agency or ""))
    problems = []
    if year is None:
        problems.append(("year-unknown", "the reporting year was not found in the document",
                         "pass --year YEAR"))
    elif not 2008 <= year <= 2100:
        problems.append(("year-invalid", f"{year} is not a reporting year",
                         "reports exist from 2008 on; pass --year YEAR"))
    if source_url and not WEB_ADDRESS.match(source_url):
        problems.append(("source-url-invalid", f"--source-url {source_url!r} is not a web address",
                         "the http(s) address the report was published at"))
    if not agency:
        problems.append(("agency-unknown", "the agency was not found in the document",
                         "pass --agency NAME (the agency's name in Chinese)"))
    agency_id = agency_id or (default_agency_id(agency) if agency else "")
    if agency and not SLUG.match(agency_id or ""):
        problems.append(("agency-id", f"agency id {agency_id!r} is not an ASCII slug",
                         "pass --agency-id such as pingtan (lower-case letters, digits, hyphens)"))
    if problems:
        result.diagnostics += [Diagnostic(shown, 1, 1, c, m, h) for c, m, h in problems]
        return result
    source_url, published = _detected(ex, shown, result.diagnostics, source_url or "")
    meta = Meta(year=year, agency_id=agency_id, agency=agency, title=title, source_url=source_url,
                published=published, full_text=not data_only)
    text = SourceText(shown, ex.text)
    report, diags = parse_document(Document(text, meta, ex.text, 1), load_forms())
    result.diagnostics += _locate(diags, ex, shown)
    if report is None:
        return result
    result.report = report
    target = content / str(year) / f"{agency_id}.md"
    if target.exists() and not force:
        result.diagnostics.append(Diagnostic(
            display_path(target), 1, 1, "content-exists", f"{display_path(target)} already exists",
            hint="remove it, or pass --force to replace it with this import"))
        return result
    if target.exists():  # --force: keep what a maintainer confirmed against the source
        previous, _ = load_document(target, content)
        if previous is not None and previous.meta.discrepancies:
            report = replace(report, meta=replace(report.meta,
                                                  discrepancies=previous.meta.discrepancies))
    written = to_content(report, report.notes, data_only)
    if len(written.encode("utf-8")) > MAX_BYTES:
        result.diagnostics.append(Diagnostic(
            shown, 1, 1, "file-too-large", f"the content file read from it would be "
            f"{len(written.encode('utf-8'))} bytes, too large to be a report",
            hint=f"a content file is at most {MAX_BYTES} bytes; is this one report?"))
        return result
    _check_round_trip(report, written, target, content)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(written, "utf-8")
    result.path = target
    return result


def _check_round_trip(report: Report, written: str, target: Path, content: Path) -> None:
    """The written file must parse back to the same figures; anything else is a bug."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / str(report.meta.year) / target.name
        probe.parent.mkdir(parents=True)
        probe.write_text(written, "utf-8")
        doc, diags = load_document(probe, Path(tmp))
        again, more = parse_document(doc, load_forms()) if doc else (None, diags)
    if again is None:
        raise RuntimeError("canonical form does not parse: " + "; ".join(d.format() for d in more))
    before = [(c.key, c.value, c.status) for c in report.cells]
    after = [(c.key, c.value, c.status) for c in again.cells]
    if before != after:
        diff = [(a, b) for a, b in zip(before, after) if a != b][:3]
        raise RuntimeError(f"canonical form changes figures: {diff}")
