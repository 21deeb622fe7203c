"""The record of an output tree (``nianbao.disk.manifest``): lookups, prefixes and the pickled form."""

from __future__ import annotations

import pickle

from nianbao.disk import manifest
from nianbao.disk.manifest import Manifest


def _manifest(paths: list[str]) -> Manifest:
    return Manifest({p: (f"{i:064x}", i, 10 * i) for i, p in enumerate(paths)})


PATHS = ["a.html", "b/c.csv", "b/d.csv", "b0.txt", "data/x.csv", "pagefind/p.js",
         "pagefind/q/r.pf", "z"]


def test_lookups_by_bisection_and_by_index_agree(monkeypatch):
    """The first lookups bisect the sorted paths (an edit asks for a few), later ones use an
    index; both answer alike, for paths there and not there."""
    asked = [*PATHS, "", "a", "b", "b/", "b/c", "pagefind", "zz", "\uffff"]
    few = _manifest(PATHS)
    by_bisection = [(p in few, few.find(p), few.sha(p)) for p in asked]
    assert few._index is None
    monkeypatch.setattr(manifest, "BISECT_AT_MOST", 0)
    many = _manifest(PATHS)
    assert [(p in many, many.find(p), many.sha(p)) for p in asked] == by_bisection
    assert many._index is not None
    assert [i for _, i, _ in by_bisection[:len(PATHS)]] == list(range(len(PATHS)))
    assert all(i is None for _, i, _ in by_bisection[len(PATHS):])


def test_the_paths_under_a_prefix():
    m = _manifest(PATHS)
    assert m.under("pagefind/") == ["pagefind/p.js", "pagefind/q/r.pf"]
    assert m.shas().under("b/") == ["b/c.csv", "b/d.csv"]
    assert m.under("nothing/") == [] and m.under("") == sorted(PATHS)


def test_a_record_with_two_manifests_of_one_list_of_paths_pickles_it_once():
    live = _manifest(PATHS)
    standby = Manifest.of_columns(live.paths(), bytes(32 * len(PATHS)), *live.times())
    state = pickle.loads(pickle.dumps({"live": live, "standby": standby}, protocol=5))
    assert state["live"].paths() == PATHS and state["live"].paths() is state["standby"].paths()
    assert dict(state["live"]) == dict(live) and state["live"].id() == live.id()
    assert state["standby"].digests() == bytes(32 * len(PATHS))
    empty = pickle.loads(pickle.dumps(Manifest({}), protocol=5))
    assert empty.paths() == [] and len(empty) == 0
