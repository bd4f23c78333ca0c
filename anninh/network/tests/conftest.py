"""Shared helpers for the network library's tests: hand-drawn graphs, no Django."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher() -> None:
    """Overrides the repository-wide autouse fixture of the same name, which needs
    pytest-django's ``settings``: these tests import no Django and must also run with
    ``-p no:django``."""
