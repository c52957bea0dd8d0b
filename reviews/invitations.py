"""Invitation links: signed, expiring, usable once.

The token in the link is ``django.core.signing`` output (a TimestampSigner
under the hood) naming the invitation row and its address. Signing means the
database holds no secret a leak could replay, and expiry needs no clean-up
job: ``max_age`` is checked when the link is opened. The row makes the link
single-use (``accepted_at`` is set in the same transaction that creates the
member) and lets editors see and withdraw invitations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .members import display_name
from .models import Invitation
from .roles import MEMBERS

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SALT = "reviews.invitations"
#: A week, unless ``BOOKCLUB_INVITATION_MAX_AGE`` (seconds) says otherwise.
DEFAULT_MAX_AGE = 7 * 24 * 60 * 60


class InvitationUnavailable(Exception):
    """The link cannot be used; ``reason`` says why, for the page shown."""

    reason = "invalid"


class InvitationInvalid(InvitationUnavailable):
    reason = "invalid"


class InvitationExpired(InvitationUnavailable):
    reason = "expired"


class InvitationUsed(InvitationUnavailable):
    reason = "used"


def max_age() -> int:
    return int(getattr(settings, "BOOKCLUB_INVITATION_MAX_AGE", DEFAULT_MAX_AGE))


def make_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"id": invitation.pk, "email": invitation.email}, salt=SALT, compress=True
    )


def open_invitation(token: str) -> Invitation:
    """The pending invitation ``token`` names, or :class:`InvitationUnavailable`."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as error:
        raise InvitationExpired from error
    except signing.BadSignature as error:
        raise InvitationInvalid from error
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise InvitationInvalid
    invitation = Invitation.objects.filter(
        pk=data["id"], email=data.get("email", "")
    ).first()
    if invitation is None:  # withdrawn by an editor
        raise InvitationInvalid
    if invitation.accepted:
        raise InvitationUsed
    return invitation


def members_group() -> Group:
    group, _ = Group.objects.get_or_create(name=MEMBERS)
    return group


def accept(invitation: Invitation, *, username: str, name: str, password: str) -> User:
    """Create the member the invitation was for; raises :class:`InvitationUsed`
    if the link was used meanwhile (two tabs, a double submit)."""
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True
        ).update(accepted_at=timezone.now())
        if not claimed:
            raise InvitationUsed
        user = get_user_model().objects.create_user(
            username=username, email=invitation.email, password=password
        )
        user.first_name = name
        user.save(update_fields=["first_name"])
        user.groups.add(members_group())
        Invitation.objects.filter(pk=invitation.pk).update(member=user)
    return user


def invitation_url(request: HttpRequest, invitation: Invitation) -> str:
    return request.build_absolute_uri(
        reverse("reviews:join", args=[make_token(invitation)])
    )


def send_invitation(request: HttpRequest, invitation: Invitation) -> str:
    """Email the invitation through Django's email framework; returns the link.

    SMTP errors propagate, so the caller can tell the editor and show the link.
    """
    url = invitation_url(request, invitation)
    context = {
        "url": url,
        "invitation": invitation,
        "inviter_name": display_name(invitation.invited_by)
        if invitation.invited_by
        else "",
        "days": max(1, max_age() // 86400),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "the book club"),
    }
    subject = render_to_string("reviews/email/invitation_subject.txt", context)
    send_mail(
        " ".join(subject.split()),
        render_to_string("reviews/email/invitation.txt", context),
        None,
        [invitation.email],
    )
    return url
