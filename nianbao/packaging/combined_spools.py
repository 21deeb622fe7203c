"""The combined tables' spools (``nianbao.packaging.combined``) and what a build keeps of them for the next.

Each combined table is streamed into three files, the *spools*: its CSV (header, then every
report's rows in report order), the ZIP's deflated chunks and the workbook's deflated chunks,
one after the other. Where each report's rows are in them is kept column by column (``Rows``):
each report's sizes, raw sizes and CRCs and its row count and column widths, in arrays, with the
offsets as sums of the sizes before. A build copies the rows of a run of unchanged reports from
the last build's spools in one ``copy_file_range`` per file and extends each column by a slice of
the last build's: nothing is done report by report (as tuples, 10,000 reports × 5 tables, that
bookkeeping was most of an edit's combined files). A run's CRC is worked out from its reports'
once and remembered by what it was made of.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import shutil
from array import array
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from nianbao.disk.fileops import exchange, link_or_copy
from nianbao.packaging.zip_writer import Segment, Stored, crc32_combine


@dataclass(frozen=True)
class Chunk:
    """One report's rows in one combined table, in every form the combined files need."""

    rows: int
    csv: bytes  # CSV rows, no header
    deflated: Segment  # ``csv`` deflated, for the package ZIP
    sheet: Segment  # the rows as reference-less spreadsheet XML, deflated, for the workbook
    widths: tuple[int, ...]  # widest value of each column (the workbook's column widths)


SPOOL_FILES = (".csv", ".zip-part", ".sheet-part")
COLUMNS = ("csv", "zip", "zip_raw", "zip_crc", "sheet", "sheet_raw", "sheet_crc", "rows")
KEPT_INDEX = "index.pickle"
KEPT_VERSION = 3
Facts = tuple[str, int]  # a file's sha256 (hex) and size


class Rows:
    """Where each report's rows of one table are in its spools (module docstring): per report
    its CSV size, its ZIP chunk's size, raw size and CRC, the same of its workbook chunk, its
    row count, and the width of each column."""

    def __init__(self, cols: dict[str, array] | None = None, widths: list[array] | None = None):
        self.cols = cols if cols is not None else {c: array("q") for c in COLUMNS}
        self.widths = widths if widths is not None else []
        self._sums: dict[str, list[int]] = {}

    def __len__(self) -> int:
        return len(self.cols["rows"])

    def add(self, c: Chunk) -> None:
        for name, value in zip(COLUMNS, (len(c.csv), len(c.deflated.data), c.deflated.raw,
                                         c.deflated.crc, len(c.sheet.data), c.sheet.raw,
                                         c.sheet.crc, c.rows)):
            self.cols[name].append(value)
        if not self.widths:
            self.widths = [array("q") for _ in c.widths]
        for column, width in zip(self.widths, c.widths, strict=True):
            column.append(width)
        self._sums.clear()

    def extend(self, other: Rows, i: int, j: int) -> None:
        """The rows of ``other``'s reports ``i`` … ``j - 1`` after these."""
        for name, column in self.cols.items():
            column.extend(other.cols[name][i:j])
        if not self.widths:
            self.widths = [array("q") for _ in other.widths]
        for column, theirs in zip(self.widths, other.widths, strict=True):
            column.extend(theirs[i:j])
        self._sums.clear()

    def start(self, column: str, i: int) -> int:
        """The sum of ``column`` over the reports before ``i`` (an offset, for the sizes)."""
        sums = self._sums.get(column)
        if sums is None:
            sums = self._sums[column] = list(accumulate(self.cols[column], initial=0))
        return sums[i]

    def total(self, column: str, i: int, j: int) -> int:
        return self.start(column, j) - self.start(column, i)

    def widest(self) -> tuple[int, ...]:
        """The widest value of each column over every report."""
        return tuple(max(column) for column in self.widths) if len(self) else ()

    def crc(self, kind: str, i: int, j: int, known: dict[bytes, int], used: dict[bytes, int]) -> int:
        """The CRC-32 of the raw bytes of the ``kind`` ("zip", "sheet") chunks of reports
        ``i`` … ``j - 1`` one after the other: from ``known`` by what it is made of, or combined
        from theirs (and put in ``used``)."""
        crcs, raws = self.cols[kind + "_crc"][i:j], self.cols[kind + "_raw"][i:j]
        key = hashlib.sha256(crcs.tobytes() + b"\0" + raws.tobytes()).digest()
        found = known.get(key)
        if found is None:
            found = 0
            for crc, raw in zip(crcs, raws):
                found = crc32_combine(found, crc, raw)
        used[key] = found
        return found

    def state(self) -> tuple[dict[str, bytes], list[bytes]]:
        return ({name: column.tobytes() for name, column in self.cols.items()},
                [column.tobytes() for column in self.widths])

    @classmethod
    def of_state(cls, state: tuple[dict[str, bytes], list[bytes]]) -> Rows:
        cols, widths = state
        if set(cols) != set(COLUMNS):
            raise ValueError("another version's columns")
        return cls({name: _array(cols[name]) for name in COLUMNS}, [_array(w) for w in widths])


def _array(data: bytes) -> array:
    a = array("q")
    a.frombytes(data)
    return a


