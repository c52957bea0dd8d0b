"""Joining the club from an invitation link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..account_forms import JoinForm
from ..invitations import InvitationUnavailable, accept, open_invitation

#: Why a link cannot be used, as HTTP: withdrawn or tampered with is not
#: found; expired or already used is gone for good.
UNAVAILABLE_STATUS = {"invalid": 404, "expired": 410, "used": 410}


def _unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "reviews/join_unavailable.html",
        {"reason": reason},
        status=UNAVAILABLE_STATUS[reason],
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """Show the invitation's account form; on success the invitee is a member,
    logged in, and lands on their reading page to record progress."""
    try:
        invitation = open_invitation(token)
    except InvitationUnavailable as error:
        return _unavailable(request, error.reason)

    form = JoinForm(request.POST or None, email=invitation.email)
    user = None
    if request.method == "POST" and form.is_valid():
        try:
            user = accept(
                invitation,
                username=form.cleaned_data["username"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except InvitationUnavailable as error:
            return _unavailable(request, error.reason)
        except IntegrityError:
            # The username was taken between the form's check and the
            # insert (another join at the same moment).
            form.add_error("username", _("That username is taken; choose another."))
    if user is not None:
        # Through the configured backends (the login throttle included), so
        # the session records the backend that vouches for the member.
        authenticated = authenticate(
            request,
            username=user.get_username(),
            password=form.cleaned_data["password1"],
        )
        if authenticated is not None:
            login(request, authenticated)
            messages.success(
                request,
                _("Welcome to the club, %(name)s. Record how far you have read.")
                % {"name": user.first_name},
            )
            return HttpResponseRedirect(reverse("reviews:my_reading"))
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))

    response = render(
        request, "reviews/join.html", {"form": form, "email": invitation.email}
    )
    # The token is in this page's URL: keep it out of Referer headers sent
    # to other sites. Not "no-referrer": browsers then post the form with
    # "Origin: null", which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response
