"""Whole reports, loaded from the read cache when a page or file made from one must be made again.

A build holds every report in brief (``nianbao.incremental.report_briefs``); the few units whose inputs changed load
their reports whole from here: the report as read, and all its checks (its own identities', the
cross-year ones the build found, acknowledged failures marked), exactly as a build that held
every report would have had them.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from nianbao.checks.acknowledgements import mark
from nianbao.checks.cross_year import pair_checks
from nianbao.domain.model import Check, Report
from nianbao.incremental.cross_year_briefs import CrossBrief
from nianbao.incremental.read_all import read_one
from nianbao.incremental.read_cache import ReadCache
from nianbao.incremental.report_briefs import Brief

HELD = 16  # reports kept loaded (a compare page and an agency's pages reuse a few)


class ReportStore:
    def __init__(self, cache: ReadCache, content: Path, keys: dict[str, str],
                 cross: dict[str, CrossBrief], briefs: dict[str, Brief]):
        self.cache, self.content, self.keys, self.cross, self.briefs = cache, content, keys, cross, briefs
        self.held: OrderedDict[str, tuple[Report, tuple[Check, ...]]] = OrderedDict()

    def load(self, report_id: str) -> tuple[Report, tuple[Check, ...]]:
        found = self.held.get(report_id)
        if found is None:
            result = self.cache.get(self.keys[report_id])
            if result is None:  # the entry went away since the build read it: read the file again
                result = read_one(Path(self.briefs[report_id].path), self.content)
            report, checks, _ = result
            if report is None or report.report_id != report_id:
                raise RuntimeError(f"{self.briefs[report_id].path} changed while the build was running")
            cross = self.cross.get(report_id)
            if cross is not None:  # from the briefs, as the build found them
                checks += pair_checks(self.briefs[report_id], self.briefs[cross.previous])
            found = (report, mark(report.meta, checks))
            self.held[report_id] = found
            if len(self.held) > HELD:
                self.held.popitem(last=False)
        else:
            self.held.move_to_end(report_id)
        return found

    def report(self, report_id: str) -> Report:
        return self.load(report_id)[0]

    def checks(self, report_id: str) -> tuple[Check, ...]:
        return self.load(report_id)[1]
