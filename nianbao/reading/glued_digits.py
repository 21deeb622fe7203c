"""Splitting glued digits (``640020470``) into cells, guided by the template's identities.

A web page flattened to text can lose every cell boundary of a table row. The digits that are
left are split in every way that gives the row's number of cells, each cell a number without
leading zeros; white space still present is a boundary that must be kept. The identities of the
template (a row's 总计 is the sum of its parts) then pick the reading. One surviving reading is
the published row; none or several, and the row is ``unreadable``: nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal

Number = int | Decimal
_PART = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")
LIMIT = 200_000  # readings enumerated at most for one row
# digits per cell at most, on average, in a run that is split. Past 15 no reading can be a figure;
# searched by the identities (``groups_sum``) the work grows steeply with the length, and a real
# row run together is far shorter than 6 a cell (a row of 7 cells is 10-30 digits)
MAX_DIGITS_PER_CELL = 15
MAX_DIGITS_PER_CELL_GROUPED = 6


def _value(text: str) -> Number:
    return Decimal(text) if "." in text else int(text)


def _splits(token: str, parts: int) -> Iterator[list[str]]:
    """Every way to cut ``token`` into ``parts`` valid numbers; a leading sign belongs to the
    first of them (``-18538`` → ``-185``, ``38``)."""
    if token[:1] in "+-":
        for found in _splits(token[1:], parts):
            yield [token[0] + found[0], *found[1:]]
        return
    if parts == 1:
        if _PART.match(token):
            yield [token]
        return
    for cut in range(1, len(token) - parts + 2):
        head = token[:cut]
        if not _PART.match(head):
            if head[0] == "0" and cut > 1:
                return  # every longer head also has a leading zero
            continue
        for rest in _splits(token[cut:], parts - 1):
            yield [head, *rest]


def readings(tokens: list[str], cells: int) -> Iterator[list[Number]]:
    """Every reading of the tokens (kept apart) as ``cells`` numbers, in order."""

    def go(i: int, left: int) -> Iterator[list[str]]:
        if i == len(tokens):
            if left == 0:
                yield []
            return
        remaining = len(tokens) - i - 1
        token = tokens[i]
        for parts in range(1, min(left - remaining, len(token.lstrip("+-"))) + 1):
            for head in _splits(token, parts):
                for tail in go(i + 1, left - parts):
                    yield head + tail

    count = 0
    for found in go(0, cells):
        count += 1
        if count > LIMIT:
            return
        yield [_value(t) for t in found]


def groups_sum(group: int) -> Callable[[list[Number]], bool]:
    """Identity: in every run of ``group`` cells, the last is the sum of the others."""

    def holds(values: list[Number]) -> bool:
        return all(
            sum(values[i : i + group - 1]) == values[i + group - 1]
            for i in range(0, len(values), group)
        )

    holds.group = group  # lets split_glued search only the readings that can satisfy it
    return holds


def _group_readings(tokens: list[str], cells: int, group: int) -> Iterator[list[Number]]:
    """The readings in which every run of ``group`` cells ends with the sum of the others,
    found directly: the last cell of each run is not searched for but checked in place."""
    text = "".join(tokens)
    starts, pos = set(), 0
    for token in tokens:
        starts.add(pos)
        pos += len(token)
    size = len(text)

    def crosses(a: int, b: int) -> bool:
        return any(a < s < b for s in starts)

    def go(pos: int, done: int, run: list[Number]) -> Iterator[list[Number]]:
        if done == cells:
            if pos == size:
                yield []
            return
        if size - pos < cells - done:
            return
        if done % group == group - 1:
            target = sum(run)
            shown = str(target)
            end = pos + len(shown)
            if text.startswith(shown, pos) and not crosses(pos, end):
                for rest in go(end, done + 1, []):
                    yield [target, *rest]
            return
        for end in range(pos + 1, size + 1):
            if crosses(pos, end):
                break
            part = text[pos:end]
            body = part[1:] if part[0] in "+-" and pos in starts else part
            if not _PART.match(body):
                if body[:1] == "0" and len(body) > 1 or not body[:1].isdigit() and len(body) > 1:
                    break
                continue
            value = _value(part)
            # the run's total still has to fit in what is left, with one digit per later cell
            later = cells - done - 1 - (group - 1 - done % group)
            if len(str(abs(sum(run) + value))) + later > size - end:
                break
            for rest in go(end, done + 1, [*run, value]):
                yield [value, *rest]

    yield from go(0, 0, [])


def split_glued(
    tokens: list[str], cells: int, identity: Callable[[list[Number]], bool] | None
) -> tuple[list[Number] | None, list[list[Number]]]:
    """(the one reading, or None; the readings that satisfy the identity, at most 12 shown).

    Without an identity a reading is accepted only when it is the only possible one. A run too
    long to be a row (``too_long``) is not searched: no reading."""
    found: list[list[Number]] = []
    if too_long(tokens, cells, identity):
        return None, found
    group = getattr(identity, "group", None)
    source = _group_readings(tokens, cells, group) if group else readings(tokens, cells)
    for values in source:
        if identity is None or identity(values):
            found.append(values)
            if len(found) > 12:
                break
    if len(found) == 1:
        return found[0], found
    return None, found[:12]


def too_long(tokens: list[str], cells: int, identity=None) -> bool:
    """True for a run of digits too long to be searched for a reading."""
    grouped = getattr(identity, "group", None) is not None
    per_cell = MAX_DIGITS_PER_CELL_GROUPED if grouped else MAX_DIGITS_PER_CELL
    return sum(len(t.lstrip("+-")) for t in tokens) > cells * per_cell


def explain(candidates: list[list[Number]], long: bool) -> tuple[str, str, str]:
    """(the readings shown, why no reading was taken, the same in Chinese for the note)."""
    shown = "; ".join("/".join(str(x) for x in c) for c in candidates[:6]) or "none"
    if long:
        return shown, "too many digits to split", "数字过长，不予拆分"
    if not candidates:
        return shown, "no reading fits the identities", "没有符合勾稽关系的读法"
    many = len(candidates) >= 12
    return shown, "several readings fit", (f"至少 {len(candidates)} 种读法，如 {shown}" if many
                                           else f"{len(candidates)} 种读法：{shown}")


def columns_fit(known: dict[str, list[Number]], ambiguous: dict[str, list[list[Number]]],
                identities: list[tuple[tuple[str, ...], tuple[str, ...]]],
                limit: int = 100_000) -> dict[str, list[Number]] | None:
    """The one choice of readings for the ambiguous rows under which every column identity
    (sum of ``total`` rows = sum of ``parts`` rows, in each column) holds; None if there is not
    exactly one."""
    import itertools

    codes = sorted(ambiguous)
    total = 1
    for code in codes:
        total *= len(ambiguous[code])
    if total > limit:
        return None
    width = len(next(iter(ambiguous.values()))[0])
    fits = []
    for combo in itertools.product(*(ambiguous[c] for c in codes)):
        grid = {**known, **dict(zip(codes, combo))}
        if all(sum(grid[r][col] for r in t) == sum(grid[r][col] for r in p)
               for t, p in identities for col in range(width)):
            fits.append(dict(zip(codes, combo)))
            if len(fits) > 1:
                return None
    return fits[0] if fits else None
