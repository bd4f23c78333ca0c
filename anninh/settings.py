"""Settings for anninh, driven by environment variables (see README "Configuration").

Development and the demo run with no configuration at all on SQLite. Production
(ANNINH_PRODUCTION=1) refuses to start without a secret key and allowed hosts.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from anninh.env import (
    DEVELOPMENT_SECRET_KEY,
    cache_from_setting,
    database_from_url,
    envbool,
    envint,
    envlist,
    envstr,
    production_problems,
)

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = envbool("ANNINH_PRODUCTION", False)
DEMO = envbool("ANNINH_DEMO", False)
# The demo shows what users see (styled 404 and 500 pages), not Django's debug pages;
# ANNINH_DEBUG=1 turns them on for a developer.
DEBUG = envbool("ANNINH_DEBUG", not PRODUCTION and not DEMO)

SECRET_KEY = envstr("ANNINH_SECRET_KEY")
ALLOWED_HOSTS = envlist("ANNINH_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("ANNINH_CSRF_TRUSTED_ORIGINS", [])
if PRODUCTION:
    _problems = production_problems(
        secret_key=SECRET_KEY, debug=DEBUG, allowed_hosts=ALLOWED_HOSTS, demo=DEMO
    )
    if _problems:
        raise ImproperlyConfigured("Production settings refused:\n- " + "\n- ".join(_problems))
elif not SECRET_KEY:
    # Only for development, tests and the demo: never accepted when ANNINH_PRODUCTION=1.
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    # Core apps: the base every capability stands on.
    "anninh.audit",
    "anninh.geo",
    "anninh.org",
    "anninh.accounts",
    # Web shell: base layout, navigation by role, home pages.
    # Records: crime reports, incidents, cases, persons, fire and rescue.
    "anninh.records",
    # The crime picture: CompStat dashboard and analysis tools, weekly/monthly reports.
    "anninh.compstat",
    "anninh.reports",
    # Hotspot forecasts for Hai Phong and patrol/checkpoint planning.
    "anninh.hotspots",
    "anninh.patrols",
    "anninh.enforcement",
    "anninh.campaigns",
    # The public side: scam warnings (CAP 1.2, Atom) for residents and businesses.
    "anninh.public",
    # Operations: event security, the grassroots civil-defence force.
    "anninh.events",
    "anninh.civildefence",
    # Requests from citizens and businesses (web form, Open311), staff queues, indicators.
    "anninh.requests",
    # Economic-crime investigations: the fraud network, its rings and its totals (issue #9).
    "anninh.investigations",
    # Early warning (alerts, subscriptions, digest) and the phone page of patrols in the field.
    "anninh.alerts",
    "anninh.field",
    # Police-business dialogues: businesses, meetings, recommendations, the business portal.
    "anninh.business",
    "anninh.web",
    # Demo data: the synthetic records of every capability.
    "anninh.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A busy or unreachable database answers 503 with Retry-After, not 500 (anninh.web.busy).
    "anninh.web.busy.DatabaseBusyMiddleware",
    "anninh.audit.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anninh.web.middleware.SecurityHeadersMiddleware",
    "anninh.web.middleware.StripNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "anninh.accounts.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "anninh.urls"
WSGI_APPLICATION = "anninh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # Number, percentage, coordinate and money filters on every template (one format).
            "builtins": ["anninh.web.templatetags.anninh_tags"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "anninh.web.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        envstr("DATABASE_URL"), sqlite_path=envstr("ANNINH_SQLITE_PATH", str(BASE_DIR / "anninh.sqlite3"))
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The case statistics' covering indexes carry INCLUDE columns (anninh/records/models.py) that
# only PostgreSQL keeps; SQLite builds the same indexes without them, which Django reports as
# models.W040 on every command. Nothing to act on there, so it is not shown on SQLite.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

# The shared cache (anninh.env.cache_from_setting): "file" (default) keeps it in the private
# folder ANNINH_CACHE_DIR, one cache for every gunicorn worker without a new server. The public
# pages (anninh.pagecache) are kept there for ANNINH_PUBLIC_CACHE_SECONDS at most and dropped
# at once when a warning or a request changes; a proxy in front may keep them for
# ANNINH_PUBLIC_PROXY_SECONDS (0: it asks each time, with If-None-Match, and gets a 304).
CACHES = {
    "default": cache_from_setting(
        envstr("ANNINH_CACHE", "file"), directory=envstr("ANNINH_CACHE_DIR", str(BASE_DIR / "var" / "cache"))
    )
}
ANNINH_PUBLIC_CACHE_SECONDS = envint("ANNINH_PUBLIC_CACHE_SECONDS", 60)
ANNINH_PUBLIC_PROXY_SECONDS = envint("ANNINH_PUBLIC_PROXY_SECONDS", 0)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["anninh.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "anninh.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Sessions: absolute lifetime of one working shift, plus an idle timeout enforced by
# AccountSecurityMiddleware (a terminal left open in a duty room must lock itself).
SESSION_COOKIE_AGE = envint("ANNINH_SESSION_HOURS", 10) * 3600
SESSION_IDLE_SECONDS = envint("ANNINH_SESSION_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("ANNINH_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("ANNINH_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("ANNINH_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading commits the whole domain to browsers' built-in HTTPS list, a decision for the
    # owner of the domain (an intranet name cannot be preloaded at all): off unless asked for,
    # and then `check --deploy` need not warn about it.
    SECURE_HSTS_PRELOAD = envbool("ANNINH_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS += ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The client's address (audit trail, login throttle): REMOTE_ADDR, or behind N reverse
# proxies the N-th address from the right of X-Forwarded-For (anninh.audit.middleware).
TRUSTED_PROXY_COUNT = envint("ANNINH_TRUSTED_PROXY_COUNT", 0)

# Login throttling and two-factor authentication (see anninh.accounts): failures are counted
# per user name and per client address, each against its own limit.
LOGIN_MAX_FAILURES = envint("ANNINH_LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = envint("ANNINH_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = envint("ANNINH_LOGIN_LOCKOUT_MINUTES", 15)
# API tokens: the longest validity a new token may have, in days (at most 365).
API_TOKEN_MAX_DAYS = envint("ANNINH_API_TOKEN_MAX_DAYS", 90)
TWO_FACTOR_REQUIRED_ROLES = envlist(
    "ANNINH_2FA_REQUIRED_ROLES", ["commander", "administrator", "auditor"] if PRODUCTION else []
)

# Language and formats: Vietnamese first, English second; dd/mm/yyyy everywhere.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["anninh.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Audit trail (see anninh.audit.masking and the audit_anchor command): the key of the hashes
# shown in place of personal values (derived from SECRET_KEY when empty), and the key that
# signs the chain's anchors (required in production by audit_anchor and audit_verify --anchor).
AUDIT_MASK_KEY = envstr("ANNINH_AUDIT_MASK_KEY")
AUDIT_ANCHOR_KEY = envstr("ANNINH_AUDIT_ANCHOR_KEY")

# Background jobs: run inline in the demo and tests; a database-backed worker in production.
TASKS = {
    "default": {"BACKEND": envstr("ANNINH_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}
}

# Imports of incidents (anninh.records.services.io_import, io_jobs): rows per import from the
# page or the API (the command line: --max-rows), problems before a check stops, the rows
# from which the page runs the import as a background task, and the expansion an XLSX (a zip)
# may have before it is parsed: total bytes, and ratio to the file's size.
ANNINH_IMPORT_MAX_ROWS = envint("ANNINH_IMPORT_MAX_ROWS", 50_000)
ANNINH_IMPORT_MAX_PROBLEMS = envint("ANNINH_IMPORT_MAX_PROBLEMS", 1_000)
# PostgreSQL: import CSV files by COPY into a staging table and set-based SQL
# (anninh.records.services.io_copy); off: the Python path for every file.
ANNINH_IMPORT_COPY = envbool("ANNINH_IMPORT_COPY", True)
# The fast path's inserts with the row triggers off (session_replication_role = replica, for a
# role allowed to set it), the foreign keys and monthly counts settled once per import instead
# (io_copy.QuietWrites); off: the triggers fire for every row.
ANNINH_IMPORT_QUIET_WRITES = envbool("ANNINH_IMPORT_QUIET_WRITES", True)
ANNINH_IMPORT_BACKGROUND_FROM = envint("ANNINH_IMPORT_BACKGROUND_FROM", 5_000)
ANNINH_IMPORT_MAX_XLSX_BYTES = envint("ANNINH_IMPORT_MAX_XLSX_BYTES", 1 << 30)
ANNINH_IMPORT_MAX_XLSX_RATIO = envint("ANNINH_IMPORT_MAX_XLSX_RATIO", 100)

# CAP 1.2 messages of the public warnings (anninh.public.cap): the sender (no spaces, commas,
# "<" or "&") and the prefix of each message's identifier (prefix.warning.sequence).
# A base map for every map (issue #13 item 7): a deployment may name its own tile server, e.g.
# "https://tiles.congan.haiphong.gov.vn/{z}/{x}/{y}.png"; none by default (the maps draw the
# commune polygons on a plain background and need no network). Checked by `manage.py check`.
ANNINH_TILE_URL = envstr("ANNINH_TILE_URL", "")
ANNINH_TILE_ATTRIBUTION = envstr("ANNINH_TILE_ATTRIBUTION", "")
ANNINH_CAP_SENDER = envstr("ANNINH_CAP_SENDER", "canhbao@congan.haiphong.gov.vn")
ANNINH_CAP_IDENTIFIER_PREFIX = envstr("ANNINH_CAP_IDENTIFIER_PREFIX", "vn.gov.haiphong.congan.canhbao")
# Police-business dialogues: calendar days a unit has to settle a recommendation assigned to it
# (a last day off rolls to the next working day).
ANNINH_DIALOGUE_ANSWER_DAYS = envint("ANNINH_DIALOGUE_ANSWER_DAYS", 30)
# How long a business account's one-time set-password link lives (hours, at most 72).
ANNINH_BUSINESS_LINK_HOURS = envint("ANNINH_BUSINESS_LINK_HOURS", 72)
# The public transparency page: counts below this are shown as "<N" (anninh.lib.disclosure).
ANNINH_TRANSPARENCY_MIN_COUNT = envint("ANNINH_TRANSPARENCY_MIN_COUNT", 3)

# Requests from citizens and businesses (anninh.requests). Retention (Decree 13/2023/ND-CP:
# personal data kept no longer than needed): after a request is closed, the sender's name and
# contact are removed after CONTACT days, the description, the reporter's additions and the
# pictures after CONTENT days (statistics stay). Guards: submissions per sender address per
# hour and per day (a keyed hash of the address, kept MARK hours), the proof-of-work bits of
# the web form and its shortest fill time, attachments per request and their size.
ANNINH_REQUESTS_CONTACT_RETENTION_DAYS = envint("ANNINH_REQUESTS_CONTACT_RETENTION_DAYS", 180)
ANNINH_REQUESTS_CONTENT_RETENTION_DAYS = envint("ANNINH_REQUESTS_CONTENT_RETENTION_DAYS", 730)
ANNINH_REQUESTS_MARK_RETENTION_HOURS = envint("ANNINH_REQUESTS_MARK_RETENTION_HOURS", 24)
ANNINH_REQUESTS_PER_HOUR = envint("ANNINH_REQUESTS_PER_HOUR", 5)
ANNINH_REQUESTS_PER_DAY = envint("ANNINH_REQUESTS_PER_DAY", 20)
ANNINH_REQUESTS_POW_BITS = envint("ANNINH_REQUESTS_POW_BITS", 16)
ANNINH_REQUESTS_MIN_FILL_SECONDS = envint("ANNINH_REQUESTS_MIN_FILL_SECONDS", 3)
ANNINH_REQUESTS_MAX_ATTACHMENTS = envint("ANNINH_REQUESTS_MAX_ATTACHMENTS", 3)
ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES = envint("ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024)
# Who handles a request without a commune (no place, or outside the city): a unit code.
ANNINH_REQUESTS_FALLBACK_UNIT = envstr("ANNINH_REQUESTS_FALLBACK_UNIT", "PV01")
# Open311 GeoReport v2: POST needs an api_key of an Open311Client (admin) unless this is off;
# the jurisdiction_id the endpoint answers to.
ANNINH_OPEN311_KEY_REQUIRED = envbool("ANNINH_OPEN311_KEY_REQUIRED", True)
ANNINH_OPEN311_JURISDICTION = envstr("ANNINH_OPEN311_JURISDICTION", "congan.haiphong.gov.vn")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("ANNINH_LOG_LEVEL", "WARNING")},
}

# E-mail (the early warning's daily digest, anninh.alerts): the console in development and the
# demo; SMTP in production (ANNINH_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# with Django's EMAIL_HOST etc.). ANNINH_BASE_URL makes the digest's links absolute.
EMAIL_BACKEND = envstr("ANNINH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("ANNINH_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = envstr("ANNINH_EMAIL_FROM", "canhbao@congan.haiphong.gov.vn")
ANNINH_BASE_URL = envstr("ANNINH_BASE_URL", "")
