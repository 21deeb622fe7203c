"""A report written back as a content file in the canonical form a person can read and correct:
front matter, the sections with their prose as Markdown, and the three tables as Markdown pipe
tables with the official labels. The parser reads this form back to the same figures."""

from __future__ import annotations

from decimal import Decimal

import yaml

from nianbao.domain.forms import Forms, load_forms
from nianbao.domain.model import ABSENT, BLANK, DASH, REPORTED, UNREADABLE, Cell, Report
from nianbao.reading.cells import parse_cell


def cell_text(cell: Cell | None) -> str:
    if cell is None or cell.status == BLANK:
        return ""
    if cell.status == DASH:
        return cell.raw or "-"
    if cell.status == UNREADABLE:
        return "?"
    if cell.status == ABSENT:
        return ""
    parsed = parse_cell(cell.raw) if cell.raw else None
    if parsed is not None and parsed.value == cell.value and (parsed.unit or cell.unit) == cell.unit:
        return " ".join(cell.raw.split()).replace("|", "")
    text = format(cell.value, "f") if isinstance(cell.value, Decimal) else str(cell.value)
    return f"{text} {cell.unit}" if cell.unit in ("元", "万元") else text


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _present(report: Report, table: str, key_prefix: str) -> bool:
    return any(c.status != ABSENT for c in report.table_cells(table) if c.key[0] == key_prefix)


def active_markdown(report: Report, forms: Forms) -> list[str]:
    table = forms.table("active")
    out: list[str] = []
    for article in table.articles:
        cells = [c for c in report.table_cells("active") if c.key[0] == article.code]
        if not cells or all(c.status == ABSENT for c in cells):
            continue
        measures = list(dict.fromkeys(c.key[2] for c in cells))
        version = next(v for v, ms in article.measures.items() if list(ms) == measures)
        out += [article.label.zh(), ""]
        out.append(_row([table.stub_zh] + [table.measures[m].zh(version) for m in measures]))
        out.append(_row(["---"] + ["---:"] * len(measures)))
        for item in article.items:
            row = [c for c in cells if c.key[1] == item.code]
            if not row or all(c.status == ABSENT for c in row):
                continue
            out.append(_row([item.zh(version)] + [cell_text(c) for c in row]))
        out.append("")
    return out


def applications_markdown(report: Report, forms: Forms) -> list[str]:
    table = forms.table("applications")
    cells = {c.key: c for c in report.table_cells("applications")}
    rows = list(dict.fromkeys(k[0] for k in cells))
    version = "2019" if "other_handling" in rows else "2021"
    out = [_row(["申请人情况"] + [c.zh() for c in table.columns]),
           _row(["---"] + ["---:"] * len(table.columns))]
    opened: set[str] = set()
    for code in rows:
        row = table.row(code)
        if not _present(report, "applications", code):
            continue
        for group in row.groups:
            if group not in opened:
                opened.add(group)
                out.append(_row([table.row_groups[group].printed()]))
        out.append(_row([row.printed(version)] + [cell_text(cells.get((code, c.code)))
                                                  for c in table.columns]))
    return out + [""]


def review_markdown(report: Report, forms: Forms) -> list[str]:
    table = forms.table("review_litigation")
    cells = {c.key: c for c in report.table_cells("review_litigation")}
    if not cells:
        return []
    out = [_row(["程序"] + [c.zh() for c in table.columns]),
           _row(["---"] + ["---:"] * len(table.columns))]
    for p in table.rows:
        label = "·".join([table.column_groups[g].zh() for g in p.groups] + [p.zh()])
        out.append(_row([label] + [cell_text(cells.get((p.code, o.code))) for o in table.columns]))
    return out + [""]


TABLE_WRITERS = {"active": active_markdown, "applications": applications_markdown,
                 "review_litigation": review_markdown}


def front_matter(fields: dict) -> str:
    kept = {k: v for k, v in fields.items() if v not in (None, "")}
    return "---\n" + yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


def to_content(report: Report, notes: dict[str, list[str]], data_only: bool,
               forms: Forms | None = None) -> str:
    """The canonical content file of a report. ``notes`` (per table) are written under the
    table: what the import could not read, with the readings it found."""
    forms = forms or load_forms()
    m = report.meta
    fields = {"title": m.title, "agency": m.agency, "agency_id": m.agency_id, "year": m.year,
              "source_url": m.source_url, "published": m.published}
    if data_only:
        fields["full_text"] = False
    if m.discrepancies:  # a maintainer's acknowledgements, kept across re-imports
        fields["discrepancies"] = [{"check": d.check, "scope": d.scope, "note": d.note}
                                   for d in m.discrepancies]
    out = [front_matter(fields)]
    sections = {s.code: s for s in report.sections}
    preamble = sections.get("preamble")
    if preamble and preamble.markdown and not data_only:
        out += [preamble.markdown, ""]
    for section in forms.sections:
        found = sections.get(section.code)
        heading = found.heading if found and found.heading else section.heading
        out += [heading, ""]
        if found and found.markdown and not data_only:
            out += [found.markdown, ""]
        if section.table:
            out += TABLE_WRITERS[section.table](report, forms)
            for note in notes.get(section.table, []):
                out += [f"注：{note}", ""]
    return "\n".join(out).rstrip("\n") + "\n"
