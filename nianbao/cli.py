"""The command line (data contract): arguments in, one pipeline call, an exit code out.

Exit codes: 0 success; 1 the input is wrong (every problem printed, located); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .diagnostics import Diagnostic
from .pipeline import Outcome, build, read_reports

COMMANDS = ("build", "check")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the open-data site of government information-disclosure annual reports.")
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", help="parse, check, package and render everything (default)")
    b.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    b.add_argument("--data", type=Path, default=Path("datapackages"), help="data package folder")
    b.add_argument("--site", type=Path, default=Path("site"), help="site output folder")
    b.add_argument("--base-url", default="", help="the site's public base URL or path")
    b.add_argument("--strict", action="store_true", help="fail on any unacknowledged failing check")
    c = sub.add_parser("check", help="parse and check the content without writing anything")
    c.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    c.add_argument("--strict", action="store_true", help="fail on any unacknowledged failing check")
    return parser


def _check_diagnostics(outcome: Outcome, strict: bool) -> list[Diagnostic]:
    """Failing identities as located diagnostics (errors under --strict, warnings otherwise)."""
    by_id = {r.report_id: r for r in outcome.reports}
    out = []
    for check in outcome.failed_checks:
        report = by_id[check.report_id]
        anchor = check.cells[0] if check.cells else ""
        cell = next((c for c in report.cells if c.anchor == anchor), None)
        line, col = (cell.line, cell.col) if cell and cell.line else (1, 1)
        source = ""
        if cell and cell.line:
            from .diagnostics import SourceText
            source = SourceText(report.path, Path(report.path).read_text("utf-8")).line(line)
        out.append(Diagnostic(report.path, line, col, f"check-{check.check}",
                              f"{check.check} fails on {check.scope}: {check.message}",
                              hint="a published discrepancy stays as published; acknowledge it "
                                   "in the front matter once it is confirmed against the source",
                              source=source, severity="error" if strict else "warning"))
    return out


def _print(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.format(), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    args = _parser().parse_args(argv)
    if args.command == "check":
        outcome = read_reports(args.content)
    else:
        outcome = build(args.content, args.data, args.site, args.base_url)
    check_diags = _check_diagnostics(outcome, args.strict)
    _print(outcome.diagnostics + check_diags)
    n_checks = sum(len(c) for c in outcome.checks.values())
    failed = len(outcome.failed_checks)
    if outcome.errors:
        print(f"error: {len(outcome.errors)} problem(s) in the content; nothing was written",
              file=sys.stderr)
        return 1
    warnings = len(outcome.warnings) + (0 if args.strict else len(check_diags))
    if args.command == "check":
        print(f"checked {len(outcome.reports)} report(s): {n_checks} checks, {failed} failing, "
              f"{warnings} warning(s)")
    else:
        print(f"built {len(outcome.reports)} report(s), {outcome.pages} pages, {outcome.files} files "
              f"in {outcome.seconds:.1f} s; {n_checks} checks, {failed} failing; "
              f"{warnings} warning(s)")
    if args.strict and failed:
        print(f"error: {failed} failing check(s) not acknowledged (--strict)", file=sys.stderr)
        return 1
    return 0
