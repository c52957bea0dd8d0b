"""Settings for the benchmark and resilience scripts (``python -m benchmarks``).

Production behaviour (DEBUG off, persistent health-checked connections, the
resilient Redis cache, 503 on database outages) on 127.0.0.1, plus the
benchmark-only URLconf with the baselines. Never used to serve the club.
"""

import os

from .base import *  # noqa: F403

DEBUG = False
# Benchmarks run on 127.0.0.1 against a scratch database only.
SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.urls"

DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
# SQLite keeps the base settings' WAL and IMMEDIATE transactions.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3  # noqa: F405

if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "bookclub.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": "bookclub-bench",
            "OPTIONS": {"DOWN_RETRY_SECONDS": 2},
        }
    }

# The edge benchmark and test put Varnish in front (VARNISH_URLS, as in
# production): changes purge it by surrogate key.
_varnish = [u.strip() for u in os.environ.get("VARNISH_URLS", "").split(",") if u]
if _varnish:
    # Before reviews, which sends its purges on commit instead (reviews.W003).
    INSTALLED_APPS = [  # noqa: F405
        *INSTALLED_APPS[: INSTALLED_APPS.index("reviews")],  # noqa: F405
        "wagtail.contrib.frontend_cache",
        *INSTALLED_APPS[INSTALLED_APPS.index("reviews") :],  # noqa: F405
    ]
    WAGTAILFRONTENDCACHE = {
        f"varnish{number}": {
            "BACKEND": "reviews.frontend_cache.XkeyBackend",
            "LOCATION": location,
            "REPURGE_AFTER": float(os.environ.get("VARNISH_REPURGE_SECONDS", "1")),
        }
        for number, location in enumerate(_varnish)
    }

# The load scripts post comments far faster than the club allows a person to.
BOOKCLUB_COMMENT_RATES = [(100_000, 60)]

MIDDLEWARE = [*MIDDLEWARE, "bookclub.middleware.DatabaseUnavailableMiddleware"]  # noqa: F405
# The benchmark's ceiling rows (benchmarks.endpoints): Django's request
# handler alone, with no middleware at all, or with only the middleware of
# Django and the libraries (none of the club's, its lazy messages included).
if os.environ.get("BENCH_MIDDLEWARE") == "none":
    MIDDLEWARE = []
elif os.environ.get("BENCH_MIDDLEWARE") == "libraries":
    MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith(("reviews.", "bookclub."))]

# Static files are not part of what is measured; no manifest is needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", MEDIA_ROOT)  # noqa: F405
STATIC_ROOT = os.environ.get("STATIC_ROOT", STATIC_ROOT)  # noqa: F405
WAGTAILAPI_BASE_URL = "http://127.0.0.1"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "bookclub.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The base settings' levels (CACHE_LOG_LEVEL=DEBUG: a line for each rebuild
    # of a shared copy, which benchmarks workers counts). Probing for endpoints
    # that do not exist yet is expected: no 404 noise.
    "loggers": {**LOG_LEVELS, "django.request": {"level": "ERROR"}},  # noqa: F405
}
