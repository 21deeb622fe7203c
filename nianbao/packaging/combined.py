"""The combined package (``datapackages/`` top level) and its downloads, streamed from chunks.

Every report contributes a *chunk* to each combined table: its rows as CSV (no header), the same
bytes deflated on their own, and its rows as spreadsheet XML, deflated (``Chunk``). A chunk is a
pure function of the report and its checks, so it is made once and kept in the memo under the
report's key. A build then only concatenates: the CSV files are header + chunks in report order,
the ZIP and the workbook are assembled from the deflated chunks (``zip_writer``) without
compressing anything again but their small parts. All of it goes through files in a scratch
folder, never through memory: the combined tables of 100,000 reports are gigabytes.

A build keeps its spools (each table's CSV and its ZIP and workbook segments, one after the other
in report order) in the cache with where each report's rows are and the key of its chunk. The
next build copies the rows of every report whose key is unchanged from them, a run of
consecutive reports in one ``copy_file_range``, and loads only the changed reports' chunks. Kept
files whose size or time differ from their record are not used. The spools and their record are
``nianbao.packaging.combined_spools``.

Its Frictionless validation, slice by slice, is ``nianbao.incremental.combined_validation``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from nianbao.disk.fileops import file_facts
from nianbao.packaging.combined_spools import Chunk, Facts, Kept, Spool, read_kept
from nianbao.packaging.combined_spools import keep as save
from nianbao.packaging.workbook import Chunked, sheet_rows, write_workbook
from nianbao.packaging.zip_writer import Segment, ZipWriter, segment

PER_REPORT = ("reports", "proactive", "applications", "review_litigation", "checks")
Loader = Callable[[str], dict[str, Chunk]]  # report_id → its chunks


def chunk(fields: list[dict], rows: list[dict], to_csv) -> Chunk:
    data = to_csv([f["name"] for f in fields], rows, header=False)
    xml, widths = sheet_rows(fields, rows)
    return Chunk(len(rows), data, segment(data), segment(xml), widths)


def header(schema: dict, to_csv) -> bytes:
    """A table's CSV header line: its fields' names."""
    return to_csv([f["name"] for f in schema["fields"]], [])


def write_combined(folder: Path, schemas: dict[str, dict], ids: list[str], load: Loader,
                   codes: list[dict], codes_csv: bytes, descriptor: bytes,
                   titles: dict[str, str], to_csv, keys: dict[str, str] | None = None,
                   keep: Path | None = None
                   ) -> tuple[dict[str, Path | bytes], dict[str, Path], dict[str, Facts]]:
    """The combined package's files (CSV as files in ``folder``) and its downloads (ZIP and
    workbook, also files in ``folder``), from the chunks of reports ``ids`` in that order, and
    the (sha256, size) of each CSV file, by its path as a string.

    With ``keys`` (report id → key of its chunks) and ``keep`` (a folder in the cache), the
    spools are kept there for the next build, which copies the rows of every report whose key
    is unchanged from them instead of loading its chunks (10,000 files at 10,000 reports); a
    table whose rows are all unchanged (an edit of one table leaves the others so) is linked
    whole, its CSV's digest known."""
    folder.mkdir(parents=True, exist_ok=True)
    last_ids, last_keys, kept, last_facts = read_kept(keep if keys is not None else None)
    where = {rid: i for i, rid in enumerate(last_ids)}  # a report's place in the kept spools
    last_key = dict(zip(last_ids, last_keys))
    # the reports whose rows cannot be copied from the kept spools (key changed, or not there)
    changed = [rid for rid in ids if not (keys is not None and kept and rid in where
                                          and last_key[rid] == keys[rid])]
    to_load = set(changed)
    loaded: dict[str, dict[str, Chunk]] = {}
    same: dict[str, Kept] = {}  # the tables whose spools would be the kept ones, byte for byte
    if kept and len(changed) <= FEW_CHANGED and last_ids == ids:
        loaded = {rid: load(rid) for rid in changed}
        same = {name: kept[name] for name in PER_REPORT if name in kept and all(
            kept[name].holds(where[rid], chunks[name]) for rid, chunks in loaded.items())}
    spools = {name: Spool(folder, name, header(schemas[name], to_csv), same.get(name))
              for name in PER_REPORT}
    facts: dict[str, Facts] = {}
    try:
        run: list[int] = []  # kept reports [i, j) whose rows come next, unchanged

        def copy_run() -> None:
            if run:
                for name, spool in spools.items():
                    spool.reuse(kept[name], *run)
                run.clear()

        for rid in ids:
            if rid not in to_load:
                i = where[rid]
                if run and run[1] == i:
                    run[1] += 1
                else:
                    copy_run()
                    run[:] = [i, i + 1]
                continue
            copy_run()
            chunks = loaded.get(rid) or load(rid)
            for name, spool in spools.items():
                if spool.same is not None:
                    spool.reuse(spool.same, where[rid], where[rid] + 1)
                else:
                    spool.add(chunks[name])
        copy_run()
        codes_chunk = chunk(schemas["codes"]["fields"], codes, to_csv)
        files: dict[str, Path | bytes] = {}
        for name in schemas:
            if name == "codes":
                files["data/codes.csv"] = codes_csv
            else:
                files[f"data/{name}.csv"] = spools[name].csv_path
                facts[name] = (last_facts[name] if name in same and name in last_facts
                               else file_facts(spools[name].csv_path))
        files["datapackage.json"] = descriptor
        zip_path, book_path = folder / "package.zip", folder / "package.xlsx"
        with open(zip_path, "wb") as out, ZipWriter(out) as z:
            for path in sorted(files):
                name = path[len("data/"):-len(".csv")] if path.startswith("data/") else ""
                if name in spools:
                    z.add_segments(path, [spools[name].header, *spools[name].zip_segments()])
                else:
                    z.add_bytes(path, files[path])
        tables = []
        for name, schema in schemas.items():
            if name == "codes":
                tables.append(Chunked(titles[name], schema["fields"], [codes_chunk.rows],
                                      codes_chunk.widths, lambda i, j: iter([codes_chunk.sheet][i:j])))
            else:
                s = spools[name]
                tables.append(Chunked(titles[name], schema["fields"], s.counts, s.widths,
                                      s.sheet_segments))
        with open(book_path, "wb") as out:
            write_workbook(out, tables)
        if keys is not None and keep is not None:
            try:
                save(keep, spools, ids, [keys[rid] for rid in ids], facts)
            except OSError:  # a cache that cannot be written costs the next
                # build time only
                shutil.rmtree(keep, ignore_errors=True)
    finally:
        for spool in spools.values():
            for f in spool.files:
                f.close()
        for k in kept.values():
            k.close()
    return files, {"zip": zip_path, "xlsx": book_path}, {
        str(spools[name].csv_path): f for name, f in facts.items()}


FEW_CHANGED = 64  # changed reports up to which a build looks for tables left unchanged
