"""Reading one published cell: numbers, signs, units, and the ways a nil is printed."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from nianbao.domain.model import BLANK, DASH, REPORTED, UNREADABLE, Number

DASHES = {"-", "—", "–", "―", "‒", "/", "\\", "无", "−", "--", "——", "/ "}
UNITS = ("万元", "元", "件", "项", "个", "次", "条")
_NUMBER = re.compile(
    r"^(?P<sign>[+\-])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?"
    r"(?P<unit>" + "|".join(UNITS) + r")?$"
)
_WORD_SIGN = {"增加": "+", "新增": "+", "减少": "-"}


@dataclass(frozen=True)
class Parsed:
    value: Number | None
    status: str
    unit: str = ""


def normalise(text: str) -> str:
    """NFKC (full-width digits and signs to ASCII), U+2212 to '-', all white space removed."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    return "".join(ch for ch in text if not ch.isspace())


@functools.lru_cache(maxsize=1 << 16)
def parse_cell(text: str) -> Parsed | None:
    """A cell's value, or None when the text is not a number, a nil or blank. Remembered by its
    text: a report's cells are mostly the same few figures (at 10,000 synthetic reports, 97 % of
    the texts read had been read before; a fifth of reading's time went here)."""
    t = normalise(text)
    if t == "":
        return Parsed(None, BLANK)
    if t in DASHES or set(t) <= {"-", "—", "–", "/"}:
        return Parsed(None, DASH)
    if t in ("?", "？"):  # marked unreadable (by an import, or by a person)
        return Parsed(None, UNREADABLE)
    sign = ""
    for word, word_sign in _WORD_SIGN.items():
        if t.startswith(word):
            sign, t = word_sign, t[len(word):]
            break
    m = _NUMBER.match(t)
    if not m or (sign and m.group("sign")):
        return None
    digits = m.group("int").replace(",", "")
    frac = m.group("frac")
    # a run of thousands of digits is no figure (cell-too-large says so); Decimal reads it, int
    # would refuse past Python's 4300-digit limit
    value: Number = (Decimal(f"{digits}.{frac}") if frac is not None
                     else int(digits) if len(digits) <= 1000 else Decimal(digits))
    if (m.group("sign") or sign) == "-":
        value = -value
    return Parsed(value, REPORTED, m.group("unit") or "")


MAX_DIGITS = 15  # beyond this a figure is no count or amount, and no spreadsheet holds it exactly


def digit_count(value: Number | None) -> int:
    """How many digits a value has (a Decimal's fraction included)."""
    if isinstance(value, Decimal):
        return len(value.as_tuple().digits)
    return len(str(abs(value))) if isinstance(value, int) else 0


def plain(value: Number) -> str:
    """A value as digits (a Decimal never in exponent form)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


_MISTYPED = re.compile(r"[+\-]?[0-9A-Za-z][0-9A-Za-z,.]*(?:" + "|".join(UNITS) + ")?")


@functools.lru_cache(maxsize=1 << 14)
def mistyped_figure(text: str) -> bool:
    """A cell meant as a figure with a letter in it (``1O``, ``l2``, ``3,5o1``, ``1O万元``): only
    ASCII digits, letters, ``,`` and ``.`` (and a unit), at least one digit, and no ordinal
    (``1.``). A label has other characters (``1. 属于国家秘密``, ``(三)``)."""
    t = normalise(text)
    return (parse_cell(text) is None and any(ch.isdigit() for ch in t)
            and _MISTYPED.fullmatch(t) is not None and re.fullmatch(r"\d+\.", t) is None)
