"""Fixtures for account tests."""

from __future__ import annotations

import pytest

from anninh.accounts.backends import BACKEND_PATH


@pytest.fixture(autouse=True)
def english_pages(settings):
    """Pages in English (the msgids) unless a test asks for Vietnamese."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def units(db):
    from anninh.accounts.tests.factories import reference_units

    return reference_units()


@pytest.fixture(autouse=True)
def account_backend(settings):
    """Run with the accounts authentication backend: the intended production setting
    (a no-op once anninh/settings.py sets it)."""
    settings.AUTHENTICATION_BACKENDS = [BACKEND_PATH]
    return settings


@pytest.fixture
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["commander", "administrator", "auditor"]
    return settings
