"""Text that a spreadsheet would read as a formula, made inert (CSV / formula injection).

Every text cell the project writes to a CSV file or an Excel workbook goes through
:func:`neutralise`. The rule (OWASP, "CSV Injection"):

- a **text** value (a Python ``str``) whose first character is one of ``=``, ``+``, ``-``, ``@``,
  tab (``\\t``) or carriage return (``\\r``) is written with a single quote ``'`` in front:
  ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``. Excel, LibreOffice and Google Sheets then show
  the text instead of running it; the quote is part of the published value, so a script reading
  the CSV sees it too (strip one leading ``'`` before a trigger to get the text as printed);
- **numbers are not text** and are never changed: ``int``, ``Decimal`` and ``float`` values
  (``-38``, ``-0.5``) are written as numbers, negative or not;
- the empty string is left empty;
- text that is exactly one plain decimal number (``-38``, ``+2``, ``-0.5``, ``1e3``) is left as
  it is: a spreadsheet reads it as that number and nothing else, and a figure that reaches a
  writer as text keeps its value. ``-1+1`` or ``-2+3+cmd|' /C calc'!A0`` are not plain numbers
  and are neutralised.

Only the first character counts: ``"a=b"`` and a leading space are left alone. The rule applies
to values only; codes, field names and the Table Schema are not text a user typed.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """``value`` with a ``'`` in front if it is text a spreadsheet would read as a formula;
    anything else (numbers, ``None``, booleans, the empty string, plain numbers) unchanged."""
    if (isinstance(value, str) and value.startswith(TRIGGERS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value
