"""The combined package (``datapackages/`` top level) and its downloads, streamed from chunks.

Every report contributes a *chunk* to each combined table: its rows as CSV (no header), the same
bytes deflated on their own, and its rows as spreadsheet XML, deflated (``Chunk``). A chunk is a
pure function of the report and its checks, so it is made once and kept in the memo under the
report's key. A build then only concatenates: the CSV files are header + chunks in report order,
the ZIP and the workbook are assembled from the deflated chunks (``zipstream``) without
compressing anything again but their small parts. All of it goes through files in a scratch
folder, never through memory: the combined tables of 100,000 reports are gigabytes.

A build keeps its spools (each table's CSV and its ZIP and workbook segments, one after the other
in report order) in the cache with where each report's rows are and the key of its chunk. The
next build copies the rows of every report whose key is unchanged from them, a run of
consecutive reports in one ``copy_file_range``, and loads only the changed reports' chunks. Kept
files whose size or time differ from their record are not used.

Its Frictionless validation, slice by slice, is ``nianbao.slices``.
"""

from __future__ import annotations

import errno
import os
import pickle
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .publish import PublishError, exchange, file_facts, link_or_copy
from .xlsx import Chunked, sheet_rows, write_workbook
from .zipstream import Segment, Stored, ZipWriter, crc32_combine, segment

PER_REPORT = ("reports", "proactive", "applications", "review_litigation", "checks")
Loader = Callable[[str], dict[str, "Chunk"]]  # report_id → its chunks
Facts = tuple[str, int]  # a file's sha256 (hex) and size


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


class Span(NamedTuple):
    offset: int
    size: int
    raw: int
    crc: int


# Where a report's rows of one table are in the spools, as a plain tuple (a build pickles one a
# report and table): CSV offset and size; the ZIP segment's offset, size, raw size and CRC; the
# same of the workbook segment; the row count and the column widths.
Place = tuple[int, int, int, int, int, int, int, int, int, int, int, tuple[int, ...]]


