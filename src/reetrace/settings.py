"""The single Django settings module; every deployment choice comes from conf.py."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from reetrace.conf import CONFIG

BASE_DIR = Path(__file__).resolve().parent
CONFIG.var_dir.mkdir(parents=True, exist_ok=True)

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "reetrace.core",
    "reetrace.accounts",
    "reetrace.audit",
    "reetrace.registry",
    "reetrace.ledger",
    "reetrace.trace",
    "reetrace.reporting",
    "reetrace.compliance",
    "reetrace.exportcontrol",
    "reetrace.reconciliation",
    "reetrace.synth",
    "reetrace.portal",
    "reetrace.lake",
    "reetrace.epcis",
    "reetrace.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "reetrace.core.headers.ContentSecurityPolicyMiddleware",
    "reetrace.core.limits.RequestLimitsMiddleware",
    "reetrace.core.text.ControlCharacterMiddleware",
    "reetrace.core.routing.ReplicaPinMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reetrace.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "reetrace.urls"
WSGI_APPLICATION = "reetrace.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
            ],
        },
    },
]


def database_settings(url: str, *, prepared_statements: bool = True) -> dict:
    """Django DATABASES entry for a URL, with the SQLite pragmas reetrace relies on."""
    database = dj_database_url.parse(url, conn_max_age=60)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the single writer; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue instead of failing mid-batch.
        # Connections persist as on PostgreSQL: a new one per request re-read the
        # schema and started with a cold page cache (an API read took 4x as long).
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    elif database["ENGINE"] == "django.db.backends.postgresql" and prepared_statements:
        database["OPTIONS"] = postgres_options(database.get("OPTIONS", {}))
    return database


def postgres_options(options: dict) -> dict:
    """Connection settings for genealogy's prepared trace statements.

    JIT pays off for long analytic scans, not for a ledger's statements of a few
    ms: a recursive trace's row estimate is a guess that can cross
    `jit_above_cost`, and compiling then costs 25-30 ms. Django binds parameters
    on the client and prepares nothing, so the generic-plan mode touches only
    statements prepared on purpose (a trace's generic plan is as good as a custom
    one, and planning it cost more than running it). A prepare threshold of None,
    Django's default, would refuse even those. Behind a pooler that cannot carry
    prepared statements or startup options, set REETRACE_PREPARED_STATEMENTS=0.
    """
    startup = " ".join(
        part
        for part in (options.get("options", ""), "-c jit=off -c plan_cache_mode=force_generic_plan")
        if part
    )
    return {**options, "options": startup, "prepare_threshold": 5}


DATABASES = {
    "default": database_settings(
        CONFIG.database_url, prepared_statements=CONFIG.prepared_statements
    )
}
if CONFIG.replica_url:
    # Heavy regulator reads on a streaming replica (core/routing.py says which).
    DATABASES["replica"] = database_settings(
        CONFIG.replica_url, prepared_statements=CONFIG.prepared_statements
    ) | {"TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["reetrace.core.routing.ReplicaRouter"]
REETRACE_REPLICA_PIN_SECONDS = CONFIG.replica_pin_seconds
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Headers and cookies: frame denial, nosniff, same-origin referrers always; behind TLS
# (REETRACE_TLS=1) secure cookies, HSTS and the redirect to https as well.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if CONFIG.tls:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# A JSON body (a batch of up to 5,000 events) may be up to 16 MiB; more is a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# Sign-in throttling (accounts/throttle.py): failures per user name and per address.
REETRACE_SIGNIN_WINDOW_SECONDS = 15 * 60
REETRACE_SIGNIN_MAX_FAILURES_PER_USER = 5
REETRACE_SIGNIN_MAX_FAILURES_PER_ADDRESS = 20

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.var_dir / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves `collectstatic` output from here
MEDIA_ROOT = CONFIG.var_dir / "uploads"
LOGIN_URL = "portal:login"

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# EPCIS webhook callbacks: attempts per report, the wait before the second attempt
# (doubling after each failure) and each request's timeout.
REETRACE_WEBHOOK_ATTEMPTS = 4
REETRACE_WEBHOOK_BACKOFF_SECONDS = 2.0
REETRACE_WEBHOOK_TIMEOUT_SECONDS = 10.0
REETRACE_EPCIS_WEBHOOK_PRIVATE_OK = CONFIG.epcis_webhook_private_ok

REETRACE_REPORT_DEADLINE_DAY = CONFIG.report_deadline_day
REETRACE_SPARK_MASTER = CONFIG.spark_master
REETRACE_CLOCK_SKEW_SECONDS = CONFIG.clock_skew_seconds
REETRACE_PREPARED_STATEMENTS = CONFIG.prepared_statements
REETRACE_VAR_DIR = CONFIG.var_dir
REETRACE_CHECKPOINT_KEY = CONFIG.checkpoint_key
REETRACE_EVENT_TIME_FLOOR = CONFIG.event_time_floor

# Server errors go to stderr (the server's log) whatever DEBUG is: Django's default
# would only mail them to ADMINS, and a 500 nobody sees is never fixed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
