"""Headless preview: the admin's preview shows the draft in the external
frontend, which reads it back through a short-lived signed token.

``serve_preview`` stores the page as the editor sees it (saved or not) in the
cache under a random key, signs ``{key, type}`` with Django's signing, and
sends the preview panel to ``BOOKCLUB_PREVIEW_URL`` with ``?type=…&token=…``.
The frontend calls ``GET /api/v3/preview/?token=…``; a token older than
``BOOKCLUB_PREVIEW_MAX_AGE`` seconds (or tampered with) gets a 403.

Without ``BOOKCLUB_PREVIEW_URL`` pages preview as the site renders them.
The cache must be shared between processes (Redis in production).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

SALT = "reviews.preview"
DEFAULT_MAX_AGE = 600
_CACHE_PREFIX = "reviews:preview:"


class PreviewTokenError(Exception):
    """A preview token that is expired, tampered with or unknown."""


def preview_url_setting() -> str:
    return getattr(settings, "BOOKCLUB_PREVIEW_URL", "") or ""


def max_age() -> int:
    return int(getattr(settings, "BOOKCLUB_PREVIEW_MAX_AGE", DEFAULT_MAX_AGE))


def create_preview_token(page) -> str:
    """Keep ``page`` as it is now for :func:`max_age` seconds; its token."""
    key = secrets.token_urlsafe(24)
    cache.set(_CACHE_PREFIX + key, page.to_json(), timeout=max_age())
    return signing.dumps({"key": key, "type": page._meta.label}, salt=SALT)


def page_from_preview_token(token: str):
    """The page a token stands for (unsaved, as it was previewed)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as error:
        raise PreviewTokenError("The preview token has expired.") from error
    except signing.BadSignature as error:
        raise PreviewTokenError("The preview token is not valid.") from error
    content = cache.get(_CACHE_PREFIX + str(data.get("key")))
    if content is None:
        raise PreviewTokenError("The preview has expired.")
    try:
        model = apps.get_model(data["type"])
    except (KeyError, LookupError, ValueError) as error:
        raise PreviewTokenError("The preview token is not valid.") from error
    return model.from_json(content)


#: The admin preview's mode that shows a page as a reader who has read
#: nothing sees it (its spoilers closed). The default mode opens them: who
#: previews a page edits or moderates it, and reads what they approve.
READER_PREVIEW_MODE = "reader"
#: ``preview_modes`` of the pages that hold spoilers or gated questions.
SPOILER_PREVIEW_MODES = [
    ("", _("Spoilers open")),
    (READER_PREVIEW_MODE, _("As a reader sees it")),
]


class HeadlessPreviewMixin:
    """Page mixin: preview in the external frontend when one is configured."""

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        frontend = preview_url_setting()
        if not frontend:
            return super().serve_preview(request, mode_name)  # type: ignore[misc]
        token = create_preview_token(self)
        label = self._meta.label  # type: ignore[attr-defined]  # a Page's
        query: dict[str, Any] = {"type": label, "token": token}
        separator = "&" if "?" in frontend else "?"
        return HttpResponseRedirect(f"{frontend}{separator}{urlencode(query)}")
