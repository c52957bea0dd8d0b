"""Bearer-token authentication for API v2 and the club's v3 routers, backed by
Wagtail's APIToken, and the reader that follows v3 authentication."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from rest_framework import authentication, exceptions
from wagtail.api.v3.auth import AllowAnonymous, BearerTokenAuth
from wagtail.models import APIToken

from ..spoilers import refresh_reader


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` with the same tokens as API v3."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed bearer token header."))
        try:
            token = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(
                _("Malformed bearer token.")
            ) from error
        api_token = (
            APIToken.objects.select_related("user")
            .filter(
                key_hash__in=APIToken.candidate_key_hashes(token),
                revoked_at__isnull=True,
            )
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return api_token.user, api_token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ClubBearerAuth(BearerTokenAuth):
    """Wagtail's v3 bearer authentication; ``request.reader`` becomes the
    reader of the member it resolves."""

    def authenticate(self, request, token: str):
        result = super().authenticate(request, token)
        refresh_reader(request)
        return result


class ClubAnonymous(AllowAnonymous):
    """Wagtail's anonymous fallback: a session cookie never counts in v3."""

    def __call__(self, request):
        result = super().__call__(request)
        refresh_reader(request)
        return result


#: Public reads: token members and anonymous clients alike. Every club
#: router uses these two sets, never Wagtail's classes directly: only these
#: make ``request.reader`` the reader of whoever they settle on.
READ_AUTH = [ClubBearerAuth(), ClubAnonymous()]
#: Writes, and reads of a member's own data: a token member only.
WRITE_AUTH = [ClubBearerAuth()]


def presents_bearer_token(request: HttpRequest) -> bool:
    """Does the request send ``Authorization: Bearer …``, well formed or not?"""
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0]
    return scheme.lower() == BearerTokenAuthentication.keyword.lower()


def _reader_of_the_authenticated(view_func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view_func)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if isinstance(getattr(request, "auth", None), AnonymousUser) and (
            presents_bearer_token(request)
        ):
            # The anonymous fallback let a token through that names no
            # member (unknown, revoked, an inactive member's): answered as
            # anonymous or, beside a session, as the session's member, the
            # client would never learn its token is no good.
            raise AuthenticationError
        refresh_reader(request)
        return view_func(request, *args, **kwargs)

    return view


def readers_follow_authentication(api: NinjaAPI) -> None:
    """Make every operation of ``api`` run with the reader of whoever its
    authentication settled on, and refuse a bearer token that settled on
    no one.

    Wagtail's own routers authenticate with Wagtail's classes, which set
    ``request.user`` and leave ``request.reader`` as it was: a reader built
    before the token was read would answer a token member's page read. The
    club's routers use :data:`READ_AUTH`/:data:`WRITE_AUTH`, which refresh
    it themselves; refreshing once more costs nothing (the reader is built
    when an output first asks).

    On public reads both fall back to anonymous when the token resolves to
    no active member; that fallback is for clients that send no token, so a
    bad one is a 401 here, as it is in API v2. The decorator runs once
    authentication has settled (Ninja's ``operation`` mode), before the
    operation itself.
    """
    api.add_decorator(_reader_of_the_authenticated)
