"""The demo investigation: synthetic, labelled, analysed, and seeded once."""

from __future__ import annotations

import pytest

from anninh.investigations.demo import DEMO_CODE, investigations_demo_seed
from anninh.investigations.models import Investigation

pytestmark = pytest.mark.django_db


def test_the_demo_case_is_synthetic_analysed_and_seeded_once(personas):
    first = investigations_demo_seed(victims=20)
    assert first["problems"] == 0 and first["victims"] > 0
    inv = Investigation.objects.unrestricted().get(code=DEMO_CODE)
    assert inv.is_synthetic and inv.analyses.unrestricted().exists()
    assert investigations_demo_seed(victims=20) == {"skipped": True}
    assert Investigation.objects.unrestricted().filter(code=DEMO_CODE).count() == 1
