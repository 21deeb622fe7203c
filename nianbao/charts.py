"""Charts as static SVG, made at build time with Vega-Lite (altair → vl-convert): readable without
JavaScript, each with a text alternative and the exact data behind it as CSV beside it."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from .series import Measure
from .contexts import Chart
from .memo import current, key_of, not_fork_safe
from .safe import neutralise

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
INK, ACCENT, SECOND = "#1f2328", "#0b57a4", "#b35900"
YEAR_TOP = 20  # a year chart shows the agencies with most applications, the table shows all


@dataclass(frozen=True)
class Point:
    key: str  # the year or the agency, as the axis shows it
    measure: Measure


def _config(chart: "alt.Chart") -> "alt.Chart":
    return (chart.configure(font=FONT, background="white")
            .configure_axis(labelColor=INK, titleColor=INK, labelFontSize=12, titleFontSize=12,
                            gridColor="#e4e7eb", domainColor="#8a929b")
            .configure_view(stroke=None)
            .configure_legend(labelColor=INK, titleColor=INK, labelFontSize=12, orient="bottom"))


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralise(v) for k, v in r.items()} for r in rows)
    return out.getvalue().encode("utf-8")


def _svg(chart: "alt.Chart") -> bytes:
    """The chart drawn as SVG (remembered by its Vega-Lite spec: drawing costs ~0.1 s)."""
    spec = _config(chart).to_dict(validate=False)  # our specs are fixed; validating costs 40%
    key = key_of("chart-svg", json.dumps(spec, sort_keys=True, ensure_ascii=False))
    return current().value(key, lambda: _draw(spec))


def _draw(spec: dict) -> bytes:
    import vl_convert as vlc

    not_fork_safe()  # vl-convert runs a JavaScript engine in threads of its own
    return vlc.vegalite_to_svg(spec).encode("utf-8")


def _remembered(*parts: object):
    """A chart and its files, remembered by what it is made from: a build whose year pages are
    made again does not build (or even import) the chart library for charts it has made."""
    def wrap(make):
        return current().value(key_of("chart", *parts), make)
    return wrap


def counts_chart(base: str, name: str, title: str, key_title: str, points: list[Point],
                 horizontal: bool = False) -> tuple[Chart, dict[str, bytes]]:
    """Bars of one count (e.g. applications received) per year or per agency."""
    return _remembered("counts", base, name, title, key_title, points, horizontal)(
        lambda: _counts_chart(base, name, title, key_title, points, horizontal))


def rates_chart(base: str, name: str, title: str, series: list[list[Point]]) -> tuple[Chart, dict[str, bytes]]:
    """Lines of rates over the years, one line per measure; only published numerators and
    denominators make a point."""
    return _remembered("rates", base, name, title, series)(
        lambda: _rates_chart(base, name, title, series))


def _counts_chart(base: str, name: str, title: str, key_title: str, points: list[Point],
                  horizontal: bool) -> tuple[Chart, dict[str, bytes]]:
    import altair as alt
    import pandas as pd

    shown = [p for p in points if p.measure.num is not None]
    frame = pd.DataFrame({"key": [p.key for p in shown], "value": [p.measure.num for p in shown]})
    key = alt.X if not horizontal else alt.Y
    value = alt.Y if not horizontal else alt.X
    chart = alt.Chart(frame).mark_bar(color=ACCENT).encode(
        key("key:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=180)),
        value("value:Q", title="件", axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=["key", "value"],
    ).properties(width=340 if horizontal else max(160, 60 * len(shown)),
                 height=max(60, 22 * len(shown)) if horizontal else 200)
    rows = [{key_title: p.key, "value": p.measure.num if p.measure.num is not None else ""}
            for p in points]
    words = "；".join(f"{p.key} {p.measure.figure().value} 件" for p in points)
    return _files(base, name, title, f"柱状图，{title}：{words}。", chart, rows)


def _rates_chart(base: str, name: str, title: str, series: list[list[Point]]
                 ) -> tuple[Chart, dict[str, bytes]]:
    import altair as alt
    import pandas as pd

    records = [{"key": p.key, "label": p.measure.label, "share": p.measure.share}
               for points in series for p in points if p.measure.share is not None]
    frame = pd.DataFrame(records, columns=["key", "label", "share"])
    labels = [points[0].measure.label for points in series if points]
    chart = alt.Chart(frame).mark_line(point=True, strokeWidth=2).encode(
        alt.X("key:O", title=None, axis=alt.Axis(labelAngle=0)),
        alt.Y("share:Q", title=None, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        alt.Color("label:N", title=None, sort=labels,
                  scale=alt.Scale(domain=labels, range=[ACCENT, SECOND][: len(labels)])),
        alt.StrokeDash("label:N", sort=labels, legend=None),
    ).properties(width=max(200, 80 * len({r["key"] for r in records})), height=200)
    rows = [{"year": p.key, "measure": p.measure.label,
             "numerator": "" if p.measure.num is None else p.measure.num,
             "denominator": "" if p.measure.den is None else p.measure.den,
             "share": "" if p.measure.share is None else f"{p.measure.share:.4f}"}
            for points in series for p in points]
    words = "；".join(f"{points[0].measure.label}：" + "，".join(
        f"{p.key} 年 {p.measure.figure().value}" for p in points) for points in series if points)
    return _files(base, name, title, f"折线图，{title}。{words}。", chart, rows)


def _files(base: str, name: str, title: str, alt_text: str, chart: "alt.Chart",
           rows: list[dict]) -> tuple[Chart, dict[str, bytes]]:
    svg, data = f"{base}/{name}.svg", f"{base}/{name}.csv"
    image = _svg(chart)
    size = re.search(rb'<svg[^>]* width="(\d+)" height="(\d+)"', image)
    files = {svg: image, data: _csv(rows) if rows else b""}
    return Chart(name, title, svg, data, alt_text, int(size[1]), int(size[2])), files
