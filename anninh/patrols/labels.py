"""How a plan names a cell to the people who patrol it.

Seam for issue #13 item 7: the `ux2` work adds a shared helper naming a cell by its commune and
a readable reference (nearest landmark or street). Until it lands, a cell is named by its
commune and its centre as a "lat, lon" pair with dot decimals (a comma inside each number would
make the pair unreadable). Replace the body of `cell_reference`, not its callers."""

from __future__ import annotations


def cell_reference(*, commune_name: str, lat: float, lon: float) -> str:
    return f"{commune_name} · {lat:.5f}, {lon:.5f}"
