"""What the club keeps about a member beside Django's user."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import APIToken

from .stored import stored

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
    """A ``pre_save`` receiver for the user model: a save that replaces the
    password revokes every API token of its user before it is written, and
    again once it is (:func:`end_tokens_of_new_password`).

    Django logs every other session out when a password changes; a token
    (made on the token page with the old password, or by an admin) would
    otherwise stay a key to the account of a member who reset their
    password because someone else had it. Revoked first, a failure to
    revoke stops the save instead of leaving a new password beside the old
    tokens; revoked again after, a token another request made in between,
    with the old password, goes too.
    """
    instance.__dict__.pop(_NEW_PASSWORD, None)
    if raw or instance.pk is None:
        return
    if _replaces_password(instance, kwargs.get("update_fields")):
        _revoke_tokens(instance)
        instance.__dict__[_NEW_PASSWORD] = True


def end_tokens_of_new_password(sender, instance, raw: bool = False, **kwargs) -> None:
    """A ``post_save`` receiver for the user model: the second revocation of
    :func:`note_new_password`, after the new password is written."""
    if not raw and instance.__dict__.pop(_NEW_PASSWORD, False):
        _revoke_tokens(instance)


def _replaces_password(instance, update_fields) -> bool:
    """Does this save store a password someone set, or make it unusable?

    ``set_password`` (the site's reset, the admin's forms,
    ``changepassword``) is Django's own test, the one that tells the
    password validators of a new password: a hash upgraded at login (a
    stronger hasher, more iterations) is saved without it, and is no new
    password. ``set_unusable_password``, what a script locking a taken
    account out calls, is asked of the stored row."""
    if getattr(instance, "_password", None) is not None:
        return True
    if update_fields is not None and "password" not in update_fields:
        return False
    if is_password_usable(instance.password):
        return False
    before = stored(instance, "password")
    return before is not None and is_password_usable(before)


def _revoke_tokens(user) -> None:
    APIToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
