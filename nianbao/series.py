"""The key series followed over time and across agencies: counts, and rates kept with their
published numerator and denominator."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from .contexts import Figure
from .layout import format_value
from .model import Report, derived


def _sum(report: Report, table: str, keys: list[tuple[str, ...]]) -> int | None:
    values = [report.value(table, *k) for k in keys]
    return None if None in values else sum(values)


@dataclass(frozen=True)
class Measure:
    """One key series value: a count (``den`` is None) or a rate ``num / den``."""

    label: str
    num: int | None
    den: int | None = None
    rate: bool = False

    @property
    def share(self) -> float | None:
        return None if self.num is None or not self.den else self.num / self.den

    def figure(self) -> Figure:
        return _figure(self)


@functools.lru_cache(maxsize=65536)
def _figure(m: Measure) -> Figure:  # the same measure is shown on many pages
    if not m.rate:
        return Figure(m.label, "—" if m.num is None else format_value(m.num), "")
    if m.num is None or m.den is None:
        return Figure(m.label, "—", "未以数字公布")
    if m.den == 0:
        return Figure(m.label, "—", f"{format_value(m.num)} / 0")
    return Figure(m.label, f"{m.share:.1%}", f"{format_value(m.num)} / {format_value(m.den)}")


_A, _R = "applications", "review_litigation"
_SUITS = ("litigation_direct", "litigation_after_review")
# every cell key_series reads (and the home, year and report pages' headline figures, a subset)
CELLS = frozenset(
    [(_A, (row, "total")) for row in ("new", "granted", "partially_granted", "results_total",
                                      "unable.not_held")]
    + [(_R, (p, col)) for p in ("review", *_SUITS) for col in ("total", "corrected")])


def key_series(report: Report) -> tuple[Measure, ...]:
    """The figures followed over time: counts, and rates with their numerator and denominator
    (worked out once per report object: every list of reports shows them)."""
    return derived(report, "_series", lambda: _key_series(report))


def new_applications(report: Report) -> Measure:
    """The first of ``key_series`` alone (a year's chart of 1,700 reports needs no other)."""
    return Measure("新收申请", report.value("applications", "new", "total"))


def _key_series(report: Report) -> tuple[Measure, ...]:
    a, r = "applications", "review_litigation"
    granted = _sum(report, a, [("granted", "total"), ("partially_granted", "total")])
    results = report.value(a, "results_total", "total")
    suits = ("litigation_direct", "litigation_after_review")
    return (
        new_applications(report),
        Measure("予以公开及部分公开", granted, results, rate=True),
        Measure("本机关不掌握", report.value(a, "unable.not_held", "total"), results, rate=True),
        Measure("行政复议", report.value(r, "review", "total")),
        Measure("复议纠正率", report.value(r, "review", "corrected"),
                report.value(r, "review", "total"), rate=True),
        Measure("行政诉讼", _sum(report, r, [(p, "total") for p in suits])),
        Measure("诉讼纠正率", _sum(report, r, [(p, "corrected") for p in suits]),
                _sum(report, r, [(p, "total") for p in suits]), rate=True),
    )


def histories(reports: list[Report]) -> dict[str, list[Report]]:
    """agency_id → the agency's reports, oldest first; agencies in id order."""
    out: dict[str, list[Report]] = defaultdict(list)
    for report in sorted(reports, key=lambda r: (r.meta.agency_id, r.meta.year)):
        out[report.meta.agency_id].append(report)
    return dict(out)
