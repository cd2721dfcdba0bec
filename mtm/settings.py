"""The only settings module: every knob comes from the environment, with dev-safe defaults."""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def _bool(name: str, default: bool) -> bool:
    """Read a strict boolean: only True/False, so a typo can't silently flip production."""
    raw = env.str(name, default=str(default))
    if raw not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, got {raw!r}")
    return raw == "True"


def _number(name: str, default: float, *, minimum: float = 0) -> float:
    raw = env.str(name, default=str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {raw!r}")
    return value


DEBUG = _bool("DJANGO_DEBUG", True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if DEBUG:
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (at least 32 characters) when DJANGO_DEBUG=False"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=False")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The key of respondents' keyed hashes (phone, name), apart from SECRET_KEY so rotating one
# does not rotate the other. Changing it changes every hash: duplicate detection then
# compares on the new key only (the hashes are recomputed on each quality run, never stored).
MTM_HASH_KEY = env.str("MTM_HASH_KEY", default="")
if DEBUG:
    MTM_HASH_KEY = MTM_HASH_KEY or "dev-only-respondent-hash-key-do-not-use-in-production"
elif len(MTM_HASH_KEY) < 32:
    raise ImproperlyConfigured(
        "MTM_HASH_KEY must be set (at least 32 characters) when DJANGO_DEBUG=False"
    )
elif MTM_HASH_KEY == SECRET_KEY:
    raise ImproperlyConfigured("MTM_HASH_KEY must differ from DJANGO_SECRET_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",  # login lockout (mtm/lockout.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_celery_beat",
    "surveys",
    "validation",
]
# The demo and the fake KoBo (demo/) are left out of the production image: install them only
# where the package is present, so the same settings boot both.
if (BASE_DIR / "demo" / "apps.py").is_file():
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mtm.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked log-in into the lockout page
]

ROOT_URLCONF = "mtm.urls"
WSGI_APPLICATION = "mtm.wsgi.application"

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

try:
    DATABASES = {"default": env.db_url("DATABASE_URL", default="sqlite:///db.sqlite3")}
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
):
    raise ImproperlyConfigured(
        "DATABASE_URL must be postgres://user@host:port/name or sqlite:///path, "
        f"not {DATABASES['default']['ENGINE']!r}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    name = str(DATABASES["default"]["NAME"])
    if name and name != ":memory:" and not Path(name).is_absolute():
        DATABASES["default"]["NAME"] = str(BASE_DIR / name)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "mtm" / "locale"]  # mtm is no app: its wording is found here
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
LOGIN_URL = "admin:login"


