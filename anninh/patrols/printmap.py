"""An inline SVG map for the printed plan (no JavaScript, no tiles): the commune's outline,
the assigned cells numbered by team, and the checkpoint sites.

Adjacent 250 m cells are a few pixels wide at a commune's scale, so labels cannot sit on their
cells: `place_labels` puts each label at the first free spot around its anchor (never over
another label, a cell or a checkpoint mark) and the map draws a leader line to it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

TEAM_COLOURS = ["#c8102e", "#0b4f8a", "#1f7a3f", "#b35c00", "#6a3d9a", "#b15928", "#e7298a", "#666666"]
FONT_SIZE = 10.0
#: Width of one character of DejaVu Sans Bold at FONT_SIZE (digits and the dot are narrower:
#: an upper bound keeps boxes honest).
CHAR_WIDTH = 0.72 * FONT_SIZE


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, width: float, height: float) -> bool:
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height


def text_box(text: str, cx: float, cy: float) -> Box:
    """The box of `text` centred on (cx, cy), with a 1 px margin."""
    w = len(text) * CHAR_WIDTH + 2
    h = FONT_SIZE + 2
    return Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def place_labels(
    anchors: list[tuple[float, float, str]], obstacles: list[Box], width: float, height: float
) -> list[tuple[float, float]]:
    """For each (x, y, text) anchor, the centre of its label: on the anchor when it is free,
    else on rings of 16 directions at growing distance; the first spot that overlaps no placed
    label and no obstacle (except where the anchor's own mark is) and stays inside the map. A
    label with no free spot within 12 rings goes where it overlaps least (never seen at a
    commune's scale)."""
    placed: list[Box] = []
    out: list[tuple[float, float]] = []
    for x, y, text in anchors:
        best = None
        best_cost = math.inf
        for ring in range(13):
            r = ring * (FONT_SIZE * 0.9)
            steps = 1 if ring == 0 else 16
            for k in range(steps):
                a = 2 * math.pi * k / steps
                cx, cy = x + r * math.cos(a), y + r * math.sin(a)
                box = text_box(text, cx, cy)
                if not box.inside(width, height):
                    continue
                own = Box(x - 0.5, y - 0.5, x + 0.5, y + 0.5)
                cost = sum(box.overlaps(p) for p in placed) * 10 + sum(
                    box.overlaps(o) and not o.overlaps(own) for o in obstacles
                )
                if cost < best_cost:
                    best, best_cost = (cx, cy), cost
                if cost == 0:
                    break
            if best_cost == 0:
                break
        if best is None:
            best = (x, y)
        placed.append(text_box(text, *best))
        out.append(best)
    return out


def plan_svg(rings, cells, sites, cell_metres: float, width: int = 640, height: int = 460) -> str:
    """rings: outline rings of (lon, lat); cells: (team, order, lat, lon); sites: (rank, name, lat, lon).
    Checkpoints are marked K1, K2, … (their names are in the table beside the map)."""
    pts = [p for ring in rings for p in ring] + [(c[3], c[2]) for c in cells] + [(s[3], s[2]) for s in sites]
    if not pts:
        return ""
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    pad = 0.004
    x0, x1 = min(lons) - pad, max(lons) + pad
    y0, y1 = min(lats) - pad, max(lats) + pad
    scale = min(width / ((x1 - x0) * kx), height / (y1 - y0))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - x0) * kx * scale, (y1 - lat) * scale

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="DejaVu Sans" font-size="{FONT_SIZE:g}" role="img">'
    ]
    for ring in rings:
        d = "M" + " L".join("{:.1f},{:.1f}".format(*xy(lon, lat)) for lon, lat in ring) + " Z"
        out.append(f'<path d="{d}" fill="#f4f6f8" stroke="#4d5b6a" stroke-width="1"/>')
    side = max(cell_metres / 111320 * scale, 4.0)
    marks: list[Box] = []
    anchors: list[tuple[float, float, str]] = []
    colours: list[str] = []
    for team, order, lat, lon in cells:
        cx, cy = xy(lon, lat)
        colour = TEAM_COLOURS[(team - 1) % len(TEAM_COLOURS)]
        out.append(
            f'<rect x="{cx - side / 2:.1f}" y="{cy - side / 2:.1f}" width="{side:.1f}" height="{side:.1f}" '
            f'fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="1.2"/>'
        )
        marks.append(Box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2))
        anchors.append((cx, cy, f"{team}.{order}"))
        colours.append(colour)
    for rank, _name, lat, lon in sites:
        cx, cy = xy(lon, lat)
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="#fff" stroke="#111" stroke-width="1.5"/>'
        )
        marks.append(Box(cx - 5, cy - 5, cx + 5, cy + 5))
        anchors.append((cx, cy, f"K{rank}"))
        colours.append("#111")
    for (ax, ay, text), (lx, ly), colour in zip(
        anchors, place_labels(anchors, marks, width, height), colours, strict=True
    ):
        if math.hypot(lx - ax, ly - ay) > side / 2:
            out.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" stroke="{colour}" stroke-width="0.7"/>'
            )
        out.append(
            f'<text x="{lx:.1f}" y="{ly + FONT_SIZE * 0.35:.1f}" text-anchor="middle" font-weight="bold" '
            f'fill="{colour}" stroke="#fff" stroke-width="2.5" paint-order="stroke">{escape(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
