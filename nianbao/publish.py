"""Stage 6, the only stage that writes: output trees replaced whole, or not at all.

Each tree (``site/``, ``datapackages/``) is written complete into a staging folder beside it,
checked, and only then swapped in by two renames. A build that fails before the swap (bad
input, a failed check of the staged files, a crash) leaves the previous trees as they were.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path


class PublishError(Exception):
    """The staged output failed its verification; nothing was replaced."""


def _staging(target: Path, suffix: str) -> Path:
    return target.parent / f".{target.name}.{suffix}"


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel in sorted(files):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel])


def publish(
    trees: dict[Path, dict[str, bytes]],
    verify: Callable[[dict[Path, Path]], list[str]] | None = None,
) -> None:
    """Replace every target folder by its files. ``verify`` gets target → staged folder and
    returns problems; any problem aborts the swap."""
    staged: dict[Path, Path] = {}
    try:
        for target, files in trees.items():
            stage = _staging(target, "new")
            if stage.exists():
                shutil.rmtree(stage)
            stage.mkdir(parents=True)
            staged[target] = stage
            write_tree(stage, files)
        problems = verify(staged) if verify else []
        if problems:
            raise PublishError("; ".join(problems))
    except BaseException:
        for stage in staged.values():
            shutil.rmtree(stage, ignore_errors=True)
        raise
    for target, stage in staged.items():
        old = _staging(target, "old")
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(stage, target)
        shutil.rmtree(old, ignore_errors=True)
