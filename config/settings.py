"""Keel settings: one module, driven by environment variables (see `.env.example`).

With nothing set, Keel runs the embedded default: SQLite in `KEEL_DATA_DIR` and Celery tasks
executed in-process after commit. Set DATABASE_URL and CELERY_BROKER_URL for PostgreSQL and
real workers. A bad value stops start-up with a message naming the variable.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import email_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("KEEL_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "keel-insecure-development-key-change-me-0123456789-abcdefghijklmnop"  # noqa: S105 - refused unless DEBUG
# Offline management commands (migrate, makemigrations, check, seed_demo…) sign nothing that
# outlives the process, so without SECRET_KEY they get a throw-away random key. Anything that
# serves requests — gunicorn (WSGI/ASGI), runserver — still refuses to start without one.
_OFFLINE_COMMAND = os.environ.get("KEEL_MANAGE_COMMAND", "") not in ("", "runserver", "runserver_plus")
_FALLBACK_SECRET = _DEV_SECRET if DEBUG else (secrets.token_urlsafe(50) if _OFFLINE_COMMAND else None)
SECRET_KEY = env_str("SECRET_KEY", _FALLBACK_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "core",
    "portfolio",
    "projects",
    "budgets",
    "risks",
    "staffing",
    "governance",
    # Above the domains: comments, mentions, attachments and activity feeds on their objects.
    "collab",
    # Above every domain: summary tables, recompute tasks, cross-domain pages.
    "reporting",
    "demo",  # on top of everything: seed_demo and its stages
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ApiJsonErrorsMiddleware",
    "core.middleware.NulInPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: PostgreSQL from DATABASE_URL in production and CI, SQLite by default. ---
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "keel.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portfolio:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
# --- Uploaded files (attachments): a local folder by default, any S3-compatible store with
# KEEL_STORAGE=s3. Files are never served from a public URL: MEDIA_URL is not routed (config/urls.py
# serves no media) and every download streams through an access-checked view (collab). ---
MEDIA_ROOT = Path(env_str("KEEL_MEDIA_DIR", str(DATA_DIR / "media")))
KEEL_STORAGE = env_str("KEEL_STORAGE", "local").strip().lower()
if KEEL_STORAGE == "local":
    _default_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif KEEL_STORAGE == "s3":
    _s3_bucket = env_str("KEEL_S3_BUCKET", "")
    if not _s3_bucket:
        raise ImproperlyConfigured("KEEL_STORAGE=s3 needs KEEL_S3_BUCKET (the bucket attachments are kept in).")
    _s3_addressing = env_str("KEEL_S3_ADDRESSING_STYLE", "auto")
    if _s3_addressing not in ("auto", "path", "virtual"):
        raise ImproperlyConfigured(f"KEEL_S3_ADDRESSING_STYLE={_s3_addressing!r} is not one of auto, path, virtual.")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            # Empty: AWS itself; set for MinIO, Ceph, Garage, Scaleway, R2 and the like.
            "endpoint_url": env_str("KEEL_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("KEEL_S3_REGION", "") or None,
            "location": env_str("KEEL_S3_PREFIX", ""),
            "addressing_style": None if _s3_addressing == "auto" else _s3_addressing,
            # Empty: boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment,
            # ~/.aws, an instance or pod role).
            "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
            # Objects are private; Keel reads them itself and streams them to whoever may see them.
            # Empty sends no ACL (for buckets with ACLs disabled, which are private already).
            "default_acl": env_str("KEEL_S3_ACL", "private") or None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"KEEL_STORAGE={KEEL_STORAGE!r} is not one of: local, s3.")
# Attachments: the largest file accepted, in megabytes.
KEEL_ATTACHMENT_MAX_MB = env_int("KEEL_ATTACHMENT_MAX_MB", 25)
if KEEL_ATTACHMENT_MAX_MB < 1:
    raise ImproperlyConfigured("KEEL_ATTACHMENT_MAX_MB must be at least 1.")
ATTACHMENT_MAX_BYTES = KEEL_ATTACHMENT_MAX_MB * 1024 * 1024

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        # Hashed, compressed files need `collectstatic` first (the Dockerfile and `make run`
        # with DEBUG off do it); STATIC_MANIFEST=0 serves files as they are (tests, DEBUG).
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security: strict by default, relaxed only for local HTTP development. ---
SECURE_SSL = env_bool("SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",  # a body nested too deeply is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.KnownQueryParamsFilter",  # first: 400 for a parameter the list does not know
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.KeelPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.schema.KeelAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Optimistic locking over the API: off (the default) lets a PUT, PATCH or DELETE without If-Match
# apply to the current version, for simple clients; on makes If-Match required (428 without it).
KEEL_REQUIRE_IF_MATCH = env_bool("KEEL_REQUIRE_IF_MATCH", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Keel API",
    "DESCRIPTION": "Program portfolio management: portfolios, programs, projects, status and more.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set shared by several fields (programs and projects share
    # their statuses; gates use the project phases; issue severity and vendor risk rating share
    # their levels).
    "ENUM_NAME_OVERRIDES": {
        "LifecycleStatusEnum": "portfolio.models.Program.Status",
        "ProjectPhaseEnum": "projects.models.Project.Phase",
        "RiskLevelEnum": "budgets.models.Vendor.RiskRating",
        "ComputedHealthEnum": "reporting.models.Health",
        "AnalysisRunStatusEnum": "risks.models.AnalysisRun.Status",
        "DistributionEnum": "projects.models.uncertainty.Distribution",
    },
}

# --- Celery: a real broker when configured, otherwise tasks run in-process after commit. ---
# Reliability (docs/architecture.md, Roll-ups): a task is acknowledged only after it ran
# (acks_late) and handed back to the queue when its worker process dies (reject_on_worker_lost);
# a worker takes one task at a time (prefetch 1) so a long task does not hold others back.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Time limits, seconds: at the soft limit the task gets SoftTimeLimitExceeded (and may clean
# up), at the hard limit its process is killed. Long jobs (a full recompute, an import) carry
# KEEL_TASK_LONG_TIME_LIMIT instead (core.tasks.LONG_TASK).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
KEEL_TASK_LONG_TIME_LIMIT = env_int("KEEL_TASK_LONG_TIME_LIMIT", 3600)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT <= KEEL_TASK_LONG_TIME_LIMIT:
    raise ImproperlyConfigured(
        "Celery time limits must satisfy 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT "
        "<= KEEL_TASK_LONG_TIME_LIMIT."
    )
# Retries of tasks that failed on a database error (a restart, a dropped connection): up to
# KEEL_TASK_MAX_RETRIES times, waiting 1, 2, 4 … seconds (with jitter), at most
# KEEL_TASK_RETRY_BACKOFF_MAX seconds.
KEEL_TASK_MAX_RETRIES = env_int("KEEL_TASK_MAX_RETRIES", 5)
KEEL_TASK_RETRY_BACKOFF_MAX = env_int("KEEL_TASK_RETRY_BACKOFF_MAX", 300)
# Redis redelivers a message nobody acknowledged after the visibility timeout; it must exceed
# the longest task's hard limit, or a task still running is handed to a second worker.
_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * KEEL_TASK_LONG_TIME_LIMIT)
if _VISIBILITY_TIMEOUT <= KEEL_TASK_LONG_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be greater than KEEL_TASK_LONG_TIME_LIMIT.")
# Seconds to wait for the broker when sending. A write commits before it enqueues; with the
# broker down the enqueue gives up after about this long (the sweep catches up later), so a
# web request is never held up for long by a Redis outage.
_BROKER_TIMEOUT = env_int("CELERY_BROKER_TIMEOUT", 2)
CELERY_BROKER_CONNECTION_TIMEOUT = _BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "socket_connect_timeout": _BROKER_TIMEOUT,
    "socket_timeout": _BROKER_TIMEOUT,
    # One attempt per publish (kombu's own retries would multiply the wait).
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = _BROKER_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = _BROKER_TIMEOUT
# A worker started before Redis keeps trying to connect instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Old TaskRun rows are deleted after this many days (core.taskruns.taskruns_prune).
KEEL_TASKRUN_KEEP_DAYS = env_int("KEEL_TASKRUN_KEEP_DAYS", 30)

# --- Imports (budgets.imports): what an uploaded file may hold, checked while it is read, and
# how much a person may leave uploaded but not yet imported. ---
KEEL_IMPORT_MAX_UPLOAD_BYTES = env_int("KEEL_IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
KEEL_IMPORT_MAX_COLUMNS = env_int("KEEL_IMPORT_MAX_COLUMNS", 200)
KEEL_IMPORT_MAX_ROWS = env_int("KEEL_IMPORT_MAX_ROWS", 2_000_000)
KEEL_IMPORT_MAX_CELL_CHARS = env_int("KEEL_IMPORT_MAX_CELL_CHARS", 10_000)
KEEL_IMPORT_MAX_SHARED_STRINGS = env_int("KEEL_IMPORT_MAX_SHARED_STRINGS", 1_000_000)
KEEL_IMPORT_MAX_SHARED_STRINGS_BYTES = env_int("KEEL_IMPORT_MAX_SHARED_STRINGS_BYTES", 64 * 1024 * 1024)
KEEL_IMPORT_MAX_UNZIPPED_BYTES = env_int("KEEL_IMPORT_MAX_UNZIPPED_BYTES", 512 * 1024 * 1024)
KEEL_IMPORT_MAX_PARSE_SECONDS = env_int("KEEL_IMPORT_MAX_PARSE_SECONDS", 1800)
KEEL_IMPORT_MAX_PENDING_UPLOADS = env_int("KEEL_IMPORT_MAX_PENDING_UPLOADS", 5)
KEEL_IMPORT_MAX_PENDING_BYTES = env_int("KEEL_IMPORT_MAX_PENDING_BYTES", 400 * 1024 * 1024)
KEEL_IMPORT_ABANDONED_HOURS = env_int("KEEL_IMPORT_ABANDONED_HOURS", 24)
# Minutes during which the author of a comment may still edit it (collab.services.comments).
KEEL_COMMENT_EDIT_MINUTES = env_int("KEEL_COMMENT_EDIT_MINUTES", 15)
if KEEL_COMMENT_EDIT_MINUTES < 0:
    raise ImproperlyConfigured("KEEL_COMMENT_EDIT_MINUTES must be 0 or more (0: comments cannot be edited).")

# --- E-mail: notifications, digests and password resets go through Django's default mailer
# (MAILERS). SMTP is configured by EMAIL_URL (smtp://user:password@host:587?tls=1, smtps://…)
# or by KEEL_EMAIL_HOST, _PORT, _USER, _PASSWORD, _USE_TLS, _USE_SSL (each also read under its
# Django name, EMAIL_HOST…). Without any of them the embedded default (SQLite, no DATABASE_URL)
# and DEBUG print mail to the log (console backend), so a password reset is visible there;
# a PostgreSQL install without mail settings still uses SMTP on localhost:25, so production never
# drops mail silently into a log. ---
_CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"
_SMTP_MAIL = "django.core.mail.backends.smtp.EmailBackend"


def _mail_env(name: str) -> str:
    return env_str(f"KEEL_{name}", "") or env_str(name, "")


_EMAIL_URL = env_str("EMAIL_URL", "")
_mail_host = _mail_env("EMAIL_HOST")
_mail_default = _SMTP_MAIL if (_EMAIL_URL or _mail_host or (DATABASE_URL and not DEBUG)) else _CONSOLE_MAIL
_mail_backend = env_str("EMAIL_BACKEND", _mail_default)
if "." not in _mail_backend:
    raise ImproperlyConfigured(f"EMAIL_BACKEND={_mail_backend!r} is not a dotted path to an e-mail backend class.")
_mailer: dict = {"BACKEND": _mail_backend}
if _mail_backend == _SMTP_MAIL:
    if _EMAIL_URL:
        _mail_options = email_url(_EMAIL_URL)
    else:
        _mail_tls = env_bool("KEEL_EMAIL_USE_TLS", env_bool("EMAIL_USE_TLS", False))
        _mail_ssl = env_bool("KEEL_EMAIL_USE_SSL", env_bool("EMAIL_USE_SSL", False))
        if _mail_tls and _mail_ssl:
            raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive; set one of them.")
        _mail_options = {
            "host": _mail_host or "localhost",
            "port": env_int("KEEL_EMAIL_PORT", env_int("EMAIL_PORT", 25)),
            "username": _mail_env("EMAIL_USER") or _mail_env("EMAIL_HOST_USER"),
            "password": _mail_env("EMAIL_PASSWORD") or _mail_env("EMAIL_HOST_PASSWORD"),
            "use_tls": _mail_tls,
            "use_ssl": _mail_ssl,
        }
    _mailer["OPTIONS"] = {**_mail_options, "timeout": env_int("EMAIL_TIMEOUT", 10)}
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = env_str("KEEL_EMAIL_FROM", "") or env_str("DEFAULT_FROM_EMAIL", "Keel <keel@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint (the PDF reports) logs a line per page laid out at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
