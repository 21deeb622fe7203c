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

Each distinct table schema's own metadata is validated once per process (``_schemas_once``): the
report packages repeat the same four schemas, and Frictionless validates every field of a schema
against its JSON Schema profile each time it meets it (a quarter of its time in a cold build).

A package whose metadata Frictionless finds wrong, a schema with a ``unique`` field constraint
(which would compare rows across files), a file that is not UTF-8, or a header that differs is
validated on its own, and so is every package of a batch whose merged tables have any error:
Frictionless's own report names the file and row.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BATCH = 32, 256  # packages per batch, least and most (``in_tasks``)
POOL_FROM = 2  # batches from which worker processes pay
EACH_POOL_FROM = 16  # packages validated one by one from which worker processes pay


_SCHEMA_ERRORS: dict[tuple[object, str], list] = {}


def _schemas_once() -> None:
    """Frictionless's ``Schema.metadata_validate`` remembered by what it depends on: the schema
    descriptor (as canonical JSON) and the Data Package version its package imposes. The same
    schema gives the same errors, so packages are judged exactly as before. (A schema whose
    ``format`` starts with ``fmt:``, which that method rewrites, or that names a profile of its
    own is always passed on.)"""
    from frictionless import Schema

    if "_nianbao_once" in vars(Schema):
        return
    original = Schema.metadata_validate.__func__

    def metadata_validate(cls, descriptor, *, context=None):
        fmt = descriptor.get("format") if isinstance(descriptor, dict) else None
        if (cls is not Schema or not isinstance(descriptor, dict)
                or (isinstance(fmt, str) and fmt.startswith("fmt:"))
                or "$schema" in descriptor or "profile" in descriptor
                or (context is not None and context.datapackage_version == "unknown")):
            yield from original(cls, descriptor, context=context)
            return
        try:
            key = (context and context.datapackage_version,
                   json.dumps(descriptor, sort_keys=True, ensure_ascii=False))
        except (TypeError, ValueError):
            yield from original(cls, descriptor, context=context)
            return
        found = _SCHEMA_ERRORS.get(key)
        if found is None:
            found = _SCHEMA_ERRORS[key] = list(original(cls, descriptor, context=context))
        yield from found

    Schema.metadata_validate = classmethod(metadata_validate)
    Schema._nianbao_once = True


def validate_one(descriptor: str) -> list[str]:
    """Problems Frictionless finds in one package (none when valid)."""
    from frictionless import validate

    _schemas_once()
    report = validate(descriptor)
    return [] if report.valid else [str(report.flatten(["type", "note"])[:5])]


def _unique(schema: dict) -> bool:
    return any(f.get("constraints", {}).get("unique") for f in schema.get("fields", []))


def validate_batch(descriptors: list[str]) -> list[list[str]]:
    """Problems of each package (module docstring); exactly those Frictionless finds in it."""
    from frictionless import FrictionlessException, Package, validate

    _schemas_once()
    problems: list[list[str]] = [[] for _ in descriptors]
    alone: set[int] = set()
    groups: dict[tuple[str, str], list[tuple[int, list[list[str]]]]] = {}
    for i, path in enumerate(descriptors):
        try:
            descriptor = json.loads(Path(path).read_text("utf-8"))
            if next(iter(Package.metadata_validate(descriptor)), None) is not None:
                raise ValueError("its metadata: Frictionless's own report says where")
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
        except (OSError, ValueError, KeyError, TypeError, csv.Error, FrictionlessException):
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


def _across(work: Callable, items: list, jobs: int | None, pool_from: int
            ) -> Callable[[], list]:
    """``work`` of each item started: from ``pool_from`` items, with several cores, in worker
    processes forked here (by the caller's thread) and given the items now, while the caller
    goes on. The function returned gives the results in order (and must be called: it shuts the
    workers down); fewer items are worked on then, in this process."""
    jobs = jobs or os.cpu_count() or 1
    if len(items) < pool_from or jobs < 2:
        return lambda: [work(item) for item in items]
    pool = ProcessPoolExecutor(jobs)
    futures = [pool.submit(work, item) for item in items]

    def results() -> list:
        try:
            return [future.result() for future in futures]
        finally:
            pool.shutdown(cancel_futures=True)

    return results


def validate_each(descriptors: list[str], jobs: int | None = None) -> list[list[str]]:
    """Problems of each package, each validated by Frictionless on its own (big packages, such
    as the combined package's slices), across processes when there are many."""
    return _across(validate_one, descriptors, jobs, EACH_POOL_FROM)()


def in_tasks(items: list, least: int, most: int, jobs: int | None = None) -> list[list]:
    """``items`` (packages, reports) in validation tasks, in order: Frictionless pays a good part
    of a task's time once per task (metadata, opening each table), so tasks are big, but at least
    eight per core, so that the cores end together (1,000 reports: 62 a task, a cold build of
    them 3 % less CPU than with 32; 10,000: 256)."""
    size = max(least, min(most, len(items) // (8 * (jobs or os.cpu_count() or 1))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def validate_packages(descriptors: list[str], jobs: int | None = None) -> list[list[str]]:
    """Problems of each package, batch by batch, across processes when there are many."""
    return validating_packages(descriptors, jobs)()


def validating_packages(descriptors: list[str], jobs: int | None = None
                        ) -> Callable[[], list[list[str]]]:
    """``validate_packages`` started (``_across``): a publish writes the site's files while the
    report packages are validated. The function returned waits for the problems of each."""
    found = _across(validate_batch, in_tasks(descriptors, *BATCH, jobs), jobs, POOL_FROM)
    return lambda: [p for batch in found() for p in batch]
