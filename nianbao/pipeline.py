"""The build, one linear pass: load → parse → validate → package → render → publish.

Everything is read and checked before anything is written (as mkdocs does); a build with any
input error publishes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .acknowledge import acknowledge
from .cache import ReadCache
from .diagnostics import Diagnostic
from .load import missing_content
from .crossyear import cross_year
from .forms import load_forms
from .model import Check, Report
from .package import Packages, build_packages
from .read import read_all
from .publish import publish
from .render import render_site
from .search import search_index

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


@dataclass
class Outcome:
    reports: list[Report] = field(default_factory=list)
    checks: dict[str, tuple[Check, ...]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    pages: int = 0
    files: int = 0
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


def read_reports(content: Path, cache_dir: Path | None = None, jobs: int | None = None,
                 progress=None) -> Outcome:
    """Load, parse and validate every report (no output). With ``cache_dir``, files read before
    by the same code come from the cache."""
    forms = load_forms()
    outcome = Outcome()
    outcome.diagnostics += missing_content(content)
    if outcome.diagnostics:
        return outcome
    seen: dict[str, Report] = {}
    for report, checks, diags in read_all(content, ReadCache(cache_dir), jobs, progress):
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
        outcome.checks[report.report_id] = checks
    for report_id, checks in cross_year(outcome.reports, forms).items():
        outcome.checks[report_id] += checks
    outcome.checks, diags = acknowledge(outcome.reports, outcome.checks)
    outcome.diagnostics += diags
    outcome.diagnostics.sort(key=lambda d: (d.path, d.line, d.col))
    return outcome


def verify_packages(staged: dict[Path, Path], data_dir: Path) -> list[str]:
    """Frictionless validation of every staged package; an invalid package is a bug."""
    from frictionless import validate as fl_validate

    problems = []
    root = staged[data_dir]
    for descriptor in sorted(root.rglob("datapackage.json")):
        report = fl_validate(str(descriptor))
        if not report.valid:
            errors = report.flatten(["type", "note"])[:5]
            problems.append(f"{descriptor.relative_to(root)} is not a valid data package: {errors}")
    return problems


def build(content: Path, data_dir: Path, site_dir: Path, base_url: str = "",
          cache_dir: Path | None = None, jobs: int | None = None, progress=None) -> Outcome:
    start = time.perf_counter()
    outcome = read_reports(content, cache_dir, jobs, progress)
    if outcome.errors:
        outcome.seconds = time.perf_counter() - start
        return outcome
    forms = load_forms()
    packages: Packages = build_packages(outcome.reports, outcome.checks, forms)
    site = render_site(outcome.reports, outcome.checks, packages, TEMPLATES, base_url, forms)
    site.update(search_index({p: b for p, b in site.items() if p.endswith(".html")}))
    publish({data_dir: packages.files, site_dir: site},
            verify=lambda staged: verify_packages(staged, data_dir))
    outcome.pages = sum(1 for p in site if p.endswith(".html"))
    outcome.files = len(site) + len(packages.files)
    outcome.seconds = time.perf_counter() - start
    return outcome
