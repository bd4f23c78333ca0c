from anninh.env import database_from_url


def test_postgresql_connections_turn_jit_off_unless_asked(monkeypatch):
    monkeypatch.delenv("ANNINH_PG_JIT", raising=False)
    db = database_from_url("postgres://u@h:5432/n", sqlite_path="x")
    assert db["OPTIONS"] == {"options": "-c jit=off"} and db["NAME"] == "n"
    monkeypatch.setenv("ANNINH_PG_JIT", "1")
    assert database_from_url("postgres://u@h:5432/n", sqlite_path="x")["OPTIONS"] == {}
