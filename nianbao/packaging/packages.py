"""Stage 4: Frictionless data packages (CSV + Table Schema), as bytes; nothing is written here.

``datapackages/datapackage.json`` (combined, long form, one row per published cell) and
``datapackages/<year>/<report_id>/datapackage.json`` (one report, tables as printed). Output is
deterministic: rows in template order, reports in id order, JSON with sorted keys. The combined
package is streamed from each report's chunk of rows (``nianbao.packaging.combined``), through files.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal
from pathlib import Path

from nianbao.domain.forms import Forms
from nianbao.domain.model import Check, Report
from nianbao.packaging.combined import PER_REPORT, Chunk, chunk
from nianbao.packaging.formula_guard import neutralise
from nianbao.packaging.printed_tables import identity_row, printed_tables
from nianbao.packaging.schemas import STATUS_MEANINGS, combined_schemas, report_checks_schema
from nianbao.packaging.workbook import workbook

PACKAGE_NAME = "gov-info-disclosure-annual-reports"
CHECK_FIELDS = ("report_id", "check", "scope", "expected", "actual", "result", "acknowledged",
                "message")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


Combined = tuple[dict[str, "bytes | Path"], dict[str, "bytes | Path"], dict[str, tuple[str, int]]]


@dataclass(frozen=True)
class Packages:
    """The combined package's files (``datapackages/`` top level) and downloads (ZIP, Excel
    workbook), which are made every build; of each report's package (written through the
    emitters, maybe kept as they were) only its key and its files' digests and sizes, and one
    report's package files to document the per-report resources.

    The combined files are written beside the build (``nianbao.incremental.background``: rewriting them is
    the biggest part of an edit at 10,000 reports, and the pages need only their sizes, at the
    end): ``combined`` gives them when they are done, with the (sha256, size) of each one that is
    a file, for publishing."""

    combined: Callable[[], Combined]
    # report folder → the key of its package (which its files' bytes are a function of), and
    # its files' (sha256, size) by name
    keys: dict[str, str] = field(default_factory=dict)
    units: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    sample: dict[str, bytes] = field(default_factory=dict)  # one report's package files
    # the combined package's problems (none when valid): its Frictionless validation may still be
    # running beside the build; ``check`` waits for it
    verified: Callable[[], list[str]] = lambda: []  # noqa: E731
    # the report packages (descriptor paths) validated with it: publishing validates the others
    validated: frozenset[str] = frozenset()
    # the size of a file of a report package not in ``units`` (kept by the site's record,
    # which has it under ``data/`` + path)
    recorded: Callable[[str], int | None] = lambda path: None  # noqa: E731

    @cached_property
    def _made(self) -> Combined:  # waits for the combined files, once
        return self.combined()

    @property
    def files(self) -> dict[str, bytes | Path]:  # big ones as files in the build's scratch folder
        return self._made[0]

    @property
    def downloads(self) -> dict[str, bytes | Path]:
        return self._made[1]

    @property
    def facts(self) -> dict[str, tuple[str, int]]:
        """(sha256, size) of the combined files that are files, by their path."""
        return self._made[2]

    def check(self) -> None:
        """Raise ``PackageError`` if the combined package this build made is not valid."""
        problems = self.verified()
        if problems:
            raise PackageError("; ".join(problems))

    def size(self, path: str) -> int:
        folder, _, name = path.rpartition("/")
        found = self.units.get(folder + "/", {}).get(name)
        if found is not None:
            return found[1]
        if folder + "/" in self.keys:  # a package kept by the record of both trees
            size = self.recorded("data/" + path)
            if size is not None:
                return size
        data = self.files.get(path, self.downloads.get(path))
        if data is None:
            raise KeyError(path)
        return len(data) if isinstance(data, bytes) else data.stat().st_size


DOWNLOADS_ONLY = (".zip", ".xlsx")  # in the site's downloads, not in datapackages/


def report_file(report_id: str, name: str) -> str:
    """The name of a per-report package's file of resource ``name`` (``2020-heilongjiang-
    applications.csv``): files saved from several reports' packages never share a name."""
    return f"{report_id}-{name}.csv"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return neutralise(value)  # text only: numbers stay numbers (nianbao/safe.py)
    return str(value)


def to_csv(fields: list[str], rows: list[dict], header: bool = True) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header:
        writer.writerow(fields)
    for row in rows:
        writer.writerow([_text(row.get(f)) for f in fields])
    return buf.getvalue().encode("utf-8")


def to_json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def to_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def _check_row(check: Check) -> dict:
    return {f: getattr(check, f) for f in CHECK_FIELDS}


def report_row(report: Report) -> dict:
    m = report.meta
    return {"report_id": m.report_id, "year": m.year, "agency_id": m.agency_id,
            "agency": m.agency, "title": m.title, "template": report.template,
            "source_url": m.source_url, "published": m.published, "full_text": report.full_text}


def cell_rows(report: Report, table: str, dims: tuple[str, ...]) -> list[dict]:
    rows = []
    for cell in report.table_cells(table):
        row = {"report_id": report.report_id, "year": report.meta.year}
        row.update(zip(dims, cell.key))
        row.update(value=cell.value, status=cell.status)
        if table == "active":
            row["unit"] = cell.unit
        rows.append(row)
    return rows


RESOURCE_TITLES = {
    "reports": ("报告", "Reports"),
    "proactive": ("表二 主动公开政府信息情况", "Table 2: proactive disclosure"),
    "applications": ("表三 收到和处理政府信息公开申请情况", "Table 3: applications received and handled"),
    "review_litigation": ("表四 行政复议、行政诉讼情况", "Table 4: administrative reconsideration and litigation"),
    "checks": ("勾稽关系校验", "Identity checks"),
    "codes": ("代码表", "Codes"),
}


