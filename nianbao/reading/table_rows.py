"""Table rows out of any text layout.

Two layouts reach the table readers:

* **cells** — tab-separated lines (text copied from a document) and Markdown pipe tables (the
  canonical content form, and HTML tables converted by the importer): one line is one printed
  row, and an empty cell is a real cell;
* **stream** — everything else: space-separated figures, one cell per line, PDF text layers,
  web text with no boundaries at all (``规范性文件898989``). The text is cut into tokens at white
  space and between digits and letters, and a row is a run of label text followed by the run of
  figures after it.

Either way a row is a list of ``Tok``: label text, a figure (or a printed nil), or an empty cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.reading.cells import parse_cell

TEXT, NUM, EMPTY = "text", "num", "empty"
_PAGE_NUMBER = re.compile(r"^\s*[-—－]\s*\d{1,3}\s*[-—－]\s*$|^\s*第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?\s*$")
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# digits (with decimals and a money unit) or anything else
_PIECE = re.compile(r"[+\-]?\d+(?:\.\d+)?(?:万元|元)?|[^\d]+|\d+")
_UNIT_ONLY = {"万元", "元"}


@dataclass(frozen=True)
class Tok:
    text: str
    line: int
    col: int
    kind: str

    @property
    def glued(self) -> bool:
        """A run of bare digits that may hold several cells."""
        return self.kind == NUM and self.text.isdigit()


Line = tuple[int, str]
Row = list[Tok]


def is_cell_line(text: str) -> bool:
    return "\t" in text or text.lstrip().startswith("|")


def is_caption_line(text: str) -> bool:
    """A block caption of table 二 (第二十条第（一）项) on a line of its own."""
    return "".join(text.split()).startswith("第二十条第") and len(text.strip()) <= 20


def _kind(text: str) -> str:
    if text.strip() == "":
        return EMPTY
    return NUM if parse_cell(text) is not None else TEXT


def cell_row(number: int, text: str) -> Row:
    """One tab- or pipe-separated line as a row of cells, with 1-based columns."""
    if "\t" in text:
        parts, sep = text.split("\t"), 1
        starts, col = [], 1
        for part in parts:
            starts.append(col)
            col += len(part) + sep
    else:
        body = text.strip()
        lead = text.index(body[0]) if body else 0
        if body.startswith("|"):
            body, lead = body[1:], lead + 1
        if body.endswith("|") and not body.endswith("\\|"):
            body = body[:-1]
        parts, starts, col = body.split("|"), [], lead + 1
        for part in parts:
            starts.append(col)
            col += len(part) + 1
    row = []
    for part, start in zip(parts, starts):
        stripped = part.strip()
        offset = len(part) - len(part.lstrip())
        row.append(Tok(stripped, number, start + offset, _kind(stripped)))
    return row


def _pieces(text: str, number: int, col: int) -> list[Tok]:
    """One white-space-free piece of stream text as tokens."""
    if parse_cell(text) is not None:
        return [Tok(text, number, col, NUM)]
    found = [(m.group(0), m.start()) for m in _PIECE.finditer(text)]
    toks: list[Tok] = []
    for i, (piece, start) in enumerate(found):
        numeric = piece[0].isdigit() or piece[0] in "+-" and len(piece) > 1
        kind = NUM if numeric and parse_cell(piece) is not None else TEXT  # not "-十", "²x"
        if kind == TEXT and piece[0] in ".、．" and toks and toks[-1].kind == NUM and toks[-1].text[-1].isdigit():
            # an ordinal glued onto the figures before it: …40000042.其他… → 4000004 | 2.其他
            prev = toks.pop()
            digits, ordinal = prev.text[:-1], prev.text[-1]
            if digits:
                toks.append(Tok(digits, prev.line, prev.col, NUM))
            toks.append(Tok(ordinal + piece, number, col + start - 1, TEXT))
            continue
        toks.append(Tok(piece, number, col + start, kind))
    return toks


def stream_tokens(lines: list[Line]) -> list[Tok]:
    toks: list[Tok] = []
    for number, text in lines:
        if _PAGE_NUMBER.match(text):
            continue
        for m in re.finditer(r"[^\s|]+", text):
            piece = m.group(0)
            if piece in _UNIT_ONLY and toks and toks[-1].kind == NUM:
                prev = toks.pop()
                toks.append(Tok(prev.text + piece, prev.line, prev.col, NUM))
                continue
            toks.extend(_pieces(piece, number, m.start() + 1))
    return toks


def stream_rows(lines: list[Line]) -> list[Row]:
    """Rows of a stream: each label run joined into one text token, then its figures."""
    rows: list[Row] = []
    label: list[Tok] = []
    for tok in stream_tokens(lines):
        if tok.kind == TEXT:
            label.append(tok)
            continue
        if label:
            first = label[0]
            rows.append([Tok("".join(t.text for t in label), first.line, first.col, TEXT)])
            label = []
        if not rows:
            rows.append([])
        rows[-1].append(tok)
    if label:
        first = label[0]
        rows.append([Tok("".join(t.text for t in label), first.line, first.col, TEXT)])
    return rows


def table_rows(lines: list[Line]) -> tuple[list[Row], list[Line], str]:
    """(rows, prose lines, layout) of a table section. In the cells layout, lines that are not
    table lines are prose; in a stream, lines before the first label-and-figures are prose."""
    if any(is_cell_line(t) for _, t in lines):
        rows, prose = [], []
        for number, text in lines:
            if _DELIMITER_ROW.match(text):
                continue
            if is_cell_line(text) or is_caption_line(text):
                rows.append(cell_row(number, text))
            else:
                prose.append((number, text))
        return rows, prose, "cells"
    return stream_rows(lines), [], "stream"
