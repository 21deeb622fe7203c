"""The combined package's Frictionless validation, slice by slice (``nianbao.packaging.combined`` writes it).

Frictionless validation stays exact at the cost of the change: the package is validated in
*slices*, each a copy of the descriptor whose tables hold the header and the rows of up to
``PER_BUCKET`` reports (the code list with the first). Every field, type and constraint check
is a check of one row; every primary key and the ``report_id`` foreign key contain the report
id, a report's rows are made from it and carry its id, and report ids are unique (a second file
of one report is an input error), so uniqueness and references are exactly the same per report
as over the whole. Which report keys passed under which descriptor is remembered in one set: a
build validates only the reports not in it, so after an edit a slice of one report.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nianbao.incremental.memo import Memo, key_of
from nianbao.packaging.batch_validation import in_tasks
from nianbao.packaging.combined import PER_REPORT, Loader, header

PER_BUCKET = 32, 256  # reports per validation slice, least and most (``batch_validation.in_tasks``)


def slices_of(ids: list[str]) -> list[list[str]]:
    """Reports in validation slices of ``PER_BUCKET`` (``batch_validation.in_tasks``), in the order given."""
    return in_tasks(ids, *PER_BUCKET) or [[]]


@dataclass(frozen=True)
class Slices:
    """The slices of the combined package a build must validate (``paths``, their descriptors)
    and what to do with Frictionless's findings (``settle``)."""

    paths: list[str]
    settle: Callable[[list[list[str]]], list[str]]  # problems of each slice → the build's own


def combined_slices(folder: Path, schemas: dict[str, dict], ids: list[str], keys: dict[str, str],
                    load: Loader, codes_csv: bytes, descriptor: bytes, memo: Memo,
                    to_csv) -> Slices:
    """The slices holding the reports not validated before under this descriptor (module
    docstring), written into ``folder``. ``settle`` turns the problems found in each into the
    build's messages (none when valid) and remembers the reports that passed."""
    marks = key_of("combined-valid", descriptor, codes_csv)
    valid: frozenset[str] = memo.store.get("v" + marks) or frozenset()
    todo_ids = [rid for rid in ids if keys[rid] not in valid]
    if not todo_ids and "codes" in valid:
        return Slices([], lambda found: [])
    todo: list[tuple[list[str], str]] = []  # (reports, descriptor path)
    for n, bucket in enumerate(slices_of(todo_ids)):
        base = folder / f"slice-{n}"
        (base / "data").mkdir(parents=True, exist_ok=True)
        (base / "datapackage.json").write_bytes(descriptor)
        outs = {name: open(base / "data" / f"{name}.csv", "wb") for name in schemas}
        try:
            for name, f in outs.items():
                f.write(codes_csv if name == "codes" and n == 0 else header(schemas[name], to_csv))
            for rid in bucket:
                chunks = load(rid)
                for name in PER_REPORT:
                    outs[name].write(chunks[name].csv)
        finally:
            for f in outs.values():
                f.close()
        todo.append((bucket if n else ["codes", *bucket], str(base / "datapackage.json")))

    def settle(found: list[list[str]]) -> list[str]:
        problems, passed = [], set()
        for (bucket, path), errors in zip(todo, found, strict=True):
            if errors:
                problems.append(f"datapackage.json is not a valid data package "
                                f"(slice {os.path.basename(os.path.dirname(path))}): {errors[0]}")
            else:
                passed.update(keys.get(rid, rid) for rid in bucket)
        current = {keys[rid] for rid in ids} | {"codes"}
        now = frozenset((valid | passed) & current)  # what is no longer published is forgotten
        if now != valid:
            memo.store.put("v" + marks, now)
        return problems

    return Slices([p for _, p in todo], settle)
