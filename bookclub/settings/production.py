"""Production: everything secret or host-specific comes from the environment.

See docs/deploy.md for the variables and how to run several app servers
behind a load balancer and a CDN.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.lower() in ("1", "true", "yes", "on")


DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS (comma-separated) in the environment."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS: the load balancer terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's live preview shows the page in a same-origin frame, so DENY would
# break the editor; SAMEORIGIN still refuses every other site.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# PostgreSQL: persistent connections, checked at the start of each request so
# a restarted database is reconnected to without restarting the app.
DATABASES["default"]["CONN_MAX_AGE"] = int(  # noqa: F405
    os.environ.get("DB_CONN_MAX_AGE", "600")
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        {
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
            # A runaway query must not hold a sync worker past gunicorn's timeout.
            "options": "-c statement_timeout="
            + os.environ.get("DB_STATEMENT_TIMEOUT_MS", "20000"),
        }
    )

# Redis: a cache that degrades to a miss while Redis is down (bookclub/cache.py).
if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "bookclub.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": "bookclub",
            "TIMEOUT": int(os.environ.get("CACHE_TIMEOUT", "300")),
            "OPTIONS": {
                "DOWN_RETRY_SECONDS": float(
                    os.environ.get("CACHE_DOWN_RETRY_SECONDS", "5")
                ),
            },
        }
    }

# CDN / reverse-proxy purging on publish (wagtail.contrib.frontend_cache):
# Cloudflare with CLOUDFLARE_ZONE_ID + CLOUDFLARE_API_TOKEN, or any cache that
# accepts HTTP PURGE (Varnish, nginx) with FRONTEND_CACHE_PURGE_URL.
WAGTAILFRONTENDCACHE: dict[str, dict[str, object]] = {}
if os.environ.get("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": os.environ.get("CLOUDFLARE_API_TOKEN", ""),
        "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
    }
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        # Wagtail's HTTPBackend, each purge bounded in time.
        "BACKEND": "reviews.frontend_cache.URLPurgeBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
    }
# Varnish with deploy/varnish/bookclub.vcl (xkey): VARNISH_URLS, one address per
# Varnish node as the app servers reach it; changes purge by surrogate key.
# Each change's keys go once more VARNISH_REPURGE_SECONDS later (0: never):
# reviews.frontend_cache.XkeyBackend says why.
for number, location in enumerate(env_list("VARNISH_URLS")):
    WAGTAILFRONTENDCACHE[f"varnish{number}"] = {
        "BACKEND": "reviews.frontend_cache.XkeyBackend",
        "LOCATION": location,
        "REPURGE_AFTER": float(os.environ.get("VARNISH_REPURGE_SECONDS", "1")),
    }
if WAGTAILFRONTENDCACHE:
    # Before reviews, which sends its purges on commit instead (reviews.W003).
    INSTALLED_APPS = [  # noqa: F405
        *INSTALLED_APPS[: INSTALLED_APPS.index("reviews")],  # noqa: F405
        "wagtail.contrib.frontend_cache",
        *INSTALLED_APPS[INSTALLED_APPS.index("reviews") :],  # noqa: F405
    ]

# A database outage is a 503 with Retry-After, never a 500 traceback.
MIDDLEWARE = [*MIDDLEWARE, "bookclub.middleware.DatabaseUnavailableMiddleware"]  # noqa: F405

# Uploads and image renditions: bounded so one upload cannot exhaust a worker.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))
)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(
    os.environ.get("WAGTAILIMAGES_MAX_UPLOAD_SIZE", str(10 * 1024 * 1024))
)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = int(
    os.environ.get("WAGTAILIMAGES_MAX_IMAGE_PIXELS", str(40_000_000))
)
WAGTAILDOCS_MAX_UPLOAD_SIZE = int(
    os.environ.get("WAGTAILDOCS_MAX_UPLOAD_SIZE", str(10 * 1024 * 1024))
)
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Logs: JSON lines on stdout (LOG_FORMAT=text for a terminal).
if os.environ.get("LOG_FORMAT", "json") == "json":
    LOGGING = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bookclub.logging.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
        # The base settings' levels (LOG_LEVELS), CACHE_LOG_LEVEL among them.
        "loggers": LOG_LEVELS,  # noqa: F405
    }

# Email: SMTP, configured from the environment (docs/deploy.md).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))

# Background tasks (emails, imports, webhooks) wait in the database for
# `manage.py db_worker`, so no request sends mail or waits on an SMTP server.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

# Behind AXES_IPWARE_PROXY_COUNT proxies, the client's address is read from
# X-Forwarded-For at that depth; without it, from the connection.
if os.environ.get("AXES_IPWARE_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(os.environ["AXES_IPWARE_PROXY_COUNT"])
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
