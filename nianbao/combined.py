"""The combined package (``datapackages/`` top level) and its downloads, streamed from chunks.

Every report contributes a *chunk* to each combined table: its rows as CSV (no header), the same
bytes deflated on their own, and its rows as spreadsheet XML, deflated (``Chunk``). A chunk is a
pure function of the report and its checks, so it is made once and kept in the memo under the
report's key. A build then only concatenates: the CSV files are header + chunks in report order,
the ZIP and the workbook are assembled from the deflated chunks (``zipstream``) without
compressing anything again but their small parts. All of it goes through files in a scratch
folder, never through memory: the combined tables of 100,000 reports are gigabytes.

Frictionless validation stays exact at the cost of the change: the package is validated in
*slices*, each a copy of the descriptor whose tables hold the header and the rows of the reports
of one bucket (reports bucketed by a hash of their id). Every field, type and constraint check
is a check of one row; every primary key and the ``report_id`` foreign key contain the report
id, and a report's rows all fall in its bucket, so uniqueness and references are exactly the same
per bucket as over the whole. A slice's result is remembered by the keys of its reports: after an
edit only the edited report's bucket is validated again.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from .forms import Forms
from .memo import Memo, key_of
from .xlsx import Chunked, sheet_rows, write_workbook
from .zipstream import Segment, ZipWriter, segment

PER_REPORT = ("reports", "proactive", "applications", "review_litigation", "checks")
PER_BUCKET = 32  # reports per validation slice, about
Loader = Callable[[str], dict[str, "Chunk"]]  # report_id → its chunks


@dataclass(frozen=True)
class Chunk:
    """One report's rows in one combined table, in every form the combined files need."""

    rows: int
    csv: bytes  # CSV rows, no header
    deflated: Segment  # ``csv`` deflated, for the package ZIP
    sheet: Segment  # the rows as reference-less spreadsheet XML, deflated, for the workbook
    widths: tuple[int, ...]  # widest value of each column (the workbook's column widths)


def chunk(fields: list[dict], rows: list[dict], to_csv) -> Chunk:
    data = to_csv([f["name"] for f in fields], rows, header=False)
    xml, widths = sheet_rows(fields, rows)
    return Chunk(len(rows), data, segment(data), segment(xml), widths)


@dataclass(frozen=True)
class Span:
    offset: int
    size: int
    raw: int
    crc: int


class _Spool:
    """One combined table as it is streamed: the CSV file, and the deflated chunks of the ZIP
    and of the workbook in two side files with their positions."""

    def __init__(self, folder: Path, name: str, header: bytes):
        self.header = header
        self.csv_path = folder / f"{name}.csv"
        self.csv = open(self.csv_path, "wb")
        self.csv.write(header)
        self.zip = open(folder / f"{name}.zip-part", "w+b")
        self.sheet = open(folder / f"{name}.sheet-part", "w+b")
        self.zip_spans: list[Span] = []
        self.sheet_spans: list[Span] = []
        self.counts: list[int] = []
        self.widths: tuple[int, ...] = ()

    @staticmethod
    def _put(f, spans: list[Span], seg: Segment) -> None:
        spans.append(Span(f.tell(), len(seg.data), seg.raw, seg.crc))
        f.write(seg.data)

    def add(self, c: Chunk) -> None:
        self.csv.write(c.csv)
        self._put(self.zip, self.zip_spans, c.deflated)
        self._put(self.sheet, self.sheet_spans, c.sheet)
        self.counts.append(c.rows)
        self.widths = tuple(map(max, self.widths, c.widths)) if self.widths else c.widths

    def close(self) -> None:
        self.csv.close()
        for f in (self.zip, self.sheet):
            f.flush()

    @staticmethod
    def _read(f, spans: list[Span]) -> Iterator[Segment]:
        for s in spans:
            f.seek(s.offset)
            yield Segment(s.raw, s.crc, f.read(s.size))

    def zip_segments(self) -> Iterator[Segment]:
        return self._read(self.zip, self.zip_spans)

    def sheet_segments(self, i: int, j: int) -> Iterator[Segment]:
        return self._read(self.sheet, self.sheet_spans[i:j])


def header(schema: dict, to_csv) -> bytes:
    """A table's CSV header line: its fields' names."""
    return to_csv([f["name"] for f in schema["fields"]], [])


def write_combined(folder: Path, schemas: dict[str, dict], ids: list[str], load: Loader,
                   codes: list[dict], codes_csv: bytes, descriptor: bytes,
                   titles: dict[str, str], to_csv) -> tuple[dict[str, Path | bytes], dict[str, Path]]:
    """The combined package's files (CSV as files in ``folder``) and its downloads (ZIP and
    workbook, also files in ``folder``), from the chunks of reports ``ids`` in that order."""
    folder.mkdir(parents=True, exist_ok=True)
    spools = {name: _Spool(folder, name, header(schemas[name], to_csv)) for name in PER_REPORT}
    try:
        for rid in ids:
            chunks = load(rid)
            for name, spool in spools.items():
                spool.add(chunks[name])
        codes_chunk = chunk(schemas["codes"]["fields"], codes, to_csv)
        files: dict[str, Path | bytes] = {}
        for name in schemas:
            if name == "codes":
                files["data/codes.csv"] = codes_csv
            else:
                spools[name].close()
                files[f"data/{name}.csv"] = spools[name].csv_path
        files["datapackage.json"] = descriptor
        zip_path, book_path = folder / "package.zip", folder / "package.xlsx"
        with open(zip_path, "wb") as out, ZipWriter(out) as z:
            for path in sorted(files):
                name = path[len("data/"):-len(".csv")] if path.startswith("data/") else ""
                if name in spools:
                    z.add_segments(path, chain([spools[name].header], spools[name].zip_segments()))
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
    finally:
        for spool in spools.values():
            spool.csv.close()
            spool.zip.close()
            spool.sheet.close()
    return files, {"zip": zip_path, "xlsx": book_path}


def buckets(ids: list[str]) -> list[list[str]]:
    """Reports in validation slices of about PER_BUCKET, by a hash of their id (so a report stays
    in its bucket while others come and go; the count doubles as the reports do)."""
    n = 1 << max(0, math.ceil(math.log2(max(len(ids), 1) / PER_BUCKET)))
    out: list[list[str]] = [[] for _ in range(n)]
    for rid in ids:
        out[int(hashlib.sha256(rid.encode()).hexdigest()[:8], 16) % n].append(rid)
    return [b for b in out if b] or [[]]


def verify_combined(folder: Path, schemas: dict[str, dict], ids: list[str], keys: dict[str, str],
                    load: Loader, codes_csv: bytes, descriptor: bytes, memo: Memo, to_csv,
                    validate: Callable[[list[str]], list[list[str]]]) -> list[str]:
    """Frictionless validation of the combined package, slice by slice (module docstring):
    problems found, none when valid. Slices whose reports are unchanged are not validated again."""
    slices = buckets(ids)
    todo: list[tuple[str, str]] = []  # (memo key, descriptor path)
    for n, bucket in enumerate(slices):
        key = key_of("combined-slice", descriptor, codes_csv if n == 0 else b"",
                     sorted(keys[r] for r in bucket))
        if memo.store.get("v" + key) == []:
            continue
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
        todo.append((key, str(base / "datapackage.json")))
    problems = []
    for (key, path), found in zip(todo, validate([p for _, p in todo])):
        if found:
            problems.append(f"datapackage.json is not a valid data package "
                            f"(slice {os.path.basename(os.path.dirname(path))}): {found[0]}")
        else:
            memo.store.put("v" + key, [])
    return problems
