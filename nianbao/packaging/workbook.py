"""Excel workbooks beside the CSV files: one sheet per table, Chinese column titles.

A small writer of its own (``zipfile`` and the minimal Office Open XML parts), not a spreadsheet
library: ``[Content_Types].xml``, ``_rels/.rels``, ``docProps/core.xml``, ``xl/workbook.xml``,
``xl/_rels/workbook.xml.rels``, ``xl/styles.xml`` and ``xl/worksheets/sheetN.xml``.

- Deterministic like every other output: fixed document dates, fixed ZIP entry times and order,
  so the same data gives the same bytes.
- Text is stored as an inline string (``t="inlineStr"``), which a spreadsheet never evaluates;
  text that would become a formula once edited or re-saved as CSV also gets a ``'`` in front
  (``nianbao.packaging.formula_guard``). Numbers (``int``, ``Decimal``) are numbers, booleans 是/否, ``None`` and
  ``""`` empty cells.
- The header row (the fields' Chinese titles) is bold and frozen; column widths follow the
  content (CJK characters count double), between 6 and 60 characters.
- Excel's limits: a sheet holds at most 1,048,576 rows. A table with more rows is split into
  sheets ``<name> (1)``, ``<name> (2)``, … of 1,048,575 data rows each (``workbook``) or of as
  many whole chunks as fit (``write_workbook``), every one with the header row, in row order. A cell holds at most 32,767 characters: longer text is cut there and ends
  with "…" (the CSV keeps it whole). Characters XML cannot carry (control characters other than
  tab and line ends, U+FFFE, U+FFFF, lone surrogates) are written as U+FFFD; a literal
  ``_xHHHH_``, which Excel would read as an escaped character, keeps its underscore escaped.
- Big workbooks (the combined package's) are written as a stream by ``write_workbook`` from
  chunks of rows made once per report (``sheet_rows``: rows without cell references, which the
  format allows, so a chunk stands anywhere in a sheet; an empty cell is ``<c/>``), deflated as
  ``zip_writer`` segments: nothing but the sheet heads is compressed again.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from nianbao.packaging.formula_guard import neutralise
from nianbao.packaging.zip_writer import Segment, Stored, ZipWriter

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_ROWS = 1_048_576  # rows in one sheet, the header row included
MAX_CELL_CHARS = 32_767
SHEET_NAME_CHARS = 31
WIDTH_SAMPLE = 1000  # rows looked at for the column widths
MIN_WIDTH, MAX_WIDTH = 6, 60

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel reads _xHHHH_ in text as the character HHHH: a literal one keeps its underscore escaped
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

STYLES = (
    _XML + f'<styleSheet xmlns="{_NS}">'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '</fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)
CORE = (
    _XML + '<cp:coreProperties '
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<dc:creator>nianbao</dc:creator>'
    '<dcterms:created xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:modified>'
    '</cp:coreProperties>'
)
ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '</Relationships>'
)


def _zh(title: str) -> str:
    """"报告编号 / Report ID" → "报告编号" (the sheet's column titles are Chinese)."""
    return title.split(" / ")[0] if title else ""


def _column(n: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _xml_text(text: str) -> str:
    """Text as XML character data (also fit for a double-quoted attribute)."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("\ufffd", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;"))


def _fit(text: str) -> str:
    """Text cut to Excel's 32,767 characters (UTF-16 units), ending in "…" when cut."""
    if len(text) <= MAX_CELL_CHARS // 2:
        return text
    if len(text.encode("utf-16-le", "surrogatepass")) // 2 <= MAX_CELL_CHARS:
        return text
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_CELL_CHARS - 1:
            return text[:i] + "…"
    return text  # not reached


def _cell_text(text: str) -> str:
    """A cell's text within Excel's limits, as XML."""
    text = _fit(text)
    if "_x" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    return _xml_text(text)


def _string(ref: str, text: str, style: str = "") -> str:
    return f'<c{ref}{style}{_inline(text)}'


def _inline(text: str) -> str:
    """The rest of an inline-string cell after its reference and style."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{_cell_text(text)}</t></is></c>'


def _value(ref: str, value: object, texts: dict[str, str]) -> str:
    """One data cell, or "" for an empty one. ``ref`` is the cell's `` r="B7"`` attribute, or ""
    in rows without references. ``texts``: text → its cell body, made once per workbook (codes,
    ids and statuses repeat on every row)."""
    if type(value) is str:
        if not value:
            return ""
        body = texts.get(value)
        if body is None:
            body = texts[value] = _inline(neutralise(value))
        return f'<c{ref}{body}'
    if value is None:
        return ""
    if isinstance(value, bool):
        return _string(ref, "是" if value else "否")
    if isinstance(value, int):
        return f'<c{ref}><v>{value}</v></c>'
    if isinstance(value, (Decimal, float)):
        number = float(value)
        if math.isfinite(number):
            return f'<c{ref}><v>{number!r}</v></c>'
        return _string(ref, str(value))
    text = str(value)
    return _string(ref, neutralise(text)) if text else ""


def _width(value: object) -> int:
    if value is None:
        return 0
    text = "是" if value is True else "否" if value is False else str(value)
    # CJK characters take 3 bytes in UTF-8 and two columns on screen
    return len(text) + (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2


def _sheet_head(headers: list[str], widths: list[int], last_row: int, refs: bool = True) -> str:
    """A worksheet up to and including its header row (``refs``: with cell references)."""
    cols = [_column(i) for i in range(1, len(headers) + 1)]
    out = [
        _XML, f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">',
        f'<dimension ref="A1:{_column(max(len(cols), 1))}{last_row}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if cols:
        out.append("<cols>")
        out += [f'<col min="{i}" max="{i}" width="{min(max(w + 2, MIN_WIDTH), MAX_WIDTH)}" '
                'customWidth="1"/>' for i, w in enumerate(widths, 1)]
        out.append("</cols>")
    out.append('<sheetData><row r="1">' if refs else "<sheetData><row>")
    out += [_string(f' r="{c}1"' if refs else "", neutralise(h), ' s="1"')
            for c, h in zip(cols, headers)]
    out.append("</row>")
    return "".join(out)


SHEET_TAIL = "</sheetData></worksheet>"


def _widths(names: list[str], rows: list[dict], start: list[int]) -> list[int]:
    widths = list(start)
    for row in rows:
        for i, name in enumerate(names):
            w = _width(row.get(name))
            if w > widths[i]:
                widths[i] = w
    return widths


def _worksheet(headers: list[str], names: list[str], rows: list[dict],
               texts: dict[str, str]) -> bytes:
    cols = [_column(i) for i in range(1, len(headers) + 1)]
    widths = _widths(names, rows[:WIDTH_SAMPLE], [_width(h) for h in headers])
    out = [_sheet_head(headers, widths, len(rows) + 1)]
    for r, row in enumerate(rows, 2):
        out.append(f'<row r="{r}">')
        out += [_value(f' r="{c}{r}"', row.get(name), texts) for c, name in zip(cols, names)]
        out.append("</row>")
    out.append(SHEET_TAIL)
    return "".join(out).encode("utf-8")


def sheet_rows(fields: list[dict], rows: list[dict]) -> tuple[bytes, tuple[int, ...]]:
    """Rows as ``<row>`` elements without cell references (an empty cell is ``<c/>``), so that a
    chunk of rows can stand anywhere in a sheet; and the widest value of each column."""
    names = [f["name"] for f in fields]
    texts: dict[str, str] = {}
    out = []
    for row in rows:
        out.append("<row>")
        out += [_value("", row.get(name), texts) or "<c/>" for name in names]
        out.append("</row>")
    return "".join(out).encode("utf-8"), tuple(_widths(names, rows, [0] * len(names)))


def _sheet_names(names: list[str]) -> list[str]:
    """Names Excel accepts: at most 31 characters, none of []:*?/\\, not quoted, unique."""
    out: list[str] = []
    seen: set[str] = set()
    for n, name in enumerate(names, 1):
        base = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:SHEET_NAME_CHARS] or f"Sheet{n}"
        candidate, k = base, 1
        while candidate.lower() in seen:
            k += 1
            suffix = f" ({k})"
            candidate = base[: SHEET_NAME_CHARS - len(suffix)] + suffix
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def _parts(name: str, rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """A table as one sheet, or as numbered sheets of at most MAX_ROWS rows each."""
    per = MAX_ROWS - 1
    if len(rows) <= per:
        return [(name, rows)]
    chunks = [rows[i:i + per] for i in range(0, len(rows), per)]
    out = []
    for k, chunk in enumerate(chunks, 1):
        suffix = f" ({k})"
        out.append((name[: SHEET_NAME_CHARS - len(suffix)] + suffix, chunk))
    return out


def _book_parts(titles: list[str]) -> list[tuple[str, bytes]]:
    """The parts of a workbook other than its sheets, for sheets ``titles`` (sheetN.xml each)."""
    overrides = [
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>',
        '<Override PartName="/docProps/core.xml" ContentType="application/'
        'vnd.openxmlformats-package.core-properties+xml"/>',
    ]
    sheet_entries, rels = [], []
    for n, title in enumerate(titles, 1):
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        sheet_entries.append(f'<sheet name="{_xml_text(title)}" sheetId="{n}" r:id="rId{n}"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{_REL_NS}/worksheet" '
                    f'Target="worksheets/sheet{n}.xml"/>')
    styles_id = len(titles) + 1
    rels.append(f'<Relationship Id="rId{styles_id}" Type="{_REL_NS}/styles" Target="styles.xml"/>')
    content_types = (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>")
    book = (_XML + f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets>{"".join(sheet_entries)}</sheets></workbook>')
    book_rels = _XML + f'<Relationships xmlns="{_PKG_REL_NS}">{"".join(rels)}</Relationships>'
    return [("[Content_Types].xml", content_types.encode("utf-8")),
            ("_rels/.rels", ROOT_RELS.encode("utf-8")),
            ("docProps/core.xml", CORE.encode("utf-8")),
            ("xl/workbook.xml", book.encode("utf-8")),
            ("xl/_rels/workbook.xml.rels", book_rels.encode("utf-8")),
            ("xl/styles.xml", STYLES.encode("utf-8"))]


def _headers(fields: list[dict]) -> list[str]:
    return [_zh(f.get("title", "")) or f["name"] for f in fields]


def workbook(sheets: list[tuple[str, list[dict], list[dict]]]) -> bytes:
    """``sheets``: (sheet name, Table Schema fields, rows) each; bytes of an .xlsx file."""
    parts: list[tuple[str, list[dict], list[dict]]] = []
    for name, fields, rows in sheets:
        parts += [(part, fields, chunk) for part, chunk in _parts(name, rows)]
    titles = _sheet_names([p[0] for p in parts])
    texts: dict[str, str] = {}
    files = [(f"xl/worksheets/sheet{n}.xml",
              _worksheet(_headers(fields), [f["name"] for f in fields], rows, texts))
             for n, (_, fields, rows) in enumerate(parts, 1)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _book_parts(titles) + files:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


@dataclass(frozen=True)
class Chunked:
    """A table given as chunks of reference-less rows (``sheet_rows``, each deflated as a
    ``zip_writer.Segment``), for a workbook written as a stream."""

    name: str
    fields: list[dict]
    counts: list[int]  # rows of each chunk, in order
    widths: tuple[int, ...]  # widest value of each column over all chunks
    segments: Callable[[int, int], Iterable[Segment | Stored]]  # the rows of chunks i … j-1


def write_workbook(out: BinaryIO, tables: list[Chunked]) -> None:
    """An .xlsx file written to ``out`` (a real file: see ``zip_writer``) from chunked tables:
    nothing is deflated again but the parts around the rows. A table with more rows than a sheet
    holds is split into numbered sheets between chunks."""
    per = MAX_ROWS - 1
    parts: list[tuple[str, Chunked, int, int, int]] = []
    for t in tables:
        groups, first, rows = [], 0, 0
        for i, n in enumerate(t.counts):
            if n > per:
                raise ValueError(f"a chunk of {t.name} has {n} rows, more than a sheet holds")
            if rows + n > per:
                groups.append((first, i, rows))
                first, rows = i, 0
            rows += n
        groups.append((first, len(t.counts), rows))
        for k, (i, j, rows) in enumerate(groups, 1):
            suffix = f" ({k})" if len(groups) > 1 else ""
            parts.append((t.name[: SHEET_NAME_CHARS - len(suffix)] + suffix, t, i, j, rows))
    titles = _sheet_names([p[0] for p in parts])
    with ZipWriter(out) as z:
        for name, data in _book_parts(titles):
            z.add_bytes(name, data)
        for n, (_, t, i, j, rows) in enumerate(parts, 1):
            headers = _headers(t.fields)
            widths = [max(_width(h), w) for h, w in zip(headers, t.widths or [0] * len(headers))]
            head = _sheet_head(headers, widths, rows + 1, refs=False).encode("utf-8")
            z.add_segments(f"xl/worksheets/sheet{n}.xml",
                           [head, *t.segments(i, j), SHEET_TAIL.encode("utf-8")])
