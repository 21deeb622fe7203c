"""A deterministic ZIP writer whose big members are assembled from pre-deflated segments.

The combined data package's CSV files are the concatenation of per-report row chunks, and its
ZIP holds those CSVs. With 10,000+ reports, deflating hundreds of MB again after one report
changes is the slow part of a rebuild. So each chunk is deflated once, on its own, into a
``Segment`` (which the caller caches), and a member is written by concatenating segments:

    member data = segment₁.data ∥ segment₂.data ∥ … ∥ END

This works because a segment is a raw deflate stream ended by a *full flush*, never by
``Z_FINISH``: it is byte-aligned, sets no BFINAL bit and refers to no earlier data, so
segments chain into one valid stream that ``END`` (an empty final block) closes. The member's
CRC-32 comes from the segments' CRCs with ``crc32_combine``, without reading the data again.

Segments written one after another to a file are themselves a segment: a ``Stored`` run (a
range of that file, with the run's raw size and CRC) is copied into a member in large blocks,
not segment by segment.

``ZipWriter`` writes every entry with the same metadata (1980-01-01 00:00:00, Unix, mode 0644,
deflate, no extra fields unless ZIP64 needs them), so the same input gives the same bytes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import zlib
from collections.abc import Iterable, Sized
from dataclasses import dataclass
from typing import NamedTuple

END = b"\x03\x00"  # an empty final fixed-Huffman block: closes a chain of segments
ZIP64_LIMIT = 0xFFFFFFFF  # a size or offset this big or bigger needs ZIP64
ZIP64_COUNT_LIMIT = 0xFFFF  # as many members as this or more need the ZIP64 end record

_DOS_DATE, _DOS_TIME = (1 << 5) | 1, 0  # 1980-01-01 00:00:00
_EXTERNAL_ATTR = 0o644 << 16
_UTF8_FLAG = 0x800


@dataclass(frozen=True)
class Segment:
    """``raw`` bytes of data with CRC-32 ``crc``, deflated to ``data`` (raw deflate, full flush)."""

    raw: int
    crc: int
    data: bytes


class Stored(NamedTuple):
    """Segments stored one after another in an open file: ``size`` bytes from ``offset`` of file
    descriptor ``fd``, deflating ``raw`` bytes of data whose CRC-32 is ``crc``."""

    fd: int
    offset: int
    size: int
    raw: int
    crc: int


BLOCK = 1 << 20  # bytes a Stored run is copied by


def _size(item: Segment | Stored) -> int:
    return item.size if isinstance(item, Stored) else len(item.data)


def segment(raw: bytes, level: int = 6) -> Segment:
    """Deflate ``raw`` into an independent, byte-aligned, non-final segment."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = c.compress(raw) + c.flush(zlib.Z_FULL_FLUSH)
    return Segment(len(raw), zlib.crc32(raw), data)


# --- crc32_combine: zlib's own through ctypes, else the GF(2) matrix method in Python ---------


def _load_c_combine():
    """zlib's ``crc32_combine64`` (or ``crc32_combine``) and the largest length it takes."""
    for name in filter(None, (ctypes.util.find_library("z"), "libz.so.1", "libz.dylib")):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        for symbol, off_t in (("crc32_combine64", ctypes.c_int64),
                              ("crc32_combine", ctypes.c_long)):
            fn = getattr(lib, symbol, None)
            if fn is not None:
                fn.argtypes = (ctypes.c_ulong, ctypes.c_ulong, off_t)
                fn.restype = ctypes.c_ulong
                return fn, (1 << (8 * ctypes.sizeof(off_t) - 1)) - 1
    return None


_C_COMBINE = _load_c_combine()  # (function, max len2) or None; tests set it to None


def _gf2_times(matrix: list[int], vector: int) -> int:
    """The 32×32 GF(2) matrix (a list of 32 column words) applied to a 32-bit vector."""
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, column) for column in matrix]


# _ZEROS[k] maps the CRC register before 2**k zero bytes to the register after them.
_ZEROS: list[list[int]] = []


