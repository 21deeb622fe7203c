"""Frictionless validation of many small data packages at the cost of a few.

Validating one report's package costs Frictionless about 40 ms, nearly all of it per descriptor
and per resource (metadata, schema and dialect handling), hardly any per row: a cold build of
10,000 reports spent most of its time there. So packages are validated in batches:

- each descriptor on its own with Frictionless's metadata validation (the Data Package profile,
  every schema in it; about 3 ms);
- each CSV file's header against its schema's field names (what Frictionless's label checks
  compare);
- the rows of all files of a batch that share a resource name and a schema, in one table with
  that schema and a leading ``_package`` field (the file's number in the batch) added to its
  primary key: every type, format and constraint check is a check of one row, and a key unique
  within each file is exactly a key unique with ``_package`` in front.

A schema with a ``unique`` field constraint (which would compare rows across files), a file that
is not UTF-8, or a header that differs is validated on its own, and so is every package of a
batch whose merged tables have any error: Frictionless's own report names the file and row.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BATCH = 32, 256  # packages per batch, least and most (``in_tasks``)
POOL_FROM = 2  # batches from which worker processes pay
EACH_POOL_FROM = 16  # packages validated one by one from which worker processes pay


def validate_one(descriptor: str) -> list[str]:
    """Problems Frictionless finds in one package (none when valid)."""
    from frictionless import validate

    report = validate(descriptor)
    return [] if report.valid else [str(report.flatten(["type", "note"])[:5])]


def _unique(schema: dict) -> bool:
    return any(f.get("constraints", {}).get("unique") for f in schema.get("fields", []))


def validate_batch(descriptors: list[str]) -> list[list[str]]:
    """Problems of each package (module docstring); exactly those Frictionless finds in it."""
    from frictionless import Package, validate

    problems: list[list[str]] = [[] for _ in descriptors]
    alone: set[int] = set()
    groups: dict[tuple[str, str], list[tuple[int, list[list[str]]]]] = {}
    for i, path in enumerate(descriptors):
        try:
            descriptor = json.loads(Path(path).read_text("utf-8"))
            meta = [e.message for e in Package.metadata_validate(descriptor)]
        except (OSError, ValueError) as exc:
            meta = [str(exc)]
        if meta:
            problems[i] = meta
            continue
        try:
            for res in descriptor["resources"]:
                schema = res["schema"]
                if (_unique(schema) or res.get("dialect") or res.get("format", "csv") != "csv"
                        or res.get("encoding", "utf-8") != "utf-8"):
                    raise ValueError("validated on its own")
                with open(Path(path).parent / res["path"], newline="", encoding="utf-8") as f:
                    rows = list(csv.reader(f))
                if not rows or rows[0] != [x["name"] for x in schema["fields"]]:
                    raise ValueError("header")
                groups.setdefault((res["name"], json.dumps(schema, sort_keys=True)), []).append(
                    (i, rows[1:]))
        except (OSError, ValueError, KeyError, TypeError, csv.Error):
            alone.add(i)
    for i in sorted(alone):
        problems[i] = validate_one(descriptors[i])
    merged = [i for i in range(len(descriptors)) if not problems[i] and i not in alone]
    if groups and merged:
        with tempfile.TemporaryDirectory(prefix="nianbao-verify-") as tmp:
            resources = []
            for n, ((name, schema_json), parts) in enumerate(sorted(groups.items())):
                schema = json.loads(schema_json)
                schema["fields"] = [{"name": "_package", "type": "integer"}, *schema["fields"]]
                if schema.get("primaryKey"):
                    pk = schema["primaryKey"]
                    schema["primaryKey"] = ["_package", *([pk] if isinstance(pk, str) else pk)]
                with open(Path(tmp) / f"r{n}.csv", "w", newline="", encoding="utf-8") as f:
                    writer = csv.writer(f, lineterminator="\n")
                    writer.writerow([x["name"] for x in schema["fields"]])
                    for i, rows in parts:
                        if i in alone:
                            continue
                        writer.writerows([str(i), *row] for row in rows)
                resources.append({"name": f"r{n}", "path": f"r{n}.csv", "format": "csv",
                                  "encoding": "utf-8", "schema": schema})
            (Path(tmp) / "datapackage.json").write_text(
                json.dumps({"name": "batch", "resources": resources}), "utf-8")
            valid = validate(str(Path(tmp) / "datapackage.json")).valid
        if not valid:  # let Frictionless say which package and where
            for i in merged:
                problems[i] = validate_one(descriptors[i])
    return problems


def _across(work, items: list, jobs: int | None, pool_from: int) -> list:
    jobs = jobs or os.cpu_count() or 1
    if len(items) >= pool_from and jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            return list(pool.map(work, items))
    return [work(item) for item in items]


def validate_each(descriptors: list[str], jobs: int | None = None) -> list[list[str]]:
    """Problems of each package, each validated by Frictionless on its own (big packages, such
    as the combined package's slices), across processes when there are many."""
    return _across(validate_one, descriptors, jobs, EACH_POOL_FROM)


def in_tasks(items: list, least: int, most: int, jobs: int | None = None) -> list[list]:
    """``items`` (packages, reports) in validation tasks, in order: Frictionless pays a good part
    of a task's time once per task (metadata, opening each table), so tasks are big, but at least
    eight per core, so that the cores end together (1,000 reports: 62 a task, a cold build of
    them 3 % less CPU than with 32; 10,000: 256)."""
    size = max(least, min(most, len(items) // (8 * (jobs or os.cpu_count() or 1))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def validate_packages(descriptors: list[str], jobs: int | None = None) -> list[list[str]]:
    """Problems of each package, batch by batch, across processes when there are many."""
    batches = in_tasks(descriptors, *BATCH, jobs)
    return [p for batch in _across(validate_batch, batches, jobs, POOL_FROM) for p in batch]
