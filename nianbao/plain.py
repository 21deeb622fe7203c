"""The plain build: every report read whole into memory, every file made, nothing remembered.

The stages in order and nothing else: no read cache, no memo units, no report briefs, no
children. It is what ``--no-cache`` runs and what the tests hold the incremental build
(``nianbao.pipeline.build``) to: after any sequence of edits, that build's ``site/`` and
``datapackages/`` are byte for byte this one's. It holds every report and every output file in
memory, on one core, so its time and memory grow with the site (docs/incremental.md); the
incremental build is the one for big sites.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from nianbao.domain.forms import Forms, load_forms
from nianbao.packaging.batch_validation import validate_batch, validate_one
from nianbao.packaging.combined import write_combined
from nianbao.packaging.packages import (Packages, combined_downloads, combined_head, in_data_tree,
                                        report_chunks, report_folder, report_unit, to_csv)
from nianbao.pages.contexts import Page
from nianbao.pages.site_plan import (Checked, asset_files, by_year, finished, meta_files, plan_site,
                                     render_page, site_settings)
from nianbao.pages.templating import environment
from nianbao.pages.year_totals import year_totals
from nianbao import pipeline
from nianbao.pipeline import Outcome, read_reports
from nianbao.publishing.publish import Output, publish
from nianbao.publishing.records import live_manifest
from nianbao.publishing.search_index import BUNDLE as SEARCH_BUNDLE
from nianbao.publishing.search_index import index_site, publish_bundle
from nianbao.publishing.workspace import lock, scratch_folder


def make_packages(outcome: Outcome, forms: Forms, scratch: Path
                  ) -> tuple[dict[str, bytes | Path], dict[str, bytes | Path], Packages]:
    """Every report's package and the combined package: the data tree's files, the site's
    downloads (under ``data/``), and what the pages need to know of them."""
    reports = sorted(outcome.reports, key=lambda r: r.report_id)
    checks = outcome.checks
    data: dict[str, bytes | Path] = {}
    site: dict[str, bytes | Path] = {}
    units: dict[str, dict[str, tuple[str, int]]] = {}
    sample: dict[str, bytes] = {}
    for report in reports:
        base = report_folder(report)
        files = report_unit(report, checks[report.report_id], forms)
        units[base] = {p: (hashlib.sha256(b).hexdigest(), len(b)) for p, b in files.items()}
        for p, b in files.items():
            site["data/" + base + p] = b
            if in_data_tree(p):
                data[base + p] = b
                if report is reports[0]:
                    sample[base + p] = b
    by_id = {r.report_id: r for r in reports}
    head = combined_head(forms, sorted({r.meta.year for r in reports}))
    files, made, _ = write_combined(
        scratch / "combined", head.schemas, [r.report_id for r in reports],
        lambda rid: report_chunks(by_id[rid], checks[rid], forms), head.codes, head.codes_csv,
        head.descriptor, head.titles, to_csv)
    downloads = combined_downloads(made)
    data.update(files)
    site.update({"data/" + p: f for p, f in (*files.items(), *downloads.items())})
    packages = Packages(lambda: (files, downloads, {}), keys={b: "" for b in units}, units=units,
                        sample=sample)
    return data, site, packages


def make_pages(outcome: Outcome, packages: Packages, forms: Forms, base_url: str,
               templates: Path) -> dict[str, bytes]:
    """Every page of the site, its assets, and the sitemap and feed (with an absolute
    ``base_url``)."""
    site, base_url, base_path = site_settings(base_url)
    env = environment(templates, None)
    whole = {r.report_id: (r, outcome.checks[r.report_id]) for r in outcome.reports}
    failing = {rid: tuple(c for c in cs if not c.passed) for rid, cs in outcome.checks.items()}
    checked = Checked(failing, outcome.totals, outcome.tried)
    totals = {year: year_totals(rs) for year, rs in by_year(outcome.reports).items()}
    plan = plan_site(outcome.reports, checked, packages, forms, totals, base_path)
    out: dict[str, bytes] = {}

    def render(page: Page) -> None:
        out.update(render_page(env, site, finished(page, base_url, outcome.reports)))

    for recipe in plan.recipes:
        render(recipe.make(*(whole[rid] for rid in recipe.whole)))
    for page in plan.pages:
        render(page)
    for make in plan.later:
        render(make())
    out.update(asset_files(templates, base_url))
    out.update(meta_files(base_url, sorted(p for p in out if p.endswith(".html")
                                           and not p.startswith("data/")), outcome.reports))
    return out


def _verify_every_package(target: Path, root: Path, written: set[str], data_dir: Path):
    """Frictionless over every data package of the data tree as written (the combined one too);
    an invalid package is a bug, and nothing is published."""
    if target != data_dir:
        return list
    descriptors = sorted(root.rglob("datapackage.json"))
    reports = [d for d in descriptors if d.parent != root]
    found = [(root / "datapackage.json", validate_one(str(root / "datapackage.json"))),
             *zip(reports, validate_batch([str(d) for d in reports]))]  # (the same problems as
    # one by one, tests/packaging/test_batch_validation.py; 40 ms a package less)
    return lambda: [f"{d.relative_to(root)} is not a valid data package: {errors[0]}"
                    for d, errors in found if errors]


def build(content: Path, data_dir: Path, site_dir: Path, base_url: str = "",
          progress=None, search: bool = True, templates: Path | None = None) -> Outcome:
    """Read everything whole, make every file, publish both trees (module docstring).
    ``templates``: the build's own (``pipeline.TEMPLATES``) unless given."""
    start = time.perf_counter()
    with lock(site_dir.resolve().parent):
        outcome = read_reports(content, None, 1, progress)
        if outcome.errors:
            outcome.seconds = time.perf_counter() - start
            return outcome
        forms = load_forms()
        with scratch_folder(site_dir.resolve().parent) as scratch:
            data, site_files, packages = make_packages(outcome, forms, scratch)
            pages = make_pages(outcome, packages, forms, base_url,
                               templates or pipeline.TEMPLATES)
            site_files.update(pages)
            live = live_manifest(site_dir)  # its search bundle stays until it is made again
            bundle = frozenset(live.under(SEARCH_BUNDLE)) if live is not None else frozenset()
            stats = publish({data_dir: Output(data, units=frozenset()),
                             site_dir: Output(site_files, bundle, units=frozenset())},
                            verify=lambda target, root, written: _verify_every_package(
                                target, root, written, data_dir))
        outcome.pages = sum(p.endswith(".html") and not p.startswith("data/") for p in pages)
        outcome.files = sum(stats.trees.values())
        outcome.site_files = stats.trees[str(site_dir)]
        outcome.changed = stats.changed
        if search:
            site_count = publish_bundle(site_dir, index_site(site_dir))
            outcome.files = outcome.files - outcome.site_files + site_count
    outcome.seconds = time.perf_counter() - start
    return outcome
