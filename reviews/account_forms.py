"""Forms for joining the club: the editor's invitation and the invitee's account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Invitation


class InvitationForm(WagtailAdminModelForm):
    """One address per invitation; none for existing members or pending ones."""

    class Meta:
        model = Invitation
        fields = ["email"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Someone with this address is already a member.")
            )
        pending = Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True
        )
        if pending.exists():
            raise forms.ValidationError(
                _(
                    "An invitation to this address is already waiting. Delete it "
                    "first to send a new one."
                )
            )
        return email


class JoinForm(forms.Form):
    """The invitee's name, login and password (Django's password validators)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("How other members see you, for example “Alice Marsh”."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("You log in with this. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )
        if not self.is_bound:
            self.initial.setdefault("username", email.split("@", 1)[0])

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Tell the club what to call you."))
        return name

    def clean_username(self) -> str:
        # As Django will store it (NFKC: a fullwidth "ａlice" is "alice"), so
        # the check below sees the username the database will be asked for.
        username = get_user_model().normalize_username(self.cleaned_data["username"])
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken; choose another."))
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = get_user_model()(
                username=cleaned.get("username", ""),
                email=self.email,
                first_name=cleaned.get("name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
