"""Production settings pass Django's deployment checks and configure the
runtime the way docs/deploy.md says."""

import json

import pytest

from .helpers import production_env, run_python

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from wagtail.contrib.frontend_cache import signal_handlers
from wagtail.signals import page_published
from reviews.models import ReviewPage
# True only if Wagtail's own handler was still connected: it purges at once.
purges_at_once = page_published.disconnect(
    signal_handlers.page_published_signal_handler, sender=ReviewPage
)
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "conn_max_age": db["CONN_MAX_AGE"],
    "health_checks": db["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "middleware": settings.MIDDLEWARE,
    "upload": settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE,
    "document_upload": settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
    "pixels": settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS,
    "data_upload": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    "formatter": settings.LOGGING["formatters"]["json"]["()"],
    "frontend_cache": sorted(settings.WAGTAILFRONTENDCACHE),
    "backends": {
        name: edge["BACKEND"] for name, edge in settings.WAGTAILFRONTENDCACHE.items()
    },
    "apps": settings.INSTALLED_APPS,
    "purges_at_once": purges_at_once,
}))
"""


def test_check_deploy_is_clean_with_a_production_environment():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(REDIS_URL="redis://127.0.0.1:6379/6"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_secret_key():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(SECRET_KEY="short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_runtime_settings():
    result = run_python(
        ["-c", SHOW_SETTINGS],
        production_env(
            REDIS_URL="redis://127.0.0.1:6379/6",
            WAGTAILIMAGES_MAX_UPLOAD_SIZE="1000",
            WAGTAILDOCS_MAX_UPLOAD_SIZE="2000",
            FRONTEND_CACHE_PURGE_URL="http://127.0.0.1:6081",
        ),
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["debug"] is False
    assert shown["conn_max_age"] >= 60
    assert shown["health_checks"] is True
    assert shown["cache"] == "bookclub.cache.ResilientRedisCache"
    assert "bookclub.middleware.DatabaseUnavailableMiddleware" in shown["middleware"]
    assert shown["upload"] == 1000
    assert shown["document_upload"] == 2000
    assert 0 < shown["pixels"] <= 128_000_000
    assert 0 < shown["data_upload"] <= 10 * 1024 * 1024
    assert shown["formatter"] == "bookclub.logging.JsonFormatter"
    # Publishing purges the CDN / proxy once one is configured.
    assert shown["frontend_cache"] == ["proxy"]
    # Purged by URL, each purge within a timeout (Wagtail's HTTPBackend waits
    # for as long as the proxy does, holding the write that purges).
    assert shown["backends"] == {"proxy": "reviews.frontend_cache.URLPurgeBackend"}
    apps = shown["apps"]
    assert apps.index("wagtail.contrib.frontend_cache") < apps.index("reviews")
    # Its purges wait for the commit (reviews.frontend_cache.purge_page_urls).
    assert shown["purges_at_once"] is False


SHOW_SQLITE = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
mode = connection.transaction_mode
print(json.dumps({"journal": journal, "busy_ms": busy, "mode": mode}))
"""


def test_a_club_served_from_sqlite_gets_wal_and_waiting_writers(tmp_path):
    result = run_python(
        ["-c", SHOW_SQLITE],
        production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'club.sqlite3'}"),
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["journal"] == "wal"
    assert shown["busy_ms"] >= 10_000
    assert shown["mode"] == "IMMEDIATE"


def test_gunicorn_takes_its_workers_from_the_environment():
    result = run_python(
        ["-m", "gunicorn", "--print-config", "-c", "gunicorn.conf.py"],
        production_env(WEB_CONCURRENCY="3", BIND="127.0.0.1:8123"),
    )
    assert result.returncode == 0, result.stderr
    config = {
        name.strip(): value.strip()
        for name, _, value in (
            line.partition("=") for line in result.stdout.splitlines() if "=" in line
        )
    }
    assert config["workers"] == "3"
    assert "127.0.0.1:8123" in config["bind"]
    assert config["worker_class"] == "sync"


