"""A report in brief: what the pages made from many reports need of it, and nothing more.

A build of 10,000 reports cannot hold every report's prose, cells and checks at once, nor read
them all again after one edit. The pages and files made from *one* report (its page, its data
package, its chunk of the combined tables, a comparison of two) load the report whole when they
have to be made again; everything made from *all* reports (year pages, indexes, the checks page,
cross-year identities, the closing summary) reads only its ``Brief``: metadata, section headings,
the few figures the key series and cross-year identities use, and its checks in numbers plus the
failing ones. A brief is a few KB; it is made where the report is read and cached beside it.

``Brief`` answers ``value``/``cell`` like a ``Report`` for the cells it keeps and raises
``KeyError`` for any other, so a page that starts reading another cell fails loudly in the tests
instead of showing "—".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from nianbao.checks.cross_year import cells_read as cross_year_cells
from nianbao.domain.forms import Forms, load_forms
from nianbao.domain.model import (ABSENT, REPORTED, Cell, Check, Derived, Meta, Number, Report,
                                  Section)
from nianbao.pages.series import CELLS as SERIES_CELLS

CellKey = tuple[str, tuple[str, ...]]


@functools.cache
def kept_cells(forms: Forms | None = None) -> frozenset[CellKey]:
    """The cells a brief keeps: those of the key series and of the cross-year identities."""
    return frozenset(SERIES_CELLS) | cross_year_cells(forms or load_forms())


@functools.cache
def _positions() -> dict[CellKey, int]:
    """Where each kept cell's value is in a brief's ``values``: kept cells in sorted order."""
    return {k: i for i, k in enumerate(sorted(kept_cells()))}


@dataclass(frozen=True)
class Brief(Derived):
    meta: Meta
    path: str
    template: str
    full_text: bool
    sections: tuple[Section, ...]  # code and heading of those a failing check names (no prose)
    values: tuple[Number | None, ...]  # each kept cell's number (None: not published as one),
    # in ``_positions()`` order: a plain tuple, as a dict keyed by cells took twice as long as
    # everything else in a brief to load, 10,000 briefs on every build
    checks: int  # how many checks the report's own identities gave
    tried: frozenset[str]  # the identities that gave a result
    failing: tuple[Check, ...]  # the checks that do not hold
    known: frozenset[tuple[str, str]] = frozenset()  # (check, scope) of every check, when the
    # front matter acknowledges discrepancies (to tell "holds" from "no such check")
    located: dict[str, tuple[int, int]] = field(default_factory=dict)  # anchor → (line, col) of
    # every cell a failing check involves
    report_id: str = ""  # ``meta.report_id``, asked for some 80 times per report and build: a
    # plain attribute (as a property it cost a tenth of a second an edit at 10,000 reports)
    unpublished: tuple[tuple[int, str], ...] = ()  # (position, status) of each kept cell the
    # report has but not as a number (blank, dash, unreadable); a kept cell it lacks is absent

    def value(self, table: str, *key: str) -> Number | None:
        i = _positions().get((table, key))
        if i is None:
            raise KeyError(f"a brief does not keep cell {table} {key}: add it to kept_cells()")
        return self.values[i]

    def status(self, table: str, *key: str) -> str:
        value = self.value(table, *key)
        if value is not None:
            return REPORTED
        i = _positions()[(table, key)]
        return next((status for at, status in self.unpublished if at == i), ABSENT)

    def cell(self, table: str, *key: str) -> Cell | None:
        value = self.value(table, *key)
        return None if value is None else Cell(table, key, value, REPORTED)

    def locate(self, anchor: str) -> tuple[int, int] | None:
        return self.located.get(anchor)


def brief(report: Report, checks: tuple[Check, ...]) -> Brief:
    """The brief of a report and the checks its own identities gave."""
    positions = _positions()
    failing = tuple(c for c in checks if not c.passed)
    anchors = {a for c in failing for a in (*c.focus, *c.cells)}
    named = {c.scope.partition(".")[0] for c in failing}  # a passage's scope: section.n
    values: list[Number | None] = [None] * len(positions)
    seen: set[int] = set()
    unpublished: list[tuple[int, str]] = []
    for c in report.cells:  # the first cell of a key, as ``Report.value`` reads it
        i = positions.get((c.table, c.key))
        if i is not None and i not in seen:
            seen.add(i)
            values[i] = c.value if c.status == REPORTED else None
            if c.status != REPORTED and c.status != ABSENT:
                unpublished.append((i, c.status))
    return Brief(
        meta=report.meta, path=report.path, template=report.template, full_text=report.full_text,
        sections=tuple(Section(s.code, s.heading, "", s.line) for s in report.sections
                       if s.code in named),
        values=tuple(values),
        checks=len(checks), tried=frozenset(c.check for c in checks), failing=failing,
        known=frozenset((c.check, c.scope) for c in checks) if report.meta.discrepancies else frozenset(),
        located={c.anchor: (c.line, c.col) for c in report.cells if c.anchor in anchors and c.line},
        report_id=report.meta.report_id, unpublished=tuple(sorted(unpublished)),
    )
