"""The site made at the cost of its change: the pages stage's plan, each recipe as a memo unit.

``nianbao.pages.site_plan`` says what pages there are and how each is made; this module decides
which must be made again (a recipe's key: its kind, its inputs, the keys of the reports it reads
and what every page shares), makes the others across the cores or beside the build, loads the
reports they are made from whole from the report store, and remembers each year's totals and
every page made from all reports by key.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from nianbao.domain.forms import Forms
from nianbao.incremental.memo import Emitter, Files, key_of
from nianbao.incremental.report_store import ReportStore
from nianbao.packaging.packages import Packages
from nianbao.pages.contexts import Page
from nianbao.pages.site_plan import (Checked, asset_files, by_year, finished, meta_files, plan_site,
                                     render_page, site_settings)
from nianbao.pages.templating import environment
from nianbao.pages.year_totals import year_totals


def templates_digest(templates: Path) -> str:
    """What every page shares from the templates folder (each file's path and bytes)."""
    return key_of(*(x for p in sorted(templates.rglob("*")) if p.is_file()
                    for x in (p.relative_to(templates).as_posix(), p.read_bytes())))


def render_site(reports: list, checked: Checked, store: ReportStore, packages: Packages,
                templates: Path, base_url: str, forms: Forms, out: Emitter,
                report_keys: dict[str, str]) -> list[str]:
    """Every page, asset and download into ``out``; returns the paths of the HTML pages.
    ``checked``: anything with the attributes of ``Checked`` (a build's ``Outcome``, whose
    ``checks`` are the failing ones); ``reports`` may be briefs."""
    checked = Checked(checked.checks, checked.totals, checked.tried)
    root = out.memo.store.root
    site, base_url, base_path = site_settings(base_url)

    @functools.cache
    def env():  # the templates' environment, made for the first page rendered
        return environment(templates, root / "templates" if root is not None else None)

    def render(page: Page) -> dict[str, bytes]:
        return render_page(env(), site, page)

    shared = key_of(templates_digest(templates), site)
    key = report_keys.__getitem__
    # each year's totals are worked out again only when one of its reports changed
    totals = {year: out.memo.value(key_of("year-reports", year, "".join(map(key, (
        r.report_id for r in rs)))), lambda rs=rs: year_totals(rs))
        for year, rs in by_year(reports).items()}
    plan = plan_site(reports, checked, packages, forms, totals, base_path)
    work = [(key_of(r.kind, shared, *r.inputs, *map(key, r.reports)),
             lambda r=r: render(r.make(*map(store.load, r.whole)))) for r in plan.recipes]
    # the units not made before, across the cores, or an edit's few beside the others' checks
    taken = set()

    def take(k: str, made: Files) -> None:  # a unit made across the cores, as it comes back
        out.unit(k, lambda: made, made=made)
        taken.add(k)

    beside = out.memo.prepare([w for w in work if not out.carries(w[0])], beside=True, each=take)
    for k, make in work:
        if k not in beside and k not in taken:
            out.unit(k, make)

    def last() -> Iterator[Page]:  # the units made beside first (the pages above meanwhile)
        out.memo.settle()
        for k, make in work:
            if k in beside:
                out.unit(k, make)
        for make in plan.later:
            yield make()

    # the pages made from everything, remembered by their whole context
    for page in chain(plan.pages, last()):
        page = finished(page, base_url, reports)
        out.add(out.memo.value(key_of("page", shared, page), lambda page=page: render(page)))
    out.add(asset_files(templates, base_url))
    paths = sorted(p for p in out.paths(".html") if not p.startswith("data/"))
    out.add(meta_files(base_url, paths, reports))
    return paths