class _Spool:
    """One combined table as it is streamed: the CSV file, and the deflated chunks of the ZIP
    and of the workbook in two side files with their positions. A report's rows are added from
    its chunk, or copied from the last build's spools (``reuse``) when its chunk is unchanged:
    consecutive reports are copied as one range, by the kernel."""

    def __init__(self, folder: Path, name: str, header: bytes, same: _Kept | None = None):
        self.header = header
        self.paths = (folder / f"{name}.csv", folder / f"{name}.zip-part", folder / f"{name}.sheet-part")
        self.csv_path = self.paths[0]
        # ``same``: the last build's spools of this table hold exactly the bytes this build's
        # would (every report's rows unchanged, in the same order): they are linked, not copied,
        # and every report is ``reuse``d at its place in them
        self.same = same
        for path, source in zip(self.paths, same.files if same else self.paths):
            if same:  # (the kept folder is replaced at the end of the build)
                link_or_copy(Path(source.name), path)
            else:  # a new file, never one truncated in place: the last build's may be linked
                path.unlink(missing_ok=True)  # into the output or the cache
        self.files = [open(path, "rb" if same else "w+b", buffering=0) for path in self.paths]
        self.csv, self.zip, self.sheet = self.files
        if not same:
            self.csv.write(header)
        self.pos = [len(header), 0, 0]  # where the next bytes go in each file
        self.zip_spans: list[Span] = []
        self.sheet_spans: list[Span] = []
        self.counts: list[int] = []
        self.widths: tuple[int, ...] = ()
        self.at: dict[str, Place] = {}  # report id → where its rows are, for the next build
        self._run: tuple[_Kept, list[int], list[int]] | None = None  # (source, start, end)

    def _span(self, i: int, size: int, raw: int, crc: int) -> Span:
        span = Span(self.pos[i], size, raw, crc)
        self.pos[i] += size
        return span

    def _grow(self, rid: str, csv: int, zip_span: Span, sheet_span: Span, rows: int,
              widths: tuple[int, ...]) -> None:
        self.zip_spans.append(zip_span)
        self.sheet_spans.append(sheet_span)
        self.counts.append(rows)
        self.widths = tuple(map(max, self.widths, widths)) if self.widths else widths
        self.at[rid] = (self.pos[0] - csv, csv, *zip_span, *sheet_span, rows, widths)

    def add(self, rid: str, c: Chunk) -> None:
        self._flush()
        self.csv.write(c.csv)
        self.zip.write(c.deflated.data)
        self.sheet.write(c.sheet.data)
        self.pos[0] += len(c.csv)
        z = self._span(1, len(c.deflated.data), c.deflated.raw, c.deflated.crc)
        x = self._span(2, len(c.sheet.data), c.sheet.raw, c.sheet.crc)
        self._grow(rid, len(c.csv), z, x, c.rows, c.widths)

    def reuse(self, kept: _Kept, rid: str, place: Place) -> None:
        """The rows of report ``rid`` at ``place`` in the last build's spools ``kept``."""
        csv_at, csv, zip_at, zip_size, zip_raw, zip_crc, at, size, raw, crc, rows, widths = place
        starts = [csv_at, zip_at, at]
        run = self._run
        if run is None or run[0] is not kept or run[2] != starts:
            self._flush()
            run = self._run = (kept, starts, list(starts))
        ends = run[2]  # (a spool that is the same as the kept one only keeps the places)
        ends[0] += csv
        ends[1] += zip_size
        ends[2] += size
        self.pos[0] += csv
        z = self._span(1, zip_size, zip_raw, zip_crc)
        x = self._span(2, size, raw, crc)
        self._grow(rid, csv, z, x, rows, widths)

    def _flush(self) -> None:
        if self._run is not None and self.same is None:
            kept, start, end = self._run
            for i, f in enumerate(self.files):
                kept.copy(i, f, start[i], end[i] - start[i])
            self._run = None

    def close(self) -> None:
        self._flush()

    @staticmethod
    def _stored(f, spans: list[Span]) -> list[Stored]:
        """Consecutive spans (as the spools write them) as one run of the file."""
        if not spans:
            return []
        crc = 0
        for span in spans:
            crc = crc32_combine(crc, span.crc, span.raw)
        start, end = spans[0].offset, spans[-1].offset + spans[-1].size
        return [Stored(f.fileno(), start, end - start, sum(s.raw for s in spans), crc)]

    def zip_segments(self) -> list[Stored]:
        return self._stored(self.zip, self.zip_spans)

    def sheet_segments(self, i: int, j: int) -> list[Stored]:
        return self._stored(self.sheet, self.sheet_spans[i:j])


class _Kept:
    """One table's spools as the last build left them in the cache folder, and where each
    report's rows are in them."""

    def __init__(self, paths: list[Path], places: dict[str, Place]):
        self.places = places
        self.files = []
        try:
            for path in paths:
                self.files.append(open(path, "rb"))
        except OSError:
            self.close()
            raise

    def copy(self, i: int, out, offset: int, size: int) -> None:
        """``size`` bytes of file ``i`` from ``offset`` appended to ``out`` (an unbuffered file)."""
        src = self.files[i].fileno()
        while size > 0:
            try:
                done = os.copy_file_range(src, out.fileno(), size, offset)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                    raise
                done = out.write(os.pread(src, min(size, 1 << 24), offset))
            if done <= 0:
                raise OSError(f"could not copy from {self.files[i].name}: it is shorter than recorded")
            offset += done
            size -= done

    def holds(self, place: Place, c: Chunk) -> bool:
        """Whether the rows at ``place`` are byte for byte those of chunk ``c``."""
        csv_at, csv, zip_at, zip_size, _, _, at, size, _, _, rows, widths = place
        return (rows, widths, csv, zip_size, size) == (c.rows, c.widths, len(c.csv),
                                                      len(c.deflated.data), len(c.sheet.data)) \
            and all(os.pread(f.fileno(), len(data), offset) == data
                    for f, offset, data in zip(self.files, (csv_at, zip_at, at),
                                               (c.csv, c.deflated.data, c.sheet.data)))

    def close(self) -> None:
        for f in self.files:
            f.close()


