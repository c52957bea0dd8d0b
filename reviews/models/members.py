"""What the club keeps about a member beside Django's user."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import APIToken

#: Characters of a public id: ``secrets.token_urlsafe(9)`` gives 12.
PUBLIC_ID_LENGTH = 12


def new_public_id() -> str:
    """72 random bits, URL-safe: nobody can count or guess members by it."""
    return secrets.token_urlsafe(9)


class MemberProfile(models.Model):
    """A member's public id: how the APIs name a reviewer (and what their
    ``reviewer=`` filter takes) without the user's primary key, which counts
    members and lets anyone walk through them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_profile",
    )
    public_id = models.CharField(
        _("public id"),
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
        editable=False,
    )

    class Meta:
        verbose_name = _("member profile")

    def __str__(self) -> str:
        return self.public_id


def public_id_of(user) -> str | None:
    """``user``'s public id, made the first time it is asked for; None for a
    former member (no user)."""
    if user is None:
        return None
    try:
        return user.member_profile.public_id
    except MemberProfile.DoesNotExist:
        profile, _created = MemberProfile.objects.get_or_create(user=user)
        return profile.public_id


def give_new_user_a_profile(
    sender, instance, created: bool, raw: bool = False, **kwargs
) -> None:
    """A ``post_save`` receiver for the user model: every new user gets a
    public id at once, so showing a review never has to write."""
    if created and not raw:
        MemberProfile.objects.get_or_create(user=instance)


#: Set on a user by :func:`note_new_password`, for
#: :func:`end_tokens_of_new_password`.
_NEW_PASSWORD = "_reviews_new_password"  # noqa: S105 (an attribute name)


def note_new_password(sender, instance, raw: bool = False, **kwargs) -> None:
    """A ``pre_save`` receiver for the user model: is this save storing a
    password someone set (``set_password``: the site's reset, the admin's
    form, ``changepassword``, a script)?

    Django's own test, the one that tells the password validators of a new
    password when the user is saved: a hash upgraded on login (a stronger
    hasher, more iterations) is saved without it, and is no new password."""
    instance.__dict__.pop(_NEW_PASSWORD, None)
    new = getattr(instance, "_password", None) is not None
    if not raw and instance.pk is not None and new:
        instance.__dict__[_NEW_PASSWORD] = True


def end_tokens_of_new_password(sender, instance, raw: bool = False, **kwargs) -> None:
    """A ``post_save`` receiver for the user model: a new password revokes
    every API token of its user, in the save's own transaction.

    Django logs every other session out when a password changes; a token
    (made on the token page with the old password, or by an admin) would
    otherwise stay a key to the account of a member who reset their
    password because someone else had it."""
    if raw or not instance.__dict__.pop(_NEW_PASSWORD, False):
        return
    APIToken.objects.filter(user=instance, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
