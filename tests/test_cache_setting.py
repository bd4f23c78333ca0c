import os
import subprocess
import sys
from pathlib import Path

import pytest

from anninh.env import cache_from_setting

ROOT = Path(__file__).resolve().parents[1]


def test_the_default_cache_is_one_for_every_worker_process():
    """The public page cache is invalidated by one process and read by the others: the default
    must be a cache every gunicorn worker shares (files), not one per process (memory)."""
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNINH_CACHE")}
    env["DJANGO_SETTINGS_MODULE"] = "anninh.settings"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache"


def test_each_cache_kind_names_its_backend_and_an_unknown_one_is_refused():
    assert cache_from_setting("file", directory="/srv/c")["LOCATION"] == "/srv/c"
    assert cache_from_setting("database", directory="x")["BACKEND"].endswith("DatabaseCache")
    assert cache_from_setting("none", directory="x")["BACKEND"].endswith("DummyCache")
    with pytest.raises(ValueError, match="redis"):
        cache_from_setting("redis", directory="x")
