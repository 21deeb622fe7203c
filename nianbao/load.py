"""Stage 1: read the content files (``content/<year>/<agency_id>.md``) and their front matter."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .diagnostics import Diagnostic, SourceText, display_path
from .model import Discrepancy, Meta

REQUIRED = ("title", "agency", "agency_id", "year")
OPTIONAL = ("source_url", "published", "full_text", "discrepancies")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    """A content file: its checked front matter and the report text below it."""

    source: SourceText
    meta: Meta
    body: str
    body_line: int  # line number (1-based) of the body's first line in the file

    @property
    def path(self) -> str:
        return self.source.path


def content_files(content_dir: Path) -> list[Path]:
    return sorted(p for p in content_dir.rglob("*.md") if p.is_file() and not p.name.startswith("."))


def missing_content(content_dir: Path) -> list[Diagnostic]:
    """The located error for a content folder that is not there (or nothing)."""
    if content_dir.is_dir():
        return []
    shown = display_path(content_dir)
    return [Diagnostic(shown, 1, 1, "content-missing", f"no content folder at {shown}",
                       hint="pass --content DIR, a folder of <year>/<agency_id>.md files")]


def load_content(content_dir: Path) -> tuple[list[Document], list[Diagnostic]]:
    """Every content file below ``content_dir``, in path order, with every problem found in each
    file (problems between files, such as two files of one report, are the pipeline's)."""
    docs: list[Document] = []
    diags = missing_content(content_dir)
    if diags:
        return docs, diags
    for path in content_files(content_dir):
        doc, found = load_document(path, content_dir)
        diags.extend(found)
        if doc is not None:
            docs.append(doc)
    return docs, diags


def load_document(path: Path, content_dir: Path) -> tuple[Document | None, list[Diagnostic]]:
    shown = display_path(path)
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        return None, [Diagnostic(shown, 1, 1, "file-too-large",
                                 f"{len(raw)} bytes is too large to be a report",
                                 hint=f"a report is text of at most {MAX_BYTES} bytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Diagnostic(shown, line, 1, "not-utf8",
                                 f"byte {exc.start} is not UTF-8",
                                 hint="save the file as UTF-8 (GBK/GB18030 text must be converted)")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    source = SourceText(shown, text)
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [source.diagnostic(1, 1, "front-matter-missing",
                                        "the file does not start with front matter",
                                        hint="start with a '---' line, the YAML fields, and another '---' line")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [source.diagnostic(1, 1, "front-matter-unclosed",
                                        "the front matter has no closing '---' line",
                                        hint="end the YAML fields with a line of three dashes")]
    try:
        fields = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark else 2
        col = (mark.column + 1) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [source.diagnostic(line, col, "front-matter-yaml",
                                        f"front matter is not valid YAML: {problem}",
                                        hint="write one 'key: value' per line")]
    if not isinstance(fields, dict):
        return None, [source.diagnostic(2, 1, "front-matter-yaml",
                                        "front matter must be a mapping of 'key: value' lines")]
    meta, diags = check_meta(fields, source, lines[1:end], path, content_dir)
    if meta is None:
        return None, diags
    body = "\n".join(lines[end + 1 :])
    return Document(source=source, meta=meta, body=body, body_line=end + 2), diags


def _field_line(front: list[str], name: str) -> int:
    for i, line in enumerate(front):
        if re.match(rf"^{re.escape(name)}\s*:", line):
            return i + 2
    return 1


def check_meta(
    fields: dict, source: SourceText, front: list[str], path: Path, content_dir: Path
) -> tuple[Meta | None, list[Diagnostic]]:
    diags: list[Diagnostic] = []

    def bad(name: str, code: str, message: str, hint: str) -> None:
        line = _field_line(front, name)
        diags.append(source.diagnostic(line, 1, code, message, hint=hint))

    for name in REQUIRED:
        if fields.get(name) in (None, ""):
            bad(name, "front-matter-field", f"front matter has no '{name}'",
                f"add '{name}: …' (required: {', '.join(REQUIRED)})")
    for name in sorted(set(fields) - set(REQUIRED) - set(OPTIONAL)):
        bad(name, "front-matter-unknown", f"unknown front matter field '{name}'",
            f"known fields: {', '.join(REQUIRED + OPTIONAL)}; the template is detected, not declared")
    year = fields.get("year")
    if year not in (None, "") and not (isinstance(year, int) and 2008 <= year <= 2100):
        bad("year", "front-matter-year", f"year {year!r} is not a reporting year",
            "a four-digit year such as 2020")
        year = None
    folder = path.parent.name
    if isinstance(year, int) and folder.isdigit() and int(folder) != year:
        bad("year", "year-mismatch", f"year {year} disagrees with the folder {folder}/",
            f"move the file into a {year}/ folder or correct the year")
    agency_id = fields.get("agency_id")
    if agency_id not in (None, "") and not (isinstance(agency_id, str) and SLUG.match(agency_id)):
        bad("agency_id", "front-matter-agency-id", f"agency_id {agency_id!r} is not an ASCII slug",
            "lower-case letters, digits and single hyphens, e.g. heilongjiang or pingtan-zhq")
    published = fields.get("published", "")
    if isinstance(published, dt.date):
        published = published.isoformat()
    elif published not in (None, ""):
        try:
            published = dt.date.fromisoformat(str(published)).isoformat()
        except ValueError:
            bad("published", "front-matter-date", f"published {published!r} is not a date",
                "an ISO date such as 2021-01-29, or leave it out")
    source_url = fields.get("source_url") or ""
    if source_url and not re.match(r"^https?://\S+$", str(source_url)):
        bad("source_url", "front-matter-url", f"source_url {source_url!r} is not a web address",
            "the http(s) address the report was published at")
    full_text = fields.get("full_text", True)
    if not isinstance(full_text, bool):
        bad("full_text", "front-matter-field", f"full_text {full_text!r} is not true or false",
            "full_text: false marks a data-only entry (figures and link, no prose)")
    for name in ("title", "agency"):
        if fields.get(name) not in (None, "") and not isinstance(fields.get(name), str):
            bad(name, "front-matter-field", f"'{name}' must be text", "quote the value")
    discrepancies = _discrepancies(fields.get("discrepancies"), front, source, diags)
    if diags:
        return None, diags
    return (
        Meta(
            year=year,
            agency_id=agency_id,
            agency=fields["agency"].strip(),
            title=fields["title"].strip(),
            source_url=str(source_url),
            published=published or "",
            full_text=full_text,
            discrepancies=discrepancies,
        ),
        diags,
    )


DISCREPANCY_HINT = ("a list of entries such as '- {check: A2, scope: total, note: 原表总计列空白，"
                    "已与原文核对}' (check and scope as `build.py check` prints them)")


def _discrepancies(value, front: list[str], source: SourceText,
                   diags: list[Diagnostic]) -> tuple[Discrepancy, ...]:
    """The acknowledged discrepancies, each located on its own line of the front matter."""
    if value in (None, ""):
        return ()
    start = _field_line(front, "discrepancies")
    if not isinstance(value, list):
        diags.append(source.diagnostic(start, 1, "front-matter-discrepancies",
                                       "'discrepancies' must be a list", hint=DISCREPANCY_HINT))
        return ()
    items = [i + 2 for i, text in enumerate(front) if i + 2 > start and re.match(r"^\s*-\s", text)]
    out = []
    for n, entry in enumerate(value):
        line = items[n] if n < len(items) else start
        fields = entry if isinstance(entry, dict) else {}
        missing = [k for k in ("check", "scope", "note")
                   if not isinstance(fields.get(k), str) or not fields[k].strip()]
        unknown = sorted(set(fields) - {"check", "scope", "note"})
        if missing or unknown or not isinstance(entry, dict):
            what = (f"has no {', '.join(missing)}" if missing else f"has unknown key {unknown[0]!r}")
            diags.append(source.diagnostic(line, 1, "front-matter-discrepancies",
                                           f"discrepancy {n + 1} {what}", hint=DISCREPANCY_HINT))
            continue
        out.append(Discrepancy(fields["check"].strip(), fields["scope"].strip(),
                               fields["note"].strip(), line))
    return tuple(out)
