"""An inline SVG map for the printed plan (no JavaScript, no tiles): the commune's outline,
the assigned cells numbered by team, and the checkpoint sites."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

TEAM_COLOURS = ["#c8102e", "#0b4f8a", "#1f7a3f", "#b35c00", "#6a3d9a", "#b15928", "#e7298a", "#666666"]


def plan_svg(rings, cells, sites, cell_metres: float, width: int = 640, height: int = 460) -> str:
    """rings: outline rings of (lon, lat); cells: (team, order, lat, lon); sites: (rank, name, lat, lon)."""
    pts = [p for ring in rings for p in ring] + [(c[3], c[2]) for c in cells] + [(s[3], s[2]) for s in sites]
    if not pts:
        return ""
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    pad = 0.002
    x0, x1 = min(lons) - pad, max(lons) + pad
    y0, y1 = min(lats) - pad, max(lats) + pad
    scale = min(width / ((x1 - x0) * kx), height / (y1 - y0))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - x0) * kx * scale, (y1 - lat) * scale

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="9">'
    ]
    for ring in rings:
        d = "M" + " L".join("{:.1f},{:.1f}".format(*xy(lon, lat)) for lon, lat in ring) + " Z"
        out.append(f'<path d="{d}" fill="#f4f6f8" stroke="#4d5b6a" stroke-width="1"/>')
    side = cell_metres / 111320 * scale
    for team, order, lat, lon in cells:
        cx, cy = xy(lon, lat)
        colour = TEAM_COLOURS[(team - 1) % len(TEAM_COLOURS)]
        out.append(
            f'<rect x="{cx - side / 2:.1f}" y="{cy - side / 2:.1f}" width="{side:.1f}" height="{side:.1f}" '
            f'fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="1.2"/>'
        )
        out.append(
            f'<text x="{cx:.1f}" y="{cy + 3:.1f}" text-anchor="middle" font-weight="bold" fill="#111">{team}.{order}</text>'
        )
    for rank, name, lat, lon in sites:
        cx, cy = xy(lon, lat)
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="#fff" stroke="#111" stroke-width="1.5"/>'
        )
        out.append(f'<text x="{cx + 7:.1f}" y="{cy + 3:.1f}" fill="#111">K{rank} {escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
