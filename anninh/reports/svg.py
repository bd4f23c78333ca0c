"""Server-side SVG for printed reports (WeasyPrint runs no JavaScript): a line chart and a
choropleth map. Pure functions, no Django; text is escaped."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

PALETTE = ["#f7f7f7", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float], str, bool]],
    *,
    width: int = 640,
    height: int = 220,
) -> str:
    """Lines (name, values, colour, dashed) over category labels, with a y axis from 0."""
    left, right, top, bottom = 36, 10, 10, 46
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
            f'<text x="{left - 4}" y="{_num(y(v) + 3)}" text-anchor="end" fill="#5a6470">{_num(v)}</text>'
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
        lx = left + 10 + idx * 140
        out.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{height - 6}" y2="{height - 6}" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 22}" y="{height - 3}" fill="#222">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def quantile_breaks(values: list[float], classes: int = 5) -> list[float]:
    v = sorted(x for x in values if x > 0)
    if not v:
        return [1.0] * classes
    return [v[min(len(v) - 1, len(v) * (i + 1) // (classes + 1))] for i in range(classes)]


def colour_for(value: float, breaks: list[float]) -> str:
    if value <= 0:
        return PALETTE[0]
    for i, b in enumerate(breaks):
        if value <= b:
            return PALETTE[min(i + 1, len(PALETTE) - 1)]
    return PALETTE[-1]


def choropleth(
    shapes: dict[str, list[list[list[float]]]],
    values: dict[str, float],
    *,
    width: int = 640,
    height: int = 420,
    legend_title: str = "",
) -> str:
    """Polygons (code → rings of (lon, lat)) filled by value (quantile classes)."""
    lons = [p[0] for rings in shapes.values() for ring in rings for p in ring]
    lats = [p[1] for rings in shapes.values() for ring in rings for p in ring]
    if not lons:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"></svg>'
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = (max(lons) - min(lons)) * kx or 1
    span_y = (max(lats) - min(lats)) or 1
    map_w = width - 130
    scale = min(map_w / span_x, height / span_y)

    def pt(lon: float, lat: float) -> str:
        return f"{_num((lon - min(lons)) * kx * scale)},{_num((max(lats) - lat) * scale)}"

    breaks = quantile_breaks(list(values.values()))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="9">'
    ]
    for code, rings in shapes.items():
        fill = colour_for(values.get(code, 0), breaks)
        d = " ".join("M" + " L".join(pt(lon, lat) for lon, lat in ring) + " Z" for ring in rings)
        out.append(
            f'<path d="{d}" fill="{fill}" stroke="#4d5b6a" stroke-width="0.4"><title>{escape(code)}</title></path>'
        )
    lx = map_w + 10
    out.append(f'<text x="{lx}" y="14" font-weight="bold">{escape(legend_title)}</text>')
    lower = 0.0
    for i, b in enumerate(breaks):
        y = 24 + i * 16
        out.append(
            f'<rect x="{lx}" y="{y}" width="14" height="10" fill="{PALETTE[i + 1]}" stroke="#8a8a8a" stroke-width="0.5"/>'
        )
        out.append(f'<text x="{lx + 20}" y="{y + 9}">{_num(lower)}–{_num(b)}</text>')
        lower = b
    out.append("</svg>")
    return "".join(out)
