"""The reader middleware in the wrong place fails the system checks, loudly."""

from django.conf import settings
from django.core import checks
from django.test import override_settings

from reviews.checks import (
    AUTHENTICATION_MIDDLEWARE,
    READER_MIDDLEWARE,
    check_reader_middleware,
)


def _ids() -> list[str]:
    return [message.id for message in checks.run_checks() if message.is_serious()]


def test_the_sites_order_passes():
    assert check_reader_middleware() == []
    assert "reviews.E001" not in _ids() and "reviews.E002" not in _ids()


def test_reader_before_authentication_is_an_error():
    middleware = [name for name in settings.MIDDLEWARE if name != READER_MIDDLEWARE]
    middleware.insert(middleware.index(AUTHENTICATION_MIDDLEWARE), READER_MIDDLEWARE)
    with override_settings(MIDDLEWARE=middleware):
        assert [error.id for error in check_reader_middleware()] == ["reviews.E002"]
        assert "reviews.E002" in _ids()


def test_a_missing_reader_middleware_is_an_error():
    middleware = [name for name in settings.MIDDLEWARE if name != READER_MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        assert [error.id for error in check_reader_middleware()] == ["reviews.E001"]


def test_no_authentication_middleware_is_an_error():
    middleware = [
        name for name in settings.MIDDLEWARE if name != AUTHENTICATION_MIDDLEWARE
    ]
    with override_settings(MIDDLEWARE=middleware):
        assert [error.id for error in check_reader_middleware()] == ["reviews.E002"]
