"""A member's own API tokens: make one for a frontend, revoke it.

Wagtail keeps tokens (``wagtail.models.APIToken``) and authenticates API
v3 with them; its admin views make and revoke them for whoever has its
token permissions, and its token history and usage views and the site
history report then list every user's tokens to them. So members get no
such permission: this page shows a member their own tokens and nothing
else, and a new token's text once, in the answer that made it (it is kept
only as a hash).
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.decorators import login_required
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import APIToken

from ..members import MemberRequest

#: Active tokens a member may hold at once: one a frontend or device, with
#: room to spare; more is a script making them.
MAX_TOKENS = 10
#: The forms that made a token, by id, kept in the member's session: the
#: latest few, enough for the tabs one member has open.
USED_FORMS_SESSION_KEY = "reviews:token-forms-used"
USED_FORMS_KEPT = 20
FORM_ID_LENGTH = 64


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=APIToken._meta.get_field("name").max_length,
        validators=[ProhibitNullCharactersValidator()],
        help_text=_("Where you will use it, e.g. “Reading app on my phone”."),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("A token lets an app act as you, so making one asks for it."),
    )
    #: Which form this is: the same form posted again (the answer that showed
    #: the token, reloaded) makes no second token (:func:`my_tokens`).
    form_id = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=FORM_ID_LENGTH
    )

    def __init__(self, *args, request: HttpRequest, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.member = request.user
        if not self.is_bound:
            self.initial["form_id"] = secrets.token_urlsafe(16)

    def clean(self):
        cleaned = super().clean()
        if _active(self.member).count() >= MAX_TOKENS:
            raise forms.ValidationError(
                _("You hold %(count)s tokens, the most a member may: revoke one first.")
                % {"count": MAX_TOKENS}
            )
        self._check_password(cleaned.get("password"))
        return cleaned

    def _check_password(self, password: str | None) -> None:
        """The member's password, through the site's authentication: a
        session left open, or taken, does not become a lasting key without
        it, and wrong ones count towards the sign-in form's lockout."""
        if not password:
            return  # the field's own error says so
        user = authenticate(
            self.request, username=self.member.get_username(), password=password
        )
        if getattr(self.request, "axes_locked_out", False):
            # A throttling backend (django-axes) refused to check it.
            self.add_error("password", _("Too many wrong passwords: try again later."))
        elif user is None or user.pk != self.member.pk:
            self.add_error("password", _("That is not your password."))


def _active(member):
    return APIToken.objects.filter(user=member, revoked_at__isnull=True)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def my_tokens(request: MemberRequest) -> HttpResponse:
    """The member's tokens, and a form to make one. A token made is shown
    in this answer only (never cached), not after a redirect: the site
    keeps its hash, not its text."""
    created = None
    repeated = False
    form = TokenForm(request.POST or None, request=request)
    if request.method == "POST":
        used = list(request.session.get(USED_FORMS_SESSION_KEY, []))
        form_id = request.POST.get("form_id", "")
        if form_id and form_id in used:
            # The answer that showed a token, reloaded: its form again.
            repeated = True
            form = TokenForm(request=request)
        else:
            created = _make_token(request, form)
            if created is not None:
                if form_id:
                    used = [*used, form_id][-USED_FORMS_KEPT:]
                    request.session[USED_FORMS_SESSION_KEY] = used
                form = TokenForm(request=request)
    return render(
        request,
        "reviews/my_tokens.html",
        {
            "form": form,
            "tokens": _active(request.user).order_by("-created"),
            "created_token": created,
            "repeated": repeated,
            "max_tokens": MAX_TOKENS,
        },
    )


def _make_token(request: MemberRequest, form: TokenForm) -> str | None:
    """The text of the token ``form`` makes, or None if it is refused. The
    count and the new token in one step: the member's row is taken, so
    parallel forms cannot each count one under the limit."""
    with transaction.atomic():
        get_user_model()._default_manager.select_for_update().filter(
            pk=request.user.pk
        ).first()
        if not form.is_valid():
            return None
        _token, text = APIToken.create_token(
            user=request.user, name=form.cleaned_data["name"]
        )
        return text


@require_POST
@login_required
def revoke_token(request: MemberRequest, token_id: int) -> HttpResponse:
    """Revoke one of the member's tokens; another's is missing (404)."""
    token = _active(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    token.revoke()
    messages.success(
        request,
        _("Revoked %(name)s: it opens nothing any more.") % {"name": token.name},
    )
    return HttpResponseRedirect(reverse("reviews:my_tokens"))
