"""Per-report tables in the shape they were printed: rows as in the report, columns as in the
report, codes and Chinese labels in the first columns (the per-report packages).

Every row also says whose table it is (``report_id``, ``year``, ``agency_id``, ``agency`` first,
so that files of several reports can be put together), and every value column has a status
column after the value columns (``<column>_status``: ``reported``, ``blank``, ``dash``,
``absent``, ``unreadable``, as in the combined package), so that an empty cell says why it is
empty. A cell the report's template does not have (table 二's measures of another article) has
neither a value nor a status."""

from __future__ import annotations

from nianbao.domain.forms import Forms
from nianbao.domain.model import STATUSES, Meta, Report
from nianbao.packaging.schemas import FIELD_DOCS, field, identity_fields

STATUS_SUFFIX = "_status"

_LABEL_ZH = {"name": "label_zh", "type": "string", "title": "中文名称 / Chinese label",
             "description": "报告中该行的名称 / The row label as in the template"}


def identity_row(meta: Meta) -> dict:
    return {"report_id": meta.report_id, "year": meta.year, "agency_id": meta.agency_id,
            "agency": meta.agency}


def _status_col(col: dict) -> dict:
    """The status column of a value column (its Chinese title + 公布情况)."""
    zh, _, en = col["title"].partition(" / ")
    _, _, dzh, den = FIELD_DOCS["status"]
    return {"name": col["name"] + STATUS_SUFFIX, "type": "string",
            "title": f"{zh}·公布情况 / {en}: status",
            "description": f"“{zh}”一格的公布情况：{dzh} / How the {en} cell was published: {den}",
            "constraints": {"enum": list(STATUSES)}}


def _with_status(fields: list[dict], values: list[dict]) -> list[dict]:
    return [*identity_fields(), *fields, *values, *(_status_col(c) for c in values)]


def _col(name: str, title_zh: str, title_en: str, type_: str, minimum: bool) -> dict:
    out = {"name": name, "type": type_, "title": f"{title_zh} / {title_en}"}
    if minimum:
        out["constraints"] = {"minimum": 0}
    return out


def _active_versions(report: Report, forms: Forms) -> dict[str, str]:
    """Which template each article of table 二 was read in (from its cells)."""
    table = forms.table("active")
    out = {}
    for cell in report.table_cells("active"):
        article = table.article(cell.key[0])
        for version, measures in article.measures.items():
            if cell.key[2] in measures:
                out.setdefault(article.code, version)
    return out


def printed_tables(report: Report, forms: Forms) -> dict[str, tuple[dict, list[dict]]]:
    """resource name → (Table Schema, rows) for one report's per-report package."""
    out: dict[str, tuple[dict, list[dict]]] = {}
    cells = {(c.table, c.key): c for c in report.cells}

    def put(row: dict, table: str, key: tuple[str, ...], column: str) -> None:
        cell = cells.get((table, key))
        row[column] = cell.value if cell is not None else None
        row[column + STATUS_SUFFIX] = cell.status if cell is not None else None

    who = identity_row(report.meta)

    active = forms.table("active")
    versions = _active_versions(report, forms)
    measures = list(dict.fromkeys(
        m for a in active.articles if a.code in versions for m in a.measures[versions[a.code]]))
    fields = [field("article", "string", True), field("item", "string", True), _LABEL_ZH]
    values = []
    for m in measures:
        label = active.measures[m]
        unit = f"（{label.unit}）" if label.kind != "count" or label.unit == "项" else ""
        values.append(_col(m, label.zh(versions.get("art20_1")) + unit, label.label_en,
                           "integer" if label.kind != "money" else "number",
                           label.kind == "count"))
    rows = []
    for a in active.articles:
        if a.code not in versions:
            continue
        version = versions[a.code]
        for item in a.items:
            if version not in item.templates:
                continue
            row = {**who, "article": a.code, "item": item.code, "label_zh": item.zh(version)}
            for m in measures:
                put(row, "active", (a.code, item.code, m), m)
            rows.append(row)
    out["proactive"] = ({"fields": _with_status(fields, values),
                         "primaryKey": ["article", "item"]}, rows)

    for name in ("applications", "review_litigation"):
        table = forms.table(name)
        keys = {c.key for c in report.table_cells(name)}
        dim = table.dimensions[0]
        fields = [field(dim, "string", True), _LABEL_ZH]
        values = [_col(c.code, c.zh(), c.label_en, "integer", True) for c in table.columns]
        rows = []
        for r in table.rows:
            if not any(k[0] == r.code for k in keys):
                continue
            row = {**who, dim: r.code, "label_zh": r.printed()}
            for c in table.columns:
                put(row, name, (r.code, c.code), c.code)
            rows.append(row)
        out[name] = ({"fields": _with_status(fields, values), "primaryKey": [dim]}, rows)
    return out