KEPT_INDEX = "index.pickle"
KEPT_VERSION = 2


def _kept(folder: Path | None) -> tuple[dict[str, str], dict[str, _Kept], dict[str, Facts]]:
    """The chunk key of each report, the tables' spools that the last build kept in ``folder``
    and the (sha256, size) of each table's CSV; nothing when there are none, or any file
    differs from its record."""
    if folder is None:
        return {}, {}, {}
    kept: dict[str, _Kept] = {}
    try:
        index = pickle.loads((folder / KEPT_INDEX).read_bytes())
        if index.get("version") != KEPT_VERSION:
            return {}, {}, {}
        for name, places in index["places"].items():
            kept[name] = _Kept([folder / f"{name}{ext}" for ext in SPOOL_FILES], places)
        for k in kept.values():  # the files opened are those recorded (another build sharing
            for f in k.files:    # the cache may have replaced the folder meanwhile)
                st = os.fstat(f.fileno())
                if (st.st_size, st.st_mtime_ns) != index["files"][Path(f.name).name]:
                    raise ValueError(f"{f.name} differs from its record")
        return index["keys"], kept, index["facts"]
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError):
        for k in kept.values():
            k.close()
        return {}, {}, {}


def _keep(folder: Path, spools: dict[str, _Spool], keys: dict[str, str],
          facts: dict[str, Facts]) -> None:
    """This build's spools into ``folder`` (linked, not copied), for the next build."""
    new = folder.with_name(folder.name + ".new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    files = {}
    for name, spool in spools.items():
        for ext, path in zip(SPOOL_FILES, spool.paths):
            target = new / f"{name}{ext}"
            link_or_copy(path, target)
            st = target.stat()
            files[target.name] = (st.st_size, st.st_mtime_ns)
    index = {"version": KEPT_VERSION, "keys": keys, "files": files, "facts": facts,
             "places": {name: spool.at for name, spool in spools.items()}}
    (new / KEPT_INDEX).write_bytes(pickle.dumps(index, protocol=5))
    exchange(folder, new)
    shutil.rmtree(new, ignore_errors=True)


SPOOL_FILES = (".csv", ".zip-part", ".sheet-part")


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
    last_keys, kept, last_facts = _kept(keep if keys is not None else None)
    # the reports whose rows cannot be copied from the kept spools (key changed, or not there)
    changed = [rid for rid in ids if not (keys is not None and last_keys.get(rid) == keys[rid]
                                          and all(rid in k.places for k in kept.values()))]
    to_load = set(changed)
    loaded: dict[str, dict[str, Chunk]] = {}
    same: dict[str, _Kept] = {}  # the tables whose spools would be the kept ones, byte for byte
    if kept and len(changed) <= FEW_CHANGED and list(last_keys) == ids:
        loaded = {rid: load(rid) for rid in changed}
        same = {name: kept[name] for name in PER_REPORT if name in kept and all(
            rid in kept[name].places and kept[name].holds(kept[name].places[rid], chunks[name])
            for rid, chunks in loaded.items())}
    spools = {name: _Spool(folder, name, header(schemas[name], to_csv), same.get(name))
              for name in PER_REPORT}
    facts: dict[str, Facts] = {}
    try:
        for rid in ids:
            if rid not in to_load:
                for name, spool in spools.items():
                    spool.reuse(kept[name], rid, kept[name].places[rid])
                continue
            chunks = loaded.get(rid) or load(rid)
            for name, spool in spools.items():
                if spool.same is not None:
                    spool.reuse(spool.same, rid, spool.same.places[rid])
                else:
                    spool.add(rid, chunks[name])
        codes_chunk = chunk(schemas["codes"]["fields"], codes, to_csv)
        files: dict[str, Path | bytes] = {}
        for name in schemas:
            if name == "codes":
                files["data/codes.csv"] = codes_csv
            else:
                spools[name].close()
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
                _keep(keep, spools, {rid: keys[rid] for rid in ids}, facts)
            except (OSError, PublishError):  # a cache that cannot be written costs the next
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