class Kept:
    """One table's spools as the last build left them in the cache folder, and its ``Rows``."""

    def __init__(self, paths: list[Path], rows: Rows, header: int, crcs: dict[bytes, int]):
        self.rows, self.header, self.crcs = rows, header, crcs
        self.files = []
        try:
            for path in paths:
                self.files.append(open(path, "rb"))
        except OSError:
            self.close()
            raise

    def offsets(self, i: int) -> list[int]:
        """Where report ``i``'s rows start in each spool."""
        r = self.rows
        return [self.header + r.start("csv", i), r.start("zip", i), r.start("sheet", i)]

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

    def holds(self, i: int, c: Chunk) -> bool:
        """Whether report ``i``'s rows are byte for byte those of chunk ``c``."""
        cols = self.rows.cols
        if (cols["rows"][i], cols["csv"][i], cols["zip"][i], cols["sheet"][i]) != (
                c.rows, len(c.csv), len(c.deflated.data), len(c.sheet.data)) \
                or tuple(w[i] for w in self.rows.widths) != c.widths:
            return False
        return all(os.pread(f.fileno(), len(data), offset) == data
                   for f, offset, data in zip(self.files, self.offsets(i),
                                              (c.csv, c.deflated.data, c.sheet.data)))

    def close(self) -> None:
        for f in self.files:
            f.close()


class Spool:
    """One combined table as it is streamed: a report's rows are added from its chunk, or a run
    of reports' rows copied from the last build's spools (``reuse``)."""

    def __init__(self, folder: Path, name: str, header: bytes, same: Kept | None = None):
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
        self.rows = Rows()
        self.crcs: dict[bytes, int] = {}  # the runs' CRCs this build worked out or used
        self._known = same.crcs if same else {}

    def add(self, c: Chunk) -> None:
        self.csv.write(c.csv)
        self.zip.write(c.deflated.data)
        self.sheet.write(c.sheet.data)
        self.rows.add(c)

    def reuse(self, kept: Kept, i: int, j: int) -> None:
        """The rows of reports ``i`` … ``j - 1`` of the last build's spools ``kept``, copied in
        one range per file (the caller gives whole runs of consecutive reports)."""
        if j <= i:
            return
        self._known = self._known or kept.crcs
        if self.same is None:
            starts, ends = kept.offsets(i), kept.offsets(j)
            for n, f in enumerate(self.files):
                kept.copy(n, f, starts[n], ends[n] - starts[n])
        self.rows.extend(kept.rows, i, j)

    @property
    def counts(self) -> array:
        return self.rows.cols["rows"]

    @property
    def widths(self) -> tuple[int, ...]:
        return self.rows.widest()

    def _stored(self, f, kind: str, i: int, j: int) -> list[Stored]:
        """Reports ``i`` … ``j - 1``'s ``kind`` chunks, one after the other in ``f``, as one run."""
        if j <= i:
            return []
        r = self.rows
        return [Stored(f.fileno(), r.start(kind, i), r.total(kind, i, j),
                       r.total(kind + "_raw", i, j), r.crc(kind, i, j, self._known, self.crcs))]

    def zip_segments(self) -> list[Stored]:
        return self._stored(self.zip, "zip", 0, len(self.rows))

    def sheet_segments(self, i: int, j: int) -> list[Stored]:
        return self._stored(self.sheet, "sheet", i, j)


def read_kept(folder: Path | None) -> tuple[list[str], list[str], dict[str, Kept], dict[str, Facts]]:
    """The reports (in spool order) and the key of each one's chunks, the tables' spools that
    the last build kept in ``folder`` and the (sha256, size) of each table's CSV; nothing when
    there are none, or any file differs from its record."""
    if folder is None:
        return [], [], {}, {}
    kept: dict[str, Kept] = {}
    try:
        index = pickle.loads((folder / KEPT_INDEX).read_bytes())
        if index.get("version") != KEPT_VERSION or len(index["keys"]) != len(index["ids"]):
            return [], [], {}, {}
        for name, (header, state, crcs) in index["tables"].items():
            rows = Rows.of_state(state)
            if len(rows) != len(index["ids"]):
                raise ValueError(f"{name}: {len(rows)} reports recorded, not {len(index['ids'])}")
            kept[name] = Kept([folder / f"{name}{ext}" for ext in SPOOL_FILES], rows, header, crcs)
        for k in kept.values():  # the files opened are those recorded (another build sharing
            for f in k.files:    # the cache may have replaced the folder meanwhile)
                st = os.fstat(f.fileno())
                if (st.st_size, st.st_mtime_ns) != index["files"][Path(f.name).name]:
                    raise ValueError(f"{f.name} differs from its record")
        return index["ids"], index["keys"], kept, index["facts"]
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError):
        for k in kept.values():
            k.close()
        return [], [], {}, {}


def keep(folder: Path, spools: dict[str, Spool], ids: list[str], keys: list[str],
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
    index = {"version": KEPT_VERSION, "ids": ids, "keys": keys, "files": files, "facts": facts,
             "tables": {name: (len(spool.header), spool.rows.state(), spool.crcs)
                        for name, spool in spools.items()}}
    (new / KEPT_INDEX).write_bytes(pickle.dumps(index, protocol=5))
    exchange(folder, new)
    shutil.rmtree(new, ignore_errors=True)
