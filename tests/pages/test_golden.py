"""Golden pages (pelican's habit): the bytes of a few pages built from the repository's own
``content/`` with fixed options (no base URL, no search index) are committed in ``tests/golden/``,
and a build must write exactly them. Any change to what a page shows -- a template, the CSS
classes a page names, a context, a number's formatting -- makes this test fail with a diff; when
the change is meant, regenerate the expected pages with one command and commit them with it:

    .venv/bin/python -m pytest -p no:cacheprovider tests/pages/test_golden.py --regen-golden

then read ``git diff tests/golden/``: it is the change a reader will see. The committed
``datapackages/`` is the golden tree of the data (tests/packaging/test_packages.py compares it with a build).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from nianbao import pipeline, plain

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
REGEN = ".venv/bin/python -m pytest -p no:cacheprovider tests/pages/test_golden.py --regen-golden"
# paths in the build's output (site/…), and under tests/golden/
PAGES = (
    "site/reports/2020-heilongjiang/index.html",
    "site/agencies/heilongjiang/index.html",
)
SHOWN = 60  # lines of the diff shown on a mismatch


@pytest.fixture(scope="module", params=["plain", "incremental"])
def golden_build(request, tmp_path_factory) -> Path:
    """The repository's content built once by each build (the plain one, and the incremental
    one with a cache) with the golden's fixed options."""
    out = tmp_path_factory.mktemp(f"golden-{request.param}")
    if request.param == "plain":
        outcome = plain.build(ROOT / "content", out / "datapackages", out / "site", base_url="",
                              search=False)
    else:
        outcome = pipeline.build(ROOT / "content", out / "datapackages", out / "site",
                                 base_url="", cache_dir=out / "cache", search=False)
    assert not outcome.errors, [d.format() for d in outcome.errors]
    return out


@pytest.fixture
def regen(request) -> bool:
    return request.config.getoption("--regen-golden")


def mismatch(path: str, want: bytes, got: bytes) -> str:
    """What a reader of the failure needs: a unified diff (its first lines) and the command."""
    lines = list(difflib.unified_diff(
        want.decode("utf-8", "replace").splitlines(), got.decode("utf-8", "replace").splitlines(),
        f"tests/golden/{path}", f"build/{path}", lineterm=""))
    more = len(lines) - SHOWN
    shown = "\n".join(lines[:SHOWN]) + (f"\n… {more} more line(s) of diff" if more > 0 else "")
    return (f"{path} differs from its golden copy:\n{shown}\n"
            f"If the change is meant, regenerate the golden pages and commit them:\n    {REGEN}")


@pytest.mark.parametrize("path", PAGES)
def test_page_equals_its_golden_copy(golden_build, regen, path):
    got = (golden_build / path).read_bytes()
    expected = GOLDEN / path
    if regen:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(got)
    assert expected.is_file(), f"no golden copy of {path}; make it with:\n    {REGEN}"
    want = expected.read_bytes()
    assert want == got, mismatch(path, want, got)


def test_golden_folder_holds_only_the_golden_pages(regen):
    """A page dropped from PAGES leaves no stale copy behind (--regen-golden removes it)."""
    held = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    extra = sorted(held - set(PAGES) - {"README.md"})
    if regen:
        for p in extra:
            (GOLDEN / p).unlink()
        for d in sorted((d for d in GOLDEN.rglob("*") if d.is_dir()), reverse=True):
            if not any(d.iterdir()):
                d.rmdir()
        extra = []
    assert extra == [], f"stale golden copies: {extra}; remove them with:\n    {REGEN}"


def test_a_changed_page_fails_with_a_diff_and_the_command():
    message = mismatch("site/x.html", b"<p>a</p>\n<p>b</p>\n", b"<p>a</p>\n<p>c</p>\n")
    assert "-<p>b</p>" in message and "+<p>c</p>" in message and REGEN in message
    long = mismatch("site/x.html", b"".join(b"%d\n" % i for i in range(200)), b"")
    assert len(long.splitlines()) < SHOWN + 10 and "more line(s) of diff" in long
