"""The frozen data passed between stages: a report as read, its cells, its check results."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from decimal import Decimal

from nianbao.domain.diagnostics import SourceText

# How a value was published (data contract: `status`). Only REPORTED carries a value.
REPORTED = "reported"
BLANK = "blank"
DASH = "dash"
ABSENT = "absent"
UNREADABLE = "unreadable"
STATUSES = (REPORTED, BLANK, DASH, ABSENT, UNREADABLE)

Number = int | Decimal


class Derived:
    """A frozen object that keeps what it works out on first use (``derived``) under names
    starting with ``_``, which are never pickled: a cached report stays the report as read."""

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


def derived(obj: Derived, name: str, make):
    """``obj``'s value ``name`` (``_``-prefixed), made by ``make()`` on first use."""
    found = obj.__dict__.get(name)
    if found is None:
        found = obj.__dict__[name] = make()
    return found


@dataclass(frozen=True)
class Discrepancy:
    """A failing check confirmed against the source (front matter ``discrepancies:``)."""

    check: str  # identity id, e.g. A2
    scope: str  # the column, row or table it fails on, as in the checks resource
    note: str  # what was confirmed, shown beside the failure
    line: int = 0  # where it is written in the content file


@dataclass(frozen=True)
class Meta:
    """The front matter of a content file, checked."""

    year: int
    agency_id: str
    agency: str
    title: str
    source_url: str = ""
    published: str = ""  # ISO date or empty
    full_text: bool = True  # False: a data-only entry (figures and the link, not the prose)
    discrepancies: tuple[Discrepancy, ...] = ()

    @property
    def report_id(self) -> str:
        return f"{self.year}-{self.agency_id}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One template cell as published."""

    table: str  # active | applications | review_litigation
    key: tuple[str, ...]  # (article, item, measure) | (row, applicant) | (proceeding, outcome)
    value: Number | None
    status: str
    raw: str = ""
    unit: str = ""
    line: int = 0
    col: int = 0

    @property
    def anchor(self) -> str:
        """The HTML id of the cell on its report page."""
        return "c-" + "-".join((self.table, *self.key)).replace(".", "_")

    # pickled as a plain tuple: unpickling a report's cells is most of reading it from the cache
    def __getstate__(self) -> tuple:
        return tuple(getattr(self, f) for f in _CELL_FIELDS)

    def __setstate__(self, state: tuple) -> None:
        table, key, value, status, raw, unit, line, col = state
        p0, p1, p2, p3, p4, p5, p6, p7 = _CELL_PUT  # (a loop over them: a third slower)
        p0(self, _SHARED(table))
        p1(self, _shared_tuple(key))
        p2(self, value)
        p3(self, _SHARED(status))
        p4(self, raw)
        p5(self, _SHARED(unit))
        p6(self, line)
        p7(self, col)


@dataclass(frozen=True, slots=True)
class Section:
    """One of the prose sections 一 to 六 (or the preamble before 一)."""

    code: str  # preamble | s1_overview … s6_other
    heading: str  # as printed
    markdown: str
    line: int

    # rebuilt by its constructor when unpickled, not by dataclasses' generic __setstate__ (which
    # asks for the fields each time): the briefs of 10,000 reports hold 70,000 sections
    def __reduce__(self) -> tuple:
        return (Section, (self.code, self.heading, self.markdown, self.line))


@dataclass(frozen=True)
class Report(Derived):
    meta: Meta
    path: str  # content file, as the user names it
    template: str  # 2019 | 2021 | hybrid
    table_templates: dict[str, str]  # per table: 2019 | 2021 | hybrid
    sections: tuple[Section, ...]
    cells: tuple[Cell, ...]
    full_text: bool = True
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per table: what could not be read

    @property
    def report_id(self) -> str:
        return self.meta.report_id

    def table_cells(self, table: str) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.table == table)

    def cell(self, table: str, *key: str) -> Cell | None:
        index = self.__dict__.get("_index") or derived(self, "_index", self._cell_index)  # hot
        return index.get((table, key))

    def _cell_index(self) -> dict[tuple[str, tuple[str, ...]], Cell]:
        index: dict[tuple[str, tuple[str, ...]], Cell] = {}
        for c in self.cells:
            index.setdefault((c.table, c.key), c)
        return index

    def locate(self, anchor: str) -> tuple[int, int] | None:
        """(line, column) in the content file of the cell with this anchor, if known."""
        cell = next((c for c in self.cells if c.anchor == anchor), None)
        return (cell.line, cell.col) if cell is not None and cell.line else None

    def value(self, table: str, *key: str) -> Number | None:
        """The cell's figure if one was printed (status reported), else None."""
        cell = self.cell(table, *key)
        return cell.value if cell is not None and cell.status == REPORTED else None

    def status(self, table: str, *key: str) -> str:
        """How the cell was published (``absent`` where the report has no such cell)."""
        cell = self.cell(table, *key)
        return cell.status if cell is not None else ABSENT


@dataclass(frozen=True, slots=True)
class Check:
    """The result of one identity on one scope (a column, a row, a table, a sentence)."""

    report_id: str
    check: str
    scope: str
    expected: Number | None
    actual: Number | None
    result: str  # pass | fail
    message: str
    acknowledged: bool = False
    cells: tuple[str, ...] = field(default=(), compare=False)  # anchors of the cells involved
    focus: tuple[str, ...] = field(default=(), compare=False)  # the printed total(s) compared

    @property
    def passed(self) -> bool:
        return self.result == "pass"

    # pickled as a plain tuple: unpickling a report's cells is most of reading it from the cache
    def __getstate__(self) -> tuple:
        return tuple(getattr(self, f) for f in _CHECK_FIELDS)

    def __setstate__(self, state: tuple) -> None:
        rid, check, scope, expected, actual, result, message, ack, cells, focus = state
        p = _CHECK_PUT
        p[0](self, rid)
        p[1](self, _SHARED(check))
        p[2](self, _SHARED(scope))
        p[3](self, expected)
        p[4](self, actual)
        p[5](self, _SHARED(result))
        p[6](self, message)
        p[7](self, ack)
        p[8](self, _shared_tuple(cells))
        p[9](self, _shared_tuple(focus))


# Codes, statuses, anchors and cell keys repeat in every report: read from the cache, each is held
# once for all reports (a tenth of the memory a report's cells and checks take otherwise).
_SHARED = sys.intern
_TUPLES: dict[tuple, tuple] = {}


def _shared_tuple(items: tuple) -> tuple:
    found = _TUPLES.get(items)
    if found is None:
        found = _TUPLES[items] = tuple(sys.intern(x) if type(x) is str else x for x in items)
    return found


_CELL_FIELDS = tuple(f.name for f in fields(Cell))
_CHECK_FIELDS = tuple(f.name for f in fields(Check))
# each field's slot set directly, not by name through object.__setattr__: 400 reports of the
# 10,000-report bench read from the cache in 0.29 ms each instead of 0.50 ms
_CELL_PUT = tuple(vars(Cell)[name].__set__ for name in _CELL_FIELDS)
_CHECK_PUT = tuple(vars(Check)[name].__set__ for name in _CHECK_FIELDS)


@dataclass(frozen=True)
class Document:
    """A content file: its checked front matter and the report text below it."""

    source: SourceText
    meta: Meta
    body: str
    body_line: int  # line number (1-based) of the body's first line in the file

    @property
    def path(self) -> str:
        return self.source.path
