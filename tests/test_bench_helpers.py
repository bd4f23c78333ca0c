"""The benchmark scripts' shared helpers (not a benchmark: nothing is timed here)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from _db import Database, from_args
from _stats import percentile, summary


def test_percentile_interpolates_between_ranks():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50.5
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([3, 1, 2], 0) == 1 and percentile([3, 1, 2], 100) == 3
    assert summary([5.0] * 50) == {"p50": 5.0, "p95": 5.0, "p99": 5.0, "max": 5.0, "n": 50}
    with pytest.raises(ValueError):
        percentile([], 50)


def test_a_database_the_run_did_not_create_is_never_dropped(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SystemExit):
        from_args(None)
    path = tmp_path / "someone-elses.sqlite3"
    path.write_text("data")
    db = from_args(f"sqlite:///{path}")
    with pytest.raises(SystemExit, match="exists"):
        db.create()
    with pytest.raises(SystemExit, match="refusing"):
        db.drop()
    assert path.read_text() == "data"
    mine = Database(f"sqlite:///{tmp_path}/mine.sqlite3")
    mine.create()
    Path(mine.name).write_text("x")
    mine.drop()
    assert not Path(mine.name).exists()
