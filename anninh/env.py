"""Tiny typed helpers that read settings from the environment (Healthchecks style).

No Django import: settings.py uses these before Django is configured.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlparse


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# The key development, tests and the demo run with: published in this repository, so it must
# never sign a production session.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-not-for-production-" + "x" * 20
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 10


def production_problems(*, secret_key: str, debug: bool, allowed_hosts: list[str], demo: bool) -> list[str]:
    """What makes these settings unfit for production (ANNINH_PRODUCTION=1); empty when fit."""
    problems = []
    if secret_key == DEVELOPMENT_SECRET_KEY or secret_key.startswith(("insecure-", "django-insecure")):
        problems.append("ANNINH_SECRET_KEY is the published development key; generate a new one")
    elif len(secret_key) < SECRET_KEY_MIN_LENGTH or len(set(secret_key)) < SECRET_KEY_MIN_DISTINCT:
        problems.append(
            f"ANNINH_SECRET_KEY must be set to a random value of at least {SECRET_KEY_MIN_LENGTH} characters "
            f"with at least {SECRET_KEY_MIN_DISTINCT} distinct ones, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    if debug:
        problems.append(
            "ANNINH_DEBUG cannot be enabled in production (it shows settings and code to visitors)"
        )
    if not allowed_hosts:
        problems.append("ANNINH_ALLOWED_HOSTS must be set in production")
    if demo:
        problems.append("ANNINH_DEMO cannot be enabled in production")
    return problems


def database_from_url(url: str, *, sqlite_path: str) -> dict:
    """Build a Django DATABASES entry from DATABASE_URL (postgres://user:pw@host:port/name)
    or, when it is empty, the embedded SQLite database."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": sqlite_path,
            "OPTIONS": {
                # IMMEDIATE: writers take the lock at BEGIN, so two writers never deadlock
                # half-way through a transaction; WAL lets readers run beside one writer.
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": None},
        }
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use postgres://)")
    options = []
    # JIT compilation off: it pays off only for long analytic scans; the planner turns it on
    # by estimated cost, so a short dashboard query over a million rows spent ~0.3 s compiling
    # before running (issue #15). ANNINH_PG_JIT=1 leaves the server's setting.
    if not envbool("ANNINH_PG_JIT", False):
        options.append("-c jit=off")
    # Sort and hash memory per operation: a year's cases grouped for CompStat (190,000 rows)
    # spilled to disk with the server's default 4 MB (264 ms, 161 ms in memory). Empty: the
    # server's setting.
    work_mem = os.environ.get("ANNINH_PG_WORK_MEM", "32MB").strip()
    if work_mem:
        if not re.fullmatch(r"\d+\s*(kB|MB|GB)?", work_mem):
            raise ValueError(f"ANNINH_PG_WORK_MEM={work_mem!r}: a size such as 32MB")
        options.append(f"-c work_mem={work_mem.replace(' ', '')}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "anninh",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"options": " ".join(options)} if options else {},
    }


#: The cache backends ANNINH_CACHE may name (see cache_from_setting).
CACHE_KINDS = ("file", "database", "memory", "none")


def cache_from_setting(kind: str, *, directory: str) -> dict:
    """A Django CACHES entry for ANNINH_CACHE. The public page cache (anninh.pagecache) must
    be one cache for every gunicorn worker, or a worker would serve a page another worker's
    publish has invalidated: "file" (default: files in a private folder, no query and no new
    server) and "database" (a table made by `manage.py createcachetable`: one query a hit)
    are shared; "memory" is one per process (a single-process development server only) and
    "none" caches nothing."""
    if kind == "file":
        # Django creates the folder 0700; it must not be writable by anyone else (pickles).
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": directory,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    if kind == "database":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "anninh_cache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    if kind == "memory":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "anninh"}
    if kind == "none":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ValueError(f"ANNINH_CACHE={kind!r} is not one of {', '.join(CACHE_KINDS)}")
