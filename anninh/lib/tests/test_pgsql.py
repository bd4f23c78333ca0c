"""The PL/pgSQL text for statement triggers (anninh.lib.pgsql)."""

import pytest

from anninh.lib.pgsql import replanned, static_transition_reads, trigger_function


def test_a_statement_is_executed_from_its_own_text():
    assert replanned("UPDATE t SET a = 1 WHERE id IN (SELECT id FROM new_rows);  ") == (
        "EXECUTE $dyn$UPDATE t SET a = 1 WHERE id IN (SELECT id FROM new_rows)$dyn$;"
    )
    assert replanned("SELECT EXISTS (SELECT 1 FROM old_rows)", into="moved") == (
        "EXECUTE $dyn$SELECT EXISTS (SELECT 1 FROM old_rows)$dyn$ INTO moved;"
    )


def test_a_statement_that_would_end_its_own_quote_is_refused():
    with pytest.raises(ValueError):
        replanned("SELECT $dyn$x$dyn$")


def test_a_function_runs_each_statement_replanned_in_order():
    sql = trigger_function(
        "f", "DELETE FROM a WHERE id IN (SELECT id FROM old_rows)", "INSERT INTO a SELECT 1"
    )
    assert sql.index("DELETE FROM a") < sql.index("INSERT INTO a")
    assert sql.count("EXECUTE $dyn$") == 2
    assert "RETURN NULL;" in sql and sql.startswith("CREATE OR REPLACE FUNCTION f() RETURNS trigger")
    assert static_transition_reads(sql) == []


def test_a_static_read_of_a_transition_table_is_found():
    body = "BEGIN\n  UPDATE t SET a = 1 WHERE id IN (SELECT id FROM new_rows);\n  EXECUTE $dyn$SELECT 1 FROM old_rows$dyn$;\nEND"
    assert static_transition_reads(body) == ["UPDATE t SET a = 1 WHERE id IN (SELECT id FROM new_rows);"]
    assert static_transition_reads("IF EXISTS (SELECT 1 FROM old_rows o) THEN") == [
        "IF EXISTS (SELECT 1 FROM old_rows o) THEN"
    ]
