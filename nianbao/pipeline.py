"""The build, one linear pass: load → parse → validate → package → render → publish.

Everything is read and checked before anything is written (as mkdocs does); a build with any
input error publishes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from tempfile import TemporaryDirectory
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.checks.acknowledgements import acknowledge
from nianbao.checks.cross_year import cross_year, pair_checks
from nianbao.domain.diagnostics import Diagnostic
from nianbao.domain.forms import load_forms
from nianbao.domain.model import Check, Report
from nianbao.incremental.background import Ready
from nianbao.incremental.cross_year_briefs import cross_year_briefs
from nianbao.incremental.gc_tuning import lean, settled
from nianbao.incremental.make_packages import build_packages, emit_combined
from nianbao.incremental.make_pages import render_site
from nianbao.incremental.memo import Emitter, Memo, key_of, stale
from nianbao.incremental.read_all import read_all
from nianbao.incremental.read_cache import ReadCache, claim_if_new, forget_other_versions
from nianbao.incremental.report_briefs import Brief
from nianbao.incremental.report_store import ReportStore
from nianbao.incremental.validation_schedule import Validators
from nianbao.packaging.batch_validation import validate_each, validate_packages, validating_packages
from nianbao.packaging.packages import PackageError
from nianbao.publishing.publish import PublishError, StaleOutput, publish
from nianbao.publishing.records import live_manifest, live_record, read_units
from nianbao.publishing.search_index import BUNDLE as SEARCH_BUNDLE
from nianbao.publishing.search_index import SearchIndexError, index_site, publish_bundle
from nianbao.publishing.workspace import lock, scratch_folder
from nianbao.reading.load import missing_content

ROOT = Path(__file__).resolve().parent.parent
CROSS_YEAR = "cross-year-briefs"  # the read cache's entry: each pair's cross-year results in brief
TEMPLATES = ROOT / "templates"


@dataclass
class Outcome:
    reports: list[Report] = field(default_factory=list)
    # all of each report's checks (``read_reports``), or only the failing ones (``build``,
    # which holds reports in brief)
    checks: dict[str, tuple[Check, ...]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # report_id → how many checks
    tried: dict[str, frozenset[str]] = field(default_factory=dict)  # identities with a result
    diagnostics: list[Diagnostic] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # report_id → key of its file as read
    pages: int = 0
    files: int = 0
    changed: int = 0  # files new, changed or gone (0: nothing was published)
    site_files: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def failed_checks(self) -> list[Check]:
        """Failing hard identities not acknowledged (what --strict fails on)."""
        forms = load_forms()
        return [c for cs in self.checks.values() for c in cs
                if not c.passed and not c.acknowledged and not forms.identity(c.check).soft]

    @property
    def acknowledged_checks(self) -> list[Check]:
        """Failing checks confirmed against the source in the front matter."""
        return [c for cs in self.checks.values() for c in cs if not c.passed and c.acknowledged]

    @property
    def soft_failures(self) -> list[Check]:
        forms = load_forms()
        return [c for cs in self.checks.values() for c in cs
                if not c.passed and forms.identity(c.check).soft]


def _collect(outcome: Outcome, results) -> None:
    """Reports (or briefs) read, in path order, into ``outcome``; a second file of one report is
    an error."""
    seen: dict[str, object] = {}
    for key, (report, diags) in results:
        outcome.diagnostics += diags
        if report is None:
            continue
        first = seen.setdefault(report.report_id, report)
        if first is not report:
            outcome.diagnostics.append(Diagnostic(
                report.path, 1, 1, "duplicate-report",
                f"report {report.report_id} is also defined in {first.path}",
                hint="each (year, agency_id) pair has one content file", source="---"))
            continue
        outcome.reports.append(report)
        outcome.keys[report.report_id] = key


def read_reports(content: Path, cache_dir: Path | None = None, jobs: int | None = None,
                 progress=None) -> Outcome:
    """Load, parse and validate every report (no output), held whole with all its checks. With
    ``cache_dir``, files read before by the same code come from the cache."""
    forms = load_forms()
    outcome = Outcome()
    outcome.diagnostics += missing_content(content)
    if outcome.diagnostics:
        return outcome
    own: dict[str, tuple[Check, ...]] = {}
    results = []
    for key, (report, checks, diags) in read_all(content, ReadCache(cache_dir), jobs, progress):
        results.append((key, (report, diags)))
        if report is not None:
            own.setdefault(report.report_id, checks)
    _collect(outcome, results)
    outcome.checks = {r.report_id: own[r.report_id] for r in outcome.reports}
    for report_id, checks in cross_year(outcome.reports, forms).items():
        outcome.checks[report_id] += checks
    outcome.checks, diags = acknowledge(outcome.reports, outcome.checks)
    outcome.totals = {rid: len(cs) for rid, cs in outcome.checks.items()}
    outcome.tried = {rid: frozenset(c.check for c in cs) for rid, cs in outcome.checks.items()}
    outcome.diagnostics += diags
    outcome.diagnostics.sort(key=lambda d: (d.path, d.line, d.col))
    return outcome


def check_reports(content: Path, cache_dir: Path | None = None, jobs: int | None = None,
                  progress=None) -> Outcome:
    """What ``python build.py check`` reports: every report read and checked, held in brief
    (whole reports go to the cache, or to a folder for this run)."""
    with ExitStack() as stack, lean():
        return scan_reports(content, _reads(stack, cache_dir), jobs, progress)[0]


def _reads(stack: ExitStack, cache_dir: Path | None, beside: Path | None = None) -> ReadCache:
    """Where whole reports are kept while held in brief: the read cache, or without one a
    folder for this run, removed when ``stack`` closes: beside the output trees (``beside``,
    under the build's lock), where the next build removes it if this one is killed (at 100,000
    reports it holds gigabytes), else a temporary folder."""
    if cache_dir is not None:
        claim_if_new(cache_dir)
        return ReadCache(cache_dir)
    if beside is not None:
        return ReadCache(stack.enter_context(scratch_folder(beside, "reads")))
    return ReadCache(Path(stack.enter_context(TemporaryDirectory(prefix="nianbao-read-"))))


def scan_reports(content: Path, cache: ReadCache, jobs: int | None = None,
                 progress=None) -> tuple[Outcome, ReportStore]:
    """Every report in brief with its failing checks (``nianbao.incremental.report_briefs``),
    and the store that loads any of them whole. ``cache`` must have a folder: whole reports are kept there."""
    forms = load_forms()
    outcome = Outcome()
    outcome.diagnostics += missing_content(content)
    if outcome.diagnostics:
        return outcome, ReportStore(cache, content, {}, {}, {})
    _collect(outcome, read_all(content, cache, jobs, progress, briefs=True))
    briefs: list[Brief] = outcome.reports
    pairs = cache.get(CROSS_YEAR) or {}
    remembered = set(pairs)
    cross = cross_year_briefs(briefs, outcome.keys, pairs, forms)  # leaves this build's pairs
    if stale(remembered, pairs):  # not rewritten (0.1 s at 10,000) for an edit's pair or two
        cache.put(CROSS_YEAR, pairs)
    failing, known = {}, {}
    by_id = {b.report_id: b for b in briefs}
    for b in briefs:
        mine = cross.get(b.report_id)
        failing[b.report_id] = b.failing + mine.failing if mine else b.failing
        outcome.totals[b.report_id] = b.checks + (mine.count if mine else 0)
        outcome.tried[b.report_id] = b.tried | mine.tried if mine else b.tried
        if b.meta.discrepancies:  # (check, scope) of every check, the pair's worked out whole
            known[b.report_id] = set(b.known) | {
                (c.check, c.scope) for c in (pair_checks(b, by_id[mine.previous], forms)
                                             if mine else ())}
    outcome.checks, diags = acknowledge(briefs, failing, known)
    outcome.diagnostics += diags
    outcome.diagnostics.sort(key=lambda d: (d.path, d.line, d.col))
    return outcome, ReportStore(cache, content, outcome.keys, cross, by_id)


def verify_packages(target: Path, root: Path, written: set[str], data_dir: Path,
                    validated: frozenset[str] = frozenset(), jobs: int | None = None
                    ) -> Callable[[], list[str]]:
    """Frictionless validation of every per-report package a file written in ``root`` (the standby
    of ``target``, just written) belongs to (the nearest ``datapackage.json`` above it) but those
    ``validated`` beside the build (descriptor paths in the tree); an invalid package is a bug.
    Started now, while the publish writes its other trees; the function returned waits for the
    problems. The combined package at the top is validated in slices before
    (``nianbao.packaging.combined``)."""
    if target != data_dir:
        return list
    descriptors: set[Path] = set()
    for rel in written:
        for folder in Path(rel).parents:
            descriptor = (folder / "datapackage.json").as_posix()
            if folder != Path(".") and (descriptor in written  # (all of them, in a cold build)
                                        or (root / descriptor).is_file()):
                if descriptor not in validated:
                    descriptors.add(root / descriptor)
                break
    ordered = [str(d) for d in sorted(descriptors)]
    if not ordered:
        return list
    found = validating_packages(ordered, jobs)  # in batches (nianbao/batch_validation.py)
    return lambda: [f"{Path(d).relative_to(root)} is not a valid data package: {errors[0]}"
                    for d, errors in zip(ordered, found()) if errors]


def build(content: Path, data_dir: Path, site_dir: Path, base_url: str = "",
          cache_dir: Path | None = None, jobs: int | None = None, progress=None,
          search: bool = True, check_output: bool = False) -> Outcome:
    """Read everything, then make and publish what changed (with ``cache_dir``: the units whose
    inputs are unchanged are kept as published). ``check_output``: compare every output file
    with its record, not only the tops of the trees (nianbao.publishing.publish). One build at a time per
    output folder."""
    start, started_ns = time.perf_counter(), time.time_ns()
    # an edit's few packages are validated in a child that imports Frictionless now, while the
    # other core would idle (forked before the lock: it must not hold it after the build)
    ready = Ready(_ready_to_validate) if cache_dir is not None else None
    with ExitStack() as stack:
        if ready is not None:
            stack.callback(ready.close)
        stack.enter_context(lock(site_dir.resolve().parent))
        stack.enter_context(lean())
        reads = _reads(stack, cache_dir, site_dir.resolve().parent)
        outcome, store = scan_reports(content, reads, jobs, progress)
        settled()  # the briefs live as long as the build
        if not outcome.errors:
            with Memo(reads.root / "memo", jobs, lasting=cache_dir is not None) as memo:
                try:
                    _make(outcome, store, memo, data_dir, site_dir, base_url, False, check_output,
                          ready)
                except StaleOutput:  # an output file was changed by hand: make every unit again
                    _make(outcome, store, memo, data_dir, site_dir, base_url, True, check_output)
            if search:
                site_files = publish_bundle(site_dir, index_site(site_dir))
                outcome.files = outcome.files - outcome.site_files + site_files
            if cache_dir is not None:  # what an earlier version of the code left is of no use
                forget_other_versions(cache_dir, started_ns)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _ready_to_validate() -> None:
    """What validating costs first: Frictionless's import, and what its first validation of a
    package loads (profiles, checks, readers)."""
    from frictionless import validate

    from nianbao.packaging import batch_validation  # noqa: F401

    validate({"name": "ready", "resources": [{
        "name": "r", "format": "csv", "data": [["id", "n"], ["a", "1"]],
        "schema": {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}},
                              {"name": "n", "type": "integer"}], "primaryKey": ["id"]}}]})


def _make(outcome: Outcome, store: ReportStore, memo: Memo, data_dir: Path, site_dir: Path,
          base_url: str, fresh: bool, check: bool, ready: Ready | None = None) -> None:
    forms = load_forms()
    # a unit made from a report depends on its file and on the cross-year checks found for it
    # (the cross-year checks are a function of the files of the pair: their keys stand for them)
    keys = {rid: key_of(k, *(c.pair if (c := store.cross.get(rid)) else ()))
            for rid, k in outcome.keys.items()}
    with scratch_folder(site_dir.resolve().parent) as scratch:
        data, site = (_emitter(memo, tree, fresh, scratch / name)
                      for tree, name in ((data_dir, "data"), (site_dir, "site")))
        try:
            packages = build_packages(outcome.reports, store, forms, keys, data, site,
                                      scratch, Validators(validate_each, validate_packages, ready))
        except PackageError as exc:
            raise PublishError(str(exc)) from exc
        site.keep_under(SEARCH_BUNDLE)  # the search bundle stays until it is made again
        pages = render_site(outcome.reports, outcome, store, packages, TEMPLATES, base_url,
                            forms, site, keys)
        emit_combined(packages, data, site)  # the combined files, made beside the pages
        try:
            packages.check()
        except PackageError as exc:
            raise PublishError(str(exc)) from exc
        stats = publish({data_dir: data.output(), site_dir: site.output()},
                        verify=lambda target, root, written: verify_packages(
                            target, root, written, data_dir, packages.validated),
                        check=check,
                        known=packages.facts)
    outcome.pages = len(pages)
    outcome.files = sum(stats.trees.values())
    outcome.site_files = stats.trees[str(site_dir)]
    outcome.changed = stats.changed


def _emitter(memo: Memo, tree: Path, fresh: bool, spill: Path) -> Emitter:
    """What a build puts in ``tree``: against its live record (none when ``fresh``) and the
    units its last build recorded there."""
    live = None if fresh else live_record(tree)
    ledger, before = read_units(tree, live) or (None, frozenset())
    return Emitter(memo, None if live is None else live.shas(), spill=spill, ledger=ledger,
                   before=before)


def index_search(site_dir: Path, between: Callable[[], None] | None = None) -> int:
    """Make the search index of the published pages and publish it (the rest of the site is
    kept). Returns the number of files of the bundle. ``between``: see ``index_site``."""
    if live_manifest(site_dir) is None:
        raise SearchIndexError(f"{site_dir} was not published by this build (or was changed since); "
                               "run `python build.py` first")
    bundle = index_site(site_dir, between=between)  # reads the live site; a build may replace it
    # meanwhile (the bundle is then of the pages read; the preview abandons it, see serve)
    with lock(site_dir.resolve().parent):
        publish_bundle(site_dir, bundle)
    return len(bundle)
