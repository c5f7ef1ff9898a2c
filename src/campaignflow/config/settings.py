"""Django settings for CampaignFlow, read from the environment (DESIGN §5).

Every variable has an embedded default that works on a laptop: SQLite under ./var, Huey on SQLite,
mail to the console. Production sets DATABASE_URL, REDIS_URL, CAMPAIGNFLOW_SECRET_KEY and the
e-mail variables.
"""

import atexit
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or env_bool("CAMPAIGNFLOW_TESTING", False)

# Each test run gets its own data dir, so parallel runs never share a SQLite file or uploads.
_DEFAULT_DATA_DIR = Path(tempfile.mkdtemp(prefix="campaignflow-test-")) if TESTING else Path.cwd() / "var"
DATA_DIR = env_path("CAMPAIGNFLOW_DATA_DIR", _DEFAULT_DATA_DIR)
if TESTING and "CAMPAIGNFLOW_DATA_DIR" not in os.environ:
    atexit.register(shutil.rmtree, _DEFAULT_DATA_DIR, True)
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("CAMPAIGNFLOW_DEBUG", False)


def _secret_key() -> str:
    """The configured key; else, in debug or tests, a throwaway; else a key kept in the data dir.

    A key generated once and stored with 0600 permissions lets `make run` work with no set-up
    without any secret being written in the source.
    """
    configured = env_str("CAMPAIGNFLOW_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("CAMPAIGNFLOW_SECRET_KEY must be at least 32 characters")
        return configured
    if DEBUG or TESTING:
        return "insecure-development-key-" + "x" * 32
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("CAMPAIGNFLOW_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CAMPAIGNFLOW_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not from a CDN
    "huey.contrib.djhuey",
    "campaignflow.core",
    "campaignflow.accounts",
    "campaignflow.audit",
    "campaignflow.metrics",
    "campaignflow.campaigns",
    "campaignflow.execution",
    "campaignflow.notifications",
    "campaignflow.links",
    "campaignflow.alerts",
    "campaignflow.reports",
    "campaignflow.experiments",
    "campaignflow.knowledge",
    "campaignflow.expenses",
    "campaignflow.evaluation",
    "campaignflow.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "campaignflow.core.middleware.RequestIdMiddleware",  # X-Request-ID, request log record
    "campaignflow.core.middleware.ContentSecurityPolicyMiddleware",  # CSP on HTML pages
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "campaignflow.config.urls"
WSGI_APPLICATION = "campaignflow.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaignflow.web.context_processors.navigation",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
# How every SQLite connection is opened, the default file or a sqlite:/// DATABASE_URL alike.
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
    # instead of one failing with "database is locked" when it upgrades a read lock.
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000;"
    ),
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("CAMPAIGNFLOW_DB_CONN_MAX_AGE", 60)
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS | DATABASES["default"].get("OPTIONS", {})
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "campaignflow.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
            # A file, not shared-cache memory, so tests with threads see real SQLite locking.
            "TEST": {"NAME": str(DATA_DIR / "test-campaignflow.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- i18n ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("CAMPAIGNFLOW_TIME_ZONE", "Asia/Shanghai")

# --- static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- security --------------------------------------------------------------------------------
SECURE_COOKIES = env_bool("CAMPAIGNFLOW_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS-only deployments (docs/deployment.md); off by default so `make run` works over plain http.
SECURE_SSL_REDIRECT = env_bool("CAMPAIGNFLOW_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes talk plain http to the process
SECURE_HSTS_SECONDS = env_int("CAMPAIGNFLOW_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CAMPAIGNFLOW_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("CAMPAIGNFLOW_SECURE_HSTS_PRELOAD", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CAMPAIGNFLOW_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Sign-in throttling (accounts/throttle.py): failures per username / per address before a lock,
# and how long failures are counted and a lock lasts. Proxies trusted for X-Forwarded-For: gunicorn's.
CAMPAIGNFLOW_LOGIN_MAX_FAILURES = env_int("CAMPAIGNFLOW_LOGIN_MAX_FAILURES", 5)
CAMPAIGNFLOW_LOGIN_MAX_FAILURES_PER_IP = env_int("CAMPAIGNFLOW_LOGIN_MAX_FAILURES_PER_IP", 20)
CAMPAIGNFLOW_LOGIN_LOCKOUT_SECONDS = env_int("CAMPAIGNFLOW_LOGIN_LOCKOUT_SECONDS", 900)
CAMPAIGNFLOW_TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])

# --- e-mail --------------------------------------------------------------------------------
EMAIL_HOST = env_str("CAMPAIGNFLOW_EMAIL_HOST")
EMAIL_PORT = env_int("CAMPAIGNFLOW_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("CAMPAIGNFLOW_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("CAMPAIGNFLOW_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("CAMPAIGNFLOW_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("CAMPAIGNFLOW_EMAIL_FROM", "CampaignFlow <campaignflow@localhost>")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- background jobs (Huey) -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
HUEY = {
    # The queue's name (its Redis keys); workers and web processes of one installation share it.
    "name": env_str("CAMPAIGNFLOW_HUEY_NAME", "campaignflow") or "campaignflow",
    "immediate": TESTING or env_bool("CAMPAIGNFLOW_HUEY_IMMEDIATE", False),
    "consumer": {"workers": env_int("CAMPAIGNFLOW_WORKERS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY |= {"huey_class": "huey.RedisHuey", "connection": {"url": REDIS_URL}}
else:
    HUEY |= {"huey_class": "huey.SqliteHuey", "connection": {"filename": str(DATA_DIR / "huey.sqlite3")}}

# --- caches -----------------------------------------------------------------------------------
if REDIS_URL and not TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- logging ----------------------------------------------------------------------------------
LOG_FORMAT = env_str("CAMPAIGNFLOW_LOG_FORMAT", "plain").strip().lower() or "plain"
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"CAMPAIGNFLOW_LOG_FORMAT must be plain or json; got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "campaignflow.core.logging.JsonFormatter"},
    },
    "filters": {"request": {"()": "campaignflow.core.logging.RequestContextFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request"]}
    },
    "root": {"handlers": ["console"], "level": env_str("CAMPAIGNFLOW_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One record per request; in plain text gunicorn's access log already says the same.
        "campaignflow.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        # run_huey adds its own handler to a "huey" logger that has none: every line came out twice.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

CAMPAIGNFLOW_APP_NAME = _("CampaignFlow")
CAMPAIGNFLOW_BASE_URL = env_str("CAMPAIGNFLOW_BASE_URL", "http://127.0.0.1:8000").rstrip("/")  # for links
CAMPAIGNFLOW_MAX_IMPORT_BYTES = env_int(
    "CAMPAIGNFLOW_MAX_IMPORT_BYTES", 200_000_000
)  # metrics imports this big or bigger are refused (413)
# expense attachments (invoices, contracts) larger than this are refused (422 naming the field)
CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES = env_int("CAMPAIGNFLOW_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# Webhooks go to public addresses only (no loopback, private, link-local or reserved networks)
# unless this is set, e.g. for a chat gateway inside the company network. The tests' receivers
# listen on loopback, so the test run allows it; tests/notifications check the refusal itself.
CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE = env_bool("CAMPAIGNFLOW_WEBHOOK_ALLOW_PRIVATE", TESTING)