SHOW_EDGE = """
import json, django
django.setup()
from wagtail.contrib.frontend_cache.utils import get_backends
from reviews.frontend_cache import key_backends
print(json.dumps({
    "backends": sorted(get_backends()),
    "by_key": [backend.cache_netloc for backend in key_backends()],
    "repurge_after": [backend.repurge_after for backend in key_backends()],
}))
"""


def test_every_varnish_node_in_the_environment_is_purged_by_key():
    result = run_python(
        ["-c", SHOW_EDGE],
        production_env(VARNISH_URLS="http://10.0.0.5:6081, http://10.0.0.6:6081"),
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["backends"] == ["varnish0", "varnish1"]
    assert shown["by_key"] == ["10.0.0.5:6081", "10.0.0.6:6081"]
    assert shown["repurge_after"] == [1.0, 1.0]


def test_the_second_purge_of_a_change_is_set_from_the_environment():
    result = run_python(
        ["-c", SHOW_EDGE],
        production_env(
            VARNISH_URLS="http://10.0.0.5:6081", VARNISH_REPURGE_SECONDS="0"
        ),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["repurge_after"] == [0.0]


#: The settings module works the threshold out from the environment when it
#: is imported, as every start does first; reading the settings imports it.
#: No ``django.setup()``: importing every app (1.5 s of CPU per run, seven
#: runs) touches no database option, and an error in the settings stops
#: the process here as it stops a start.
SHOW_PREPARE = """
import json
from django.conf import settings
options = settings.DATABASES["default"]["OPTIONS"]
print(json.dumps(options.get("prepare_threshold", "unset")))
"""


@pytest.mark.parametrize(
    ("value", "threshold"), [(None, 5), ("", None), ("0", 0), (" 12 ", 12)]
)
def test_postgresql_prepares_after_the_threshold_the_environment_gives(
    value, threshold
):
    env = production_env(DATABASE_URL="postgres://club@db.example.org:5432/club")
    env.pop("DB_PREPARE_THRESHOLD", None)
    if value is not None:
        env["DB_PREPARE_THRESHOLD"] = value
    result = run_python(["-c", SHOW_PREPARE], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == threshold


@pytest.mark.parametrize("value", ["off", "-1", "5.5"])
def test_a_threshold_that_is_no_count_stops_the_start(value):
    env = production_env(
        DATABASE_URL="postgres://club@db.example.org:5432/club",
        DB_PREPARE_THRESHOLD=value,
    )
    result = run_python(["-c", SHOW_PREPARE], env)
    assert result.returncode != 0
    assert "DB_PREPARE_THRESHOLD must be a whole number" in result.stderr


def test_sqlite_has_no_threshold(tmp_path):
    result = run_python(
        ["-c", SHOW_PREPARE],
        production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'club.sqlite3'}"),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == "unset"


SHOW_CACHE_LOG = """
import json, logging, django
django.setup()
from reviews.response_cache import middleware
print(json.dumps({
    "logger": middleware.logger.name,
    "debug": middleware.logger.isEnabledFor(logging.DEBUG),
}))
"""


@pytest.mark.parametrize("level", ["DEBUG", None])
def test_each_miss_of_a_shared_copy_is_logged_when_the_environment_asks(level):
    """``CACHE_LOG_LEVEL=DEBUG`` (docs/deploy.md) turns on the response
    cache's line for each miss of a shared copy (what it logs:
    tests/caching/test_build_once.py); by default it is off."""
    env = production_env(LOG_LEVEL="INFO")
    if level:
        env["CACHE_LOG_LEVEL"] = level
    result = run_python(["-c", SHOW_CACHE_LOG], env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["logger"].startswith("reviews.response_cache")
    assert shown["debug"] is (level == "DEBUG")
