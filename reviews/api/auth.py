"""Bearer-token authentication for API v2, backed by Wagtail's APIToken."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from wagtail.models import APIToken


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
