"""Stage 1: read the content files (``content/<year>/<agency_id>.md``) and their front matter."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import yaml

from nianbao.domain.diagnostics import Diagnostic, SourceText, display_path
from nianbao.domain.model import Discrepancy, Document, Meta
from nianbao.reading.parse import parse_document
from nianbao.reading.sources import decode_content

REQUIRED = ("title", "agency", "agency_id", "year")
OPTIONAL = ("source_url", "published", "full_text", "discrepancies")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_BYTES = 5 * 1024 * 1024


def content_files(content_dir: Path) -> list[Path]:
    """Every ``*.md`` file below ``content_dir`` (folders linked to are followed, once each) but
    hidden ones, in path order. By ``scandir``, whose entries know their kind: ``rglob`` and a
    ``stat`` of each file took three times as long, at 10,000 files a twentieth of a second."""
    found: list[str] = []
    stack, seen = [str(content_dir)], set()
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                entries = list(it)
        except OSError:
            continue
        for e in entries:
            if e.is_dir():
                if e.is_symlink():
                    st = e.stat()
                    if (st.st_dev, st.st_ino) in seen:
                        continue
                    seen.add((st.st_dev, st.st_ino))
                stack.append(e.path)
            elif e.name.endswith(".md") and not e.name.startswith(".") and e.is_file():
                found.append(e.path)
    start = len(str(content_dir)) + 1
    found.sort(key=lambda p: p[start:].split("/"))  # as paths sort: folder by folder
    return [Path(p) for p in found]


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
    """A content file read and its front matter checked, or every problem found in it: the
    bytes (size, encoding, binary), the front matter, and then, where the front matter is wrong
    but its end is known, the report text too, so that one run shows all of a file's problems."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Diagnostic(shown, 1, 1, "file-too-large",
                                     f"{size} bytes is too large to be a report",
                                     hint=f"a report is text of at most {MAX_BYTES} bytes "
                                          "(a long report is about 100 kB)")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic(shown, 1, 1, "file-unreadable",
                                 f"the file cannot be read: {exc.strerror or exc}",
                                 hint="a content file must be a readable regular file")]
    text, problems = decode_content(raw, shown)
    if text is None:
        return None, problems
    source = SourceText(shown, text)
    lines = text.split("\n")
    if lines[0].strip() != "---":
        first = next((line.strip() for line in lines if line.strip()), "")
        return None, [source.diagnostic(1, 1, "front-matter-missing",
                                        f"the file starts with {first[:30]!r}, not front matter",
                                        hint="start with a '---' line, the YAML fields (title, "
                                             "agency, agency_id, year), and another '---' line")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [source.diagnostic(1, 1, "front-matter-unclosed",
                                        "the front matter has no closing '---' line",
                                        hint="end the YAML fields with a line of three dashes")]
    front = lines[1:end]
    body = "\n".join(lines[end + 1 :])
    fields, diags = _front_matter(front, source)
    meta = None
    if fields is not None:
        meta, more = check_meta(fields, source, front, path, content_dir)
        diags += more
    if meta is None or any(d.is_error for d in diags):
        return None, diags + _body_problems(source, body, end + 2, fields, path)
    diags += _path_warnings(source, meta, path)
    return Document(source=source, meta=meta, body=body, body_line=end + 2), diags


class _Loader(yaml.SafeLoader):
    """YAML as ``safe_load`` reads it, except that a date that does not exist (2021-13-40) stays
    text for ``check_meta`` to name, and a value no constructor can make (``!!int abc``, an int of
    5,000 digits) is a located YAML error, where ``safe_load`` raises ValueError, KeyError…"""

    def construct_mapping(self, node, deep=False):
        # keys stay the text they are written as: `2020:` or `on:` is the key "2020" or "on"
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key_node.tag = "tag:yaml.org,2002:str"
        return super().construct_mapping(node, deep)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            shown = node.value if isinstance(node.value, str) else "…"
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown[:20]!r} cannot be read as {kind}", node.start_mark) from exc


