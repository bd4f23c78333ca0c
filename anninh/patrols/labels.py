"""How a plan names a cell to the people who patrol it: its commune and, in words, where in it
("120 m north of Chợ Sắt", "1,2 km north-east of the commune's centre"), from the nearest
landmark of the gazetteer or checkpoint site of the commune (anninh.hotspots.labels)."""

from __future__ import annotations

from anninh.hotspots.labels import name_cells


def name_assignments(assignments, *, commune, sites=()) -> list:
    """Set ``a.place`` ("Phường Lê Chân · 120 m north of Chợ Sắt") on every assignment of a plan,
    with one query for the landmarks around them; `sites` are the commune's checkpoint sites."""
    assignments = list(assignments)
    for a in assignments:
        a.commune = commune
    name_cells(assignments, extra_places=sites)
    for a in assignments:
        a.place = f"{commune.name} · {a.place}"
    return assignments
