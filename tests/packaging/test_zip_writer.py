"""The segment ZIP writer: archives that zipfile reads back intact, byte for byte repeatable."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import pytest

from nianbao.packaging import zip_writer
from nianbao.packaging.zip_writer import END, Segment, ZipWriter, crc32_combine, segment

HEADER = "报告编号,年份,机关,事项,数量\n".encode()


def csv_chunk(rng: random.Random, report: int) -> bytes:
    """Real-ish CSV rows of one report, CJK text and numbers."""
    rows = []
    for i in range(rng.randint(0, 40)):
        agency = rng.choice(["黑龙江省人民政府办公厅", "北京市海淀区人民政府", "国务院办公厅", "MOF"])
        number = rng.randint(0, 10**6)
        rows.append(f"r{report:05d},{2015 + i % 8},{agency},申请数量{i},{number}\n")
    return "".join(rows).encode()


def write(build) -> bytes:
    buf = io.BytesIO()
    with ZipWriter(buf) as w:
        build(w)
    return buf.getvalue()


def read_all(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture
def chunks() -> list[bytes]:
    rng = random.Random(7)
    return [csv_chunk(rng, i) for i in range(200)] + [rng.randbytes(5000), b"", b"x"]


def test_segment_is_byte_aligned_non_final_and_closed_by_end(chunks):
    assert END == zlib.compressobj(wbits=-15).flush(zlib.Z_FINISH)
    segs = [segment(c) for c in chunks]
    assert all(s.raw == len(c) and s.crc == zlib.crc32(c) for s, c in zip(segs, chunks))
    d = zlib.decompressobj(-15)
    assert d.decompress(b"".join(s.data for s in segs)) == b"".join(chunks)
    assert not d.eof  # no segment set BFINAL
    assert d.decompress(END) == b"" and d.eof and d.unused_data == b""


def test_members_from_segments_bytes_and_mixed(chunks):
    segs = [segment(c, level=9) for c in chunks]
    data = write(lambda w: (
        w.add_segments("all.csv", [HEADER, *segs]),
        w.add_bytes("datapackage.json", b'{"name": "nianbao"}\n'),
        w.add_segments("mixed.csv", (x for pair in zip(segs, chunks) for x in pair)),
        w.add_bytes("empty.txt", b""),
        w.add_segments("none.csv", []),
        w.add_segments("empty-items.csv", [b"", segment(b"")]),
    ))
    members = read_all(data)
    assert list(members) == ["all.csv", "datapackage.json", "mixed.csv", "empty.txt",
                             "none.csv", "empty-items.csv"]
    assert members["all.csv"] == HEADER + b"".join(chunks)
    assert members["mixed.csv"] == b"".join(c + c for c in chunks)
    assert members["datapackage.json"] == b'{"name": "nianbao"}\n'
    assert members["empty.txt"] == members["none.csv"] == members["empty-items.csv"] == b""


def test_a_member_from_stored_runs_of_a_file(chunks, tmp_path, monkeypatch):
    """Segments written one after another to a file are copied as runs (in blocks smaller than
    a run here), with each run's raw size and combined CRC; mixed with segments and bytes."""
    from nianbao.packaging.zip_writer import Stored

    monkeypatch.setattr(zip_writer, "BLOCK", 1000)
    segs = [segment(c) for c in chunks]
    path = tmp_path / "part"
    path.write_bytes(b"".join(s.data for s in segs))

    def run(fd: int, i: int, j: int) -> Stored:
        start = sum(len(s.data) for s in segs[:i])
        crc = 0
        for s in segs[i:j]:
            crc = crc32_combine(crc, s.crc, s.raw)
        return Stored(fd, start, sum(len(s.data) for s in segs[i:j]), sum(s.raw for s in segs[i:j]), crc)

    with open(path, "rb") as f:
        fd = f.fileno()
        data = write(lambda w: (
            w.add_segments("runs.csv", [HEADER, run(fd, 0, 50), segs[50], run(fd, 51, len(segs))]),
            w.add_segments("middle.csv", [run(fd, 10, 20)]),
        ))
        members = read_all(data)
        assert members["runs.csv"] == HEADER + b"".join(chunks)
        assert members["middle.csv"] == b"".join(chunks[10:20])
        broken = run(fd, 0, len(segs))._replace(size=path.stat().st_size + 1)
        with pytest.raises(OSError, match="ends"):
            write(lambda w: w.add_segments("short.csv", [broken]))


def test_deterministic_metadata_and_utf8_names(chunks):
    def build(w):
        w.add_segments("数据/全部报告.csv", [HEADER] + [segment(c) for c in chunks])
        w.add_bytes("README.md", "说明".encode())
        w.add_bytes("z-first-added-last.txt", b"z")

    first, second = write(build), write(build)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        infos = z.infolist()
        names = ["数据/全部报告.csv", "README.md", "z-first-added-last.txt"]
        assert [i.filename for i in infos] == names
        for i in infos:
            assert i.date_time == (1980, 1, 1, 0, 0, 0)
            assert (i.create_system, i.compress_type, i.extract_version) == (3, 8, 20)
            assert i.external_attr == 0o644 << 16 and i.extra == b""
            assert bool(i.flag_bits & 0x800) == (not i.filename.isascii())
            assert i.flag_bits & 0x08 == 0  # sizes patched into the header: no data descriptor
    # The local headers carry the real CRC and sizes too (streaming readers rely on them).
    for info in infos:
        crc, comp, raw = struct.unpack_from("<III", first, info.header_offset + 14)
        assert (crc, comp, raw) == (info.CRC, info.compress_size, info.file_size)


