"""Drawing the site's two kinds of chart as SVG text: bars (upright or lying) and lines of shares.

Written directly rather than through a charting library: the charts are small and always the same
shape, and a chart library's renderer cost ~0.1 s a chart (most of a 100,000-report build). The
output is deterministic text, readable without JavaScript or web fonts (an <img> uses the system's
fonts), and every mark carries a <title> for the pointer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
INK, MUTED, GRID, AXIS = "#1f2328", "#57606a", "#e4e7eb", "#8a929b"
SIZE = 13  # font size of every label, px
# Every drawing is at most this wide, so that on a phone it is shrunk little or not at all: on a
# 375 px screen (343 px of column) its labels are drawn at SIZE, on a 320 px one at 11 px. What
# does not fit stacks downwards instead (bars under their labels, more legend rows).
WIDTH = 336
LABEL_LIMIT = WIDTH - 16  # a longer category label is cut short with an ellipsis
BAR = 14  # thickness of a lying bar


def text_width(text: str, size: int = SIZE) -> float:
    """An estimate of the text's drawn width: CJK and full-width signs are square, Latin narrower."""
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)
    return size * (wide + 0.6 * (len(text) - wide))


def clip(text: str, limit: float = LABEL_LIMIT) -> str:
    if text_width(text) <= limit:
        return text
    while text and text_width(text + "…") > limit:
        text = text[:-1]
    return text + "…"


def count_ticks(top: float, most: int = 6) -> list[int]:
    """Round whole-number ticks from 0 covering ``top``: steps of 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [0, 1]
    power = 10 ** max(0, math.floor(math.log10(top / most)))
    step = next(power * m for m in (1, 2, 5, 10) if top / (power * m) <= most)
    return [step * i for i in range(math.ceil(top / step) + 1)]


def thousands(n: int) -> str:
    return f"{n:,}"


@dataclass(frozen=True)
class Drawing:
    text: str  # the SVG document
    width: int
    height: int


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: tuple[float | None, ...]  # a share in [0, 1] per category, None where not published
    dashed: bool = False


def _num(x: float) -> str:
    """Coordinates with at most one decimal and no trailing zeros: small, stable text."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x: float, y: float, body: str, anchor: str = "middle", fill: str = INK) -> str:
    return (f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(body)}</text>")


def _document(width: float, height: float, parts: list[str]) -> Drawing:
    w, h = math.ceil(width), math.ceil(height)
    return Drawing(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="{SIZE}">'
            f'<rect width="{w}" height="{h}" fill="white"/>' + "".join(parts) + "</svg>\n", w, h)


def columns(labels: list[str], values: list[int | None], unit: str, colour: str) -> Drawing:
    """Upright bars, one per label; a missing value leaves its slot empty. More labels than stand
    side by side within WIDTH are drawn as lying bars instead."""
    ticks = count_ticks(max([v for v in values if v is not None], default=0))
    left = 8 + max(text_width(thousands(t)) for t in ticks) + 6
    room = WIDTH - left - 8
    widest = max([text_width(label) for label in labels]
                 + [text_width(thousands(v)) for v in values if v is not None], default=0)
    if labels and (widest + 6) * len(labels) > room:
        return bars(labels, values, unit, colour)
    plot_w, plot_h = min(room, max(160, 60 * len(labels))), 200
    top, bottom = 8 + SIZE + 12, 8 + SIZE + 8  # the unit above the top tick's label
    y = lambda v: top + plot_h - plot_h * v / ticks[-1]  # noqa: E731
    parts = [_text(8, top - 8, unit, "start", MUTED)]
    for t in ticks:
        parts.append(f'<line x1="{_num(left)}" x2="{_num(left + plot_w)}" y1="{_num(y(t))}" '
                     f'y2="{_num(y(t))}" stroke="{GRID if t else AXIS}"/>')
        parts.append(_text(left - 6, y(t) + SIZE * 0.35, thousands(t), "end"))
    slot = plot_w / max(1, len(labels))
    for i, (label, value) in enumerate(zip(labels, values)):
        centre = left + slot * (i + 0.5)
        parts.append(_text(centre, top + plot_h + 6 + SIZE, label))
        if value is None:
            continue
        bar_w = slot * 0.8
        parts.append(f'<rect x="{_num(centre - bar_w / 2)}" y="{_num(y(value))}" '
                     f'width="{_num(bar_w)}" height="{_num(top + plot_h - y(value))}" '
                     f'fill="{colour}"><title>{escape(label)}：{thousands(value)} {escape(unit)}'
                     f"</title></rect>")
        parts.append(_text(centre, y(value) - 4, thousands(value)))
    return _document(left + plot_w + 8, top + plot_h + bottom, parts)


