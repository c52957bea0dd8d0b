"""Settings shared by every environment. Environment-specific files import this."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

INSTALLED_APPS = [
    "home",
    "reviews",
    "wagtail.api.v2",
    "wagtail.api.v3",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    # django-ninja's templates and static Swagger UI: /api/v3/docs/ loads
    # nothing from a CDN (without the app, Ninja links jsdelivr).
    "ninja",
    "corsheaders",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session, CORS, CSRF, authentication, messages and clickjacking
    # middleware: a shared page or API response needs none of them
    # (reviews/response_cache/middleware.py).
    "reviews.response_cache.middleware.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Under /api/: HEAD like GET, no NUL characters, every error a problem.
    "reviews.api.middleware.ProblemDetailsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "reviews.admin_privacy.HiddenAdminPagesMiddleware",
    # Django's, with the storage built only for a request that uses it.
    "bookclub.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "reviews.response_cache.api.APIHeadersMiddleware",
    # After authentication: it sets request.reader, the member's (reviews/checks.py).
    "reviews.middleware.ReaderMiddleware",
    "reviews.redirects.VisibleRedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bookclub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "bookclub.wsgi.application"

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A club served from SQLite has readers and writers at once: WAL lets
    # readers run beside a writer, and IMMEDIATE takes the write lock when a
    # transaction starts, so concurrent writers wait (up to ``timeout``
    # seconds) instead of failing midway with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares a statement once a connection has run it this many
    # times; the club binds on the server, and so prepares, only the two
    # queries it runs per request with only their parameters changing
    # (reviews/prepared.py). Empty turns it off, for a pooler that drops
    # prepared statements (PgBouncer in transaction mode before 1.21).
    _prepare = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip()
    if _prepare and not _prepare.isdigit():
        raise ImproperlyConfigured(
            "DB_PREPARE_THRESHOLD must be a whole number of runs, or empty to "
            f"prepare nothing; it is {_prepare!r}"
        )
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        int(_prepare) if _prepare else None
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bookclub",
        }
    }
else:
    # One process's memory. Django's default of 300 entries is smaller than
    # what the page and API caches hold for a club's pages, so each new
    # search pushed cached pages out; 2,000 entries of 10–80 KB stay under
    # ~100 MB per process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bookclub",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

AUTHENTICATION_BACKENDS = [
    "bookclub.auth_backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is locked out for
# AXES_COOLOFF_MINUTES. Keying on the pair means a stranger guessing a
# member's password cannot lock the member out everywhere, and members
# sharing one network (a library's wifi) do not lock each other out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# No start-up banner on stdout (it would precede a command's own output);
# lockouts are still logged as warnings by the "axes" logger.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "bookclub.lockout.locked_out"
# The client's address is REMOTE_ADDR unless production says how many proxies
# stand in front (AXES_IPWARE_PROXY_COUNT); a client cannot spoof it.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Email: the console in development, locmem in tests, SMTP in production.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bookclub@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT: str | Path = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
#: Files served at the site's root by WhiteNoise: /favicon.ico, which browsers
#: and feed readers ask for whatever the page's <link rel="icon"> says.
WHITENOISE_ROOT = BASE_DIR / "public"
MEDIA_ROOT: str | Path = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Immediate in development (no worker needed); production uses the database
# backend, whose tasks `manage.py db_worker` runs (settings/production.py).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Wagtail
# An approval publishes the revision its moderator saw, not a newer one.
WAGTAIL_FINISH_WORKFLOW_ACTION = "reviews.moderation.publish_moderated_revision"
WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "The Book Club")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "bookclub.search_backend"},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt"]
# Members upload documents as they do images, which Wagtail bounds to 10 MB;
# it bounds no document unless told.
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "password_required.html"  # noqa: S105
# The admin calls no other site: Gravatar would receive every member's hashed
# email address with each admin page, and the release check phones home.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Draftail, refusing a posted value that is not its own as a field error.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "reviews.rich_text_editor.CheckedDraftailRichTextArea"}
}
if os.environ.get("WAGTAILAPI_BASE_URL"):
    WAGTAILAPI_BASE_URL = os.environ["WAGTAILAPI_BASE_URL"]
WAGTAILAPI_LIMIT_MAX = 50
WAGTAILAPI_SEARCH_ENABLED = True
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"

REST_FRAMEWORK = {
    # API v2: the site's own session for browser clients; HTTP Basic stays off.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
}

# Where the club's review, series and discussion indexes may be created: at the
# tree's root and under this site's home page (reviews/models/page_types.py).
BOOKCLUB_INDEX_PARENT_PAGE_TYPES = ["wagtailcore.Page", "home.HomePage"]

# This site's page types that show no discussion's comments: an API listing of
# them alone is left cached when a comment is posted (reviews/cache_tags.py).
BOOKCLUB_PAGE_TYPES_WITHOUT_COMMENTS = ["home.HomePage"]

# Webhook endpoints on private addresses (loopback, the local network, a
# cloud's metadata service) are refused unless the club trusts a receiver
# there (reviews/addresses.py).
BOOKCLUB_WEBHOOKS_PRIVATE_ADDRESSES = (
    os.environ.get("BOOKCLUB_WEBHOOKS_PRIVATE_ADDRESSES", "") == "1"
)

# Headless preview (reviews/preview.py): the frontend URL that renders drafts,
# and how long its signed preview token lives.
BOOKCLUB_PREVIEW_URL = os.environ.get("BOOKCLUB_PREVIEW_URL", "")
BOOKCLUB_PREVIEW_MAX_AGE = int(os.environ.get("BOOKCLUB_PREVIEW_MAX_AGE", "600"))

# How long an invitation link works, in seconds (reviews/invitations.py).
BOOKCLUB_INVITATION_MAX_AGE = int(
    os.environ.get("BOOKCLUB_INVITATION_MAX_AGE", str(7 * 24 * 60 * 60))
)

# Seconds shared caches may keep anonymous API responses
# (reviews/response_cache/api.py).
BOOKCLUB_API_MAX_AGE = int(os.environ.get("BOOKCLUB_API_MAX_AGE", "60"))
# Keep anonymous, spoiler-free API responses in the server's cache, keyed by
# the content's version (retired on publish, unpublish, move, edits). The
# timeout only bounds answers that change with the clock alone (upcoming
# meetings, popularity order), so it can be longer than the HTTP max-age.
BOOKCLUB_API_RESPONSE_CACHE = os.environ.get("BOOKCLUB_API_RESPONSE_CACHE", "1") == "1"
BOOKCLUB_API_CACHE_TIMEOUT = int(os.environ.get("BOOKCLUB_API_CACHE_TIMEOUT", "300"))
# The same for the HTML pages of anonymous readers who reveal nothing
# (reviews/response_cache/pages.py); 0 seconds turns the page cache off.
BOOKCLUB_PAGE_CACHE = os.environ.get("BOOKCLUB_PAGE_CACHE", "1") == "1"
BOOKCLUB_PAGE_MAX_AGE = int(os.environ.get("BOOKCLUB_PAGE_MAX_AGE", "60"))
BOOKCLUB_PAGE_CACHE_TIMEOUT = int(os.environ.get("BOOKCLUB_PAGE_CACHE_TIMEOUT", "300"))

CORS_URLS_REGEX = r"^/api/.*$"
# Frontends revalidate with ETags and send bearer tokens.
CORS_ALLOW_HEADERS = (*default_headers, "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_ALLOWED_ORIGINS = [
    origin for origin in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if origin
]

# The loggers' levels, shared by every settings module's LOGGING.
LOG_LEVELS: dict[str, dict[str, str]] = {
    "django_tasks": {"level": "WARNING"},
    "axes": {"level": "WARNING"},
    "wagtail": {"level": os.environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
    # DEBUG: a line for each miss of a shared copy (how often pages are
    # rebuilt, and how many requests waited for a rebuild).
    "reviews.response_cache": {"level": os.environ.get("CACHE_LOG_LEVEL", "WARNING")},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": LOG_LEVELS,
}
