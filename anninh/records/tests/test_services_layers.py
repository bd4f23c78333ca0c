"""The records services import downwards only: reports → cases → incidents → the shared
modules (register numbers, articles, field checks, the clock, the workflow's permissions, the
collector account's normalisation, the frame of a workflow step),
which import no workflow service. And the one article normalisation they share."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from anninh.records.services.articles import normalise_article

SERVICES = Path(__file__).resolve().parent.parent / "services"
# Each module, and the records services it may import (directly or inside a function).
ALLOWED = {
    "reports": {
        "cases",
        "articles",
        "clock",
        "collector",
        "fields",
        "persons",
        "register",
        "report_access",
        "report_collector",
        "report_step",
    },
    "report_collector": {"collector", "fields", "report_access", "report_step"},
    "report_step": {"fields", "report_access"},
    "cases": {"incidents", "articles", "persons", "register"},
    "incidents": {"articles", "persons", "register"},
    "register": set(),
    "articles": {"persons"},
    "fields": {"persons"},
    "clock": set(),
    "report_access": set(),
    "collector": set(),
}


def _service_imports(name: str) -> set[str]:
    tree = ast.parse((SERVICES / f"{name}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("anninh.records.services."):
                found.add(node.module.rsplit(".", 1)[1])
            elif node.module == "anninh.records.services":
                found |= {alias.name for alias in node.names}
    return found


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_service_imports_only_the_modules_below_it(name):
    assert _service_imports(name) <= ALLOWED[name]


def test_the_shared_modules_are_small_and_reports_is_the_workflow_only():
    assert len((SERVICES / "reports.py").read_text(encoding="utf-8").splitlines()) < 750


@pytest.mark.parametrize(
    ("text", "article"),
    [
        ("Điều 173", "173"),
        ("art. 256A", "256a"),
        (" 173 ", "173"),
        ("173 · Trộm cắp tài sản", "173"),
        ("d.173", "173"),
        ("D. 134", "134"),
        ("Điều 256a", "256a"),
        ("256 a", "256a"),
        ("173.", "173"),
        ("Article 290", "290"),
        ("", ""),
        (None, ""),
        ("abc def", "abcdef"),
    ],
)
def test_one_article_normalisation(text, article):
    assert normalise_article(text) == article


def test_the_old_import_paths_still_work():
    from anninh.records.services import cases, incidents, reports

    assert reports.normalise_article is incidents.normalise_article is cases.normalise_article
    assert reports.register_allocate is incidents.register_allocate is cases.register_allocate
