"""`investigation_analyse --spark` gives the investigation the results of the single-machine path:
the same merges, review queue, rings, roles and totals (Spark in local mode; one test, Spark's
start-up is slow). Select or skip with ``-m spark`` / ``-m "not spark"``."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command
from django.utils import timezone

pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.spark,
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
]


def _state(inv):
    from anninh.investigations.models import AnalysisRun, Entity, MatchCandidate

    entities = Entity.objects.unrestricted().filter(investigation=inv)
    key = {e.pk: (e.kind, e.key) for e in entities}
    merged = sorted((key[e.pk], key[e.merged_into_id]) for e in entities if e.merged_into_id)
    queued = sorted(
        (key[c.left_id], key[c.right_id], round(c.probability, 6))
        for c in MatchCandidate.objects.unrestricted().filter(investigation=inv)
    )
    rings = sorted((e.ring, key[e.pk]) for e in entities if e.ring is not None)
    roles = sorted((key[e.pk], e.role) for e in entities if e.role)
    run = AnalysisRun.objects.unrestricted().filter(investigation=inv).first()
    results = dict(run.results)
    results.pop("backend")
    # ids behind the totals are entity and link ids: the same facts under each investigation's ids
    totals = {name: t["value"] for name, t in results["totals"].items()}
    ring_members = [sorted(key[m] for m in r["members"]) for r in results["rings"]]
    return {
        "merged": merged,
        "queued": queued,
        "rings": rings,
        "ring_members": ring_members,
        "roles": roles,
        "totals": totals,
        "by_province": [(r["province"], r["victims"], r["lost"]) for r in results["by_province"]],
        "by_cash_out": sorted((key[r["entity"]], r["amount"]) for r in results["by_cash_out"]),
    }


def test_the_spark_flag_gives_the_local_results(personas, capsys):
    from anninh.investigations import services
    from anninh.investigations.synthetic import synthetic_import

    me = personas["investigator"]
    cases = []
    for code in ("PC03-LOCAL", "PC03-SPARK"):
        inv = services.investigation_create(
            actor=me, code=code, title=code, kind="chuyen_an", unit=me.unit, opened_on=timezone.localdate()
        )
        _case, results = synthetic_import(
            actor=me, investigation=inv, victims=20, seed=3, noise="high", transactions=300
        )
        assert all(r.ok for r in results)
        cases.append(inv)
    local, remote = cases
    call_command("investigation_analyse", local.code, "--as", me.username)
    call_command("investigation_analyse", remote.code, "--spark", "--as", me.username)
    out = capsys.readouterr().out
    assert "resolution (duckdb)" in out and "resolution (spark)" in out
    a, b = _state(local), _state(remote)
    assert a["rings"] and a["merged"] and a["totals"]["distinct_victims"] > 0
    for name in a:
        assert a[name] == b[name], name
