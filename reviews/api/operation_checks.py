"""Running the club's checks before Wagtail's own v3 operations.

Wagtail's v3 routers offer no hook for a check before an operation, so the
operation's view is wrapped; the wrappers are marked, so that building the
API twice (tests, reloads) wraps each view once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

#: Wagtail's v3 pages router: its page reads, writes and actions.
WAGTAIL_PAGES_ROUTER = "wagtail.api.v3.routers.pages"


def check_first(
    operation: Any, check: Callable[[HttpRequest, dict], None], marker: str
) -> None:
    """Make ``operation`` run ``check(request, kwargs)`` before its view;
    ``check`` refuses by raising. ``marker`` is set on the wrapper so that
    building the API twice (tests, reloads) wraps each view once."""
    view = operation.view_func
    if getattr(view, marker, False):
        return

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        check(request, kwargs)
        return view(request, *args, **kwargs)

    setattr(checked, marker, True)
    operation.view_func = checked
