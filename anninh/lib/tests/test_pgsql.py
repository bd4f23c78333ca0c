"""The PL/pgSQL text for statement triggers (anninh.lib.pgsql)."""

import pytest

from anninh.lib.pgsql import replanned, sized, static_transition_reads, trigger_function


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


def test_one_row_runs_the_static_statements_and_more_rows_the_replanned_ones():
    sql = sized("old_rows", "DELETE FROM a WHERE id IN (SELECT id FROM old_rows)", "INSERT INTO a SELECT 1")
    one, more = sql.split("ELSE")
    assert one.startswith("  IF NOT EXISTS (SELECT 1 FROM old_rows OFFSET 1) THEN")
    assert "    DELETE FROM a WHERE id IN (SELECT id FROM old_rows);\n    INSERT INTO a SELECT 1;\n" in one
    assert more.count("EXECUTE $dyn$") == 2
    assert more.index("DELETE FROM a") < more.index("INSERT INTO a")
    assert sql.endswith("  END IF;\n")
    into = sized("new_rows", "SELECT EXISTS (SELECT 1 FROM new_rows)", into="moved")
    assert "SELECT EXISTS (SELECT 1 FROM new_rows) INTO moved;" in into
    assert "$dyn$ INTO moved;" in into
    with pytest.raises(ValueError):
        sized("cases", "SELECT 1")
    with pytest.raises(ValueError):
        sized("new_rows", "SELECT 1", "SELECT 2", into="x")


def test_a_function_is_checked_clean_and_a_static_read_outside_the_one_row_branch_is_found():
    sql = trigger_function("f", "new_rows", "UPDATE a SET b = 1 WHERE id IN (SELECT id FROM new_rows)")
    assert sql.startswith("CREATE OR REPLACE FUNCTION f() RETURNS trigger") and "RETURN NULL;" in sql
    assert static_transition_reads(sql) == []
    body = "BEGIN\n  UPDATE t SET a = 1 WHERE id IN (SELECT id FROM new_rows);\n  EXECUTE $dyn$SELECT 1 FROM old_rows$dyn$;\nEND"
    assert static_transition_reads(body) == ["UPDATE t SET a = 1 WHERE id IN (SELECT id FROM new_rows);"]
    assert static_transition_reads("IF EXISTS (SELECT 1 FROM old_rows o) THEN") == [
        "IF EXISTS (SELECT 1 FROM old_rows o) THEN"
    ]
