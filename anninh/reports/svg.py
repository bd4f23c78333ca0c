"""Server-side SVG for printed reports (WeasyPrint runs no JavaScript): a line chart and a
choropleth map. Pure functions, no Django; text is escaped."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from anninh.lib.numbers import format_number

PALETTE = ["#f7f7f7", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]


def css_string(text: str) -> str:
    """`text` escaped for the inside of a double-quoted CSS string (the page footer): anything
    but letters, digits and a few safe marks becomes a CSS hex escape, so no quote, backslash
    or markup can end the string or the <style> element."""
    safe = set(" ,.:/()–·")
    return "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in text)


def _num(v: float) -> str:
    """A coordinate inside the drawing (not for people: always a dot, one decimal)."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


#: An average DejaVu Sans glyph is about 0.62 em wide: enough to keep text inside the drawing
#: without measuring fonts (WeasyPrint lays the SVG out with the same font).
_GLYPH = 0.62


def _label(v: float, lang: str) -> str:
    """A figure for people: grouped, in the report's language, decimals only when needed."""
    return format_number(v, 0 if float(v).is_integer() else 1, lang)


def _wrap(text: str, max_chars: int, lines: int = 2) -> list[str]:
    """`text` in at most `lines` lines of at most `max_chars`, breaking between words; the
    last line ends in "…" only if words were left out."""
    words, out, current = text.split(), [], ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if len(candidate) <= max_chars:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        if len(out) == lines - 1:
            rest = " ".join(words[i:])
            current = rest if len(rest) <= max_chars else rest[: max_chars - 1].rstrip() + "…"
            break
    out.append(current)
    return out[:lines]


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float], str, bool]],
    *,
    width: int = 640,
    height: int = 220,
    lang: str = "vi",
) -> str:
    """Lines (name, values, colour, dashed) over category labels, with a y axis from 0.

    The legend sits above the plot and the drawing grows downwards to hold the longest label
    rotated by 45°, so neither overlaps the week labels."""
    longest = max((len(label) for label in labels), default=0)
    label_drop = math.ceil(longest * 9 * _GLYPH * math.sin(math.pi / 4)) + 16
    left, right, top = 40, 10, 24
    bottom = max(label_drop, 30)
    height = max(height, top + bottom + 120)
    w, h = width - left - right, height - top - bottom
    top_value = max([max(v) if v else 0 for _, v, _, _ in series] + [1])
    step = 10 ** math.floor(math.log10(top_value)) if top_value >= 10 else 1
    y_max = math.ceil(top_value / step) * step
    n = max(len(labels), 2)

    def x(i: int) -> float:
        return left + w * i / (n - 1)

    def y(v: float) -> float:
        return top + h * (1 - v / y_max)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="9">'
    ]
    for k in range(5):
        v = y_max * k / 4
        out.append(
            f'<line x1="{left}" x2="{left + w}" y1="{_num(y(v))}" y2="{_num(y(v))}" stroke="#dde2e7" stroke-width="0.6"/>'
        )
        out.append(
            f'<text x="{left - 4}" y="{_num(y(v) + 3)}" text-anchor="end" fill="#5a6470">{_label(v, lang)}</text>'
        )
    every = max(1, len(labels) // 13)
    for i, label in enumerate(labels):
        if i % every == 0:
            out.append(
                f'<text x="{_num(x(i))}" y="{top + h + 12}" text-anchor="end" transform="rotate(-45 {_num(x(i))} {top + h + 12})" fill="#5a6470">{escape(label)}</text>'
            )
    for idx, (name, values, colour, dashed) in enumerate(series):
        points = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(values))
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6"{dash} points="{points}"/>')
        lx = left + 10 + idx * 160
        out.append(f'<line x1="{lx}" x2="{lx + 18}" y1="8" y2="8" stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 22}" y="11" fill="#222">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(
    labels: list[str],
    series: list[tuple[str, list[float], str]],
    *,
    width: int = 640,
    bar: int = 6,
    lang: str = "vi",
) -> str:
    """Horizontal grouped bars: one group per label (offence group), one bar per series
    (name, values, colour), so long Vietnamese labels stay readable: a long name is written
    on two lines, never cut at the drawing's edge. Values are written at the bar's end, with
    room on the right for the longest."""
    top_value = max([max(v) if v else 0 for _, v, _ in series] + [1])
    longest_value = max((len(_label(v, lang)) for _, vs, _ in series for v in vs), default=1)
    left, top = 220, 6
    right = math.ceil(longest_value * 6.5 * _GLYPH) + 8
    label_chars = int((left - 8) / (9 * _GLYPH))
    n = len(series)
    group = max(n * bar + 6, 24)
    legend = 18
    height = top + max(len(labels), 1) * group + legend
    w = width - left - right
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="9">'
    ]
    for i, label in enumerate(labels):
        y0 = top + i * group
        lines = _wrap(label, label_chars)
        first_y = y0 + n * bar / 2 + 3 - (len(lines) - 1) * 5
        spans = "".join(
            f'<tspan x="{left - 4}" y="{_num(first_y + k * 10)}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        out.append(f'<text x="{left - 4}" y="{_num(first_y)}" text-anchor="end" fill="#222">{spans}</text>')
        for k, (_name, values, colour) in enumerate(series):
            v = values[i] if i < len(values) else 0
            length = w * v / top_value
            y = y0 + k * bar
            out.append(
                f'<rect x="{left}" y="{y}" width="{_num(length)}" height="{bar - 0.5}" fill="{colour}"/>'
            )
            out.append(
                f'<text x="{_num(left + length + 2)}" y="{_num(y + bar - 0.5)}" font-size="6.5" fill="#5a6470">{_label(v, lang)}</text>'
            )
    out.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - legend}" stroke="#8a96a3" stroke-width="0.6"/>'
    )
    for k, (name, _values, colour) in enumerate(series):
        lx = left + k * 140
        out.append(f'<rect x="{lx}" y="{height - 12}" width="10" height="8" fill="{colour}"/>')
        out.append(f'<text x="{lx + 14}" y="{height - 5}" fill="#222">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def quantile_breaks(values: list[float], classes: int = 5) -> list[float]:
    """Upper bounds of up to `classes` classes of the positive values (equal counts, ties kept
    together; the last bound is the maximum). Zero has a class of its own (see colour_for)."""
    v = sorted(x for x in values if x > 0)
    if not v:
        return []
    bounds = {v[max(0, math.ceil(len(v) * (i + 1) / classes) - 1)] for i in range(classes)}
    return sorted(bounds)


def colour_for(value: float, breaks: list[float]) -> str:
    if value <= 0 or not breaks:
        return PALETTE[0]
    for i, b in enumerate(breaks):
        if value <= b:
            return PALETTE[min(i + 1, len(PALETTE) - 1)]
    return PALETTE[min(len(breaks), len(PALETTE) - 1)]


def _class_label(lower: float, upper: float, lang: str = "vi") -> str:
    if float(lower).is_integer() and float(upper).is_integer():
        first = int(lower) + 1
        return _label(upper, lang) if first >= upper else f"{_label(first, lang)}–{_label(upper, lang)}"
    return f"{_label(lower, lang)}–{_label(upper, lang)}"


def _outlying(shapes: dict[str, list[list[tuple[float, float]]]]) -> set[str]:
    """Codes of far-off islands (e.g. Bạch Long Vĩ, 130 km out at sea), drawn in an inset so
    they do not shrink the mainland to a corner: centroids more than three times the median
    distance from the median centroid."""
    centres = {}
    for code, rings in shapes.items():
        pts = [p for ring in rings for p in ring]
        if pts:
            centres[code] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    if len(centres) < 5:
        return set()
    xs = sorted(c[0] for c in centres.values())
    ys = sorted(c[1] for c in centres.values())
    mx, my = xs[len(xs) // 2], ys[len(ys) // 2]
    dist = {code: math.hypot(x - mx, y - my) for code, (x, y) in centres.items()}
    typical = sorted(dist.values())[len(dist) // 2] or 1e-9
    return {code for code, d in dist.items() if d > 3 * typical}


def _paths(
    shapes, values, breaks, x0: float, y0: float, box_w: float, box_h: float
) -> tuple[list[str], float]:
    """SVG paths of `shapes` fitted in the box at (x0, y0); returns them and the height used."""
    lons = [p[0] for rings in shapes.values() for ring in rings for p in ring]
    lats = [p[1] for rings in shapes.values() for ring in rings for p in ring]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * kx or 1e-6
    span_y = (max(lats) - min(lats)) or 1e-6
    scale = min(box_w / span_x, box_h / span_y)
    west, north = min(lons), max(lats)

    def pt(lon: float, lat: float) -> str:
        return f"{_num(x0 + (lon - west) * kx * scale)},{_num(y0 + (north - lat) * scale)}"

    out = []
    for code, rings in shapes.items():
        if not rings:
            continue
        fill = colour_for(values.get(code, 0), breaks)
        d = " ".join("M" + " L".join(pt(lon, lat) for lon, lat in ring) + " Z" for ring in rings)
        out.append(
            f'<path d="{d}" fill="{fill}" stroke="#4d5b6a" stroke-width="0.4"><title>{escape(code)}</title></path>'
        )
    return out, span_y * scale


def choropleth(
    shapes: dict[str, list[list[tuple[float, float]]]],
    values: dict[str, float],
    *,
    width: int = 640,
    height: int = 420,
    legend_title: str = "",
    lang: str = "vi",
) -> str:
    """Polygons (code → rings of (lon, lat)) filled by value (quantile classes), far-off
    islands in an inset at the bottom right, the legend on the right. The drawing is as tall
    as the map needs, at most `height`."""
    if not any(ring for rings in shapes.values() for ring in rings):
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20"></svg>'
    breaks = quantile_breaks(list(values.values()))
    map_w = width - 130
    islands = _outlying(shapes)
    main = {c: r for c, r in shapes.items() if c not in islands}
    paths, used_h = _paths(main, values, breaks, 0, 0, map_w, height)
    legend_h = 30 + 16 * (len(breaks) + 1)
    inset_h = 70 if islands else 0
    total_h = math.ceil(max(used_h, legend_h + inset_h + 10))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" viewBox="0 0 {width} {total_h}" font-family="DejaVu Sans" font-size="9">',
        *paths,
    ]
    lx = map_w + 10
    if islands:
        box_y = total_h - inset_h
        out.append(
            f'<rect x="{lx}" y="{box_y}" width="{width - lx - 4}" height="{inset_h - 2}" fill="none" stroke="#8a96a3" stroke-width="0.6" stroke-dasharray="3 2"/>'
        )
        island_paths, _h = _paths(
            {c: shapes[c] for c in islands}, values, breaks, lx + 8, box_y + 8, width - lx - 20, inset_h - 18
        )
        out += island_paths
    out.append(f'<text x="{lx}" y="14" font-weight="bold">{escape(legend_title)}</text>')
    rows = [(PALETTE[0], "0")]
    lower = 0.0
    for i, b in enumerate(breaks):
        rows.append((PALETTE[min(i + 1, len(PALETTE) - 1)], _class_label(lower, b, lang)))
        lower = b
    for i, (colour, label) in enumerate(rows):
        y = 24 + i * 16
        out.append(
            f'<rect x="{lx}" y="{y}" width="14" height="10" fill="{colour}" stroke="#8a8a8a" stroke-width="0.5"/>'
        )
        out.append(f'<text x="{lx + 20}" y="{y + 9}">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)
