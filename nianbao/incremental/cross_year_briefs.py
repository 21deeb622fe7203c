"""Cross-year results in brief, remembered by pair: what a build of briefs knows of X1-X3.

A rebuild does not load every pair of consecutive reports again to know their cross-year
results (``nianbao.checks.cross_year``): each pair's are remembered by the keys of both files.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.checks.cross_year import consecutive, pair_checks
from nianbao.domain.forms import Forms, load_forms
from nianbao.domain.model import Check


@dataclass(frozen=True)
class CrossBrief:
    """A report's cross-year results in brief, as the pages made from all reports need them;
    ``pair_checks`` of ``previous`` gives them whole."""

    previous: str  # report_id of the agency's report of the year before
    pair: tuple[str, str]  # keys of both files as read (the year before's first): the results
    # are a function of them
    count: int
    tried: frozenset[str]  # the identities that gave a result
    failing: tuple[Check, ...]


def cross_year_briefs(reports: list, keys: dict[str, str], memo: dict,
                      forms: Forms | None = None) -> dict[str, CrossBrief]:
    """report_id → its cross-year results in brief. Those of a pair are looked up in ``memo`` by
    the keys of both files first (count, tried identities, failing checks: the passing ones are
    not kept, and loading them was a twentieth of an edit's time at 10,000 reports), and
    ``memo`` is left holding exactly this build's pairs."""
    forms = forms or load_forms()
    before = dict(memo)
    memo.clear()
    sets: dict[tuple[str, ...], frozenset[str]] = {}  # one frozenset per distinct set
    out: dict[str, CrossBrief] = {}
    for report, prev in consecutive(reports):
        pair = (keys[prev.report_id], keys[report.report_id])
        found = before.get(pair)
        if found is None:
            checks = pair_checks(report, prev, forms)
            found = (len(checks), tuple(sorted({c.check for c in checks})),
                     tuple(c for c in checks if not c.passed))
        memo[pair] = found
        count, tried, failing = found
        if count:
            tried_set = sets.get(tried) or sets.setdefault(tried, frozenset(tried))
            out[report.report_id] = CrossBrief(prev.report_id, pair, count, tried_set, failing)
    return out
