"""The report's SVG drawings, without Django."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from anninh.reports import svg

NS = "{http://www.w3.org/2000/svg}"


def parse(drawing: str) -> ET.Element:
    return ET.fromstring(drawing)  # noqa: S314 (our own output, not untrusted input)


def test_bar_chart_draws_one_bar_per_group_and_series_and_escapes_labels():
    drawing = svg.bar_chart(
        ["Xâm phạm sở hữu", "<script>"], [("Kỳ này", [4, 0], "#c00"), ("Kỳ trước", [1, 2], "#999")]
    )
    root = parse(drawing)  # well-formed: the label was escaped
    bars = [r for r in root.iter(f"{NS}rect") if float(r.get("height")) > 4]
    assert len(bars) == 4 + 2  # 2 groups × 2 series, and 2 legend swatches
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert "Xâm phạm sở hữu" in texts and "<script>" in texts and "Kỳ này" in texts


def test_bar_lengths_are_proportional_to_the_values():
    root = parse(svg.bar_chart(["a", "b"], [("x", [4, 2], "#c00")]))
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect") if r.get("fill") == "#c00"][:2]
    assert widths[0] == 2 * widths[1] > 0


def test_line_chart_has_one_polyline_per_series():
    root = parse(
        svg.line_chart(["2025-W01", "2025-W02"], [("a", [1, 3], "#c00", False), ("b", [0, 2], "#999", True)])
    )
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 2 and lines[1].get("stroke-dasharray")


def test_choropleth_colours_communes_by_quantile_class():
    def square(x: float) -> list[list[tuple[float, float]]]:
        return [[(x, 20.0), (x + 0.1, 20.0), (x + 0.1, 20.1), (x, 20.1), (x, 20.0)]]

    values = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4, "F": 100}
    shapes = {code: square(106 + i * 0.2) for i, code in enumerate(values)}
    root = parse(svg.choropleth(shapes, values, legend_title="Tội phạm"))
    fills = {p.find(f"{NS}title").text: p.get("fill") for p in root.iter(f"{NS}path")}
    assert fills == {
        "A": svg.PALETTE[0],
        "B": svg.PALETTE[1],
        "C": svg.PALETTE[2],
        "D": svg.PALETTE[3],
        "E": svg.PALETTE[4],
        "F": svg.PALETTE[5],
    }
    assert "Tội phạm" in [t.text for t in root.iter(f"{NS}text")]


def test_choropleth_of_nothing_is_an_empty_drawing():
    assert parse(svg.choropleth({}, {})).tag == f"{NS}svg"


def test_a_far_off_island_is_drawn_in_an_inset_beside_the_mainland():
    def square(x: float, y: float) -> list[list[tuple[float, float]]]:
        return [[(x, y), (x + 0.1, y), (x + 0.1, y + 0.1), (x, y + 0.1), (x, y)]]

    shapes = {f"M{i}": square(106 + 0.1 * (i % 3), 20.7 + 0.1 * (i // 3)) for i in range(6)}
    shapes["ISLAND"] = square(107.7, 20.1)
    root = parse(svg.choropleth(shapes, {}, width=640))
    xs = {
        p.find(f"{NS}title").text: float(p.get("d").split()[0].lstrip("M").split(",")[0])
        for p in root.iter(f"{NS}path")
    }
    assert max(x for code, x in xs.items() if code != "ISLAND") < 640 - 130 < xs["ISLAND"]


def test_quantile_breaks_keep_ties_together_and_end_at_the_maximum():
    assert svg.quantile_breaks([0, 1, 1, 1, 1, 7]) == [1, 7]
    assert svg.quantile_breaks([0, 0]) == []


def test_css_string_escapes_quotes_backslashes_and_markup_but_keeps_vietnamese():
    assert svg.css_string('Phường "Lê Chân" \\ </style>') == (
        "Phường \\22 Lê Chân\\22  \\5c  \\3c /style\\3e "
    )


# --- printed charts stay legible (issue 13, item 8) ---------------------------------------------

CHAR_WIDTH = 0.62  # DejaVu Sans: an average glyph is about 0.62 em wide


def _text_extent(t: ET.Element, default_size: float = 9) -> tuple[float, float]:
    """(left, right) x of a text element, from its anchor and an average glyph width."""
    size = float(t.get("font-size", default_size))
    width = len(t.text or "") * size * CHAR_WIDTH
    x = float(t.get("x"))
    anchor = t.get("text-anchor", "start")
    return (x - width, x) if anchor == "end" else (x, x + width)


def test_line_chart_legend_is_clear_of_the_rotated_week_labels():
    labels = [f"Tuần {n} (23/11–29/11)" for n in range(1, 14)]
    root = parse(
        svg.line_chart(labels, [("Năm nay", [1] * 13, "#c00", False), ("Năm trước", [2] * 13, "#999", True)])
    )
    height = float(root.get("height"))
    rotated = [t for t in root.iter(f"{NS}text") if t.get("transform")]
    legend = [t for t in root.iter(f"{NS}text") if t.text in ("Năm nay", "Năm trước")]
    assert rotated and len(legend) == 2
    # A label rotated by -45° around its anchor reaches down by its width × sin 45°.
    lowest_label = max(
        float(t.get("y")) + (_text_extent(t)[1] - _text_extent(t)[0]) * 0.7072 for t in rotated
    )
    assert lowest_label <= height
    plot_top = min(
        float(line.get("y1")) for line in root.iter(f"{NS}line") if line.get("stroke") == "#dde2e7"
    )
    for t in legend:  # the legend sits above the plot, nowhere near the labels under it
        assert float(t.get("y")) < plot_top


def test_bar_values_and_long_group_names_fit_inside_the_drawing():
    long = "Tội phạm xâm phạm trật tự quản lý kinh tế và môi trường, tham nhũng"
    width = 640
    root = parse(
        svg.bar_chart(
            [long, "Ma túy"], [("Kỳ này", [12885, 3], "#c00"), ("Kỳ trước", [9000, 1], "#999")], width=width
        )
    )
    texts = list(root.iter(f"{NS}text"))
    values = [t for t in texts if t.get("font-size") == "6.5"]
    assert [t.text for t in values][:2] == ["12.885", "9.000"]  # Vietnamese grouping
    for t in texts:
        left, right = _text_extent(t)
        assert left >= 0 and right <= width, t.text
    # The long name is shown whole (on two lines), not cut.
    words = (
        " ".join(t.text or "" for t in texts) + " " + " ".join(s.text or "" for s in root.iter(f"{NS}tspan"))
    )
    assert "tham nhũng" in words


def test_bar_chart_writes_english_numbers_in_english():
    root = parse(svg.bar_chart(["a"], [("x", [12885], "#c00")], lang="en"))
    assert "12,885" in [t.text for t in root.iter(f"{NS}text")]
