"""The datasets page's documentation of every resource and field, read from the descriptors the
package stage produced (so the page can never disagree with the files)."""

from __future__ import annotations

import json

from nianbao.domain.forms import Forms
from nianbao.packaging.packages import Packages
from nianbao.pages.contexts import Download, FieldDoc, ResourceDoc


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("必填 required")
    if c.get("unique"):
        parts.append("唯一 unique")
    if "minimum" in c:
        parts.append(f"≥ {c['minimum']}")
    if "pattern" in c:
        parts.append(f"pattern {c['pattern']}")
    if "enum" in c:
        parts.append("取值 enum: " + ", ".join(c["enum"]))
    if field.get("format") not in (None, "default"):
        parts.append(f"format {field['format']}")
    return "; ".join(parts)


def _docs(descriptor: dict, prefix: str, packages: Packages, link: bool,
          report_id: str = "") -> tuple[ResourceDoc, ...]:
    """``report_id``: the sample report's, whose file names are shown with ``<报告编号>`` for it."""
    out = []
    for res in descriptor["resources"]:
        schema = res["schema"]
        path = f"{prefix}{res['path']}"
        size = packages.size(path) if path in packages.files else 0
        download = Download(res["path"], f"data/{path}", "CSV", f"{size / 1024:.1f} KB") if link else None
        shown = res["path"]
        if report_id and shown.startswith(report_id + "-"):
            shown = "<报告编号>" + shown[len(report_id):]
        out.append(ResourceDoc(
            name=res["name"], title=res.get("title", ""), path=shown,
            primary_key=", ".join(schema.get("primaryKey", [])),
            fields=tuple(FieldDoc(f["name"], f["type"], f.get("title", ""),
                                  f.get("description", ""), _constraints(f))
                         for f in schema["fields"]),
            download=download))
    return tuple(out)


def resource_docs(packages: Packages, forms: Forms) -> tuple[tuple[ResourceDoc, ...], tuple[ResourceDoc, ...]]:
    """(combined package resources, per-report package resources of the first report)."""
    combined = json.loads(packages.files["datapackage.json"])
    per_report: tuple[ResourceDoc, ...] = ()
    for path in sorted(packages.sample):
        if path.endswith("/datapackage.json"):
            folder = path.rsplit("/", 1)[0]
            per_report = _docs(json.loads(packages.sample[path]), folder + "/", packages,
                               link=False, report_id=folder.rsplit("/", 1)[-1])
            break
    return _docs(combined, "", packages, link=True), per_report
