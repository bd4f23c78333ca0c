"""Settings for anninh, driven by environment variables (see README "Configuration").

Development and the demo run with no configuration at all on SQLite. Production
(ANNINH_PRODUCTION=1) refuses to start without a secret key and allowed hosts.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from anninh.env import database_from_url, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = envbool("ANNINH_PRODUCTION", False)
DEMO = envbool("ANNINH_DEMO", False)
DEBUG = envbool("ANNINH_DEBUG", not PRODUCTION)

SECRET_KEY = envstr("ANNINH_SECRET_KEY")
ALLOWED_HOSTS = envlist("ANNINH_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("ANNINH_CSRF_TRUSTED_ORIGINS", [])
if PRODUCTION:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("ANNINH_SECRET_KEY must be set (at least 50 characters) in production")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ANNINH_ALLOWED_HOSTS must be set in production")
    if DEMO:
        raise ImproperlyConfigured("ANNINH_DEMO cannot be enabled in production")
elif not SECRET_KEY:
    # Only for development, tests and the demo: never used when ANNINH_PRODUCTION=1.
    SECRET_KEY = "insecure-development-key-not-for-production-" + "x" * 20

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
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login throttling and two-factor authentication (see anninh.accounts).
LOGIN_MAX_FAILURES = envint("ANNINH_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = envint("ANNINH_LOGIN_LOCKOUT_MINUTES", 15)
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

# Background jobs: run inline in the demo and tests; a database-backed worker in production.
TASKS = {
    "default": {"BACKEND": envstr("ANNINH_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("ANNINH_LOG_LEVEL", "WARNING")},
}
