"""Projection from lon/lat to metres, square grids and study areas.

Everything here is plain numpy so it works on any city: a transverse Mercator centred on the data
(or UTM when a zone is wanted: Hai Phong is UTM 48N, central meridian 105°E, k0 = 0.9996), a grid of
square cells laid over the projected points, and a study area (the cells that count as "land").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

# WGS84 ellipsoid.
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_EP2 = _E2 / (1 - _E2)


def _meridian_arc(phi: np.ndarray | float) -> np.ndarray | float:
    """Distance along the meridian from the equator to latitude ``phi`` (radians), Snyder 3-21."""
    e2, e4, e6 = _E2, _E2**2, _E2**3
    return _A * (
        (1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
        - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * np.sin(2 * phi)
        + (15 * e4 / 256 + 45 * e6 / 1024) * np.sin(4 * phi)
        - (35 * e6 / 3072) * np.sin(6 * phi)
    )


@dataclass(frozen=True)
class TransverseMercator:
    """Ellipsoidal transverse Mercator (Snyder 1987, eqs. 8-9 to 8-25), accurate to centimetres
    within a few degrees of the central meridian, which is all a city needs.

    ``lon0``/``lat0`` are the central meridian and the latitude of origin in degrees; ``k0`` the
    scale on the central meridian (1 for a local projection, 0.9996 for UTM); the false easting and
    northing are added to the output.
    """

    lon0: float
    lat0: float = 0.0
    k0: float = 1.0
    false_easting: float = 0.0
    false_northing: float = 0.0

    @classmethod
    def local(cls, lon: np.ndarray, lat: np.ndarray) -> TransverseMercator:
        """A projection centred on the middle of the points: scale error under 1e-5 for a city."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        return cls(lon0=float((lon.min() + lon.max()) / 2), lat0=float((lat.min() + lat.max()) / 2))

    @classmethod
    def utm(cls, zone: int, north: bool = True) -> TransverseMercator:
        """The UTM projection of ``zone`` (e.g. 48 for Hai Phong)."""
        return cls(
            lon0=zone * 6.0 - 183.0,
            k0=0.9996,
            false_easting=500000.0,
            false_northing=0.0 if north else 10000000.0,
        )

    def forward(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Project degrees to metres (easting x, northing y)."""
        phi = np.radians(np.asarray(lat, dtype=float))
        lam = np.radians(np.asarray(lon, dtype=float) - self.lon0)
        sin, cos, tan = np.sin(phi), np.cos(phi), np.tan(phi)
        n = _A / np.sqrt(1 - _E2 * sin**2)
        t = tan**2
        c = _EP2 * cos**2
        a = lam * cos
        m = _meridian_arc(phi)
        m0 = _meridian_arc(math.radians(self.lat0))
        x = self.k0 * n * (a + (1 - t + c) * a**3 / 6 + (5 - 18 * t + t**2 + 72 * c - 58 * _EP2) * a**5 / 120)
        y = self.k0 * (
            m
            - m0
            + n
            * tan
            * (
                a**2 / 2
                + (5 - t + 9 * c + 4 * c**2) * a**4 / 24
                + (61 - 58 * t + t**2 + 600 * c - 330 * _EP2) * a**6 / 720
            )
        )
        return x + self.false_easting, y + self.false_northing

    def inverse(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unproject metres to degrees (lon, lat)."""
        x = np.asarray(x, dtype=float) - self.false_easting
        y = np.asarray(y, dtype=float) - self.false_northing
        e2 = _E2
        m = _meridian_arc(math.radians(self.lat0)) + y / self.k0
        mu = m / (_A * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
        e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
        phi1 = (
            mu
            + (3 * e1 / 2 - 27 * e1**3 / 32) * np.sin(2 * mu)
            + (21 * e1**2 / 16 - 55 * e1**4 / 32) * np.sin(4 * mu)
            + (151 * e1**3 / 96) * np.sin(6 * mu)
            + (1097 * e1**4 / 512) * np.sin(8 * mu)
        )
        sin, cos, tan = np.sin(phi1), np.cos(phi1), np.tan(phi1)
        c1 = _EP2 * cos**2
        t1 = tan**2
        n1 = _A / np.sqrt(1 - e2 * sin**2)
        r1 = _A * (1 - e2) / (1 - e2 * sin**2) ** 1.5
        d = x / (n1 * self.k0)
        phi = phi1 - (n1 * tan / r1) * (
            d**2 / 2
            - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * _EP2) * d**4 / 24
            + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * _EP2 - 3 * c1**2) * d**6 / 720
        )
        lam = (
            d
            - (1 + 2 * t1 + c1) * d**3 / 6
            + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * _EP2 + 24 * t1**2) * d**5 / 120
        ) / cos
        return np.degrees(lam) + self.lon0, np.degrees(phi)