def _zeros_operator(k: int) -> list[int]:
    if not _ZEROS:
        # One zero bit: shift right, folding the reflected polynomial in when bit 0 was set.
        op = [0xEDB88320] + [1 << (n - 1) for n in range(1, 32)]
        for _ in range(3):  # 1 → 2 → 4 → 8 bits: one zero byte
            op = _gf2_square(op)
        _ZEROS.append(op)
    while len(_ZEROS) <= k:
        _ZEROS.append(_gf2_square(_ZEROS[-1]))
    return _ZEROS[k]


def _py_crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC(A∥B) = CRC(A) advanced over len(B) zero bytes, XOR CRC(B) (CRC-32 is affine)."""
    crc1 &= 0xFFFFFFFF
    k = 0
    while len2 > 0:
        if len2 & 1:
            crc1 = _gf2_times(_zeros_operator(k), crc1)
        len2 >>= 1
        k += 1
    return crc1 ^ (crc2 & 0xFFFFFFFF)


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A∥B, given ``crc1`` = CRC(A), ``crc2`` = CRC(B) and ``len2`` = len(B)."""
    if len2 <= 0:
        return (crc1 ^ crc2) & 0xFFFFFFFF  # B is empty, so crc2 is 0
    if _C_COMBINE is not None and len2 <= _C_COMBINE[1]:
        return _C_COMBINE[0](crc1 & 0xFFFFFFFF, crc2 & 0xFFFFFFFF, len2) & 0xFFFFFFFF
    return _py_crc32_combine(crc1, crc2, len2)


# --- the ZIP writer -----------------------------------------------------------------------------


@dataclass
class _Entry:
    name: bytes
    flags: int
    offset: int
    zip64_local: bool
    crc: int = 0
    compressed: int = 0
    raw: int = 0


