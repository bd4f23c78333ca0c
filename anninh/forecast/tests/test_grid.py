"""Projection, grids, study areas and land masks."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from anninh.forecast.grid import Grid, StudyArea, TransverseMercator, land_mask


def _haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


def test_projection_round_trips_to_a_millionth_of_a_degree() -> None:
    lon = np.array([106.55, 106.68, 106.80, -79.64, -79.12])
    lat = np.array([20.70, 20.86, 21.00, 43.58, 43.85])
    for lon0, lat0 in ((106.68, 20.86), (-79.38, 43.72)):
        tm = TransverseMercator(lon0=lon0, lat0=lat0)
        near = np.abs(lon - lon0) < 1
        x, y = tm.forward(lon[near], lat[near])
        back_lon, back_lat = tm.inverse(x, y)
        assert np.allclose(back_lon, lon[near], atol=1e-6)
        assert np.allclose(back_lat, lat[near], atol=1e-6)


def test_projected_distances_match_great_circle_distances_within_a_city() -> None:
    tm = TransverseMercator(lon0=106.68, lat0=20.86)
    pts = [(106.60, 20.80), (106.75, 20.95), (106.68, 20.86), (106.90, 20.70)]
    for (a_lon, a_lat), (b_lon, b_lat) in itertools.pairwise(pts):
        ax, ay = tm.forward(a_lon, a_lat)
        bx, by = tm.forward(b_lon, b_lat)
        planar = math.hypot(float(ax - bx), float(ay - by))
        # A sphere differs from the ellipsoid by up to ~0.5%; TM scale error is far smaller.
        assert planar == pytest.approx(_haversine_m(a_lon, a_lat, b_lon, b_lat), rel=5e-3)


def test_utm_zone_48_puts_its_central_meridian_at_500_km_east() -> None:
    tm = TransverseMercator.utm(48)
    x, y = tm.forward(105.0, 0.0)
    assert float(x) == pytest.approx(500000.0) and float(y) == pytest.approx(0.0, abs=1e-6)
    x, _ = tm.forward(106.0, 20.86)
    assert 600000 < float(x) < 610000  # one degree east at 21°N is about 104 km


def test_grid_covering_starts_at_the_minimum_and_shifts_with_the_offset() -> None:
    x = np.array([10.0, 250.0, 399.0])
    y = np.array([5.0, 100.0, 205.0])
    grid = Grid.covering(x, y, 100.0)
    assert (grid.x0, grid.y0, grid.nx, grid.ny) == (10.0, 5.0, 4, 3)
    assert grid.cell_of(x, y).tolist() == [0, 2, 2 * 4 + 3]  # row * nx + col
    shifted = Grid.covering(x, y, 100.0, offset=(50.0, 0.0))
    assert shifted.x0 == -40.0
    assert grid.cell_of(np.array([-1.0, 1e9]), np.array([50.0, 50.0])).tolist() == [-1, -1]


def test_cell_corners_and_centres_are_consistent() -> None:
    grid = Grid(x0=100.0, y0=200.0, cell=50.0, nx=3, ny=2)
    ring = grid.corners(np.array([4]))[0]  # row 1, column 1
    assert ring[0].tolist() == [150.0, 250.0] and ring[2].tolist() == [200.0, 300.0]
    assert ring[0].tolist() == ring[-1].tolist()
    cx, cy = grid.centres(np.array([4]))
    assert (float(cx[0]), float(cy[0])) == (175.0, 275.0)


def test_study_area_holds_only_cells_with_points_and_locates_by_position() -> None:
    grid = Grid(x0=0.0, y0=0.0, cell=10.0, nx=5, ny=5)
    area = StudyArea.from_points(grid, np.array([1.0, 2.0, 44.0]), np.array([1.0, 1.0, 44.0]))
    assert area.cells.tolist() == [0, 24]
    assert area.locate(np.array([5.0, 45.0, 25.0]), np.array([5.0, 45.0, 25.0])).tolist() == [
        0,
        1,
        -1,
    ]


def test_neighbour_sum_weights_cells_by_distance_and_skips_cells_outside_the_area() -> None:
    grid = Grid(x0=0.0, y0=0.0, cell=1.0, nx=3, ny=3)
    ids = np.array([0, 1, 2, 3, 4, 5, 6, 7])  # every cell but the north-east corner
    area = StudyArea.from_ids(grid, ids)
    values = np.ones(area.size)
    # Rook neighbours of the centre (distance 1): 4 cells; the centre itself excluded.
    rook = area.neighbour_sum(values, 1, lambda d: (np.abs(d - 1) < 1e-9).astype(float))
    assert rook[area.position(np.array([4]))[0]] == 4
    # All within one step of the centre, itself included: 8 of the 9 cells exist.
    king = area.neighbour_sum(values, 1, lambda d: np.ones_like(d))
    assert king[area.position(np.array([4]))[0]] == 8


def test_land_mask_keeps_cells_whose_centre_is_inside_a_lon_lat_polygon() -> None:
    tm = TransverseMercator(lon0=106.68, lat0=20.86)
    x0, y0 = tm.forward(106.66, 20.84)
    grid = Grid(x0=float(x0), y0=float(y0), cell=500.0, nx=8, ny=8)
    # A square polygon over the south-western quarter of the grid, given in lon/lat.
    xs = np.array([x0, x0 + 2000, x0 + 2000, x0])
    ys = np.array([y0, y0, y0 + 2000, y0 + 2000])
    lon, lat = tm.inverse(xs, ys)
    ring = np.column_stack([lon, lat]).tolist()
    mask = land_mask(grid, [ring], tm)
    rows, cols = grid.rows_cols(np.flatnonzero(mask))
    assert mask.sum() == 16 and rows.max() == 3 and cols.max() == 3
    area = StudyArea.from_mask(grid, mask)
    assert area.size == 16
