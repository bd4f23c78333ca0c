"""One door to record-bearing rows (issue #14, item 13): outside migrations and tests, code
reads a record-bearing model only through `Model.objects.restrict(viewer)` (the viewer's
need-to-know, declared beside the model) or, for system work that must see every row
(uniqueness checks, aggregates, demo data, the audit chain), through an explicit
`Model.objects.unrestricted()`. Writes (create, bulk_create, bulk_update) need neither.

A selector that forgets the scope fails here before it can leak: `Incident.objects.filter(...)`
in a view, API, selector or service is refused.
"""

from __future__ import annotations

import ast
import pathlib

from django.apps import apps

from anninh.accounts.scoping import RestrictedQuerySet, ScopeRule

ROOT = pathlib.Path(__file__).resolve().parents[2] / "anninh"
ALLOWED = {"restrict", "unrestricted", "none", "create", "bulk_create", "bulk_update"}


def record_models() -> dict[str, type]:
    """Every model that declares a need-to-know rule, by its label ("records.Incident")."""
    return {
        m._meta.label: m for m in apps.get_models() if isinstance(getattr(m, "need_to_know", None), ScopeRule)
    }


def record_names() -> set[str]:
    """The class names the source check looks for (two apps may use one name: both count)."""
    return {m.__name__ for m in record_models().values()}


def test_every_record_bearing_model_declares_its_rule_and_the_door():
    labels = set(record_models())
    expected = {
        "records.CrimeReport",
        "records.Incident",
        "records.IncidentPerson",
        "records.Case",
        "records.CaseStatusChange",
        "records.Person",
        "records.PersonPhone",
        "records.PersonMatch",
        "compstat.IncidentMonth",
        "patrols.PatrolPlan",
        "patrols.PatrolAssignment",
        "patrols.CheckpointSite",
        "hotspots.Forecast",
        "hotspots.ForecastCell",
        "hotspots.ReportCard",
        "reports.Report",
        "audit.AuditEvent",
        "public.ScamWarning",
        "requests.ServiceRequest",
        "requests.RequestNote",
        "requests.Attachment",
        "enforcement.Arrest",
        "enforcement.WantedPerson",
        "campaigns.Campaign",
        "campaigns.CampaignTarget",
        "campaigns.ClearedSuspect",
        "events.Event",
        "events.Risk",
        "events.CommandLogEntry",
        "civildefence.Team",
        "civildefence.Member",
        "civildefence.Duty",
        "investigations.Investigation",
        "investigations.SourceFile",
        "investigations.Entity",
        "investigations.EntitySource",
        "investigations.Link",
        "investigations.MatchCandidate",
        "investigations.EntityMerge",
        "investigations.AnalysisRun",
        "investigations.Document",
        "alerts.Alert",
        "alerts.AlertAction",
        "alerts.Subscription",
        "alerts.Delivery",
        "field.CheckIn",
        "field.FieldReport",
        "business.Business",
        "business.DialogueMeeting",
        "business.Recommendation",
    }
    assert expected <= labels, expected - labels
    for model in record_models().values():
        assert isinstance(model.objects.all(), RestrictedQuerySet), model


def door_violations(root: pathlib.Path = ROOT) -> list[str]:
    names = record_names()
    found = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr in ("objects", "_default_manager")
                and isinstance(node.value.value, ast.Name)
                and node.value.value.id in names
                and node.attr not in ALLOWED
            ):
                found.append(
                    f"{path.relative_to(root.parent)}:{node.lineno}: {node.value.value.id}.objects.{node.attr}"
                )
    return found


def test_record_bearing_rows_are_read_only_through_the_door():
    violations = door_violations()
    assert not violations, (
        "read through Model.objects.restrict(viewer) or .unrestricted():\n  " + "\n  ".join(violations)
    )


def test_the_door_check_catches_a_forgotten_scope(tmp_path):
    (tmp_path / "selectors.py").write_text("def leak(viewer):\n    return Incident.objects.filter(pk=1)\n")
    assert door_violations(tmp_path) == [f"{tmp_path.name}/selectors.py:2: Incident.objects.filter"]