def bars(labels: list[str], values: list[int | None], unit: str, colour: str) -> Drawing:
    """Lying bars, one row per label (long names): the label on its own line, its bar under it
    with the value written at the bar's end, so that the drawing is WIDTH wide however long the
    names are."""
    ticks = count_ticks(max([v for v in values if v is not None], default=0))
    room = text_width(thousands(ticks[-1])) + 8  # for the value beside the longest bar
    left, top, row = 8, 6, SIZE + 4 + BAR + 10
    plot_w = WIDTH - left - room
    plot_h = row * max(1, len(labels))
    x = lambda v: left + plot_w * v / ticks[-1]  # noqa: E731
    parts = []
    for t in ticks:
        parts.append(f'<line x1="{_num(x(t))}" x2="{_num(x(t))}" y1="{top}" '
                     f'y2="{_num(top + plot_h)}" stroke="{GRID if t else AXIS}"/>')
        parts.append(_text(x(t), top + plot_h + 6 + SIZE, thousands(t)))
    parts.append(_text(left + plot_w / 2, top + plot_h + 2 * (6 + SIZE), unit, fill=MUTED))
    for i, (label, value) in enumerate(zip(labels, values)):
        line = top + row * i + SIZE
        parts.append(_text(left + 2, line, clip(label), "start"))
        if value is None:
            continue
        middle = line + 4 + BAR / 2
        parts.append(f'<rect x="{_num(left)}" y="{_num(middle - BAR / 2)}" '
                     f'width="{_num(x(value) - left)}" height="{BAR}" '
                     f'fill="{colour}"><title>{escape(label)}：{thousands(value)} {escape(unit)}'
                     f"</title></rect>")
        parts.append(_text(x(value) + 4, middle + SIZE * 0.35, thousands(value), "start"))
    return _document(WIDTH, top + plot_h + 2 * (6 + SIZE) + 6, parts)


def lines(labels: list[str], series: list[Series]) -> Drawing:
    """Shares from 0 to 100 % over the labels (years), one line per series, broken where a point
    is missing; a legend under the plot names each line with its colour and dash. Within WIDTH:
    when the years crowd, every second (third, ...) one is written; the legend wraps."""
    left, top = 8 + text_width("100%") + 6, 8
    plot_w, plot_h = min(WIDTH - left - 8, max(200, 80 * len(labels))), 200
    slot = plot_w / max(1, len(labels))
    every = math.ceil((max(map(text_width, labels), default=0) + 6) / slot)
    x = lambda i: left + slot * (i + 0.5)  # noqa: E731
    y = lambda s: top + plot_h * (1 - s)  # noqa: E731
    parts = []
    for t in range(0, 101, 20):
        parts.append(f'<line x1="{_num(left)}" x2="{_num(left + plot_w)}" y1="{_num(y(t / 100))}" '
                     f'y2="{_num(y(t / 100))}" stroke="{GRID if t else AXIS}"/>')
        parts.append(_text(left - 6, y(t / 100) + SIZE * 0.35, f"{t}%", "end"))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(_text(x(i), top + plot_h + 6 + SIZE, label))
    for s in series:
        dash = ' stroke-dasharray="5,3"' if s.dashed else ""
        run: list[str] = []
        for i, share in enumerate(list(s.points) + [None]):
            if share is not None:
                run.append(f"{_num(x(i))},{_num(y(share))}")
                continue
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{s.colour}" '
                             f'stroke-width="2"{dash}/>')
            run = []
        for i, share in enumerate(s.points):
            if share is not None:
                parts.append(f'<circle cx="{_num(x(i))}" cy="{_num(y(share))}" r="3.5" '
                             f'fill="{s.colour}"><title>{escape(labels[i])}　{escape(s.label)}：'
                             f"{share:.1%}</title></circle>")
    legend_y, at, right = top + plot_h + 2 * (6 + SIZE) + 4, left, left + plot_w
    for s in series:
        name = clip(s.label, WIDTH - 8 - left - 26)
        if at > left and at + 26 + text_width(name) > WIDTH - 8:
            legend_y, at = legend_y + SIZE + 8, left
        dash = ' stroke-dasharray="5,3"' if s.dashed else ""
        middle = _num(legend_y - SIZE * 0.35)
        parts.append(f'<line x1="{_num(at)}" x2="{_num(at + 20)}" y1="{middle}" y2="{middle}" '
                     f'stroke="{s.colour}" stroke-width="2"{dash}/>')
        parts.append(f'<circle cx="{_num(at + 10)}" cy="{middle}" r="3.5" fill="{s.colour}"/>')
        parts.append(_text(at + 26, legend_y, name, "start"))
        right = max(right, at + 26 + text_width(name))
        at += 26 + text_width(name) + 16
    return _document(right + 8, legend_y + 8, parts)
