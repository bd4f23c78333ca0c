"""The permission-matrix helper must fail loudly: a wrong status, a 403 nobody audited, a
persona left out."""

from __future__ import annotations

import pytest

from anninh.testing.matrix import LOGIN, check_matrix
from anninh.testing.personas import NAMES, SPECS, make_user

pytestmark = pytest.mark.urls("anninh.testing.tests.urls")

COMMANDERS_ONLY = dict.fromkeys(NAMES, 403) | {"anonymous": LOGIN, "commander": 200}


@pytest.fixture
def people(db):
    """The personas without their units (the helper does not care where they work)."""
    return {"anonymous": None} | {s.name: make_user(f"p_{s.name}", *s.roles) for s in SPECS}


def test_it_passes_and_reports_every_status_when_all_expectations_hold(people):
    seen = check_matrix("/commanders/", COMMANDERS_ONLY, personas=people)
    assert seen == dict.fromkeys(NAMES, 403) | {"anonymous": 302, "commander": 200}


def test_it_fails_when_one_persona_gets_another_status(people):
    with pytest.raises(AssertionError, match=r"analyst: expected 200, got 403"):
        check_matrix("/commanders/", COMMANDERS_ONLY | {"analyst": 200}, personas=people)


def test_it_fails_when_a_403_has_no_audited_refusal(people):
    expected = dict.fromkeys(NAMES, 403) | {"anonymous": LOGIN, "commander": 200}
    with pytest.raises(AssertionError, match=r"analyst: 403 without an audited refusal"):
        check_matrix("/unaudited/", expected, personas=people)


def test_it_fails_when_a_persona_is_missing_from_the_expectation(people):
    expected = dict(COMMANDERS_ONLY)
    del expected["auditor"]
    with pytest.raises(AssertionError, match=r"lacks personas: \['auditor'\]"):
        check_matrix("/commanders/", expected, personas=people)


def test_it_fails_when_the_expectation_names_an_unknown_persona(people):
    with pytest.raises(AssertionError, match=r"unknown personas: \['janitor'\]"):
        check_matrix("/commanders/", COMMANDERS_ONLY | {"janitor": 200}, personas=people)


def test_it_fails_when_an_anonymous_visitor_is_let_in_instead_of_sent_to_login(people):
    with pytest.raises(AssertionError, match=r"anonymous: expected login, got 200"):
        check_matrix("/open/", dict.fromkeys(NAMES, 200) | {"anonymous": LOGIN}, personas=people)


def test_a_plain_404_passes_only_when_audit_denials_are_switched_off(people):
    expected = dict.fromkeys(NAMES, 404) | {"anonymous": LOGIN}
    check_matrix("/missing/", expected, personas=people, audit_denials=False)
    with pytest.raises(AssertionError, match=r"404 without an audited refusal"):
        check_matrix("/missing/", expected, personas=people)
