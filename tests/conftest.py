"""Shared fixtures: one plain build (``nianbao.plain``) of the project's own content into a
temporary folder."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from nianbao.plain import build  # the plain build: the reference the incremental one equals

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


@pytest.fixture
def hung_pagefind(tmp_path, monkeypatch) -> Path:
    """A Pagefind that never ends and ignores SIGINT and SIGTERM; it writes its pid and working
    folder to the returned file."""
    said = tmp_path / "hung.txt"
    binary = tmp_path / "pagefind_extended"
    binary.write_text(f"#!/bin/sh\ntrap '' INT TERM\necho $$ \"$PWD\" > {said}.part\n"
                      f"mv {said}.part {said}\nexec sleep 600\n")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    return said


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true", default=False,
                     help="write tests/golden/ from this build instead of comparing with it "
                          "(tests/pages/test_golden.py; see tests/golden/README.md)")
