"""Settings of the Auth project used to develop, test and demo Member Audit.

Defaults need no services: SQLite and an in-process fake Redis. Environment
variables switch to the parts of a production Auth:

- ``TESTAUTH_DATABASE=mysql`` uses MariaDB on ``TESTAUTH_MYSQL_HOST`` (127.0.0.1:3306,
  user root, empty password unless ``TESTAUTH_MYSQL_USER`` / ``TESTAUTH_MYSQL_PASSWORD``);
- ``TESTAUTH_REDIS_URL=redis://127.0.0.1:6379`` uses a real Redis for cache and broker;
- ``FAKE_EVE_URL`` points ESI and EVE SSO at a fake EVE server;
- ``TESTAUTH_DEBUG=1`` turns Django's debug mode on (off by default, as in production: errors
  show Alliance Auth's error pages, never a debug page).
"""

import os
from pathlib import Path

from celery.schedules import crontab

from allianceauth.project_template.project_name.settings.base import *  # noqa: F401,F403
from allianceauth.project_template.project_name.settings.base import (
    CELERYBEAT_SCHEDULE,
    INSTALLED_APPS,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
RUN_DIR = Path(os.environ.get("TESTAUTH_RUN_DIR", BASE_DIR / "run"))

ROOT_URLCONF = "testauth.urls"
WSGI_APPLICATION = "testauth.wsgi.application"
SECRET_KEY = "testauth-only-secret-key-never-use-in-production"
SITE_NAME = "Member Audit Demo"
SITE_URL = os.environ.get("TESTAUTH_SITE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = [SITE_URL]
DEBUG = os.environ.get("TESTAUTH_DEBUG", "0") == "1"
STATIC_ROOT = str(RUN_DIR / "static")
# Plain static files storage: pages render without running collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATICFILES_DIRS = []
LOCALE_PATHS = ()
TEMPLATES[0]["DIRS"] = []  # noqa: F405

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "eveuniverse",
    "memberaudit",
    "ninja",  # the read API's docs page with Swagger UI served locally, not from a CDN
    "fake_eve",
    "demo_data",
]
# The read API answers to tokens, not sessions (docs/api.md).
APPS_WITH_PUBLIC_VIEWS = ["memberaudit_api"]

# --- front-end libraries from local copies (``make vendor``), as no CDN is reachable here ---
VENDOR_DIR = BASE_DIR / "run" / "vendor" / "node_modules"
if (VENDOR_DIR / "bootstrap").is_dir():
    STATICFILES_DIRS = [("vendor", str(VENDOR_DIR))]
    TEMPLATES[0]["DIRS"] = [str(BASE_DIR / "templates")]  # noqa: F405
    INSTALLED_APPS.append("offline_frontend")
    DEFAULT_THEME = "offline_frontend.auth_hooks.OfflineBootstrapThemeHook"

# --- database ---
if os.environ.get("TESTAUTH_DATABASE", "sqlite") == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("TESTAUTH_MYSQL_NAME", "memberaudit_testauth"),
            "USER": os.environ.get("TESTAUTH_MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("TESTAUTH_MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("TESTAUTH_MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("TESTAUTH_MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("TESTAUTH_SQLITE_PATH", str(RUN_DIR / "testauth.sqlite3")),
            # A demo's Celery worker writes from several threads: WAL lets the site read
            # meanwhile, and immediate transactions wait for the lock instead of failing.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
    # The test database is a file, not Django's in-memory default: in memory it is one
    # connection shared by the test and the live server's request threads (browser tests), and
    # two threads inside SQLite at once can deadlock on its mutex and Python's GIL. A file
    # gives each thread its own connection, as a real site has. (pytest-xdist workers add
    # their own suffix.)
    DATABASES["default"]["TEST"] = {"NAME": str(RUN_DIR / "test-database.sqlite3")}

# --- cache and broker: Redis, real or fake ---
REDIS_URL = os.environ.get("TESTAUTH_REDIS_URL", "")
# Parallel test processes (pytest-xdist) each get their own Redis database for the cache, after
# TESTAUTH_REDIS_CACHE_DB (default 1), so that two test runs on one Redis can keep apart.
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_CACHE_DB = int(os.environ.get("TESTAUTH_REDIS_CACHE_DB", "1"))
if _TEST_WORKER.startswith("gw"):
    _CACHE_DB += 1 + int(_TEST_WORKER[2:])
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"{REDIS_URL.rstrip('/')}/{_CACHE_DB}",
        }
    }
    BROKER_URL = f"{REDIS_URL.rstrip('/')}/0"
else:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
            "OPTIONS": {
                "CONNECTION_POOL_KWARGS": {
                    "connection_class": __import__("fakeredis").FakeRedisConnection
                }
            },
        }
    }
    # a host named, or kombu warns "No hostname was supplied" whenever a task is sent
    BROKER_URL = "memory://localhost/"
    CELERY_ALWAYS_EAGER = True
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_EAGER_PROPAGATES_EXCEPTIONS = True

