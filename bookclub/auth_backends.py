"""Authentication backends for the site: django-axes guards every login form."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request.

    Axes counts failures per client (address and username), so it needs the
    request and raises without one. ``authenticate()`` without a request is
    not a login form: management commands, the shell and Django's test client
    call it that way, and there is no client to throttle. Those calls go on to
    the next backend; every HTTP login (the site's and Wagtail's admin login,
    the password views) passes its request and is throttled.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
