"""Published discrepancies confirmed against the source: a failing check named in the front
matter's ``discrepancies:`` is marked ``acknowledged`` (it stays a failure, shown with its note;
``--strict`` no longer fails on it). An entry that names no failing check is reported."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nianbao.domain.diagnostics import WARNING, Diagnostic, SourceText
from nianbao.domain.model import Check, Meta


def mark(meta: Meta, checks: tuple[Check, ...]) -> tuple[Check, ...]:
    """The checks with those failures the front matter acknowledges marked so."""
    wanted = {(d.check, d.scope) for d in meta.discrepancies}
    if not wanted:
        return checks
    return tuple(replace(c, acknowledged=True) if not c.passed and (c.check, c.scope) in wanted
                 else c for c in checks)


def acknowledge(reports: list, checks: dict[str, tuple[Check, ...]],
                known: dict[str, set[tuple[str, str]]] | None = None
                ) -> tuple[dict[str, tuple[Check, ...]], list[Diagnostic]]:
    """``checks`` (all of a report's, or only its failing ones with ``known``: the (check,
    scope) of all) with acknowledged failures marked, and a warning for every entry that names
    no failing check."""
    out, diags = dict(checks), []
    for report in reports:
        wanted = {(d.check, d.scope): d for d in report.meta.discrepancies}
        if not wanted:
            continue
        mine = checks.get(report.report_id, ())
        out[report.report_id] = mark(report.meta, mine)
        failing = {(c.check, c.scope) for c in mine if not c.passed}
        seen = known[report.report_id] if known is not None else {(c.check, c.scope) for c in mine}
        source = None
        for key, d in wanted.items():
            if key in failing:
                continue
            source = source or SourceText(report.path, Path(report.path).read_text("utf-8"))
            if key in seen:
                message = f"{d.check} holds on {d.scope}: there is no discrepancy to acknowledge"
                hint = "remove this entry (the figures now add up)"
            else:
                message = f"this report has no check {d.check} on {d.scope}"
                hint = "name a failing check and scope as `python build.py check` prints them, e.g. A2 on total"
            diags.append(source.diagnostic(d.line, 1, "discrepancy-unmatched", message, hint,
                                           severity=WARNING))
    return out, diags
