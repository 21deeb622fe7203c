"""Stage 2: a content file's text into a ``Report`` (sections as Markdown, the three tables)."""

from __future__ import annotations

from nianbao.domain.diagnostics import Diagnostic
from nianbao.domain.forms import Forms, load_forms
from nianbao.domain.model import ABSENT, Report, Section
from nianbao.domain.model import Document
from nianbao.reading.prose import is_title_line, split_sections, to_markdown
from nianbao.reading.tables import READERS


def combine_versions(versions: list[str]) -> str:
    """The report's template: the one all its tables share, else ``hybrid``."""
    distinct = {v for v in versions if v}
    if len(distinct) == 1:
        return distinct.pop()
    return "hybrid" if distinct else ""


def parse_document(doc: Document, forms: Forms | None = None) -> tuple[Report | None, list[Diagnostic]]:
    forms = forms or load_forms()
    src = doc.source
    lines = [(doc.body_line + i, text) for i, text in enumerate(doc.body.split("\n"))]
    raw_sections = split_sections(lines, forms)
    diags: list[Diagnostic] = []
    cells = []
    table_versions: dict[str, str] = {}
    notes: dict[str, tuple[str, ...]] = {}
    sections: list[Section] = []
    found_codes = {s.code for s in raw_sections}
    last_line = lines[-1][0] if lines else doc.body_line
    for section in forms.sections:
        if section.code not in found_codes:
            diags.append(src.diagnostic(
                last_line if section.table else doc.body_line, 1, "section-missing",
                f"no section {section.number}、{section.label_zh} was found",
                hint=f"a heading line such as '{section.heading}'" + (
                    f", after section {forms.sections[forms.sections.index(section) - 1].number}"
                    if forms.sections.index(section) else ", at the start of the report"),
                severity="error" if section.table else "warning"))
    for raw in raw_sections:
        body = list(raw.lines)
        if raw.code == "preamble":
            first = next((i for i, (_, t) in enumerate(body) if t.strip()), None)
            if first is not None and is_title_line(body[first][1]):
                body = body[first + 1 :]
        table = next((s.table for s in forms.sections if s.code == raw.code), None)
        if table:
            read = READERS[table](body, src, forms, doc.meta.year)
            diags.extend(read.diagnostics)
            if not read.found:
                number = forms.table(table).number
                diags.append(src.diagnostic(
                    raw.line, 1, "table-missing",
                    f"section {raw.heading} has no table {number}",
                    hint=f"the statutory table {number} ({forms.table(table).label_zh}) "
                         "follows its section heading, one row per line, cells separated by tabs"))
            elif not any(d.is_error for d in read.diagnostics) and \
                    all(c.status == ABSENT for c in read.cells):
                number = forms.table(table).number
                where = next((d for d in read.diagnostics if d.code == "unknown-row"), None)
                diags.append(src.diagnostic(
                    where.line if where else raw.line, where.col if where else 1, "table-unknown",
                    f"the table under section {raw.heading} has none of the rows of table {number}",
                    hint=f"table {number} ({forms.table(table).label_zh}) is printed with the "
                         "template's row labels; is this another table, or are its labels changed?"))
            cells.extend(read.cells)
            if read.notes:
                notes[table] = tuple(read.notes)
            table_versions[table] = read.version
            body = read.prose
        sections.append(Section(raw.code, raw.heading, to_markdown(body), raw.line))
    if any(d.is_error for d in diags):
        return None, diags
    template = combine_versions([table_versions.get("active", ""),
                                 table_versions.get("applications", "")])
    report = Report(
        meta=doc.meta,
        path=doc.path,
        template=template,
        table_templates=table_versions,
        sections=tuple(s for s in sections if s.markdown or s.code != "preamble"),
        cells=tuple(cells),
        full_text=doc.meta.full_text,
        notes=notes,
    )
    return report, diags
