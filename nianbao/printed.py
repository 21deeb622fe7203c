"""Per-report tables in the shape they were printed: rows as in the report, columns as in the
report, codes and Chinese labels in the first columns (the per-report packages)."""

from __future__ import annotations

from .forms import Forms
from .model import Report
from .schemas import field

_LABEL_ZH = {"name": "label_zh", "type": "string", "title": "中文名称 / Chinese label",
             "description": "报告中该行的名称 / The row label as in the template"}


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

    def value(table: str, key: tuple[str, ...]):
        cell = cells.get((table, key))
        return cell.value if cell is not None else None

    active = forms.table("active")
    versions = _active_versions(report, forms)
    measures = list(dict.fromkeys(
        m for a in active.articles if a.code in versions for m in a.measures[versions[a.code]]))
    fields = [field("article", "string", True), field("item", "string", True), _LABEL_ZH]
    for m in measures:
        label = active.measures[m]
        unit = f"（{label.unit}）" if label.kind != "count" or label.unit == "项" else ""
        fields.append(_col(m, label.zh(versions.get("art20_1")) + unit, label.label_en,
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
            row = {"article": a.code, "item": item.code, "label_zh": item.zh(version)}
            for m in measures:
                row[m] = value("active", (a.code, item.code, m))
            rows.append(row)
    out["proactive"] = ({"fields": fields, "primaryKey": ["article", "item"]}, rows)

    for name in ("applications", "review_litigation"):
        table = forms.table(name)
        keys = {c.key for c in report.table_cells(name)}
        dim = table.dimensions[0]
        fields = [field(dim, "string", True), _LABEL_ZH]
        fields += [_col(c.code, c.zh(), c.label_en, "integer", True) for c in table.columns]
        rows = []
        for r in table.rows:
            if not any(k[0] == r.code for k in keys):
                continue
            row = {dim: r.code, "label_zh": r.printed()}
            for c in table.columns:
                row[c.code] = value(name, (r.code, c.code))
            rows.append(row)
        out[name] = ({"fields": fields, "primaryKey": [dim]}, rows)
    return out
