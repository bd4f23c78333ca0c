"""Package-level contracts of anninh.lib: no Django, stable error codes."""

from __future__ import annotations

import ast
import pathlib
import re
import subprocess
import sys

import pytest

from anninh.lib import dates, identifiers, money, text
from anninh.lib.errors import InvalidAmount, InvalidDate, InvalidIdentifier, ValidationProblem

LIB = pathlib.Path(__file__).resolve().parent.parent
MODULES = sorted(p for p in LIB.rglob("*.py") if "tests" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_library_modules_do_not_import_django(path: pathlib.Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    offenders = {name for name in imported if name.split(".")[0] in {"django", "ninja"}}
    # Only the standard library and anninh.lib itself.
    assert not offenders
    assert all(not name.startswith("anninh.") or name.startswith("anninh.lib") for name in imported)


def test_importing_the_library_loads_no_django() -> None:
    code = (
        "import sys, anninh.lib.text, anninh.lib.money, anninh.lib.dates, "
        "anninh.lib.identifiers; print('django' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=LIB.parents[1]
    )
    assert result.stdout.strip() == "False"


def _codes_in(module) -> set[str]:
    source = pathlib.Path(module.__file__).read_text(encoding="utf-8")
    return set(re.findall(r'"((?:vnd|cccd|phone|tax|date|week)\.[a-z_]+)"', source))


@pytest.mark.parametrize("module", [money, dates, identifiers])
def test_every_error_code_raised_is_documented_in_the_module_docstring(module) -> None:
    codes = _codes_in(module)
    assert codes
    for code in codes:
        assert f"``{code}``" in module.__doc__


def test_error_classes_share_one_base_that_is_a_value_error() -> None:
    for cls in (InvalidAmount, InvalidDate, InvalidIdentifier):
        assert issubclass(cls, ValidationProblem)
    assert issubclass(ValidationProblem, ValueError)
    problem = InvalidDate("date.invalid", "There is no such date.", value="31/02/2026")
    assert (problem.code, str(problem), problem.params) == (
        "date.invalid",
        "There is no such date.",
        {"value": "31/02/2026"},
    )
    assert "date.invalid" in repr(problem)


def test_text_module_exports_what_it_documents() -> None:
    assert set(text.__all__) <= set(dir(text))