@dataclass(frozen=True)
class Grid:
    """A regular grid of ``nx`` × ``ny`` square cells of side ``cell`` metres whose lower-left
    corner is (``x0``, ``y0``) in projected metres. Cells are numbered row by row from the
    south-west: ``id = row * nx + col``.
    """

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int

    @classmethod
    def covering(
        cls,
        x: np.ndarray,
        y: np.ndarray,
        cell: float,
        offset: tuple[float, float] = (0.0, 0.0),
    ) -> Grid:
        """The smallest grid covering every point, its lower-left corner at the points'
        minimum shifted south-west by ``offset`` metres (use offsets in ``[0, cell)`` to test
        how much a result depends on where the grid lines fall).
        """
        if cell <= 0:
            raise ValueError("cell size must be positive")
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.size == 0:
            raise ValueError("cannot lay a grid over no points")
        x0 = float(x.min()) - offset[0]
        y0 = float(y.min()) - offset[1]
        nx = math.floor((x.max() - x0) / cell) + 1
        ny = math.floor((y.max() - y0) / cell) + 1
        return cls(x0=x0, y0=y0, cell=float(cell), nx=nx, ny=ny)

    @property
    def size(self) -> int:
        """Number of cells in the full rectangle."""
        return self.nx * self.ny

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat cell id of each point, -1 for points outside the rectangle."""
        col = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell).astype(np.int64)
        row = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return np.where(inside, row * self.nx + col, -1)

    def rows_cols(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of flat cell ids."""
        ids = np.asarray(ids, dtype=np.int64)
        return ids // self.nx, ids % self.nx

    def centres(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projected centre (x, y) of each cell."""
        row, col = self.rows_cols(ids)
        return self.x0 + (col + 0.5) * self.cell, self.y0 + (row + 0.5) * self.cell

    def corners(self, ids: np.ndarray) -> np.ndarray:
        """Closed ring of each cell in projected metres, shape (n, 5, 2), anticlockwise."""
        row, col = self.rows_cols(ids)
        xa = self.x0 + col * self.cell
        ya = self.y0 + row * self.cell
        xb, yb = xa + self.cell, ya + self.cell
        xs = np.stack([xa, xb, xb, xa, xa], axis=1)
        ys = np.stack([ya, ya, yb, yb, ya], axis=1)
        return np.stack([xs, ys], axis=2)


@dataclass(frozen=True)
class StudyArea:
    """The cells of a grid that are ranked and scored (the protocol's A).

    ``cells`` holds the sorted flat ids of the area's cells; a cell's *position* is its index in
    ``cells``, which is how every array of scores and counts is laid out. Lookups use binary
    search rather than a dense table over the grid's rectangle, so a stray far-away point cannot
    blow up memory.
    """

    grid: Grid
    cells: np.ndarray
    _pairs: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_ids(cls, grid: Grid, ids: Iterable[int] | np.ndarray) -> StudyArea:
        """An area made of the given flat cell ids (duplicates and -1 ignored)."""
        ids = np.asarray(ids, dtype=np.int64)
        return cls(grid=grid, cells=np.unique(ids[(ids >= 0) & (ids < grid.size)]))

    @classmethod
    def from_points(cls, grid: Grid, x: np.ndarray, y: np.ndarray) -> StudyArea:
        """Cells holding at least one point (the protocol's proxy for land area)."""
        return cls.from_ids(grid, grid.cell_of(x, y))

    @classmethod
    def from_mask(cls, grid: Grid, mask: np.ndarray) -> StudyArea:
        """Cells where a boolean mask over the full grid (length ``grid.size``) is true."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (grid.size,):
            raise ValueError(f"mask must have {grid.size} entries, got {mask.shape}")
        return cls.from_ids(grid, np.flatnonzero(mask))

    def position(self, ids: np.ndarray) -> np.ndarray:
        """Position in the area of each flat cell id, -1 where the cell is not in the area."""
        ids = np.asarray(ids, dtype=np.int64)
        if self.cells.size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.cells, ids), self.cells.size - 1)
        return np.where(self.cells[pos] == ids, pos, -1)

    @property
    def size(self) -> int:
        """Number of cells in the area, |A|."""
        return int(self.cells.size)

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Position in the area of each point's cell, -1 for points outside the area."""
        return self.position(self.grid.cell_of(x, y))

    def neighbour_pairs(self, radius: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of area cells within ``radius`` rows and columns of each other, each cell
        paired with itself too: ``(i, j, distance)`` with the Euclidean distance between the two
        centres in cell widths. Lets models sum over neighbourhoods without a dense 2-D array
        (the area is usually a fraction of its bounding rectangle). Cached per radius.
        """
        if radius not in self._pairs:
            row, col = self.grid.rows_cols(self.cells)
            src, dst, dist = [], [], []
            for dr in range(-radius, radius + 1):
                for dc in range(-radius, radius + 1):
                    r2, c2 = row + dr, col + dc
                    ok = (r2 >= 0) & (r2 < self.grid.ny) & (c2 >= 0) & (c2 < self.grid.nx)
                    j = np.full(self.size, -1, dtype=np.int64)
                    j[ok] = self.position(r2[ok] * self.grid.nx + c2[ok])
                    keep = j >= 0
                    src.append(np.flatnonzero(keep))
                    dst.append(j[keep])
                    dist.append(np.full(int(keep.sum()), math.hypot(dr, dc)))
            self._pairs[radius] = (np.concatenate(src), np.concatenate(dst), np.concatenate(dist))
        return self._pairs[radius]

    def neighbour_sum(
        self, values: np.ndarray, radius: int, weight: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """``out[i] = Σ_j weight(distance(i, j)) × values[j]`` over area cells j within
        ``radius`` rows and columns of i (the weight may be zero to exclude some, e.g. the cell
        itself or the corners)."""
        src, dst, dist = self.neighbour_pairs(radius)
        return np.bincount(src, weights=weight(dist) * values[dst], minlength=self.size)


def land_mask(
    grid: Grid,
    polygons: Sequence[Sequence[Sequence[float]]],
    projection: TransverseMercator,
) -> np.ndarray:
    """Boolean mask over the full grid: true where a cell's centre lies in any polygon.

    ``polygons`` is a list of rings, each a list of (lon, lat) pairs (the layout of the ward and
    province files: every ring is one outer boundary, no holes). Shapely's vectorised
    point-in-polygon test keeps this fast for thousands of cells.
    """
    import shapely

    ids = np.arange(grid.size)
    cx, cy = grid.centres(ids)
    mask = np.zeros(grid.size, dtype=bool)
    for ring in polygons:
        pts = np.asarray(ring, dtype=float)
        if pts.ndim != 2 or pts.shape[0] < 3 or pts.shape[1] != 2:
            raise ValueError("each polygon ring needs at least 3 (lon, lat) pairs")
        px, py = projection.forward(pts[:, 0], pts[:, 1])
        poly = shapely.Polygon(np.column_stack([px, py]))
        if not poly.is_valid:
            # Simplified boundaries sometimes self-touch; a zero buffer repairs them.
            poly = poly.buffer(0)
        mask |= shapely.contains_xy(poly, cx, cy)
    return mask
