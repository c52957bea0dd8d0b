"""Forms of the site's account pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm


class ClubSetPasswordForm(SetPasswordForm):
    """Django's form, with the password rules as one sentence of plain text.

    Django's help text is a ``<ul>``; the site's forms show help text inside
    an inline element that a list may not go in.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )
