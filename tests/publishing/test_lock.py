"""The lock files pin every dependency with hashes, agree with pyproject.toml, and are what is
installed: a lock left stale after a change to pyproject.toml, or a venv not reinstalled after a
change to a lock, fails here. Regenerate the locks with tools/lock.sh (README, "Dependencies")."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "requirements.lock"
TEST_LOCK = ROOT / "requirements-test.lock"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _requirements(key: str) -> list[Requirement]:
    project = _pyproject()
    if key == "runtime":
        specs = project["project"]["dependencies"]
    elif key == "build":
        specs = project["build-system"]["requires"]
    else:
        specs = project["project"]["optional-dependencies"][key]
    return [Requirement(s) for s in specs]


def parse_lock(path: Path) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (pinned version, [sha256 hashes])} for every requirement line of a lock."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    pins: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line or line.startswith("-"):  # blank, comment, or an option line (--index-url ...)
            continue
        spec, *options = line.split()
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", spec)
        assert m, f"{path.name}: not pinned with ==: {line!r}"
        hashes = [o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=sha256:")]
        name = canonicalize_name(m.group(1))
        assert name not in pins, f"{path.name}: {name} pinned twice"
        pins[name] = (m.group(2), hashes)
    return pins


LOCKS = {
    "requirements.lock": (RUNTIME_LOCK, ["runtime", "build"]),
    "requirements-test.lock": (TEST_LOCK, ["runtime", "test", "build"]),
}


@pytest.mark.parametrize("lock_name", sorted(LOCKS))
def test_every_declared_dependency_is_pinned_with_hashes(lock_name):
    path, keys = LOCKS[lock_name]
    pins = parse_lock(path)
    for key in keys:
        for req in _requirements(key):
            name = canonicalize_name(req.name)
            assert name in pins, f"{lock_name} lacks {req} ({key}): run tools/lock.sh"
            version, hashes = pins[name]
            assert req.specifier.contains(Version(version), prereleases=True), (
                f"{lock_name} pins {name}=={version}, outside pyproject's {req}: run tools/lock.sh"
            )
            assert hashes, f"{lock_name}: {name} has no --hash=sha256:"


@pytest.mark.parametrize("lock_name", sorted(LOCKS))
def test_every_pin_has_well_formed_hashes(lock_name):
    for name, (version, hashes) in parse_lock(LOCKS[lock_name][0]).items():
        assert hashes, f"{lock_name}: {name}=={version} has no --hash=sha256:"
        for h in hashes:
            assert re.fullmatch(r"[0-9a-f]{64}", h), f"{lock_name}: {name}: bad sha256 {h!r}"


def test_pagefind_stays_on_the_search_bundle_version():
    for path, _ in LOCKS.values():
        pins = parse_lock(path)
        assert pins["pagefind"][0] == "1.5.2"
        assert pins["pagefind-bin-extended"][0] == "1.5.2"


def test_runtime_lock_agrees_with_test_lock():
    runtime, test = parse_lock(RUNTIME_LOCK), parse_lock(TEST_LOCK)
    missing = sorted(set(runtime) - set(test))
    assert not missing, f"pinned in requirements.lock only: {missing}: run tools/lock.sh"
    differ = {n: (runtime[n][0], test[n][0]) for n in runtime if runtime[n][0] != test[n][0]}
    assert not differ, f"the two locks pin different versions: {differ}: run tools/lock.sh"


def _installed() -> dict[str, str]:
    versions: dict[str, str] = {}
    for dist in importlib.metadata.distributions():  # sys.path order: the first one is imported
        name = dist.metadata["Name"]
        if name:
            versions.setdefault(canonicalize_name(name), dist.version)
    return versions


def test_installed_versions_are_the_locked_ones():
    """The environment running the suite is the one the README's test command installs."""
    installed = _installed()
    wrong = {
        name: (version, installed.get(name, "not installed"))
        for name, (version, _) in parse_lock(TEST_LOCK).items()
        if installed.get(name) != version
    }
    assert not wrong, (
        "installed versions differ from requirements-test.lock {name: (locked, installed)}: "
        f"{wrong}; reinstall with the README's test command (or run tools/lock.sh if the lock is stale)"
    )


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv && ")]
    test_command = next(c for c in commands if c.endswith("-m pytest"))
    assert "--require-hashes -r requirements-test.lock" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci
