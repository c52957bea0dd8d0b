"""Wagtail's ``api_tokens`` command, refusing input the database cannot hold.

Wagtail's command writes ``--name`` as given and looks ``--user`` and
``--prefix`` up as given: a name past its column's 255 characters failed
PostgreSQL's insert with a database error (SQLite stores it whole), and so
did a null character anywhere. Each is the command's error here, naming the
option, on every database. The plugin's app comes before ``wagtail`` in
``INSTALLED_APPS``, so ``manage.py api_tokens`` is this one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import ProhibitNullCharactersValidator
from wagtail.management.commands.api_tokens import Command as WagtailCommand
from wagtail.models import APIToken

_no_null_characters = ProhibitNullCharactersValidator()


def _checked(option: str, value: str | None) -> None:
    """Raise the command's error for a null character in ``value``: no
    PostgreSQL text holds one, not even a lookup's."""
    if value is None:
        return
    try:
        _no_null_characters(value)
    except ValidationError as error:
        raise CommandError(f"{option}: {' '.join(error.messages)}") from error


class Command(WagtailCommand):
    def get_user(self, username: str) -> Any:
        _checked("--user", username)
        return super().get_user(username)

    def create(self, *args: Any, name: str, **options: Any) -> None:
        _checked("--name", name)
        try:
            APIToken._meta.get_field("name").clean(name, None)
        except ValidationError as error:
            raise CommandError(f"--name: {' '.join(error.messages)}") from error
        super().create(*args, name=name, **options)

    def revoke(self, *args: Any, prefix: str | None, **options: Any) -> None:
        _checked("--prefix", prefix)
        super().revoke(*args, prefix=prefix, **options)
