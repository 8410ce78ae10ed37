"""One settings module, configured from the environment (OKNO_*).

The embedded default (no variables set) is a SQLite database and a generated secret key under
``var/``; production sets ``OKNO_DATABASE_URL``, ``OKNO_SECRET_KEY`` and ``OKNO_ALLOWED_HOSTS``.
Every variable is documented in ``docs/configuration.md``. Product options (statuses, SLAs,
priorities) are data in the database, never settings.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read OKNO_<name>; ``OKNO_<name>_FILE`` points to a file holding the value (secrets)."""
    file_path = os.environ.get(f"OKNO_{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(f"OKNO_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    return int(value) if value.strip() else default


def env_rate(name: str, default: str = "") -> str:
    """A request rate like ``600/min`` (``/s``, ``/m``, ``/h``, ``/d``, ``/sec``, ``/min``,
    ``/hour``, ``/day``, optionally ``/5min``); empty, ``0`` or ``off`` turn the limit off.
    Anything else stops the start with a message instead of failing every request later."""
    value = env(name, default).strip()
    if value.lower() in {"", "0", "off", "none"}:
        return ""
    if not re.fullmatch(r"[1-9]\d*/\d*(s|sec|m|min|h|hour|d|day)", value):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"OKNO_{name}={value!r}: give a rate such as 600/min (per s, min, hour or day), "
            "or leave it empty (or 0, off) to turn the limit off."
        )
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use OKNO_SECRET_KEY, else generate one once and keep it in the data directory."""
    configured = env("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
BASE_URL = env("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "okno.accounts",
    "okno.catalog",
    "okno.priority",
    "okno.tickets",
    "okno.desk",
    "okno.portal",
    "okno.api",
    "okno.sla",
    "okno.mail",
    "okno.ops",
    "okno.alerts",
    "okno.redbutton",
    "okno.automation",
    "okno.telegram",
    "okno.widget",
    "okno.kb",
    "okno.reports",
    "okno.search",
    "okno.notifications",
    "okno.routing",
    "okno.csat",
    "okno.tags",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # reference-data memos (okno/ops/refcache.py) read their generation once per request
    "okno.ops.refcache.RequestGenerationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "okno.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "okno.urls"
WSGI_APPLICATION = "okno.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "okno" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
            ],
        },
    }
]

# Django's form renderer with <select> built in Python (okno/ops/form_renderer.py: speed).
FORM_RENDERER = "okno.ops.form_renderer.FastSelectRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'okno.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while one writes; IMMEDIATE transactions take
    # the write lock up front, so two writers wait instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not :memory:) so live-server browser tests share it; one per test run so that
    # two runs on one machine never collide.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"okno-test-{os.getpid()}.sqlite3")
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side cursors cost three round trips (DECLARE, FETCH, CLOSE) for every select
    # list a form iterates, and break behind a transaction-pooling PgBouncer.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # No JIT: it pays off for long analytic scans, while Okno's queries are short; a search
    # whose cost the planner overestimates spent 200 ms compiling a 1 ms query at 5M tickets.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Prepared statements for the fixed-shape lookups of the hot paths (okno/ops/lookup.py):
    # parsed and planned once per connection after this many uses. 0 turns them off (behind a
    # PgBouncer older than 1.21 in transaction mode); every other query is sent as text.
    _prepare = env("DATABASE_PREPARE", "5")
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        int(_prepare) if _prepare.isdigit() and int(_prepare) > 0 else None
    )
# A read replica (PostgreSQL streaming replica) for the report pages: their reads go there,
# every write and every other read stays on the primary (``okno.ops.dbrouter``). Tests mirror
# the primary, so the routing runs against real data.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["okno.ops.dbrouter.ReplicaRouter"]
REPLICA_READ_APPS = ("reports",)  # apps whose reads may lag the primary by a few seconds
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Shared by every process: presence ("Alice is replying"), sidebar counters, rate limits.
# Embedded default: files under the data directory (one machine). Several machines: Redis.
CACHE_URL = env("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("LOGIN_THROTTLING", True)
AXES_VERBOSE = False

# Sessions in the database, read through the shared cache (one query less per page; a
# sign-out or an expired row still ends the session at once). Several web machines need the
# shared Redis cache (OKNO_CACHE_URL), as the presence and counters already do.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None

# --- i18n and time ---------------------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "okno" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; each viewer sees their own zone (accounts.middleware)
DEFAULT_USER_TIME_ZONE = env("TIME_ZONE", "UTC")

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from finders
STATICFILES_DIRS = [BASE_DIR / "okno" / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: attachments go through a permission-checked view
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 25) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Background jobs -------------------------------------------------------------------------
_tasks_backend = env("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }.get(_tasks_backend, _tasks_backend),
        "QUEUES": ["default", "mail", "sla"],
    }
}

# ``OKNO_TASKS_BACKEND=rq``: jobs in Redis (django-tasks-rq), ``okno worker`` runs RQ workers.
TASKS_REDIS_URL = env("TASKS_REDIS_URL", "redis://127.0.0.1:6379/0")
if _tasks_backend == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        name: {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 600}
        for name in TASKS["default"]["QUEUES"]
    }

# --- Email (outbound) ------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = DATA_DIR / "sent-mail"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_STARTTLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", "Okno Service Desk <support@okno.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Inbound (IMAP/POP3): a PEM bundle of extra CAs trusted on top of the system's (private servers)
MAIL_CA_BUNDLE = env("MAIL_CA_BUNDLE")

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200
API_RATE_LIMIT = env_rate("API_RATE_LIMIT", "600/min")  # per token; empty/0/off: no limit
ALERTS_RATE_LIMIT = env_rate("ALERTS_RATE_LIMIT", "")  # monitoring event intake; off by default

# --- Portal and satisfaction ----------------------------------------------------------------
PORTAL_REOPEN_DAYS = env_int("PORTAL_REOPEN_DAYS", 14)  # requesters may reopen within N days
CSAT_LINK_DAYS = env_int("CSAT_LINK_DAYS", 30)  # rating links in emails expire after N days

# --- Outbound webhooks ----------------------------------------------------------------------
WEBHOOK_TIMEOUT = float(env("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_RETRY_BASE_SECONDS = float(env("WEBHOOK_RETRY_BASE_SECONDS", "60"))
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 10)
WEBHOOK_STUCK_MINUTES = env_int("WEBHOOK_STUCK_MINUTES", 15)  # "sending" this long: requeue

# --- Retention (okno.ops.retention, `okno prune`): days to keep; 0 keeps forever ------------
MAIL_RAW_RETENTION_DAYS = env_int("MAIL_RAW_RETENTION_DAYS", 90)
ALERT_EVENT_RETENTION_DAYS = env_int("ALERT_EVENT_RETENTION_DAYS", 30)
WEBHOOK_DELIVERY_RETENTION_DAYS = env_int("WEBHOOK_DELIVERY_RETENTION_DAYS", 30)

# --- Red Button -----------------------------------------------------------------------------
REDBUTTON_DEVICE_RATE = env("REDBUTTON_DEVICE_RATE", "6/h")
REDBUTTON_USER_RATE = env("REDBUTTON_USER_RATE", "10/h")
REDBUTTON_MERGE_WINDOW_MINUTES = env_int("REDBUTTON_MERGE_WINDOW_MINUTES", 30)
REDBUTTON_MAX_REPORT_KB = env_int("REDBUTTON_MAX_REPORT_KB", 1024)

# --- Logging ---------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
