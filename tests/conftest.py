"""Shared fixtures: one build of the project's own content into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nianbao.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "reports" / "heilongjiang-2020.txt"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """The content built once: {"data": datapackages folder, "site": site folder}."""
    out = tmp_path_factory.mktemp("build")
    outcome = build(CONTENT, out / "datapackages", out / "site")
    assert not outcome.errors, [d.format() for d in outcome.errors]
    return {"data": out / "datapackages", "site": out / "site", "outcome": outcome}


@pytest.fixture(scope="session")
def built_data(built) -> Path:
    return built["data"]


@pytest.fixture(scope="session")
def built_site(built) -> Path:
    return built["site"]


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private content folder holding only the seed report, which a test may break."""
    dest = tmp_path / "content"
    (dest / "2020").mkdir(parents=True)
    shutil.copy(CONTENT / "2020" / "heilongjiang.md", dest / "2020" / "heilongjiang.md")
    return dest


@pytest.fixture(scope="session")
def seed_content(tmp_path_factory) -> Path:
    """A content folder holding only the seed report (read-only)."""
    dest = tmp_path_factory.mktemp("seed") / "content"
    (dest / "2020").mkdir(parents=True)
    shutil.copy(CONTENT / "2020" / "heilongjiang.md", dest / "2020" / "heilongjiang.md")
    return dest


@pytest.fixture
def seed_file(content_copy) -> Path:
    return content_copy / "2020" / "heilongjiang.md"
