"""What the command line shows on a terminal while it works (the CLI and the preview's builds)."""

from __future__ import annotations

import sys


def progress_bar(label: str):
    """A one-line progress bar on a terminal (stderr); nothing when output is redirected."""
    if not sys.stderr.isatty():
        return None
    state = {"shown": -1}

    def show(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent == state["shown"] and done != total:
            return
        state["shown"] = percent
        bar = "#" * (percent // 4)
        end = "\n" if done == total else ""
        print(f"\r{label} [{bar:<25}] {done}/{total}", end=end, file=sys.stderr, flush=True)
    return show