# Celery: no broker configured means tasks run in-process (zero-config first run).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(_number("CELERY_TASK_SOFT_TIME_LIMIT_S", 600, minimum=1))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacked task after this many seconds; longer than the hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 300}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Each task on the queue of its work: a long validation never delays a message, and so on.
CELERY_TASK_ROUTES = {
    "surveys.tasks.*": {"queue": "sync"},
    "validation.tasks.*": {"queue": "validation"},  # validation, the sweep, quality checks
    "validation.corrections.tasks.*": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Task modules outside an app's tasks.py (autodiscovery finds only those).
CELERY_IMPORTS = (
    "validation.exports.tasks",
    "validation.quotas.tasks",
    "validation.retention.tasks",
    "validation.corrections.tasks",
    "surveys.imports.tasks",
)

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# KoBo: the bundled fake server for the demo unless a real one is configured.
KOBO_URL = env.str("KOBO_URL", default="http://127.0.0.1:8765")
_token_file = env.str("KOBO_TOKEN_FILE", default="")
if _token_file:
    try:
        KOBO_TOKEN = Path(_token_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"KOBO_TOKEN_FILE cannot be read: {exc.strerror}") from None
else:
    KOBO_TOKEN = env.str("KOBO_TOKEN", default="demo-token")
KOBO_CONNECT_TIMEOUT_S = _number("KOBO_CONNECT_TIMEOUT_S", 5, minimum=0.1)
KOBO_TIMEOUT_S = _number("KOBO_TIMEOUT_S", 130, minimum=0.1)
KOBO_PAGE_SIZE = int(_number("KOBO_PAGE_SIZE", 1000, minimum=1))
if KOBO_PAGE_SIZE > 1000:
    raise ImproperlyConfigured("KOBO_PAGE_SIZE must be at most 1000 (KoBo's page cap)")
KOBO_RETRIES = int(_number("KOBO_RETRIES", 3))
MTM_SYNC_INTERVAL_S = int(_number("MTM_SYNC_INTERVAL_S", 300, minimum=10))
MTM_SYNC_OVERLAP_IDS = int(_number("MTM_SYNC_OVERLAP_IDS", 200))
# A sync renews its form's lease with every page; one silent this long is taken for dead.
MTM_SYNC_LEASE_S = int(_number("MTM_SYNC_LEASE_S", 120, minimum=10))
# Rows left needs_validation this long (a lost queue message) are queued again by a sweep.
MTM_VALIDATION_SWEEP_AGE_S = int(_number("MTM_VALIDATION_SWEEP_AGE_S", 300, minimum=10))
MTM_CORRECTION_DEADLINE_H = int(_number("MTM_CORRECTION_DEADLINE_H", 48, minimum=1))
# Correction notifications. Links in messages point at MTM_PUBLIC_URL; an HTTP channel is on
# only when configured. A claimed send is retried by another worker once its lease expires.
MTM_PUBLIC_URL = env.str("MTM_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
MTM_TELEGRAM_BOT_TOKEN = env.str("MTM_TELEGRAM_BOT_TOKEN", default="")
MTM_TELEGRAM_API_URL = env.str("MTM_TELEGRAM_API_URL", default="https://api.telegram.org")
MTM_NOTIFY_WEBHOOK_URL = env.str("MTM_NOTIFY_WEBHOOK_URL", default="")
MTM_NOTIFY_WEBHOOK_SECRET = env.str("MTM_NOTIFY_WEBHOOK_SECRET", default="")
if MTM_NOTIFY_WEBHOOK_URL and not MTM_NOTIFY_WEBHOOK_SECRET.strip():
    # An unsigned webhook could be forged or replayed by anyone who learns the URL.
    raise ImproperlyConfigured(
        "MTM_NOTIFY_WEBHOOK_SECRET must be set when MTM_NOTIFY_WEBHOOK_URL is: every webhook is "
        "signed (X-MTM-Signature over X-MTM-Timestamp and the body; see the README)"
    )
MTM_NOTIFY_TIMEOUT_S = _number("MTM_NOTIFY_TIMEOUT_S", 10, minimum=0.1)
MTM_NOTIFY_LEASE_S = int(_number("MTM_NOTIFY_LEASE_S", 120, minimum=1))
MTM_NOTIFY_MAX_RETRIES = int(_number("MTM_NOTIFY_MAX_RETRIES", 8))
MTM_NOTIFY_BACKOFF_S = int(_number("MTM_NOTIFY_BACKOFF_S", 30, minimum=1))
# Where background exports (cleaning log, clean dataset) are written until downloaded.
MTM_EXPORT_DIR = BASE_DIR / env.str("MTM_EXPORT_DIR", default="var/exports")  # absolute wins
# A running export renews its lease with its progress; one silent this long is taken for dead
# and re-queued by the sweep, at most MTM_EXPORT_MAX_ATTEMPTS builds in all. A queued export
# no worker took within MTM_EXPORT_REQUEUE_S (a lost message, a broker outage) is sent again.
MTM_EXPORT_LEASE_S = int(_number("MTM_EXPORT_LEASE_S", 300, minimum=10))
MTM_EXPORT_REQUEUE_S = int(_number("MTM_EXPORT_REQUEUE_S", 600, minimum=10))
MTM_EXPORT_MAX_ATTEMPTS = int(_number("MTM_EXPORT_MAX_ATTEMPTS", 3, minimum=1))
# A quota is "nearly full" from this share of its target on (alerts to supervisors).
MTM_QUOTA_NEAR_FULL = _number("MTM_QUOTA_NEAR_FULL", 0.9, minimum=0.01)
# Imports (locations, quotas, teams, enumerators): the largest upload accepted; files with more
# rows than MTM_IMPORT_BACKGROUND_ROWS are imported by a worker with progress (all or nothing),
# whose lease lapses after MTM_IMPORT_LEASE_S without a progress write (then re-runnable).
MTM_IMPORT_MAX_BYTES = int(_number("MTM_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024))
MTM_IMPORT_BACKGROUND_ROWS = int(_number("MTM_IMPORT_BACKGROUND_ROWS", 1000, minimum=1))
MTM_IMPORT_LEASE_S = int(_number("MTM_IMPORT_LEASE_S", 120, minimum=10))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with a WWW-Authenticate header.
        "mtm.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "mtm.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["mtm.api_filters.FilterBackend"],  # integer filters bounded
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mtm.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mtm-qc API",
    "VERSION": "1.0.0",
    # Swagger UI from the installed sidecar package: the docs work offline (Redoc's template
    # pulls web fonts, so it is not routed).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="mtm-qc@localhost")
# Where the file backend writes (DJANGO_EMAIL_BACKEND=...filebased.EmailBackend); the demo
# uses it so a returned interview's message can be read offline. Relative to the project.
EMAIL_FILE_PATH = BASE_DIR / env.str("DJANGO_EMAIL_FILE_PATH", default="var/mail")
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = int(_number("DJANGO_EMAIL_PORT", 25, minimum=1))
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(_number("DJANGO_EMAIL_TIMEOUT_S", 10, minimum=1))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # urllib3 logs full request URLs at DEBUG; keep it quiet so nothing sensitive leaks.
    # axes: lockouts and failures are warnings; its per-request INFO lines are noise.
    "loggers": {"urllib3": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Ways in: lockout per account and per address (mtm/lockout.py), expiring API tokens
# (mtm/tokens.py). Axes reads its own AXES_* names; the MTM_* ones are what operators set.
AUTHENTICATION_BACKENDS = [
    "mtm.lockout.LockoutBackend",  # first: a locked account or address is refused unchecked
    "django.contrib.auth.backends.ModelBackend",
]
MTM_LOGIN_FAILURES_PER_USER = int(_number("MTM_LOGIN_FAILURES_PER_USER", 5, minimum=1))
MTM_LOGIN_FAILURES_PER_ADDRESS = int(_number("MTM_LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1))
MTM_LOGIN_COOLOFF_MIN = _number("MTM_LOGIN_COOLOFF_MIN", 15, minimum=1)
AXES_HANDLER = "mtm.lockout.LoginAttemptHandler"
AXES_FAILURE_LIMIT = MTM_LOGIN_FAILURES_PER_USER
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=MTM_LOGIN_COOLOFF_MIN)
AXES_RESET_ON_SUCCESS = True  # the account's own failures only (LoginAttemptHandler)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock ends on time, however hammered
AXES_LOCKOUT_CALLABLE = "mtm.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mtm.lockout.client_address"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
MTM_API_TOKEN_TTL_DAYS = int(_number("MTM_API_TOKEN_TTL_DAYS", 90, minimum=1))
MTM_API_TOKEN_FAILURES_PER_ADDRESS = int(
    _number("MTM_API_TOKEN_FAILURES_PER_ADDRESS", 20, minimum=1)
)
MTM_API_DOCS_PUBLIC = _bool("MTM_API_DOCS_PUBLIC", False)  # /api/schema/ and /api/docs/

# Behind N reverse proxies of our own (TLS ends there): trust their X-Forwarded-Proto and take
# the client address from X-Forwarded-For. Off by default, as a client can forge both.
DJANGO_PROXY_COUNT = int(_number("DJANGO_PROXY_COUNT", 0))
if DJANGO_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SESSION_COOKIE_SECURE = _bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]  # the container's plain-HTTP health probe
    SECURE_HSTS_SECONDS = int(_number("DJANGO_HSTS_SECONDS", 31_536_000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)

# Content-Security-Policy (django-csp): scripts only from our own files or with the response's
# nonce ({{ request.csp_nonce }}); inline styles stay allowed, as the admin's widgets and our
# bars set style attributes, and a style cannot run code.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # the admin's and Swagger UI's inline SVG icons
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env.str("MTM_CSP_REPORT_URI", default=""):
    _CSP["DIRECTIVES"]["report-uri"] = [env.str("MTM_CSP_REPORT_URI")]
if _bool("MTM_CSP_REPORT_ONLY", False):  # try a policy out: browsers report, block nothing
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
MTM_RECONCILE_INTERVAL_S = int(_number("MTM_RECONCILE_INTERVAL_S", 900))
