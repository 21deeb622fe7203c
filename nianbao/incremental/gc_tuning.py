"""How a build treats Python's cyclic garbage collector.

A build holds tens of thousands of long-lived objects (the briefs of every report, the records of
every output file) and makes millions of short-lived ones. With the default thresholds the
collector runs every 700 allocations and, every so often, walks the whole heap: at 10,000 reports
that was a third of the time of reading the briefs and of making the year pages' rows. So a build
collects young objects less often (``ALLOCATIONS``), and what has been read is moved out of the
collector's sight once it is read (``settled``): those objects are still freed by reference
counting when dropped, only never scanned for cycles. Both are undone when the build ends, so a
long-lived process (``serve``) neither keeps the settings nor keeps one build's objects out of
the collector's sight in the next.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

ALLOCATIONS = 50_000  # young objects between collections (Python's default: 700)


@contextmanager
def lean() -> Iterator[None]:
    """The collector runs less often for the duration; objects ``settled`` during it are
    returned to its sight at the end."""
    before = gc.get_threshold()
    gc.set_threshold(ALLOCATIONS, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def settled() -> None:
    """Everything alive now is long-lived: the collector stops scanning it (until ``lean`` ends).
    Forked workers then also leave those pages unwritten, so they stay shared."""
    gc.freeze()