class ZipWriter:
    """Writes a ZIP archive to the binary file object ``out``, member by member, in call order.

    ``add_segments`` learns a member's CRC and sizes only after streaming its data, so it then
    seeks back to fill them into the local header (no data descriptors): ``out`` must be
    seekable, like a file opened "wb" or "w+b". Offsets are absolute positions in ``out``.
    ``close`` (or leaving a ``with`` block without an exception) writes the central directory;
    ``out`` itself is left open. After an exception the archive is incomplete: discard it.
    """

    def __init__(self, out) -> None:
        self._out = out
        self._entries: list[_Entry] = []
        self._names: set[bytes] = set()
        self._closed = False

    def __enter__(self) -> ZipWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()

    def add_bytes(self, name: str, data: bytes) -> None:
        """A member whose data is deflated here in one go: for small members."""
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = c.compress(data) + c.flush(zlib.Z_FINISH)
        entry = self._start(name, max(len(data), len(deflated)) >= ZIP64_LIMIT)
        self._out.write(deflated)
        self._finish(entry, zlib.crc32(data), len(deflated), len(data))

    def add_segments(self, name: str, segments: Iterable[Segment | bytes]) -> None:
        """A member whose data is the segments' data concatenated, then ``END``.

        An item that is ``bytes`` is raw data (a CSV header line, say), deflated here as its
        own segment. When ``segments`` has a length, its sizes are known up front and the local
        header gets a ZIP64 field if they need one; a member streamed from a plain iterator
        must stay under ``ZIP64_LIMIT`` (else ``ValueError``, the archive being then unusable).
        """
        items: Iterable[Segment | Stored | bytes] = segments
        zip64 = False
        if isinstance(segments, Sized):
            items = [s if isinstance(s, (Segment, Stored)) else segment(bytes(s)) for s in segments]
            raw = sum(s.raw for s in items)
            zip64 = max(raw, sum(map(_size, items)) + len(END)) >= ZIP64_LIMIT
        entry = self._start(name, zip64)
        crc = raw = compressed = 0
        for item in items:
            seg = item if isinstance(item, (Segment, Stored)) else segment(bytes(item))
            if isinstance(seg, Stored):
                self._copy(seg)
            else:
                self._out.write(seg.data)
            crc = crc32_combine(crc, seg.crc, seg.raw)
            raw += seg.raw
            compressed += _size(seg)
        self._out.write(END)
        compressed += len(END)
        if not zip64 and max(raw, compressed) >= ZIP64_LIMIT:
            raise ValueError(f"{name}: too large for a header written before its data; pass a list")
        self._finish(entry, crc, compressed, raw)

    def _copy(self, run: Stored) -> None:
        offset, left = run.offset, run.size
        while left > 0:
            block = os.pread(run.fd, min(left, BLOCK), offset)
            if not block:
                raise OSError(f"a stored run ends {left} bytes before its recorded size")
            self._out.write(block)
            offset += len(block)
            left -= len(block)

    def close(self) -> None:
        """Writes the central directory and the end records (ZIP64 ones if needed)."""
        if self._closed:
            return
        self._closed = True
        out = self._out
        cd_offset = out.tell()
        for e in self._entries:
            big = [v for v in (e.raw, e.compressed, e.offset) if v >= ZIP64_LIMIT]
            extra = struct.pack(f"<HH{len(big)}Q", 1, 8 * len(big), *big) if big else b""
            version = 45 if big or e.zip64_local else 20
            raw, compressed, offset = (v if v < ZIP64_LIMIT else 0xFFFFFFFF
                                       for v in (e.raw, e.compressed, e.offset))
            out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | version, version,
                                  e.flags, 8, _DOS_TIME, _DOS_DATE, e.crc, compressed, raw,
                                  len(e.name), len(extra), 0, 0, 0, _EXTERNAL_ATTR, offset))
            out.write(e.name + extra)
        cd_end = out.tell()
        count, cd_size = len(self._entries), cd_end - cd_offset
        if count >= ZIP64_COUNT_LIMIT or cd_size >= ZIP64_LIMIT or cd_offset >= ZIP64_LIMIT:
            out.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0,
                                  count, count, cd_size, cd_offset))
            out.write(struct.pack("<IIQI", 0x07064B50, 0, cd_end, 1))
        count16 = 0xFFFF if count >= ZIP64_COUNT_LIMIT else count
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count16, count16,
                              0xFFFFFFFF if cd_size >= ZIP64_LIMIT else cd_size,
                              0xFFFFFFFF if cd_offset >= ZIP64_LIMIT else cd_offset, 0))

    def _start(self, name: str, zip64: bool) -> _Entry:
        """Writes the local header, with sizes to be filled in; returns the member's entry."""
        if self._closed:
            raise ValueError("ZipWriter is closed")
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_FLAG
        if encoded in self._names:
            raise ValueError(f"duplicate member name: {name}")
        self._names.add(encoded)
        entry = _Entry(encoded, flags, self._out.tell(), zip64)
        extra = struct.pack("<HHQQ", 1, 16, 0, 0) if zip64 else b""
        size = 0xFFFFFFFF if zip64 else 0
        self._out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, flags, 8,
                                    _DOS_TIME, _DOS_DATE, 0, size, size, len(encoded), len(extra)))
        self._out.write(encoded + extra)
        self._entries.append(entry)
        return entry

    def _finish(self, entry: _Entry, crc: int, compressed: int, raw: int) -> None:
        """Seeks back to fill the CRC and sizes into the local header, then returns to the end."""
        entry.crc, entry.compressed, entry.raw = crc, compressed, raw
        out, end = self._out, self._out.tell()
        out.seek(entry.offset + 14)
        if entry.zip64_local:  # the 32-bit fields stay 0xFFFFFFFF; the ZIP64 field has the sizes
            out.write(struct.pack("<I", crc))
            out.seek(entry.offset + 30 + len(entry.name) + 4)
            out.write(struct.pack("<QQ", raw, compressed))
        else:
            out.write(struct.pack("<III", crc, compressed, raw))
        out.seek(end)
