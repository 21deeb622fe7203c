"""The key series followed over time and across agencies: counts, and rates kept with their
published numerator and denominator."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from nianbao.domain.model import ABSENT, BLANK, DASH, UNREADABLE, Report, derived
from nianbao.pages.contexts import Figure
from nianbao.pages.table_layout import format_value


# how a figure that is not a number was published, as the pages say it after the cell's name
NOT_PUBLISHED = {BLANK: "未填", DASH: "填作“—”等符号", ABSENT: "缺行", UNREADABLE: "无法识别"}

_A, _R = "applications", "review_litigation"
_SUITS = ("litigation_direct", "litigation_after_review")
# every cell a key series value reads, with the name the pages give it when it is not published
PARTS: dict[tuple[str, tuple[str, ...]], str] = {
    (_A, ("new", "total")): "新收申请",
    (_A, ("granted", "total")): "予以公开",
    (_A, ("partially_granted", "total")): "部分公开",
    (_A, ("results_total", "total")): "办理结果总计",
    (_A, ("unable.not_held", "total")): "本机关不掌握",
    (_R, ("review", "total")): "行政复议总计",
    (_R, ("review", "corrected")): "复议结果纠正",
    (_R, ("litigation_direct", "total")): "直接起诉总计",
    (_R, ("litigation_direct", "corrected")): "直接起诉结果纠正",
    (_R, ("litigation_after_review", "total")): "复议后起诉总计",
    (_R, ("litigation_after_review", "corrected")): "复议后起诉结果纠正",
}
# every cell key_series reads (and the home, year and report pages' headline figures, a subset)
CELLS = frozenset(PARTS)


@dataclass(frozen=True)
class Measure:
    """One key series value: a count (``den`` is None) or a rate ``num / den``, each a number
    only when every cell it adds up was published as one (status ``reported``); ``missing``
    names each cell that was not, with its status."""

    label: str
    num: int | None
    den: int | None = None
    rate: bool = False
    code: str = ""  # its column in the year's table as data (``new``, ``granted`` …)
    missing: tuple[tuple[str, str], ...] = ()  # (cell's name, status) of each not published

    @property
    def share(self) -> float | None:
        return None if self.num is None or not self.den else self.num / self.den

    @property
    def published(self) -> bool:
        """Whether every figure it needs was published (a rate of a zero denominator is)."""
        return self.num is not None and (not self.rate or self.den is not None)

    @property
    def why(self) -> str:
        """Which of its cells were not published and how (``予以公开、部分公开未填``)."""
        return why_missing(self.missing)

    def figure(self) -> Figure:
        return _figure(self)


def why_missing(missing: tuple[tuple[str, str], ...]) -> str:
    by_status: dict[str, list[str]] = {}
    for name, status in missing:
        by_status.setdefault(status, []).append(name)
    return "；".join("、".join(names) + NOT_PUBLISHED.get(status, status)
                    for status, names in by_status.items())


def headline(m, unit: str = "件", why: str = "", coverage: str = "") -> Figure:
    """A count or a rate (a ``Measure`` of one report, or a total over several) as the headline
    figures show it: the count with its unit, or the rate with its numerator and denominator;
    one not published reads 未公布, with ``why`` and no unit."""
    if m.num is None or (m.rate and m.den is None):
        return Figure(m.label, "未公布", why, coverage)
    if not m.rate:
        return Figure(m.label, format_value(m.num), unit, coverage)
    return Figure(m.label, "—" if not m.den else f"{m.share:.1%}",
                  f"{format_value(m.num)} / {format_value(m.den)} 件", coverage)


@functools.lru_cache(maxsize=65536)
def _figure(m: Measure) -> Figure:  # the same measure is shown on many pages
    if not m.published:
        return Figure(m.label, "—", m.why)
    if not m.rate:
        return Figure(m.label, format_value(m.num), "")
    if m.den == 0:
        return Figure(m.label, "—", f"{format_value(m.num)} / 0")
    return Figure(m.label, f"{m.share:.1%}", f"{format_value(m.num)} / {format_value(m.den)}")


def _parts(report: Report, cells: list[tuple[str, tuple[str, ...]]], missing: list
           ) -> int | None:
    """The sum of ``cells`` if each was published as a number; else None, each that was not
    added to ``missing``."""
    values = [report.value(table, *key) for table, key in cells]
    for (table, key), value in zip(cells, values):
        if value is None:
            missing.append((PARTS[(table, key)], report.status(table, *key)))
    return None if None in values else sum(values)


def measure(report: Report, code: str, label: str, num: list, den: list | None = None
            ) -> Measure:
    missing: list[tuple[str, str]] = []
    top = _parts(report, num, missing)
    bottom = _parts(report, den, missing) if den is not None else None
    return Measure(label, top, bottom, den is not None, code,
                   tuple(dict.fromkeys(missing)))


def key_series(report: Report) -> tuple[Measure, ...]:
    """The figures followed over time: counts, and rates with their numerator and denominator
    (worked out once per report object: every list of reports shows them)."""
    return derived(report, "_series", lambda: _key_series(report))


def new_applications(report: Report) -> Measure:
    """The first of ``key_series`` alone (a year's chart of 1,700 reports needs no other)."""
    return measure(report, "new", "新收申请", [(_A, ("new", "total"))])


def _key_series(report: Report) -> tuple[Measure, ...]:
    results = [(_A, ("results_total", "total"))]
    review = [(_R, ("review", "total"))]
    suits = [(_R, (p, "total")) for p in _SUITS]
    return (
        new_applications(report),
        measure(report, "granted", "予以公开及部分公开",
                [(_A, ("granted", "total")), (_A, ("partially_granted", "total"))], results),
        measure(report, "not_held", "本机关不掌握", [(_A, ("unable.not_held", "total"))], results),
        measure(report, "review", "行政复议", review),
        measure(report, "review_corrected", "复议纠正率", [(_R, ("review", "corrected"))], review),
        measure(report, "litigation", "行政诉讼", suits),
        measure(report, "litigation_corrected", "诉讼纠正率",
                [(_R, (p, "corrected")) for p in _SUITS], suits),
    )


def histories(reports: list[Report]) -> dict[str, list[Report]]:
    """agency_id → the agency's reports, oldest first; agencies in id order."""
    out: dict[str, list[Report]] = defaultdict(list)
    for report in sorted(reports, key=lambda r: (r.meta.agency_id, r.meta.year)):
        out[report.meta.agency_id].append(report)
    return dict(out)
