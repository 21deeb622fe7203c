"""Where and when a build's packages are validated by Frictionless: an edit's few (the combined
package's slice and the report package made again) in one child beside the build, a cold
build's many slices across the cores at once and its report packages when they are published."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from nianbao.disk.fileops import link_or_copy
from nianbao.incremental.background import Ready, at_once, started
from nianbao.incremental.memo import Emitter
from nianbao.incremental.combined_validation import Slices

FEW_SLICES = 4  # slices of the combined package (an edit's one or two) validated beside the build
FEW_PACKAGES = 8  # report packages made again (an edit's one) validated beside the build


class Validators(NamedTuple):
    """Frictionless, as the build uses it: descriptor paths → the problems of each package."""

    slices: Callable[[list[str]], list[list[str]]]  # big packages, one by one
    reports: Callable[[list[str]], list[list[str]]]  # small ones, in batches
    # a child forked when the build started, Frictionless imported, for an edit's few packages
    # (module-level ``slices`` and ``reports`` only: they are sent to it by name)
    ready: Ready | None = None


def validate_beside(validate: Validators, scratch: Path, data: Emitter,
            made_again: list[tuple[str, list[str]]], slices: Slices
            ) -> tuple[Callable[[], list[str]], frozenset[str]]:
    """The combined package's slices and, when they are few, the report packages made again,
    validated by Frictionless in one child beside the build (``nianbao.incremental.background``: an edit's
    own import of Frictionless and validation leave the build's path); a cold build's many
    slices across the cores now, its packages when published. Returns the function that gives
    the problems, and the report packages (descriptor paths in the data tree) validated here."""
    few = len(slices.paths) <= FEW_SLICES and len(made_again) <= FEW_PACKAGES
    mine = made_again if few else []
    reports = []
    for base, names in mine:  # a copy of each, as it will be published
        for name in names:
            target = scratch / "reports" / base / name
            target.parent.mkdir(parents=True, exist_ok=True)
            made = data.files[base + name]
            if isinstance(made, Path):
                link_or_copy(made, target)
            else:
                target.write_bytes(made)
        reports.append(str(scratch / "reports" / base / "datapackage.json"))

    if validate.ready is not None and not (few and (slices.paths or reports)):
        validate.ready.close()  # nothing for it (a cold build validates across the cores): its
        # memory back now, not when the build ends
    if not slices.paths and not reports:
        return lambda: [], frozenset()
    args = (validate.slices, slices.paths, validate.reports, reports)
    pending = ((validate.ready.call(_validated, *args) if few and validate.ready else None)
               or (started if few else at_once)(lambda: _validated(*args)))

    def verified() -> list[str]:
        found, own = pending()
        return slices.settle(found) + [
            f"{base}datapackage.json is not a valid data package: {errors[0]}"
            for (base, _), errors in zip(mine, own, strict=True) if errors]

    return verified, frozenset(base + "datapackage.json" for base, _ in mine)


def _validated(slices, slice_paths: list[str], reports, report_paths: list[str]
               ) -> tuple[list[list[str]], list[list[str]]]:
    """The problems of each slice and of each report package (``Validators``)."""
    return (slices(slice_paths) if slice_paths else [], reports(report_paths) if report_paths else [])
