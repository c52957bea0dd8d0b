"""System checks for a site that installs the plugin.

The reader of a request (``request.reader``) is the member the request is
from, so :class:`reviews.middleware.ReaderMiddleware` has to run after
Django's ``AuthenticationMiddleware``. In any other order every member would
be read as a visitor and the caches would not learn that a response was
personal; Django's check framework says so at start-up instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.utils.module_loading import import_string

READER_MIDDLEWARE = "reviews.middleware.ReaderMiddleware"
AUTHENTICATION_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


def check_reader_middleware(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """``ReaderMiddleware`` is installed, once, after ``AuthenticationMiddleware``
    (or a subclass of either)."""
    reader_class = import_string(READER_MIDDLEWARE)
    auth_class = import_string(AUTHENTICATION_MIDDLEWARE)
    reader_at = _positions(reader_class)
    auth_at = _positions(auth_class)
    if not reader_at:
        return [
            Error(
                f"'{READER_MIDDLEWARE}' is missing from MIDDLEWARE.",
                hint="Add it after "
                f"'{AUTHENTICATION_MIDDLEWARE}': it sets request.reader, which "
                "every spoiler decision reads.",
                id="reviews.E001",
            )
        ]
    if not auth_at or reader_at[0] < auth_at[0]:
        return [
            Error(
                f"'{READER_MIDDLEWARE}' must come after "
                f"'{AUTHENTICATION_MIDDLEWARE}' in MIDDLEWARE.",
                hint="The reader is the signed-in member's; before authentication "
                "every member would be read as a visitor.",
                id="reviews.E002",
            )
        ]
    return []


def _positions(wanted: type) -> list[int]:
    """Where ``wanted`` (or a subclass) sits in ``MIDDLEWARE``."""
    positions = []
    for index, path in enumerate(settings.MIDDLEWARE):
        try:
            middleware = import_string(path)
        except ImportError:
            continue  # Django's own checks and start-up name a bad path
        if isinstance(middleware, type) and issubclass(middleware, wanted):
            positions.append(index)
    return positions
