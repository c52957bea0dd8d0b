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
from django.core.checks import CheckMessage, Error, Warning
from django.db import connections
from django.utils.module_loading import import_string
from wagtail.admin.rich_text import DEFAULT_RICH_TEXT_EDITORS, DraftailRichTextArea

from .moderation import FINISH_WORKFLOW_ACTION
from .rich_text_editor import WIDGET as RICH_TEXT_WIDGET
from .rich_text_editor import CheckedDraftailRichTextArea

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


FRONTEND_CACHE_APP = "wagtail.contrib.frontend_cache"


def check_frontend_cache_order(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """``wagtail.contrib.frontend_cache``, when installed, comes before
    ``reviews``: the plugin takes that app's purges on publish off the
    signals once they are connected, and sends them on commit instead
    (reviews.frontend_cache.defer_wagtails_page_purges)."""
    installed = list(settings.INSTALLED_APPS)
    if FRONTEND_CACHE_APP not in installed:
        return []
    reviews_at = next(
        (i for i, name in enumerate(installed) if name.split(".apps.")[0] == "reviews"),
        None,
    )
    if reviews_at is None or installed.index(FRONTEND_CACHE_APP) < reviews_at:
        return []
    return [
        Warning(
            f"'{FRONTEND_CACHE_APP}' must come before 'reviews' in INSTALLED_APPS.",
            hint="Listed after, its handlers purge a published page inside the "
            "transaction, and an edge cache can keep the old page again before "
            "the change commits.",
            id="reviews.W003",
        )
    ]


#: The databases migration reviews.0016 writes its cache-tag triggers for.
TRIGGER_VENDORS = ("sqlite", "postgresql")


def check_database_triggers(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Each database is one the cache-tag triggers are written for
    (reviews/migrations/0016_retire_tags_in_triggers.py). Elsewhere only
    Django's signals retire cache tags, and a write that sends none (a
    view restriction added with ``bulk_create``) leaves cached copies of
    the page public. Reads no row: the vendor is the backend's."""
    return [
        Warning(
            f"Database '{alias}' ({connections[alias].vendor}) has no cache-tag "
            "triggers.",
            hint="The club's triggers are written for SQLite and PostgreSQL. On "
            "this database, make every change to view restrictions, sites and "
            "pages through Django's models (save, delete), never bulk_create, "
            "update() or SQL, or the cached copies of a page outlive the change.",
            id="reviews.W004",
        )
        for alias in connections
        if connections[alias].vendor not in TRIGGER_VENDORS
    ]


def check_rich_text_editor(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Every rich text editor that is Wagtail's Draftail is the plugin's
    (reviews/rich_text_editor.py): Wagtail's own answers a posted value that
    is not contentstate with a 500."""
    editors = {
        **DEFAULT_RICH_TEXT_EDITORS,
        **getattr(settings, "WAGTAILADMIN_RICH_TEXT_EDITORS", {}),
    }
    messages: list[CheckMessage] = []
    for name, editor in editors.items():
        try:
            widget = import_string(editor["WIDGET"])
        except (ImportError, KeyError, TypeError):
            continue  # Wagtail names a bad editor when it builds one
        if issubclass(widget, DraftailRichTextArea) and not issubclass(
            widget, CheckedDraftailRichTextArea
        ):
            messages.append(
                Warning(
                    f"The rich text editor '{name}' is Wagtail's Draftail.",
                    hint=f"Set its WIDGET to '{RICH_TEXT_WIDGET}' in "
                    "WAGTAILADMIN_RICH_TEXT_EDITORS: Wagtail's answers a posted "
                    "value that is not the editor's own with a server error.",
                    id="reviews.W005",
                )
            )
    return messages


def check_finish_workflow_action(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """``WAGTAIL_FINISH_WORKFLOW_ACTION`` is the plugin's: with Wagtail's
    default, an approval publishes a review's latest revision, which may be
    one no moderator saw (reviews/moderation.py)."""
    action = getattr(settings, "WAGTAIL_FINISH_WORKFLOW_ACTION", None)
    if action == FINISH_WORKFLOW_ACTION:
        return []
    return [
        Warning(
            "An approved workflow publishes the latest revision, not the one "
            "its moderator saw.",
            hint=f"Set WAGTAIL_FINISH_WORKFLOW_ACTION = '{FINISH_WORKFLOW_ACTION}', "
            "or a member's revision saved while their review waits (a revert "
            "through the API, a write racing the submit) goes live unmoderated "
            "with the approval.",
            id="reviews.W006",
        )
    ]
