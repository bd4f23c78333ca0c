import pytest
from django.utils import timezone


@pytest.fixture
def investigation(personas):
    from anninh.investigations import services

    investigator = personas["investigator"]
    return services.investigation_create(
        actor=investigator,
        code="PC03-2026-01",
        title="Sàn ngoại hối giả",
        kind="chuyen_an",
        unit=investigator.unit,
        opened_on=timezone.localdate(),
    )


@pytest.fixture
def write_csv(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def analysed(personas, investigation):
    """A small synthetic case imported from its files and analysed: (case, run)."""
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.synthetic import synthetic_import

    case, results = synthetic_import(
        actor=personas["investigator"], investigation=investigation, victims=30, seed=3
    )
    for r in results:
        assert r.ok, (r.kind, [p.as_dict() for p in r.problems[:5]])
    run = analysis_run(actor=personas["investigator"], investigation=investigation)
    return case, run
