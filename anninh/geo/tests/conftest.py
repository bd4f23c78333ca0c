import pytest

from anninh.geo import lookup


@pytest.fixture(autouse=True)
def fresh_lookup_index():
    """Tests change communes inside transactions that are rolled back: never let one test's
    in-memory index or map layer leak into the next."""
    lookup.invalidate()
    yield
    lookup.invalidate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created with passwords; the production hasher (PBKDF2, 1M rounds) would
    spend ~1 s per persona. Tests of these apps do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
