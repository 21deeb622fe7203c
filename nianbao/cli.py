"""The command line (data contract): arguments in, one pipeline call, an exit code out.

Exit codes: 0 success; 1 the input is wrong (every problem printed, located); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nianbao.console import progress_bar
from nianbao.domain.diagnostics import Diagnostic, SourceText

COMMANDS = ("build", "check", "import")
CACHE = Path(__file__).resolve().parent.parent / ".cache"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the open-data site of government information-disclosure annual reports.")
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", help="parse, check, package and render everything (default)")
    b.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    b.add_argument("--data", type=Path, default=Path("datapackages"), help="data package folder")
    b.add_argument("--site", type=Path, default=Path("site"), help="site output folder")
    b.add_argument("--base-url", default="", type=_base_url,
                   help="the site's public address (https://example.org/nianbao/): the sitemap, "
                        "the feed and canonical links need it; a path (/nianbao/) only tells the "
                        "404 page where the site is")
    b.add_argument("--strict", action="store_true", help="fail on any unacknowledged failing check")
    b.add_argument("--no-search", action="store_true",
                   help="leave the search index as it is (make it with `python build.py search`)")
    b.add_argument("--check-output", action="store_true",
                   help="compare every output file with what the last build wrote and mend what "
                        "was changed by hand (by default only the tops of the output folders are "
                        "compared: the cost of a rebuild follows the change)")
    _speed_options(b)
    x = sub.add_parser("search", help="make the search index of the built site again")
    x.add_argument("--site", type=Path, default=Path("site"), help="site output folder")
    c = sub.add_parser("check", help="parse and check the content without writing anything")
    c.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    c.add_argument("--strict", action="store_true", help="fail on any unacknowledged failing check")
    _speed_options(c)
    i = sub.add_parser("import", help="import a published report (.txt, .md, .html, .pdf)")
    i.add_argument("source", type=Path, help="the document as published")
    i.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    i.add_argument("--year", type=int, help="reporting year (default: detected)")
    i.add_argument("--agency", help="agency name in Chinese (default: detected)")
    i.add_argument("--agency-id", help="ASCII slug of the agency (default: from its name)")
    i.add_argument("--source-url", help="where the report was published (default: detected)")
    i.add_argument("--data-only", action="store_true",
                   help="keep the figures and the link, not the prose")
    i.add_argument("--force", action="store_true", help="replace an existing content file")
    s = sub.add_parser("serve", help="build, serve the site locally, rebuild and reload on every change")
    s.add_argument("--content", type=Path, default=Path("content"), help="content folder")
    s.add_argument("--data", type=Path, default=Path("datapackages"), help="data package folder")
    s.add_argument("--site", type=Path, default=Path("site"), help="site output folder")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    s.add_argument("--poll", action="store_true",
                   help="look for changes every 0.3 s (a folder whose changes the system does not "
                        "report, such as a network share)")
    _speed_options(s)
    return parser


def _base_url(text: str) -> str:
    from nianbao.pages.base_url import public_base

    try:
        public_base(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def _speed_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache", type=Path, default=CACHE,
                   help="cache of files already read, by content hash (default: .cache/ beside build.py)")
    p.add_argument("--no-cache", action="store_true",
                   help="build: the plain build (every report whole in memory, every file made, one "
                        "core; the reference the cached build equals); check: read every file again")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")


def _import(args) -> int:
    from nianbao.importing.importer import import_source

    result = import_source(args.source, args.content, args.year, args.agency, args.agency_id,
                           args.data_only, args.source_url, args.force)
    _print(result.diagnostics)
    if result.path is None:
        errors = sum(d.is_error for d in result.diagnostics)
        print(f"error: {errors} problem(s); nothing was written", file=sys.stderr)
        return 1
    report = result.report
    unreadable = sum(c.status == "unreadable" for c in report.cells)
    print(f"imported {report.report_id} ({report.template} template, "
          f"{len(report.cells)} cells, {unreadable} unreadable) into {result.path}")
    return 0


def _check_diagnostics(outcome, strict: bool) -> list[Diagnostic]:
    """Failing identities as located diagnostics (errors under --strict, warnings otherwise)."""
    by_id = {r.report_id: r for r in outcome.reports}
    texts: dict[str, SourceText] = {}  # each content file read once
    out = []
    soft_ids = {id(c) for c in outcome.soft_failures}
    for check in outcome.failed_checks + outcome.soft_failures:
        soft = id(check) in soft_ids
        report = by_id[check.report_id]
        anchor = (check.focus or check.cells or ("",))[0]
        located = report.locate(anchor)
        line, col = located or (1, 1)
        source = ""
        if located:
            if report.path not in texts:
                texts[report.path] = SourceText(report.path, Path(report.path).read_text("utf-8"))
            source = texts[report.path].line(line)
        out.append(Diagnostic(report.path, line, col, f"check-{check.check}",
                              f"{check.check} fails on {check.scope}: {check.message}",
                              hint="a published discrepancy stays as published; acknowledge it "
                                   "in the front matter once it is confirmed against the source",
                              source=source,
                              severity="error" if strict and not soft else "warning"))
    return out


def _print(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        print(d.format(), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    args = _parser().parse_args(argv)
    if args.command == "import":
        return _import(args)
    if args.command == "serve":
        from nianbao.preview.serve import main as serve

        return serve(args, progress_bar("reading"))
    if args.command == "search":
        return _search(args.site)
    cache = None if args.no_cache else args.cache
    if args.command == "build" and cache is not None:
        return _build_unless_current(args, cache)
    return _run(args, cache)


def _search(site: Path) -> int:
    import time

    from nianbao.pipeline import index_search
    from nianbao.publishing.search_index import SearchIndexError

    if not site.is_dir():
        print(f"error: no site at {site}; run `python build.py` first", file=sys.stderr)
        return 1
    start = time.perf_counter()
    try:
        n = index_search(site)
    except SearchIndexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"indexed {site} for search: {n} files in {time.perf_counter() - start:.1f} s")
    return 0


def _build_unless_current(args, cache: Path) -> int:
    """A build whose inputs and outputs are as the last build left them is not run again."""
    import time

    from nianbao.incremental import up_to_date

    templates = Path(__file__).resolve().parent.parent / "templates"  # as pipeline.TEMPLATES

    start = time.perf_counter()
    options = {k: str(v) for k, v in sorted(vars(args).items()) if k not in ("jobs",)}
    fp = up_to_date.fingerprint(args.content, templates, options)
    record = up_to_date.recall(cache, fp, [args.data, args.site], args.check_output)
    if record is not None:
        for text in record["stderr"]:
            print(text, file=sys.stderr)
        print(f"nothing changed since the last build ({time.perf_counter() - start:.2f} s): "
              + record["summary"])
        return record["code"]
    up_to_date.forget(cache)
    code, report = _run(args, cache, replayable=True)
    if report.get("content_ok"):  # the inputs as they were when the build read them
        up_to_date.remember(cache, fp, report)
    return code


def _run(args, cache: Path | None, replayable: bool = False):
    from nianbao.pipeline import build, check_reports

    progress = progress_bar("reading")
    if args.command == "check":
        outcome = check_reports(args.content, cache, args.jobs, progress)
    elif cache is None:  # the plain build: everything whole in memory, nothing remembered
        from nianbao import plain

        outcome = plain.build(args.content, args.data, args.site, args.base_url, progress,
                              search=not args.no_search)
    else:
        outcome = build(args.content, args.data, args.site, args.base_url, cache, args.jobs, progress,
                        search=not args.no_search, check_output=args.check_output)
    check_diags = _check_diagnostics(outcome, args.strict)
    listed = check_diags if (args.command == "check" or args.strict) else []
    shown = [d.format() for d in outcome.diagnostics + listed]
    if args.command == "build" and args.base_url.startswith("/") and not outcome.errors:
        shown.append(f"note: --base-url {args.base_url} is a path: no sitemap.xml, feed.xml or "
                     "canonical links (they need an absolute http(s) URL)")
    for text in shown:
        print(text, file=sys.stderr)
    n_checks = sum(outcome.totals.values())
    failed = len(outcome.failed_checks)
    acked = len(outcome.acknowledged_checks)
    if outcome.errors:
        print(f"error: {len(outcome.errors)} problem(s) in the content; nothing was written",
              file=sys.stderr)
        return (1, {}) if replayable else 1
    warnings = len(outcome.warnings) + sum(not d.is_error for d in check_diags)
    soft = len(outcome.soft_failures)
    summary = (f"{len(outcome.reports)} report(s), {outcome.pages} pages, {outcome.files} files; "
               f"{n_checks} checks, {failed} failing, {acked} acknowledged, {soft} soft "
               f"(python build.py check lists them); {len(outcome.warnings)} warning(s)")
    if args.command == "check":
        print(f"checked {len(outcome.reports)} report(s): {n_checks} checks, {failed} failing, "
              f"{acked} acknowledged, {soft} soft warnings; {warnings} warning(s)")
    else:
        print(f"built {len(outcome.reports)} report(s), {outcome.pages} pages, {outcome.files} files "
              f"({outcome.changed} changed) in {outcome.seconds:.1f} s; {n_checks} checks, "
              f"{failed} failing, {acked} acknowledged, {soft} soft "
              f"(python build.py check lists them); {len(outcome.warnings)} warning(s)")
    code = 0
    if args.strict and failed:
        shown.append(f"error: {failed} failing check(s) not acknowledged (--strict)")
        print(shown[-1], file=sys.stderr)
        code = 1
    if replayable:
        return code, {"stderr": shown, "summary": summary, "code": code, "content_ok": True}
    return code