def _resource(name: str, path: str, schema: dict) -> dict:
    zh, en = RESOURCE_TITLES[name]
    return {"name": name, "path": path, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "title": f"{zh} / {en}",
            "schema": schema}


def report_folder(report) -> str:
    """Where a report's package lies in ``datapackages/`` (and under ``data/`` in the site)."""
    return f"{report.meta.year}/{report.report_id}/"


def in_data_tree(path: str) -> bool:
    """Whether a file of a report's package is in ``datapackages/`` (the others are downloads)."""
    return not path.endswith(DOWNLOADS_ONLY)


class PackageError(Exception):
    """The combined package made by this build is not valid: a bug, never the input's fault."""


def report_chunks(report: Report, checks: tuple[Check, ...], forms: Forms) -> dict[str, Chunk]:
    """One report's chunk of each combined table (``nianbao.packaging.combined``)."""
    schemas = combined_schemas(forms)
    dims = {t: forms.table(t).dimensions for t in forms.tables}
    rows = {
        "reports": [report_row(report)],
        "proactive": cell_rows(report, "active", dims["active"]),
        "applications": cell_rows(report, "applications", dims["applications"]),
        "review_litigation": cell_rows(report, "review_litigation", dims["review_litigation"]),
        "checks": [_check_row(c) for c in checks],
    }
    return {name: chunk(schemas[name]["fields"], rows[name], to_csv) for name in PER_REPORT}


@dataclass(frozen=True)
class CombinedHead:
    """What the combined package's files hold besides the reports' rows: its schemas, the code
    list (rows and CSV), its descriptor and the workbook's sheet titles."""

    schemas: dict[str, dict]
    codes: list[dict]
    codes_csv: bytes
    descriptor: bytes
    titles: dict[str, str]


def combined_head(forms: Forms, years: list[int]) -> CombinedHead:
    schemas = combined_schemas(forms)
    codes = forms.codes()
    return CombinedHead(schemas, codes,
                        to_csv([f["name"] for f in schemas["codes"]["fields"]], codes),
                        to_json(combined_descriptor(schemas, years)),
                        {n: RESOURCE_TITLES[n][0] for n in schemas})


def combined_downloads(made: dict[str, Path]) -> dict[str, Path]:
    """The combined package's downloads by their names in the site's ``data/``."""
    return {f"{PACKAGE_NAME}.zip": made["zip"], f"{PACKAGE_NAME}.xlsx": made["xlsx"]}


def combined_descriptor(schemas: dict[str, dict], years: list[int]) -> dict:
    return {
        "name": PACKAGE_NAME,
        "title": "政府信息公开工作年度报告数据 / Government information disclosure annual reports",
        "description": ("各级行政机关政府信息公开工作年度报告中三张法定表格的全部数据，每个单元格一行，"
                        "附勾稽关系校验结果。 / Every cell of the three statutory tables of the "
                        "annual reports, one row per published cell, with identity checks."),
        "profile": "tabular-data-package",
        "keywords": ["政府信息公开", "年度报告", "open government", "FOI"],
        "temporal": {"start": str(years[0]), "end": str(years[-1])} if years else {},
        "resources": [_resource(name, f"data/{name}.csv", schema)
                      for name, schema in schemas.items()],
    }


# the last sheet of a report's workbook: what its status columns (…·公布情况) say
STATUS_SHEET = ("公布情况说明", [{"name": "code", "title": "代码"},
                                {"name": "label", "title": "名称"},
                                {"name": "meaning", "title": "含义"}],
                [{"code": code, "label": label, "meaning": meaning}
                 for code, (label, meaning) in STATUS_MEANINGS.items()])


def report_unit(report: Report, checks: tuple[Check, ...], forms: Forms) -> dict[str, bytes]:
    """One report's package files, its ZIP and its workbook (names relative to its folder)."""
    own, sheets = report_package(report, checks, forms)
    return {**own, f"{report.report_id}.zip": to_zip(own),
            f"{report.report_id}.xlsx": workbook(sheets)}


def report_package(report: Report, checks: tuple[Check, ...], forms: Forms
                   ) -> tuple[dict[str, bytes], list[tuple[str, list[dict], list[dict]]]]:
    """The files of one report's package (its tables as printed, its checks, the descriptor),
    and the same tables as workbook sheets."""
    files: dict[str, bytes] = {}
    resources = []
    tables = printed_tables(report, forms)
    who = identity_row(report.meta)
    tables["checks"] = (report_checks_schema(forms), [{**who, **_check_row(c)} for c in checks])
    sheets = []
    for name, (schema, rows) in tables.items():
        path = report_file(report.report_id, name)
        files[path] = to_csv([f["name"] for f in schema["fields"]], rows)
        resources.append(_resource(name, path, schema))
        sheets.append((RESOURCE_TITLES[name][0], schema["fields"], rows))
    sheets.append(STATUS_SHEET)
    m = report.meta
    descriptor = {
        "name": f"report-{m.report_id}",
        "title": m.title,
        "description": f"{m.agency} {m.year} 年政府信息公开工作年度报告的法定表格（按原表形式）及校验结果。",
        "profile": "tabular-data-package",
        "keywords": ["政府信息公开", "年度报告", m.agency, str(m.year)],
        "resources": resources,
    }
    if m.source_url:
        descriptor["sources"] = [{"title": m.title, "path": m.source_url}]
    files["datapackage.json"] = to_json(descriptor)
    return files, sheets
