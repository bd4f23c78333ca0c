"""Production mode refuses a weak or published secret key and DEBUG, and passes `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from anninh.env import DEVELOPMENT_SECRET_KEY, production_problems

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "pW3-vN8q_Zr2Lk7xT0b" * 3  # 57 characters, 19 distinct


def _problems(**overrides) -> list[str]:
    values = {"secret_key": GOOD_KEY, "debug": False, "allowed_hosts": ["anninh.example.vn"], "demo": False}
    return production_problems(**{**values, **overrides})


def test_valid_production_settings_have_no_problem():
    assert _problems() == []


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short-but-varied-0123456789",
        DEVELOPMENT_SECRET_KEY,
        "k" * 60,
        "abcabcabc" * 7,  # long enough, three distinct characters
        "0123456789" * 4 + "012345678",  # 49 characters
    ],
)
def test_a_missing_short_trivial_or_published_secret_key_is_refused(key):
    [problem] = _problems(secret_key=key)
    assert "ANNINH_SECRET_KEY" in problem


def test_the_development_key_is_refused_by_name_and_debug_never_runs_in_production():
    assert "development key" in _problems(secret_key=DEVELOPMENT_SECRET_KEY)[0]
    assert len(DEVELOPMENT_SECRET_KEY) >= 50  # refused although long enough
    [problem] = _problems(debug=True)
    assert "ANNINH_DEBUG" in problem
    assert "ANNINH_ALLOWED_HOSTS" in _problems(allowed_hosts=[])[0]
    assert "ANNINH_DEMO" in _problems(demo=True)[0]


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANNINH_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="anninh.settings",
        ANNINH_PRODUCTION="1",
        ANNINH_SECRET_KEY=GOOD_KEY,
        ANNINH_ALLOWED_HOSTS="anninh.example.vn",
        ANNINH_TRUSTED_PROXY_COUNT="1",
    )
    env.update(values)
    return env


def _import_settings(**values: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import anninh.settings"],
        cwd=ROOT,
        env=_env(**values),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"ANNINH_DEBUG": "1"}, "ANNINH_DEBUG"),
        ({"ANNINH_SECRET_KEY": "k" * 60}, "ANNINH_SECRET_KEY"),
        ({"ANNINH_SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "ANNINH_SECRET_KEY"),
    ],
)
def test_the_settings_module_refuses_to_load_in_production_with_debug_or_a_weak_key(values, named):
    result = _import_settings(**values)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr


def test_check_deploy_is_clean_in_production_mode_with_valid_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_production_trusts_no_proxy(settings):
    from anninh.accounts.checks import proxy_count_check

    settings.PRODUCTION = True
    settings.TRUSTED_PROXY_COUNT = 0
    [warning] = proxy_count_check(None)
    assert warning.id == "accounts.W002" and "ANNINH_TRUSTED_PROXY_COUNT" in warning.hint
    settings.TRUSTED_PROXY_COUNT = 1
    assert proxy_count_check(None) == []
    settings.PRODUCTION = False
    settings.TRUSTED_PROXY_COUNT = 0
    assert proxy_count_check(None) == []
