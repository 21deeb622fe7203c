"""Charts as static SVG, drawn at build time (see ``svg``): readable without JavaScript, each with
a text alternative and the exact data behind it as CSV beside it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from nianbao.packaging.formula_guard import neutralise
from nianbao.pages import svg
from nianbao.pages.contexts import Chart
from nianbao.pages.series import Measure

ACCENT, SECOND = "#0b57a4", "#b35900"
YEAR_TOP = 20  # a year chart shows the agencies with most applications, the table shows all


@dataclass(frozen=True)
class Point:
    key: str  # the year or the agency, as the axis shows it
    measure: Measure


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralise(v) for k, v in r.items()} for r in rows)
    return out.getvalue().encode("utf-8")


def counts_chart(base: str, name: str, title: str, key_title: str, points: list[Point],
                 horizontal: bool = False) -> tuple[Chart, dict[str, bytes]]:
    """Bars of one count (e.g. applications received) per year or per agency."""
    draw = svg.bars if horizontal else svg.columns
    image = draw([p.key for p in points], [p.measure.num for p in points], "件", ACCENT)
    rows = [{key_title: p.key, "value": p.measure.num if p.measure.num is not None else ""}
            for p in points]
    words = "；".join(f"{p.key} {_said(p.measure)}" for p in points)
    return _files(base, name, title, f"柱状图，{title}：{words}。", image, rows)


def rates_chart(base: str, name: str, title: str, series: list[list[Point]]
                ) -> tuple[Chart, dict[str, bytes]]:
    """Lines of rates over the years, one line per measure; only published numerators and
    denominators make a point."""
    years = list(dict.fromkeys(p.key for points in series for p in points))
    lines = []
    for n, points in enumerate(p for p in series if p):
        share = {p.key: p.measure.share for p in points}
        lines.append(svg.Series(points[0].measure.label, (ACCENT, SECOND)[n % 2],
                                tuple(share.get(y) for y in years), dashed=n % 2 == 1))
    image = svg.lines(years, lines)
    rows = [{"year": p.key, "measure": p.measure.label,
             "numerator": "" if p.measure.num is None else p.measure.num,
             "denominator": "" if p.measure.den is None else p.measure.den,
             "share": "" if p.measure.share is None else f"{p.measure.share:.4f}"}
            for points in series for p in points]
    words = "；".join(f"{points[0].measure.label}：" + "，".join(
        f"{p.key} 年 {_said(p.measure)}" for p in points) for points in series if points)
    return _files(base, name, title, f"折线图，{title}。{words}。", image, rows)


def _said(m: Measure) -> str:
    """A point in words: its figure (a count with its unit), or why there is none."""
    if not m.published:
        return f"未公布（{m.why}）"
    if m.rate and not m.den:
        return "无法计算（分母为 0）"
    return m.figure().value if m.rate else f"{m.figure().value} 件"


def _files(base: str, name: str, title: str, alt_text: str, image: svg.Drawing,
           rows: list[dict]) -> tuple[Chart, dict[str, bytes]]:
    path, data = f"{base}/{name}.svg", f"{base}/{name}.csv"
    files = {path: image.text.encode("utf-8"), data: _csv(rows) if rows else b""}
    return Chart(name, title, path, data, alt_text, image.width, image.height), files
