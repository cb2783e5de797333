"""Keel settings: one module, driven by environment variables (see `.env.example`).

With nothing set, Keel runs the embedded default: SQLite in `KEEL_DATA_DIR` and Celery tasks
executed in-process after commit. Set DATABASE_URL and CELERY_BROKER_URL for PostgreSQL and
real workers. A bad value stops start-up with a message naming the variable.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import email_url, env_bool, env_int, env_list, env_str, oidc_role_map

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
    "core.apps.KeelAdminConfig",  # Django's admin; audited rows read-only (core.admin_site)
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
    # Login throttling and lock-out (failed attempts kept in the database: AccessAttempt).
    "axes",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp",
    "core",
    "portfolio",
    "projects",
    "budgets",
    "risks",
    "staffing",
    "governance",
    # Above the domains: comments, mentions, attachments and activity feeds on their objects.
    "collab",
    # Above the domains: user administration (invitations, roles, deactivation) and single sign-on.
    "access",
    # Above the domains: outbound webhooks (listens to core.events) and the readable audit log.
    "integrations",
    "history",
    # Above the domains: scenarios, scoring and the optimiser that decide the portfolio.
    "planning",
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
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
# --- Sign-in: passwords (Django's ModelBackend) and, when KEEL_OIDC_CLIENT_ID is set, OpenID
# Connect single sign-on (access.oidc, on mozilla-django-oidc). KEEL_PASSWORD_LOGIN=0 leaves SSO
# as the only way to sign in to the pages; API tokens keep working either way. ---
KEEL_PASSWORD_LOGIN = env_bool("KEEL_PASSWORD_LOGIN", True)
KEEL_OIDC_CLIENT_ID = env_str("KEEL_OIDC_CLIENT_ID", "")
KEEL_SSO_ENABLED = bool(KEEL_OIDC_CLIENT_ID)
KEEL_OIDC_ISSUER = env_str("KEEL_OIDC_ISSUER", "").rstrip("/")
KEEL_OIDC_LABEL = env_str("KEEL_OIDC_LABEL", "Sign in with single sign-on")
KEEL_OIDC_GROUPS_CLAIM = env_str("KEEL_OIDC_GROUPS_CLAIM", "groups")
KEEL_OIDC_ROLE_MAP = oidc_role_map(env_str("KEEL_OIDC_ROLE_MAP", ""))
OIDC_RP_CLIENT_ID = KEEL_OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = env_str("KEEL_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = env_str("KEEL_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env_str("KEEL_OIDC_SIGN_ALGO", "RS256")
# Explicit endpoints; any left empty are read from the issuer's discovery document
# ({KEEL_OIDC_ISSUER}/.well-known/openid-configuration) at the first sign-in.
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("KEEL_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("KEEL_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("KEEL_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("KEEL_OIDC_JWKS_ENDPOINT", "")
OIDC_TIMEOUT = env_int("KEEL_OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "access:oidc-callback"
OIDC_USE_PKCE = True
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
if KEEL_SSO_ENABLED:
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("KEEL_OIDC_CLIENT_ID is set but KEEL_OIDC_CLIENT_SECRET is not.")
    _missing = [
        name
        for name, value in (
            ("KEEL_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("KEEL_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("KEEL_OIDC_USERINFO_ENDPOINT", OIDC_OP_USER_ENDPOINT),
            ("KEEL_OIDC_JWKS_ENDPOINT", OIDC_OP_JWKS_ENDPOINT),
        )
        if not value
    ]
    if _missing and not KEEL_OIDC_ISSUER:
        raise ImproperlyConfigured(f"Single sign-on needs KEEL_OIDC_ISSUER or {', '.join(_missing)}.")
    if "openid" not in OIDC_RP_SCOPES.split():
        raise ImproperlyConfigured("KEEL_OIDC_SCOPES must include 'openid'.")
if not KEEL_PASSWORD_LOGIN and not KEEL_SSO_ENABLED:
    raise ImproperlyConfigured(
        "KEEL_PASSWORD_LOGIN=0 needs single sign-on (KEEL_OIDC_CLIENT_ID) or nobody could sign in."
    )
# django-axes checks every login that passes a request to authenticate() (the login page, the
# admin's, any session login) before the other backends do.
AUTHENTICATION_BACKENDS = [
    "core.auth_backends.LockoutBackend",  # django-axes: refuses a locked-out log-in
    *(["django.contrib.auth.backends.ModelBackend"] if KEEL_PASSWORD_LOGIN else []),
    *(["access.oidc.KeelOIDCBackend"] if KEEL_SSO_ENABLED else []),
]
# Invitation links (access.services) work once, for this many hours.
KEEL_INVITATION_HOURS = env_int("KEEL_INVITATION_HOURS", 72)
if KEEL_INVITATION_HOURS < 1:
    raise ImproperlyConfigured("KEEL_INVITATION_HOURS must be at least 1.")
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

# Portfolio planning: how long the optimiser may search a scenario by default, in seconds, and
# the most a user may ask for (a run past the limit returns the best plan found so far).
KEEL_PLANNING_TIME_LIMIT = env_int("KEEL_PLANNING_TIME_LIMIT", 30)
KEEL_PLANNING_TIME_LIMIT_MAX = 600
if not 1 <= KEEL_PLANNING_TIME_LIMIT <= KEEL_PLANNING_TIME_LIMIT_MAX:
    raise ImproperlyConfigured(f"KEEL_PLANNING_TIME_LIMIT must be 1 to {KEEL_PLANNING_TIME_LIMIT_MAX} seconds.")

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

# --- Content-Security-Policy (django-csp) and Permissions-Policy, on every response. Scripts only
# from Keel itself: no page has an inline script (the API docs use drf-spectacular's split view,
# whose start-up script is a URL); a nonce is added where a template asks for one ({{ request.csp_nonce }}).
# Styles allow 'unsafe-inline': server-drawn SVG charts, htmx's indicator styles and Swagger UI set
# style attributes, and a style cannot run code. data:/blob: images for Swagger UI's icons and
# downloads; Redoc's worker runs from a blob:. ---
from csp.constants import NONCE, NONE, SELF  # noqa: E402

KEEL_CSP_REPORT_URI = env_str("KEEL_CSP_REPORT_URI", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": [KEEL_CSP_REPORT_URI]} if KEEL_CSP_REPORT_URI else {}),
    },
}
# Browser features no Keel page uses are switched off for the page and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), fullscreen=(self)"
)

# --- Brute force: login lock-out (django-axes) and API throttles (DRF), both from the environment.
# A username is locked out from one address after KEEL_LOGIN_MAX_FAILURES wrong passwords in a
# row, for KEEL_LOGIN_COOLOFF_MINUTES; a successful login clears the count. ---
KEEL_LOGIN_MAX_FAILURES = env_int("KEEL_LOGIN_MAX_FAILURES", 5)
KEEL_LOGIN_COOLOFF_MINUTES = env_int("KEEL_LOGIN_COOLOFF_MINUTES", 15)
if KEEL_LOGIN_MAX_FAILURES < 1:
    raise ImproperlyConfigured("KEEL_LOGIN_MAX_FAILURES must be at least 1.")
if KEEL_LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("KEEL_LOGIN_COOLOFF_MINUTES must be at least 1 (minutes).")
AXES_ENABLED = env_bool("KEEL_LOGIN_LOCKOUT", True)
AXES_FAILURE_LIMIT = KEEL_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=KEEL_LOGIN_COOLOFF_MINUTES)
# Username and address together: someone elsewhere cannot lock a colleague out by guessing.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock-out page (templates/registration/locked_out.html), 429 with Retry-After.
AXES_LOCKOUT_CALLABLE = "core.views.login_locked_out"
AXES_VERBOSE = False
# The client's address: X-Forwarded-For only behind a proxy that sets it (BEHIND_PROXY), never
# a header anybody can send.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if env_bool("BEHIND_PROXY", False) else ("REMOTE_ADDR",)
)


def _throttle_rate(name: str, default: str) -> str:
    value = env_str(name, default).strip()
    number, _, period = value.partition("/")
    if not number.isdigit() or int(number) < 1 or period not in ("second", "minute", "hour", "day"):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate like 600/minute (per second, minute, hour or day).")
    return value


# Requests per period: per signed-in user (session or token), per token, per client address
# without credentials, and wrong tokens per client address (then every token from it gets a 429
# until the period is over). Counted in the cache (CACHES): shared by every worker with Redis.
KEEL_API_THROTTLE_RATES = {
    "user": _throttle_rate("KEEL_API_THROTTLE_USER", "1200/minute"),
    "token": _throttle_rate("KEEL_API_THROTTLE_TOKEN", "600/minute"),
    "anon": _throttle_rate("KEEL_API_THROTTLE_ANON", "60/minute"),
    "bad_token": _throttle_rate("KEEL_API_THROTTLE_BAD_TOKENS", "20/hour"),
}

# API tokens may be given an expiry at most this many days ahead (or none at all).
KEEL_API_TOKEN_MAX_DAYS = env_int("KEEL_API_TOKEN_MAX_DAYS", 366)
if not 1 <= KEEL_API_TOKEN_MAX_DAYS <= 3650:
    raise ImproperlyConfigured("KEEL_API_TOKEN_MAX_DAYS must be between 1 and 3650.")

# --- Cache: the throttles' counters. Redis (KEEL_CACHE_URL, else REDIS_URL) shares them across
# gunicorn workers; without either, each process counts in its own memory (the embedded default:
# one process). ---
_CACHE_URL = env_str("KEEL_CACHE_URL", "") or env_str("REDIS_URL", "")
if _CACHE_URL:
    if not _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("KEEL_CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "keel",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "keel"}}

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Last: counts requests that carry no credentials (KEEL_API_THROTTLE_ANON).
        "core.authentication.AnonymousThrottleAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",  # a body nested too deeply is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.KnownQueryParamsFilter",  # first: 400 for a parameter the list does not know
        "core.filters.FilterBackend",  # django-filter's, skipped when no filter parameter is sent
        "core.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.KeelPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.schema.KeelAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Rates: KEEL_API_THROTTLE_RATES (read when a request is checked, so tests may change them).
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttles.UserThrottle",
        "core.throttles.TokenThrottle",
    ],
    # The client address for the throttles: REMOTE_ADDR, or the proxy's X-Forwarded-For entry.
    "NUM_PROXIES": 1 if env_bool("BEHIND_PROXY", False) else 0,
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
    # The schemes a client can use; the anonymous-throttle step (last authentication class)
    # authenticates nobody and is not one.
    "AUTHENTICATION_WHITELIST": [
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
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
        "ApiTokenScopeEnum": "core.models.ApiToken.Scope",
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
# --- Bulk API (core.bulk): the most rows and bytes one POST to a /bulk/ endpoint may carry
# (a bigger body answers 413 before it is read), and how long an Idempotency-Key's answer is
# kept for replay (the beat job core.idempotency_prune deletes older ones). ---
KEEL_BULK_MAX_ROWS = env_int("KEEL_BULK_MAX_ROWS", 1000)
KEEL_BULK_MAX_BYTES = env_int("KEEL_BULK_MAX_BYTES", 2 * 1024 * 1024)
KEEL_IDEMPOTENCY_HOURS = env_int("KEEL_IDEMPOTENCY_HOURS", 24)
if KEEL_BULK_MAX_ROWS < 1 or KEEL_BULK_MAX_BYTES < 1 or KEEL_IDEMPOTENCY_HOURS < 1:
    raise ImproperlyConfigured("KEEL_BULK_MAX_ROWS, KEEL_BULK_MAX_BYTES and KEEL_IDEMPOTENCY_HOURS must be 1 or more.")
# Django refuses a body past DATA_UPLOAD_MAX_MEMORY_SIZE before the bulk endpoint can answer.
if globals().get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440) < KEEL_BULK_MAX_BYTES:
    raise ImproperlyConfigured("KEEL_BULK_MAX_BYTES must not exceed DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default).")
# --- Webhooks (integrations): where they may be sent and how hard delivery tries. ---
# Allow targets that resolve to loopback, private, link-local or reserved addresses (and plain
# http without DEBUG): off by default so a subscription cannot probe the internal network (SSRF).
KEEL_WEBHOOK_ALLOW_PRIVATE = env_bool("KEEL_WEBHOOK_ALLOW_PRIVATE", False)
# Attempts per delivery before it is marked failed; the waits between them double from the base.
KEEL_WEBHOOK_MAX_ATTEMPTS = env_int("KEEL_WEBHOOK_MAX_ATTEMPTS", 6)
KEEL_WEBHOOK_BACKOFF_SECONDS = env_int("KEEL_WEBHOOK_BACKOFF_SECONDS", 30)
# Seconds to connect and to wait for the receiver's answer (each).
KEEL_WEBHOOK_TIMEOUT_SECONDS = env_int("KEEL_WEBHOOK_TIMEOUT_SECONDS", 10)
# Hours a rotated-out secret still signs deliveries beside the new one.
KEEL_WEBHOOK_SECRET_GRACE_HOURS = env_int("KEEL_WEBHOOK_SECRET_GRACE_HOURS", 24)
for _name in ("KEEL_WEBHOOK_MAX_ATTEMPTS", "KEEL_WEBHOOK_BACKOFF_SECONDS", "KEEL_WEBHOOK_TIMEOUT_SECONDS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")
if KEEL_WEBHOOK_SECRET_GRACE_HOURS < 0:
    raise ImproperlyConfigured("KEEL_WEBHOOK_SECRET_GRACE_HOURS must be 0 or more (0: no grace period).")

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
