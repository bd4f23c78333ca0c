"""The command line end to end on small CSV files written in tmp_path."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from anninh.forecast.cli import main
from anninh.forecast.history import day_to_date

from .conftest import MONDAY

HEADER = ["occurred", "hour", "kind", "latitude", "longitude"]


def _rows(seed: int = 0, weeks: int = 14) -> list[list[str]]:
    """Incidents around Hai Phong: three hot corners and a scatter, over ``weeks`` weeks."""
    rng = np.random.default_rng(seed)
    rows = []
    hot = [(20.860, 106.680, 3.0), (20.865, 106.690, 1.5), (20.850, 106.670, 1.0)]
    for day in range(weeks * 7):
        date = day_to_date(MONDAY + day).isoformat()
        for lat, lon, rate in hot:
            for _ in range(rng.poisson(rate)):
                rows.append([date, str(rng.integers(0, 24)), "Theft", f"{lat:.6f}", f"{lon:.6f}"])
        for _ in range(rng.poisson(2.0)):
            lat = 20.84 + rng.uniform(0, 0.04)
            lon = 106.65 + rng.uniform(0, 0.06)
            kind = "Robbery" if rng.random() < 0.3 else "Theft"
            rows.append([date, str(rng.integers(0, 24)), kind, f"{lat:.6f}", f"{lon:.6f}"])
    return rows


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _data_args(path: Path) -> list[str]:
    return [
        "--csv", str(path), "--date-column", "occurred", "--hour-column", "hour",
        "--lat-column", "latitude", "--lon-column", "longitude", "--cell-metres", "250",
        "--quiet",
    ]  # fmt: skip


def _backtest(path: Path, out: Path, *extra: str) -> int:
    start = day_to_date(MONDAY + 7 * 10).isoformat()
    return main(
        [
            "backtest",
            *_data_args(path),
            "--start",
            start,
            "--weeks",
            "4",
            "--tune-weeks",
            "3",
            "--out",
            str(out),
            "--bootstrap",
            "200",
            *extra,
        ]
    )


def test_backtest_writes_results_in_the_documented_shape(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv", _rows())
    out = tmp_path / "results.json"
    assert _backtest(csv_path, out, "--model", "all") == 0
    doc = json.loads(out.read_text())
    assert set(doc) == {"models", "cells", "origins", "ceiling", "skipped_rows"}
    assert doc["origins"] == 4 and doc["cells"] > 10
    assert doc["skipped_rows"] == {"total": 0, "reasons": {}}
    assert "ours" in doc["models"] and "counts-365d" in doc["models"]
    for metrics in doc["models"].values():
        assert set(metrics) == {"0.005", "0.01", "0.02", "0.05", "0.1", "0.2"}
        for m in metrics.values():
            assert {"hit_rate", "pai", "pei", "pai_ci"} <= set(m)
            assert len(m["pai_ci"]) == 2
            assert m["pai"] == pytest.approx(m["hit_rate"] * doc["cells"] / m["k"])
    assert doc["models"]["oracle"]["0.05"]["pei"] == pytest.approx(1.0)


def test_backtest_reads_gzip_and_filters_one_offence(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv.gz", _rows())
    out = tmp_path / "results.json"
    code = _backtest(csv_path, out, "--model", "best", "--offence-column", "kind", "--offence", "Robbery")
    assert code == 0
    doc = json.loads(out.read_text())
    chosen = doc["selection"]["chosen"]
    assert list(doc["models"]) == [chosen]
    robberies = doc["models"][chosen]["0.2"]["incidents"]
    everything = _backtest(csv_path, tmp_path / "all.json", "--model", "random")
    assert everything == 0
    total = json.loads((tmp_path / "all.json").read_text())["models"]["random"]["0.2"]
    assert 0 < robberies < total["incidents"]


def test_backtest_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv", _rows())
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    assert _backtest(csv_path, a, "--model", "random", "--seed", "5") == 0
    assert _backtest(csv_path, b, "--model", "random", "--seed", "5") == 0
    assert _backtest(csv_path, c, "--model", "random", "--seed", "6") == 0
    assert a.read_text() == b.read_text()
    assert a.read_text() != c.read_text()


def test_rank_writes_the_top_cells_as_lon_lat_polygons(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv", _rows())
    out = tmp_path / "cells.geojson"
    origin = day_to_date(MONDAY + 7 * 12).isoformat()
    args = ["rank", *_data_args(csv_path), "--origin", origin, "--model", "counts-365d"]
    assert main([*args, "--top", "3", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
    first = doc["features"][0]
    assert first["properties"]["rank"] == 1
    assert {"risk", "cell", "cell_id"} <= set(first["properties"])
    ring = first["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    # The busiest corner (20.860, 106.680) lies in the top cell.
    assert min(lons) <= 106.680 <= max(lons) and min(lats) <= 20.860 <= max(lats)
    risks = [f["properties"]["risk"] for f in doc["features"]]
    assert risks == sorted(risks, reverse=True)
    assert main([*args, "--coverage", "0.1", "--out", str(out), "--model", "best"]) == 0
    doc = json.loads(out.read_text())
    assert len(doc["features"]) == round(0.1 * doc["cells_in_area"])


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (3, 0, "2021-02-30", "row 3: date '2021-02-30'"),
        (5, 0, "yesterday", "row 5: date 'yesterday'"),
        (4, 3, "abc", "row 4: latitude 'abc'"),
        (2, 4, "190.5", "row 2: longitude '190.5'"),
        (6, 3, "", "row 6: latitude ''"),
        (7, 1, "25", "row 7: hour '25'"),
        (8, 3, "-20.86", "row 8: location (-20.86"),
    ],
)
def test_with_strict_a_bad_row_is_named_with_its_value_and_exit_status_2(
    tmp_path: Path, capsys, row: int, column: int, value: str, message: str
) -> None:
    rows = _rows(weeks=3)
    rows[row - 1][column] = value
    csv_path = _write(tmp_path / "bad.csv", rows)
    assert _backtest(csv_path, tmp_path / "r.json", "--model", "random", "--strict") == 2
    err = capsys.readouterr().err
    assert message in err
    assert not (tmp_path / "r.json").exists()


def test_a_missing_column_is_named_with_the_columns_that_exist(tmp_path: Path, capsys) -> None:
    header = ["when", "hour", "kind", "latitude", "longitude"]
    csv_path = _write(tmp_path / "incidents.csv", _rows(weeks=2), header)
    assert _backtest(csv_path, tmp_path / "r.json", "--model", "random") == 2
    err = capsys.readouterr().err
    assert "date column 'occurred' not found" in err and "when" in err


def test_zero_zero_coordinates_are_refused_as_a_missing_location(tmp_path: Path, capsys) -> None:
    rows = _rows(weeks=2)
    rows[9][3], rows[9][4] = "0", "0"
    csv_path = _write(tmp_path / "incidents.csv", rows)
    assert _backtest(csv_path, tmp_path / "r.json", "--model", "random", "--strict") == 2
    assert "row 10: coordinates (0, 0)" in capsys.readouterr().err


def test_the_module_runs_as_a_program(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv", _rows(weeks=12))
    out = tmp_path / "r.json"
    start = day_to_date(MONDAY + 7 * 10).isoformat()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "anninh.forecast",
            "backtest",
            *_data_args(csv_path),
            "--start",
            start,
            "--weeks",
            "2",
            "--tune-weeks",
            "0",
            "--model",
            "counts-8w",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert proc.returncode == 0, proc.stderr
    assert "counts-8w" in proc.stdout
    assert json.loads(out.read_text())["origins"] == 2


def _holes(rows: list[list[str]]) -> list[list[str]]:
    """Open data's holes at known 1-based row numbers: two missing latitudes, a longitude that
    is not a number, a location half a world away, (0, 0) and a missing date."""
    rows = [list(r) for r in rows]
    rows[5][3] = ""  # row 6
    rows[8][3] = ""  # row 9
    rows[11][4] = "n/a"  # row 12
    rows[7][3] = "-20.86"  # row 8: thousands of km from the others
    rows[14][3], rows[14][4] = "0", "0"  # row 15
    rows[19][0] = ""  # row 20
    return rows


def test_rows_without_a_location_or_far_away_are_skipped_and_reported(tmp_path: Path, capsys) -> None:
    rows = _holes(_rows())
    csv_path = _write(tmp_path / "holes.csv", rows)
    out = tmp_path / "r.json"
    assert _backtest(csv_path, out, "--model", "counts-365d") == 0
    doc = json.loads(out.read_text())
    skipped = doc["skipped_rows"]
    assert skipped["total"] == 6
    reasons = skipped["reasons"]
    assert reasons["latitude"]["count"] == 2 and reasons["latitude"]["first_rows"] == [6, 9]
    assert reasons["longitude"]["first_rows"] == [12] and reasons["longitude"]["example"] == "n/a"
    assert reasons["far"]["first_rows"] == [8] and reasons["zero"]["first_rows"] == [15]
    assert reasons["date"]["first_rows"] == [20]
    err = capsys.readouterr().err
    assert f"skipped 6 of {len(rows)} rows" in err
    assert "rows 6, 9" in err and "rows 8;" in err
    # The kept rows are scored as if the bad ones were never in the file.
    clean = [r for i, r in enumerate(rows, start=1) if i not in {6, 8, 9, 12, 15, 20}]
    assert (
        _backtest(_write(tmp_path / "clean.csv", clean), tmp_path / "c.json", "--model", "counts-365d") == 0
    )
    kept = json.loads((tmp_path / "c.json").read_text())
    assert kept["models"] == doc["models"] and kept["skipped_rows"] == {"total": 0, "reasons": {}}


def test_strict_stops_at_the_first_hole(tmp_path: Path, capsys) -> None:
    csv_path = _write(tmp_path / "holes.csv", _holes(_rows(weeks=3)))
    assert _backtest(csv_path, tmp_path / "r.json", "--model", "random", "--strict") == 2
    assert "row 20: date ''" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_only_holes_is_still_an_error(tmp_path: Path, capsys) -> None:
    rows = _rows(weeks=1)
    for r in rows:
        r[3] = ""
    assert _backtest(_write(tmp_path / "empty.csv", rows), tmp_path / "r.json", "--model", "random") == 2
    assert "no usable row" in capsys.readouterr().err


NIGHT_SPOT = (20.870, 106.700)
DAY_SPOT = (20.850, 106.660)


def _shift_rows(seed: int = 0, weeks: int = 14) -> list[list[str]]:
    """A bar street busy at night and a market busy in the morning, plus a scatter."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(weeks * 7):
        date = day_to_date(MONDAY + day).isoformat()
        for _ in range(rng.poisson(3.0)):
            rows.append([date, str(rng.choice([22, 23, 0, 1, 2])), "Theft", *map(str, NIGHT_SPOT)])
        for _ in range(rng.poisson(2.0)):
            rows.append([date, str(rng.integers(7, 12)), "Theft", *map(str, DAY_SPOT)])
        for _ in range(rng.poisson(2.0)):
            lat, lon = 20.84 + rng.uniform(0, 0.04), 106.65 + rng.uniform(0, 0.06)
            rows.append([date, str(rng.integers(0, 24)), "Theft", f"{lat:.6f}", f"{lon:.6f}"])
    return rows


