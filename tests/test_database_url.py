import pytest

from anninh.env import database_from_url


def test_postgresql_connections_turn_jit_off_unless_asked(monkeypatch):
    monkeypatch.delenv("ANNINH_PG_JIT", raising=False)
    monkeypatch.delenv("ANNINH_PG_WORK_MEM", raising=False)
    db = database_from_url("postgres://u@h:5432/n", sqlite_path="x")
    assert db["OPTIONS"] == {"options": "-c jit=off -c work_mem=32MB"} and db["NAME"] == "n"
    monkeypatch.setenv("ANNINH_PG_JIT", "1")
    assert database_from_url("postgres://u@h:5432/n", sqlite_path="x")["OPTIONS"] == {
        "options": "-c work_mem=32MB"
    }


def test_the_sort_memory_of_a_connection_is_set_or_left_to_the_server(monkeypatch):
    """A year's cases grouped for CompStat (190,000 rows) spilled to disk with the server's
    default 4 MB (264 ms; 161 ms in memory): connections ask for 32 MB unless told."""
    monkeypatch.delenv("ANNINH_PG_JIT", raising=False)
    monkeypatch.setenv("ANNINH_PG_WORK_MEM", "64MB")
    assert database_from_url("postgres://u@h/n", sqlite_path="x")["OPTIONS"] == {
        "options": "-c jit=off -c work_mem=64MB"
    }
    monkeypatch.setenv("ANNINH_PG_WORK_MEM", "")  # empty: the server's setting
    assert database_from_url("postgres://u@h/n", sqlite_path="x")["OPTIONS"] == {"options": "-c jit=off"}
    monkeypatch.setenv("ANNINH_PG_WORK_MEM", "32MB; DROP TABLE x")
    with pytest.raises(ValueError, match="ANNINH_PG_WORK_MEM"):
        database_from_url("postgres://u@h/n", sqlite_path="x")
