"""The chart drawings: well-formed SVG, honest scales, gaps shown as gaps, names escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from nianbao.pages import svg

NS = "{http://www.w3.org/2000/svg}"


def parse(drawing: svg.Drawing) -> ET.Element:
    root = ET.fromstring(drawing.text)
    assert root.tag == NS + "svg"
    assert (root.get("width"), root.get("height")) == (str(drawing.width), str(drawing.height))
    return root


@pytest.mark.parametrize("top, expected", [
    (0, [0, 1]), (1, [0, 1]), (4, [0, 1, 2, 3, 4]), (7, [0, 2, 4, 6, 8]),
    (74, [0, 20, 40, 60, 80]), (6117, [0, 2000, 4000, 6000, 8000]),
    (100000, [0, 20000, 40000, 60000, 80000, 100000]),
])
def test_count_ticks_are_round_whole_numbers_covering_the_top(top, expected):
    assert svg.count_ticks(top) == expected


def test_long_labels_are_cut_with_an_ellipsis_within_the_limit():
    name = "某某省某某市某某区人民政府办公室政务公开科与信息公开办公室"
    cut = svg.clip(name)
    assert cut.endswith("…") and name.startswith(cut[:-1])
    assert svg.text_width(cut) <= svg.LABEL_LIMIT
    assert svg.clip("平潭综合实验区") == "平潭综合实验区"


def test_columns_scale_bars_to_their_values_and_leave_a_missing_year_empty():
    root = parse(svg.columns(["2019", "2020", "2021"], [23, None, 70], "件", "#0b57a4"))
    rects = [r for r in root.iter(NS + "rect") if r.find(NS + "title") is not None]
    assert [r.find(NS + "title").text for r in rects] == ["2019：23 件", "2021：70 件"]
    heights = [float(r.get("height")) for r in rects]
    assert heights[1] / heights[0] == pytest.approx(70 / 23, rel=0.02)
    texts = [t.text for t in root.iter(NS + "text")]
    assert "2020" in texts and "70" in texts  # the empty year keeps its place on the axis


def test_lying_bars_escape_names_and_write_each_value():
    root = parse(svg.bars(["<甲> & 乙", "丙"], [6117, 21], "件", "#0b57a4"))
    texts = [t.text for t in root.iter(NS + "text")]
    assert "<甲> & 乙" in texts and "6,117" in texts and "21" in texts


def test_lines_break_where_a_share_is_missing():
    series = [svg.Series("予以公开", "#0b57a4", (0.35, 0.62, None, 0.40)),
              svg.Series("不掌握", "#b35900", (0.30, 0.19, 0.36, 0.49), dashed=True)]
    root = parse(svg.lines(["2019", "2020", "2021", "2022"], series))
    runs = [p.get("points").split() for p in root.iter(NS + "polyline")]
    assert [len(r) for r in runs] == [2, 4]  # 2019–2020, then 2022 alone is a point, not a line
    dots = [c.find(NS + "title").text for c in root.iter(NS + "circle") if c.find(NS + "title") is not None]
    assert "2022　予以公开：40.0%" in dots and len(dots) == 7
    assert [t.text for t in root.iter(NS + "text")][-2:] == ["予以公开", "不掌握"]  # the legend


def test_drawings_are_deterministic_text():
    one = svg.lines(["2020", "2021"], [svg.Series("甲", "#000", (0.5, 1 / 3))])
    assert one == svg.lines(["2020", "2021"], [svg.Series("甲", "#000", (0.5, 1 / 3))])
    assert "0.333" not in one.text  # coordinates are rounded, not float noise


PHONE_COLUMN = 343  # px a chart has on a 375 px screen (the page's 1 rem margins taken off)
LONG_NAME = "某某省某某市某某区人民政府办公室政务公开科与信息公开办公室"
YEARS = [str(y) for y in range(2010, 2031)]


def shares(n: int) -> list[svg.Series]:
    return [svg.Series("予以公开及部分公开", "#0b57a4", ((0.5, None, 0.25) * n)[:n]),
            svg.Series("本机关不掌握", "#b35900", (0.2,) * n, dashed=True)]


@pytest.mark.parametrize("make", [
    pytest.param(lambda: svg.columns(YEARS[:2], [5, 6], "件", "#000"), id="columns-2"),
    pytest.param(lambda: svg.columns(YEARS[:12], [123_456 + i for i in range(12)], "件", "#000"),
                 id="columns-12"),
    pytest.param(lambda: svg.bars([LONG_NAME, "平潭综合实验区"] * 10, list(range(0, 2000, 100)),
                                  "件", "#000"), id="bars-20"),
    pytest.param(lambda: svg.lines(YEARS[:4], shares(4)), id="lines-4"),
    pytest.param(lambda: svg.lines(YEARS, shares(21)), id="lines-21"),
])
def test_a_drawing_keeps_its_text_legible_on_a_phone(make):
    """However many years or agencies, and however long their names, a chart shrunk to a phone's
    column draws its text at 12 px at least, and writes nothing outside itself."""
    drawing = make()
    root = parse(drawing)
    shown = min(PHONE_COLUMN, drawing.width)
    assert float(root.get("font-size")) * shown / drawing.width >= 12
    outside = []
    for t in root.iter(NS + "text"):
        x, w = float(t.get("x")), svg.text_width(t.text)
        left = {"start": x, "middle": x - w / 2, "end": x - w}[t.get("text-anchor")]
        if left < 0 or left + w > drawing.width:
            outside.append(t.text)
    assert outside == []


def test_years_too_many_to_stand_side_by_side_lie_down_and_all_keep_their_label():
    root = parse(svg.columns(YEARS[:12], [10_000 * (i + 1) for i in range(12)], "件", "#000"))
    texts = [t.text for t in root.iter(NS + "text")]
    assert all(y in texts for y in YEARS[:12])
    bars = [r for r in root.iter(NS + "rect") if r.find(NS + "title") is not None]
    assert len(bars) == 12 and len({r.get("height") for r in bars}) == 1  # lying: one thickness


def test_crowded_years_on_a_line_chart_are_labelled_every_so_often():
    root = parse(svg.lines(YEARS, shares(21)))
    texts = [t.text for t in root.iter(NS + "text")]
    written = [y for y in YEARS if y in texts]
    assert written[0] == "2010" and 2 < len(written) < len(YEARS)
    assert texts[-2:] == ["予以公开及部分公开", "本机关不掌握"]  # the legend, whole
