"""The data packages made at the cost of their change: each report's package a memo unit.

The packaging stage (``nianbao.packaging.packages``) makes a report's package, its chunks of the
combined tables and the combined package's files from whole reports; this module decides which
report packages must be made again (a unit keyed by the report's inputs), makes the new ones
across the cores, loads their reports whole from the report store, streams the combined package
through the last build's spools beside the build, and has Frictionless validate an edit's few
packages beside it (``validation_schedule``).
"""

from __future__ import annotations

from pathlib import Path

from nianbao.disk.fileops import file_facts
from nianbao.domain.forms import Forms
from nianbao.incremental.background import started
from nianbao.incremental.combined_validation import combined_slices
from nianbao.incremental.memo import PARALLEL_FROM, Emitter, key_of
from nianbao.incremental.report_store import ReportStore
from nianbao.incremental.validation_schedule import Validators, validate_beside
from nianbao.packaging.combined import Chunk, write_combined
from nianbao.packaging.packages import (DOWNLOADS_ONLY, Combined, Packages, combined_downloads,
                                        combined_head, in_data_tree, report_chunks,
                                        report_folder, report_unit, to_csv)


def build_packages(
    reports: list, store: ReportStore, forms: Forms, unit_keys: dict[str, str], data: Emitter,
    site: Emitter, scratch: Path, validate: Validators | None = None,
) -> Packages:
    """Each report's package as a unit keyed by ``unit_keys`` (the report and its checks; made
    from the report loaded whole from ``store``; ``reports`` may be briefs), and the combined
    package streamed from each report's chunks (``nianbao.packaging.combined``) through files in
    ``scratch``; both into ``data`` and ``site`` (under ``data/``). With ``validate``, the
    combined package is validated slice by slice and, when an edit made only a few, the report
    packages made again too, all beside the build (``Packages.check`` gives the outcome;
    ``Packages.validated`` names the report packages validated; publishing validates the rest)."""
    reports = sorted(reports, key=lambda r: r.report_id)
    ids = [r.report_id for r in reports]
    reports_by = {r.report_id: r for r in reports}
    package_keys = {rid: key_of("package", unit_keys[rid]) for rid in ids}
    chunk_keys = {rid: key_of("chunks", unit_keys[rid]) for rid in ids}
    held: dict[str, dict[str, Chunk]] = {}  # without a memo folder, chunks are kept in memory

    def load(rid: str) -> dict[str, Chunk]:
        if rid in held:
            return held[rid]
        found = data.memo.value(chunk_keys[rid], lambda: report_chunks(*store.load(rid), forms))
        if data.memo.store.root is None:
            held[rid] = found
        return found

    # the chunks of the reports whose package was not made before (a kept package's were made
    # with it; any other is made when asked), before the packages: across the cores when many,
    # else here, so that the combined files can start now, beside everything else
    fresh = [rid for rid in ids
             if not data.carries(package_keys[rid], report_folder(reports_by[rid]), in_data_tree)
             and data.memo.digests(package_keys[rid]) is None]
    data.memo.prepare([(chunk_keys[rid], lambda rid=rid: report_chunks(*store.load(rid), forms))
                       for rid in fresh], files=False)
    if len(fresh) < PARALLEL_FROM or data.memo.store.root is None:
        for rid in fresh:
            load(rid)
    head = combined_head(forms, sorted({r.meta.year for r in reports}))
    root = data.memo.store.root if data.memo.lasting else None  # spools kept for the next build

    def combine() -> Combined:
        files, made, facts = write_combined(
            scratch / "combined", head.schemas, ids, load, head.codes, head.codes_csv,
            head.descriptor, head.titles, to_csv, keys=chunk_keys,
            keep=root / "combined-spools" if root is not None else None)
        downloads = combined_downloads(made)
        facts.update({str(f): file_facts(f) for f in (*files.values(), *downloads.values())
                      if isinstance(f, Path) and str(f) not in facts})
        return files, downloads, facts

    combined = started(combine)  # the biggest part of an edit, beside the report packages
    units: dict[str, dict[str, tuple[str, int]]] = {}
    keys: dict[str, str] = {}
    made_again: list[tuple[str, list[str]]] = []  # (folder, files) of report packages not kept

    def emit(report, made: dict[str, dict[str, bytes]]) -> None:
        """The report's package into both trees (``made``: its files, when just made)."""
        base = report_folder(report)
        key = package_keys[report.report_id]

        def compute(rid=report.report_id) -> dict[str, bytes]:
            if not made:
                made["files"] = report_unit(*store.load(rid), forms)
            return made["files"]

        known = data.unit(key, compute, base, select=in_data_tree, made=made.get("files"))
        if base + "datapackage.json" in data.files:  # made again, not kept as published
            made_again.append((base, [p for p in known if in_data_tree(p)]))
        in_site = site.unit(key, compute, "data/" + base,  # (the same unit, all its files)
                            made=made.get("files"))
        known = known if known is not None else in_site
        keys[base] = key
        if known is not None:  # (None: kept by both trees' records, whose sizes then serve)
            units[base] = known

    # the packages not made before, across the cores, each taken into the trees as it comes back
    by_key = {package_keys[rid]: reports_by[rid] for rid in fresh}
    taken = set()
    data.memo.prepare([(package_keys[rid], lambda rid=rid: report_unit(*store.load(rid), forms))
                       for rid in fresh],
                      each=lambda key, files: (emit(by_key[key], {"files": files}), taken.add(key)))
    for report in reports:
        if package_keys[report.report_id] not in taken:
            emit(report, {})
    sample: dict[str, bytes] = {}
    if reports:  # the first report's package, shown on the datasets page
        first = reports[0]
        key, base = package_keys[first.report_id], report_folder(first)
        sample = {base + p: b for p, b in (data.memo.files(key) or report_unit(
            *store.load(first.report_id), forms)).items() if not p.endswith(DOWNLOADS_ONLY)}
    verified, validated = (validate_beside(validate, scratch, data, made_again, combined_slices(
        scratch / "slices", head.schemas, ids, unit_keys, load, head.codes_csv, head.descriptor,
        data.memo,
        to_csv)) if validate is not None else (lambda: [], frozenset()))
    return Packages(combined, keys=keys, units=units, sample=sample,
                    verified=verified, validated=validated, recorded=site.recorded_size)


def emit_combined(packages: Packages, data: Emitter, site: Emitter) -> None:
    """The combined files into the data tree and, with the downloads, into the site's."""
    data.add(packages.files)
    site.add(packages.files, "data/")
    site.add(packages.downloads, "data/")
