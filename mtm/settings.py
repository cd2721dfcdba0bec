"""The only settings module: every knob comes from the environment, with dev-safe defaults."""

from pathlib import Path

import django_stubs_ext
import environ
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

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_celery_beat",
    "surveys",
    "validation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
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
    "validation.quota_tasks",
    "validation.corrections.tasks",
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
MTM_NOTIFY_TIMEOUT_S = _number("MTM_NOTIFY_TIMEOUT_S", 10, minimum=0.1)
MTM_NOTIFY_LEASE_S = int(_number("MTM_NOTIFY_LEASE_S", 120, minimum=1))
MTM_NOTIFY_MAX_RETRIES = int(_number("MTM_NOTIFY_MAX_RETRIES", 8))
MTM_NOTIFY_BACKOFF_S = int(_number("MTM_NOTIFY_BACKOFF_S", 30, minimum=1))
# Where background exports (cleaning log, clean dataset) are written until downloaded.
MTM_EXPORT_DIR = BASE_DIR / env.str("MTM_EXPORT_DIR", default="var/exports")  # absolute wins
# A quota is "nearly full" from this share of its target on (alerts to supervisors).
MTM_QUOTA_NEAR_FULL = _number("MTM_QUOTA_NEAR_FULL", 0.9, minimum=0.01)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "mtm.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
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
    "loggers": {"urllib3": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
MTM_RECONCILE_INTERVAL_S = int(_number("MTM_RECONCILE_INTERVAL_S", 900))