def test_backtest_by_shift_uses_the_hour_column(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv", _shift_rows())
    out = tmp_path / "r.json"
    assert _backtest(csv_path, out, "--model", "counts-365d", "--shifts") == 0
    doc = json.loads(out.read_text())
    assert set(doc["shifts"]) == {"morning", "afternoon", "night"}
    assert doc["shifts"]["night"]["hours"] == [22, 6]
    scored = {s: d["models"]["counts-365d"]["0.2"]["incidents"] for s, d in doc["shifts"].items()}
    assert sum(scored.values()) == doc["models"]["counts-365d"]["0.2"]["incidents"]
    assert scored["night"] > scored["afternoon"] > 0
    for d in doc["shifts"].values():
        assert {"models", "ceiling", "cells", "origins"} <= set(d)
        assert d["ceiling"]["0.01"]["pai"] is not None


def test_rank_for_one_shift_puts_that_shift_s_spot_first(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv", _shift_rows())
    origin = day_to_date(MONDAY + 7 * 12).isoformat()
    args = ["rank", *_data_args(csv_path), "--origin", origin, "--model", "counts-365d", "--top", "1"]
    for shift, (lat, lon) in (("night", NIGHT_SPOT), ("morning", DAY_SPOT)):
        out = tmp_path / f"{shift}.geojson"
        assert main([*args, "--shift", shift, "--out", str(out)]) == 0
        doc = json.loads(out.read_text())
        assert doc["shift"] == shift
        ring = doc["features"][0]["geometry"]["coordinates"][0]
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        assert min(lons) <= lon <= max(lons) and min(lats) <= lat <= max(lats)


def test_shifts_without_hours_are_refused(tmp_path: Path, capsys) -> None:
    rows = [[r[0], r[2], r[3], r[4]] for r in _shift_rows(weeks=3)]
    csv_path = _write(tmp_path / "nohours.csv", rows, ["occurred", "kind", "latitude", "longitude"])
    data = [a for a in _data_args(csv_path) if a not in ("--hour-column", "hour")]
    start = day_to_date(MONDAY + 7 * 2).isoformat()
    out = str(tmp_path / "r.json")
    code = main([
        "backtest", *data, "--start", start, "--weeks", "1", "--tune-weeks", "0",
        "--model", "counts-8w", "--shifts", "--out", out,
    ])  # fmt: skip
    assert code == 2
    assert "--hour-column" in capsys.readouterr().err


def test_best_records_its_choice_and_the_ceiling_in_the_results(tmp_path: Path) -> None:
    csv_path = _write(tmp_path / "incidents.csv", _rows(weeks=16))
    out = tmp_path / "r.json"
    start = day_to_date(MONDAY + 7 * 12).isoformat()
    code = main([
        "backtest", *_data_args(csv_path), "--start", start, "--weeks", "2", "--tune-weeks", "10",
        "--model", "best", "--bootstrap", "200", "--out", str(out),
    ])  # fmt: skip
    assert code == 0
    doc = json.loads(out.read_text())
    selection = doc["selection"]
    assert set(selection["candidates"]) == {"counts-365d", "counts-8w", "counts", "decay", "ours"}
    assert selection["fallback"] == "counts-365d" and selection["held_out_weeks"] == 5
    assert list(doc["models"]) == [selection["chosen"]]
    assert "hindsight" in doc["ceiling"]["definition"]
    assert doc["ceiling"]["0.01"]["pai"] >= 1.0
