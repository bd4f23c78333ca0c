import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created with passwords; the production hasher (PBKDF2, 1M rounds) would
    spend ~1 s per persona. Tests of these apps do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
