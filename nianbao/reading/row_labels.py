"""Which of the template's labels a table row's text names: the label whose ``forms.yaml``
keywords it holds (the longest), else, for a label with a typo or two that no keyword caught, the
label most like it. Both are pure functions of the template's labels and the text, worked out
once per process: the same labels in 10,000 reports were compared 10,000 times, difflib's
similarity included (a tenth of a cold build)."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Protocol

from nianbao.domain.forms import Label, squash, strip_ordinal

SIMILAR_AT_MOST = 100  # labels per table compared by similarity; the template has about 40 rows


class Counted(Protocol):
    similar: int  # labels of one table compared by similarity so far


# (id of labels, text) → (labels, by keyword, most alike); holding labels keeps its id unique
_KNOWN: dict[tuple[int, str], tuple[tuple[Label, ...], Label | None, object]] = {}
_UNSEEN = object()  # most alike: not worked out yet
_KNOWN_AT_MOST = 20_000  # a year's labels repeat: this holds every report's several times


def best(labels: tuple[Label, ...], squashed: str, read: Counted) -> Label | None:
    """The label a row's (squashed) text names: by keyword, else the most alike one for the first
    ``SIMILAR_AT_MOST`` rows of a table that need it (counted in ``read``); None if neither."""
    key = (id(labels), squashed)
    known = _KNOWN.get(key)
    if known is None:
        if len(_KNOWN) >= _KNOWN_AT_MOST:
            _KNOWN.clear()
        scored = [(label.matches(squashed), i, label) for i, label in enumerate(labels)]
        scored = [s for s in scored if s[0] > 0]
        by_keyword = max(scored, key=lambda s: (s[0], -s[1]))[2] if scored else None
        known = _KNOWN[key] = (labels, by_keyword, _UNSEEN)
    if known[1] is not None:
        return known[1]
    read.similar += 1  # a typo or two, not thousands of rows: that is no statutory table
    if read.similar > SIMILAR_AT_MOST:
        return None
    if known[2] is _UNSEEN:
        known = _KNOWN[key] = (labels, None, nearest(labels, squashed))
    return known[2]


def nearest(labels: tuple[Label, ...], squashed: str, cutoff: float = 0.75) -> Label | None:
    """A label with typos (characters missing, wrong or swapped) that no keyword caught: the
    template label most like it, if it is alike enough and clearly nearer than any other."""
    text = strip_ordinal(squashed)
    if not 4 <= len(text) <= 60:
        return None
    scores = sorted(
        ((max(SequenceMatcher(None, text, squash(label.zh(v))).ratio() for v in label.templates),
          i) for i, label in enumerate(labels)), reverse=True)
    top, runner_up = scores[0], (scores[1] if len(scores) > 1 else (0.0, -1))
    if top[0] >= cutoff and top[0] - runner_up[0] >= 0.1:
        return labels[top[1]]
    return None
