"""Excel workbooks beside the CSV files: one sheet per table, Chinese column titles.

Deterministic like every other output: fixed document dates and fixed ZIP entry times, so the
same data gives the same bytes. Text is always stored as text (never as a formula), numbers as
numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

EPOCH = dt.datetime(1980, 1, 1)


def _zh(title: str) -> str:
    """"报告编号 / Report ID" → "报告编号" (the sheet's column titles are Chinese)."""
    return title.split(" / ")[0] if title else ""


def workbook(sheets: list[tuple[str, list[dict], list[dict]]]) -> bytes:
    """``sheets``: (sheet name, Table Schema fields, rows) each; bytes of an .xlsx file."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "nianbao"
    wb.properties.created = EPOCH
    wb.properties.modified = EPOCH
    for name, fields, rows in sheets:
        ws = wb.create_sheet(name[:31])
        for col, f in enumerate(fields, 1):
            cell = ws.cell(1, col, _zh(f.get("title", "")) or f["name"])
            cell.font = Font(bold=True)
        for r, row in enumerate(rows, 2):
            for col, f in enumerate(fields, 1):
                value = row.get(f["name"])
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    value = "是" if value else "否"
                if isinstance(value, Decimal):
                    value = float(value)
                cell = ws.cell(r, col, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_times(buf.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The same ZIP with every entry dated 1980-01-01, in the same order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>1980-01-01T00:00:00Z\g<2>", data)
            dst.writestr(fixed, data)
    return out.getvalue()
