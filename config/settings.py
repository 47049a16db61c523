"""Doorstep settings, read from the environment (README.md lists every variable).

Nothing configured gives the embedded default of DESIGN §7: SQLite in WAL mode, the database
cache, Celery on kombu's filesystem transport under var/, SMS to the console. DOORSTEP_ENV=production
refuses to start without the secrets and addresses a real deployment needs, and refuses values
that cannot work (a database that is not PostgreSQL, a malformed Redis address, a key that is not
a key). Importing this module reads the environment and nothing else: it creates no folder and
sets no variable (the runtime folders are made at start-up, config/apps.py).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_fernet_keys,
    env_float,
    env_hhmm,
    env_hmac_key,
    env_http_url,
    env_int,
    env_list,
    env_redis_url,
    env_required,
    env_secret_key,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Runtime files (the SQLite database, the filesystem broker's folders, beat's schedule, collected
# static files, uploads) live here; config/apps.py creates the folders at start-up.
VAR_DIR = Path(env_str("DOORSTEP_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_choice("DOORSTEP_ENV", ("development", "production"), "development")
PRODUCTION = ENVIRONMENT == "production"

if PRODUCTION:
    SECRET_KEY = env_secret_key("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set: the host names this site answers to")
    env_required("PUBLIC_BASE_URL", "SMS links and webhooks are built from it")
    DEBUG = env_bool("DEBUG", False)
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be false in production")
else:
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-doorstep-development-only-key-not-for-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
    # pytest-django turns DEBUG off for the tests whatever this says.
    DEBUG = env_bool("DEBUG", True)

PUBLIC_BASE_URL = env_http_url("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "residents",
    "desks",
    "requests",
    # Start-up: runtime folders, the SMS backend's import (config/apps.py).
    "config.apps.DoorstepConfig",
]

MIDDLEWARE = [
    # X-Forwarded-Proto only from TRUSTED_PROXIES (before SecurityMiddleware asks is_secure()).
    "config.middleware.ForwardedProtoFromTrustedProxies",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
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
                "django.template.context_processors.i18n",
                "requests.context_processors.inbox",  # the inbox badge in the navigation
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if PRODUCTION and not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL must be set in production: postgres://user:password@host:5432/doorstep"
    )
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from None
    if PRODUCTION and (
        DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not DATABASES["default"]["NAME"]
    ):
        raise ImproperlyConfigured(
            "DATABASE_URL must name a PostgreSQL database in production: "
            "postgres://user:password@host:5432/doorstep"
        )
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "doorstep.sqlite3",
            # Tests that cross processes (a worker, a live server) need a file, not :memory:.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside the one writer,
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
ATOMIC_REQUESTS = False  # services open their own transactions (STYLE.md)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery broker --------------------------------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL")
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production: redis://host:6379/0 (Celery's broker and the cache; "
        "the filesystem broker does not reach other machines)"
    )
# The queue name and the key prefix in Redis and the cache. Two installations sharing one Redis
# give each its own; the test suite gives each run its own (tests/settings.py), and passes it to
# the worker it starts.
RUN_ID = env_str("DOORSTEP_RUN_ID", "doorstep")
BROKER_TIMEOUT = env_float("BROKER_TIMEOUT", 2.0, minimum=0.1)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": RUN_ID,
            "OPTIONS": {"socket_timeout": BROKER_TIMEOUT, "socket_connect_timeout": BROKER_TIMEOUT},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": BROKER_TIMEOUT,
        "socket_connect_timeout": BROKER_TIMEOUT,
        "global_keyprefix": f"{RUN_ID}:",
        "visibility_timeout": 3600,
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{RUN_ID}:"}
    CELERY_REDIS_SOCKET_TIMEOUT = BROKER_TIMEOUT
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "doorstep_cache",
            "KEY_PREFIX": RUN_ID,
        }
    }
    CELERY_FILESYSTEM_DIR = VAR_DIR / "celery" / RUN_ID
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "config.fsbroker:Transport"  # kombu's, with an atomic publish
    CELERY_RESULT_BACKEND = f"file://{CELERY_FILESYSTEM_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "store_processed": False,
        # kombu looks at the folder again this long after finding it empty — and, with one task
        # prefetched and acknowledged late, after every task: its default (1 s) made the worker
        # take one task a second, so a backlog (the demo's) kept a new acknowledgement waiting.
        "polling_interval": 0.1,
    }

CELERY_TASK_DEFAULT_QUEUE = RUN_ID
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # tasks write to the database; results are opt-in per task
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
# Publishing happens on the request path: a hung broker must cost seconds, never hang a page.
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / f"celerybeat-schedule-{RUN_ID}")
# How often beat runs the sweeps (reminders, SMS outbox): every minute in production; every 15 s
# in development, so the demo's reminders show within a minute of `make run`; tests shorten it.
SWEEP_INTERVAL_SECONDS = env_float("SWEEP_INTERVAL_SECONDS", 15.0 if DEBUG else 60.0, minimum=1.0)
# Beat's schedule lives here, in code: a few idempotent sweeps, each a thin task.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "doorstep.heartbeat", "schedule": SWEEP_INTERVAL_SECONDS},
    # Plan every active route's sessions for the coming weeks (idempotent), each night at 02:00.
    "desk-sessions": {"task": "desks.generate_sessions", "schedule": crontab(hour=2, minute=0)},
    # Close the sessions nobody closed on their day, just after midnight (idempotent).
    "desk-sessions-left-open": {"task": "desks.close_left_open", "schedule": crontab(hour=0, minute=30)},
    # Announce tomorrow's desk sessions by SMS: hourly through the day (idempotent: each session
    # once), so a beat that was down at nine, or a session planned this afternoon, is still told.
    "desk-announcements": {"task": "desks.announce_sessions", "schedule": crontab(hour="9-19", minute=5)},
    # Re-send roster imports whose queueing was lost; fail those whose worker died mid-run.
    "roster-imports": {"task": "residents.sweep_roster_imports", "schedule": SWEEP_INTERVAL_SECONDS},
    # Fire the due reminder steps (催办 / 督办), each once, until the request is closed.
    "reminders": {"task": "requests.sweep_reminders", "schedule": SWEEP_INTERVAL_SECONDS},
    # SMS outbox: expired leases → unknown, holds released, pending rows queued again.
    "sms-outbox": {"task": "residents.sms.sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    # The dashboard's daily summary: yesterday and every day a change touched since the last run,
    # a few minutes past each hour (idempotent; the page says when it last ran).
    "daily-figures": {"task": "requests.refresh_daily_figures", "schedule": crontab(minute=5)},
}
# /healthz answers within 2 s even when the broker hangs: each probe gets this long.
HEALTHZ_TIMEOUT = env_float("HEALTHZ_TIMEOUT", 0.8, minimum=0.1)

# --- Auth, sessions, lockout --------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Staff share phones: a session ends when the browser closes and after a working day at most.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "residents.client_address.client_address"
AXES_USERNAME_CALLABLE = "residents.client_address.login_username"
AXES_VERBOSE = False

# Addresses of the reverse proxies whose X-Forwarded-For we believe (nginx, a load balancer).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# The public status page /s/<reference>/: wrong phone digits per reference and attempts per client
# address, counted in the cache over a sliding hour, before it answers "try again later".
STATUS_PAGE_ATTEMPTS_PER_REFERENCE = env_int("STATUS_PAGE_ATTEMPTS_PER_REFERENCE", 5, minimum=1)
STATUS_PAGE_ATTEMPTS_PER_ADDRESS = env_int("STATUS_PAGE_ATTEMPTS_PER_ADDRESS", 20, minimum=1)
STATUS_PAGE_ATTEMPT_WINDOW_SECONDS = env_int("STATUS_PAGE_ATTEMPT_WINDOW_SECONDS", 3600, minimum=60)

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): everything is served from the project (DESIGN §9), so
# nothing from elsewhere and nothing inline; Bootstrap's icons are data: images. Behaviour lives
# in static/js/, styles in static/css/ (no <script> or style= in templates; htmx's inline
# indicator style is off in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    # Believed only from TRUSTED_PROXIES (config/middleware.py removes it from anyone else).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preloading is a promise to browsers that is slow to take back: the deployer opts in.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# Our corrections to Django's date formats (config/formats/zh_Hans).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

# Office hours (DESIGN §4.3) and SMS quiet hours (§4.5).
OFFICE_HOURS_START = env_hhmm("OFFICE_HOURS_START", "08:30")
OFFICE_HOURS_END = env_hhmm("OFFICE_HOURS_END", "17:30")
SMS_QUIET_START = env_hhmm("SMS_QUIET_START", "21:00")
SMS_QUIET_END = env_hhmm("SMS_QUIET_END", "08:00")
SMS_BACKEND = env_str("SMS_BACKEND", "residents.sms.backends.ConsoleBackend")
# The outbox (residents/sms): messages per number per day, the sending lease (a worker lost for
# longer leaves the row "unknown"), retries with exponential backoff, the providers' HTTP timeout.
SMS_DAILY_CAP = env_int("SMS_DAILY_CAP", 10, minimum=1)
SMS_LEASE_SECONDS = env_int("SMS_LEASE_SECONDS", 120, minimum=1)
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 5, minimum=1)
SMS_RETRY_SECONDS = env_int("SMS_RETRY_SECONDS", 30, minimum=1)
SMS_HTTP_TIMEOUT = env_float("SMS_HTTP_TIMEOUT", 10.0, minimum=0.5)
SMS_FILE_DIR = env_str("SMS_FILE_DIR", str(VAR_DIR / "sms"))
SMS_QUEUE = env_str("SMS_QUEUE", "")  # a queue of their own, so a long import never delays an SMS
# The secret in the callback URLs of providers that sign nothing (Aliyun): /sms/aliyun/<token>/…
SMS_WEBHOOK_TOKEN = env_str("SMS_WEBHOOK_TOKEN", "")
SMS_STATUS_CALLBACKS = env_bool("SMS_STATUS_CALLBACKS", False)  # ask for receipts over plain http too
SMS_TWILIO_BASE_URL = env_str("SMS_TWILIO_BASE_URL", "https://api.twilio.com")
SMS_TWILIO_ACCOUNT_SID = env_str("SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = env_str("SMS_TWILIO_AUTH_TOKEN", "")
SMS_TWILIO_FROM = env_str("SMS_TWILIO_FROM", "")
SMS_ALIYUN_ENDPOINT = env_str("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_ALIYUN_ACCESS_KEY_ID = env_str("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = env_str("SMS_ALIYUN_ACCESS_KEY_SECRET", "")

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging ------------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # runserver's access lines, as Django's default logging prints them.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    # On every handler, so every record is masked however its logger was configured.
    # Celery's worker and beat add handlers of their own: config/celery.py masks those.
    "filters": {"mask_personal_data": {"()": "residents.logfilter.MaskPersonalData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default handlers print unmasked: "django" (under DEBUG) goes to root instead,
        # and runserver's access lines ("GET /residents/search/?q=...") to the masked handler above.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Personal data (DESIGN §6) ----------------------------------------------------------------
# Fernet keys for ID numbers at rest, newest first: the first encrypts, every one decrypts
# (`manage.py reencrypt_id_numbers` moves stored numbers to the first). The HMAC that finds
# duplicates has its own key, so that the encryption keys can rotate without it.
_DEVELOPMENT_KEY = "ZG9vcnN0ZXAtZGV2ZWxvcG1lbnQta2V5LTAwMDAwMDA="
if PRODUCTION:
    env_required("FIELD_ENCRYPTION_KEY", "ID numbers are encrypted with it")
    env_required("ID_NUMBER_HMAC_KEY", "duplicate ID numbers are found with it")
FIELD_ENCRYPTION_KEY = env_fernet_keys("FIELD_ENCRYPTION_KEY", [_DEVELOPMENT_KEY])
# Development's HMAC key is development's old encryption key, so existing fingerprints still match.
ID_NUMBER_HMAC_KEY = env_hmac_key("ID_NUMBER_HMAC_KEY", _DEVELOPMENT_KEY)
