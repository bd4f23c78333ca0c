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
