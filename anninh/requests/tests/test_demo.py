"""The demo seeder makes requests in every state, once."""

from __future__ import annotations

import pytest

from anninh.accounts.roles import Role
from anninh.requests.demo import requests_demo_seed
from anninh.requests.models import RequestStatus, ServiceRequest
from anninh.testing.personas import make_user

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_requests_in_several_states_and_only_once():
    make_user("officer.hongbang", Role.COMMUNE_OFFICER, unit_code="CA11311")
    make_user("officer.ngoquyen", Role.COMMUNE_OFFICER, unit_code="CA11329")
    assert requests_demo_seed() == {"requests": 48}
    statuses = set(ServiceRequest.objects.unrestricted().values_list("status", flat=True))
    assert {RequestStatus.ANSWERED, RequestStatus.RECEIVED, RequestStatus.CRIME_REPORT} <= statuses
    assert ServiceRequest.objects.unrestricted().filter(rating__isnull=False).exists()
    assert requests_demo_seed() == {"requests": 0}
    assert ServiceRequest.objects.unrestricted().count() == 48