def test_same_contents_as_zipfile(chunks, tmp_path):
    members = {"all.csv": HEADER + b"".join(chunks), "说明.txt": "数据说明".encode() * 100}
    ours = tmp_path / "ours.zip"
    with open(ours, "wb") as f, ZipWriter(f) as w:
        w.add_segments("all.csv", [HEADER] + [segment(c) for c in chunks])
        w.add_bytes("说明.txt", members["说明.txt"])
    theirs = tmp_path / "theirs.zip"
    with zipfile.ZipFile(theirs, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert read_all(ours.read_bytes()) == read_all(theirs.read_bytes()) == members


def test_rejects_duplicates_and_writes_after_close():
    w = ZipWriter(io.BytesIO())
    w.add_bytes("a", b"1")
    with pytest.raises(ValueError):
        w.add_bytes("a", b"2")
    w.close()
    with pytest.raises(ValueError):
        w.add_segments("b", [])


@pytest.mark.parametrize("use_c", [True, False])
def test_crc32_combine(monkeypatch, use_c):
    if use_c and zip_writer._C_COMBINE is None:
        pytest.skip("zlib's C library not found")
    if not use_c:
        monkeypatch.setattr(zip_writer, "_C_COMBINE", None)
    rng = random.Random(11)
    for _ in range(300):
        data = rng.randbytes(rng.randint(0, 3000))
        cut = rng.randint(0, len(data))
        a, b = data[:cut], data[cut:]
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(data)
    # Chained over many pieces, as add_segments does.
    pieces = [rng.randbytes(rng.randint(0, 70000)) for _ in range(20)]
    crc = 0
    for p in pieces:
        crc = crc32_combine(crc, zlib.crc32(p), len(p))
    assert crc == zlib.crc32(b"".join(pieces))


def test_python_crc32_combine_agrees_with_c_on_huge_lengths():
    if zip_writer._C_COMBINE is None:
        pytest.skip("zlib's C library not found")
    c_combine = zip_writer._C_COMBINE[0]
    rng = random.Random(3)
    for _ in range(50):
        crc1, crc2, n = rng.getrandbits(32), rng.getrandbits(32), rng.randint(1, 1 << 40)
        assert zip_writer._py_crc32_combine(crc1, crc2, n) == c_combine(crc1, crc2, n)


def zip64_archive(chunks) -> bytes:
    segs = [segment(c) for c in chunks]
    return write(lambda w: (
        w.add_bytes("small.txt", b"tiny"),  # under the limit, at offset 0
        w.add_segments("big.csv", [HEADER, *segs]),  # sizes over the limit
        w.add_bytes("late.txt", b"after the big member"),  # offset over the limit
        w.add_bytes("big-bytes.csv", b"".join(chunks)),
    ))


def test_zip64(monkeypatch, chunks):
    monkeypatch.setattr(zip_writer, "ZIP64_LIMIT", 1000)
    monkeypatch.setattr(zip_writer, "ZIP64_COUNT_LIMIT", 3)
    data = zip64_archive(chunks)
    assert data == zip64_archive(chunks)
    assert read_all(data) == {
        "small.txt": b"tiny", "big.csv": HEADER + b"".join(chunks),
        "late.txt": b"after the big member", "big-bytes.csv": b"".join(chunks),
    }
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = {i.filename: i for i in z.infolist()}
    assert info["small.txt"].extra == b"" and info["small.txt"].extract_version == 20
    for name in ("big.csv", "late.txt", "big-bytes.csv"):
        assert info[name].extra[:2] == b"\x01\x00" and info[name].extract_version == 45
    # The local header of the big member: 32-bit sizes saturated, real ones in its ZIP64 field.
    big = info["big.csv"]
    fields = struct.unpack_from("<IHHHHHIIIHH", data, big.header_offset)
    assert fields[1] == 45 and fields[7:9] == (0xFFFFFFFF,) * 2 and fields[10] == 20
    extra_at = big.header_offset + 30 + fields[9]
    assert struct.unpack_from("<HHQQ", data, extra_at) == (1, 16, big.file_size, big.compress_size)
    # End records: ZIP64 end record and locator, then the classic one with saturated counts.
    eocd = data[-22:]
    assert struct.unpack("<IHHHH", eocd[:12]) == (0x06054B50, 0, 0, 0xFFFF, 0xFFFF)
    assert struct.unpack_from("<I", data, len(data) - 42)[0] == 0x07064B50
    assert struct.unpack_from("<IQHHIIQQ", data, len(data) - 98)[6:] == (4, 4)


def test_zip64_needs_a_sized_segments_argument(monkeypatch, chunks):
    monkeypatch.setattr(zip_writer, "ZIP64_LIMIT", 1000)
    w = ZipWriter(io.BytesIO())
    with pytest.raises(ValueError, match="pass a list"):
        w.add_segments("big.csv", (segment(c) for c in chunks))


def test_segment_type_is_frozen():
    s = segment(b"abc")
    assert s == Segment(3, zlib.crc32(b"abc"), s.data)
    with pytest.raises(AttributeError):
        s.raw = 4  # type: ignore[misc]