CELERYBEAT_SCHEDULE = {
    **CELERYBEAT_SCHEDULE,
    "memberaudit_run_regular_updates": {
        "task": "memberaudit.tasks.run_regular_updates",
        "schedule": crontab(minute=0, hour="*/1"),
    },
    "memberaudit_purge_access_log": {
        "task": "memberaudit.tasks.purge_access_log",
        "schedule": crontab(minute=30, hour=3),
    },
    "memberaudit_delete_expired_shares": {
        "task": "memberaudit.tasks.delete_expired_shares",
        "schedule": crontab(minute=15, hour="*/1"),
    },
}

MEMBERAUDIT_DATA_EXPORT_DIR = str(RUN_DIR / "exports")

SILENCED_SYSTEM_CHECKS = ["allianceauth.checks.A002", "allianceauth.checks.A018"]

# --- EVE SSO and ESI: the fake EVE server on loopback ---
FAKE_EVE_URL = os.environ.get("FAKE_EVE_URL", "")
ESI_SSO_CLIENT_ID = "testauth-client-id"
ESI_SSO_CLIENT_SECRET = "testauth-client-secret"
ESI_SSO_CALLBACK_URL = f"{SITE_URL}/sso/callback"
ESI_USER_CONTACT_EMAIL = "admin@example.com"
if FAKE_EVE_URL:
    ESI_API_URL = f"{FAKE_EVE_URL.rstrip('/')}/"
    ESI_SSO_BASE_URL = f"{FAKE_EVE_URL.rstrip('/')}/v2/oauth"
    ESI_SSO_LOGIN_URL = f"{ESI_SSO_BASE_URL}/authorize/"
    ESI_CODE_EXCHANGE_URL = f"{ESI_SSO_BASE_URL}/token"
    # portraits, logos and type icons: the fake server's generated placeholders
    MEMBERAUDIT_IMAGE_SERVER_URL = f"{FAKE_EVE_URL.rstrip('/')}/images"

REGISTRATION_VERIFY_EMAIL = False  # new users give an e-mail address once, no mail is sent
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "auth@example.com"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "verbose": {"format": "[%(asctime)s] %(levelname)s [%(name)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "level": os.environ.get("TESTAUTH_LOG_LEVEL", "WARNING"),
            "class": "logging.StreamHandler",
            "formatter": "verbose",
        },
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # django-esi's spec patching warns about a field eveuniverse's spec lacks: harmless
        "esi.aiopenapi3.plugins": {"level": "ERROR"},
    },
}

RUN_DIR.mkdir(parents=True, exist_ok=True)

# Importing Alliance Auth's settings template above also imported its Celery app, which made
# itself the current app; tasks must belong to this project's app (testauth.celery).
from testauth.celery import app as _celery_app  # noqa: E402

_celery_app.set_current()
_celery_app.set_default()