def _timestamp(loader: _Loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _front_matter(front: list[str], source: SourceText) -> tuple[dict | None, list[Diagnostic]]:
    """The front matter's fields, or the located reason they cannot be read."""
    seen: dict[str, int] = {}
    diags = []
    for i, line in enumerate(front):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m and m.group(1) in seen:
            diags.append(source.diagnostic(i + 2, 1, "front-matter-duplicate",
                                           f"'{m.group(1)}' is given twice (first on line "
                                           f"{seen[m.group(1)]})",
                                           hint="keep one line per field"))
        elif m:
            seen[m.group(1)] = i + 2
    try:
        fields = yaml.load("\n".join(front), Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark else 2
        col = (mark.column + 1) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        context, where = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and where and mark and where.line != mark.line:
            problem += f" ({context} on line {where.line + 2})"
        return None, diags + [source.diagnostic(line, col, "front-matter-yaml",
                                                f"front matter is not valid YAML: {problem}",
                                                hint="write one 'key: value' per line")]
    except RecursionError:
        return None, diags + [source.diagnostic(2, 1, "front-matter-yaml",
                                                "front matter is not valid YAML: it nests too deeply",
                                                hint="write one 'key: value' per line")]
    if not isinstance(fields, dict):
        return None, diags + [source.diagnostic(2, 1, "front-matter-yaml",
                                                f"front matter is a {type(fields).__name__}, not "
                                                "'key: value' lines",
                                                hint="write one 'key: value' per line")]
    return fields, diags


def _body_problems(source: SourceText, body: str, body_line: int, fields: dict | None,
                   path: Path) -> list[Diagnostic]:
    """The errors in the report text of a file whose front matter is wrong, read with the year of
    the front matter or of the folder (the template's fallback depends on it)."""
    year = (fields or {}).get("year")
    if not (isinstance(year, int) and 2008 <= year <= 2100):
        folder = path.parent.name
        year = int(folder) if folder.isdigit() and 2008 <= int(folder) <= 2100 else None
    if year is None:
        return []
    meta = Meta(year=year, agency_id="unknown", agency="", title="")
    _, diags = parse_document(Document(source, meta, body, body_line))
    return [d for d in diags if d.is_error]


def _path_warnings(source: SourceText, meta: Meta, path: Path) -> list[Diagnostic]:
    """A file not at content/<year>/<agency_id>.md is read, with a warning saying so."""
    expected = f"{meta.year}/{meta.agency_id}.md"
    if f"{path.parent.name}/{path.name}" == expected:
        return []
    line = next((i + 1 for i, t in enumerate(source.lines[:40]) if t.startswith("agency_id")), 1)
    return [source.diagnostic(line, 1, "content-path",
                              f"the file is {path.parent.name}/{path.name}; report "
                              f"{meta.report_id} belongs in {expected}",
                              hint=f"move it to content/{expected} (the report id comes from the "
                                   "front matter, not the path)", severity="warning")]


_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _unprintable(value) -> str:
    """The first control character, lone surrogate or non-character in a front-matter value
    (walked without recursion: YAML anchors can make a list that holds itself)."""
    todo, seen = [value], set()
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            m = _UNPRINTABLE.search(item)
            if m:
                return m.group()
        elif isinstance(item, (list, dict)) and id(item) not in seen:
            seen.add(id(item))
            todo.extend([*item.keys(), *item.values()] if isinstance(item, dict) else item)
    return ""


def _short(value) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


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
        bad("year", "front-matter-year", f"year {_short(year)} is not a reporting year",
            "a four-digit year such as 2020")
        year = None
    folder = path.parent.name
    if isinstance(year, int) and folder.isdigit() and int(folder) != year:
        bad("year", "year-mismatch", f"year {year} disagrees with the folder {folder}/",
            f"move the file into a {year}/ folder or correct the year")
    agency_id = fields.get("agency_id")
    if agency_id not in (None, "") and not (isinstance(agency_id, str) and SLUG.match(agency_id)):
        bad("agency_id", "front-matter-agency-id", f"agency_id {_short(agency_id)} is not an ASCII slug",
            "lower-case letters, digits and single hyphens, e.g. heilongjiang or pingtan-zhq")
    published = fields.get("published", "")
    if isinstance(published, dt.datetime):
        published = published.date()
    if isinstance(published, dt.date):
        published = published.isoformat()
    elif published not in (None, ""):
        try:
            published = dt.date.fromisoformat(str(published)).isoformat()
        except ValueError:
            bad("published", "front-matter-date", f"published {_short(published)} is not a date",
                "an ISO date such as 2021-01-29, or leave it out")
    source_url = fields.get("source_url") or ""
    if source_url and not re.match(r"^https?://\S+$", str(source_url)):
        bad("source_url", "front-matter-url", f"source_url {_short(source_url)} is not a web address",
            "the http(s) address the report was published at")
    full_text = fields.get("full_text", True)
    if not isinstance(full_text, bool):
        bad("full_text", "front-matter-field", f"full_text {_short(full_text)} is not true or false",
            "full_text: false marks a data-only entry (figures and link, no prose)")
    for name in ("title", "agency"):
        if fields.get(name) not in (None, "") and not isinstance(fields.get(name), str):
            bad(name, "front-matter-field", f"'{name}' must be text", "quote the value")
    for name, value in fields.items():  # a YAML escape ("\x07", "\ud800") hides from the raw text
        char = _unprintable(value)
        if char:
            bad(name, "control-character", f"'{name}' holds the character U+{ord(char):04X}, "
                "written as a YAML escape", "remove it: front matter values are plain text")
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
