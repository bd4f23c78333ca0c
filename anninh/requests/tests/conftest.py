import pytest


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    """The form's shortest fill time (3 s) would slow every test; the guard's own tests
    set it back."""
    settings.ANNINH_REQUESTS_MIN_FILL_SECONDS = 0
