"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import pytest

pytest_plugins = ["anninh.testing.browser"]


@pytest.fixture
def personas(db):
    """One user per role (see anninh.testing.personas); "anonymous" is None."""
    from anninh.testing.personas import make_personas

    return make_personas()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs about a second per user on this machine; tests need no real hashing
    (the password policy and login tests still exercise the validators and the backend)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read messages in English, the language of the source strings, whatever the
    catalog holds. The product's default stays Vietnamese: tests of the Vietnamese UI set
    LANGUAGE_CODE="vi" or send Accept-Language themselves, and CI checks that the Vietnamese
    catalog is complete."""
    settings.LANGUAGE_CODE = "en"
