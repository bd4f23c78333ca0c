"""The identity half of anninh.network is a pure library: importing it loads no Django."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent
MODULES = ["normalize", "generator", "resolve", "components", "cli_resolve"]


@pytest.mark.parametrize("name", MODULES)
def test_module_imports_nothing_of_django(name: str) -> None:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {n for n in imported if n.split(".")[0] in {"django", "ninja"}}
    assert all(n.startswith(("anninh.lib", "anninh.network")) for n in imported if n.startswith("anninh"))


def test_importing_and_running_loads_no_django() -> None:
    code = (
        "import sys\n"
        "from anninh.network import normalize, generator, resolve, components, cli_resolve\n"
        "case = generator.generate_case(victims=20, seed=1)\n"
        "resolve.resolve_people(case.people)\n"
        "print('django' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parents[1]
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
