"""The site's account views: Django's, with the limits a public site needs."""

from __future__ import annotations

import hashlib

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView, PasswordResetView
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task
from wagtail.models import Site

from reviews.ratelimit import Rate, RateLimited, hit

#: Reset emails to one address: enough to retry a lost email, too few for
#: anyone to flood a member's inbox through the form.
RESET_EMAIL_RATES = (Rate(3, 60 * 60), Rate(10, 24 * 60 * 60))


@task()
def send_password_reset(
    user_id: int,
    templates: tuple[str, str, str | None],
    site: dict[str, str],
    from_email: str | None,
) -> str:
    """Write and send one reset email. The token is made here, in the worker,
    so the queue never holds one."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no such member"
    context = {
        **site,
        "email": user.email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject, body, html = templates
    PasswordResetForm().send_mail(
        subject, body, context, from_email, user.email, html_email_template_name=html
    )
    return "sent"


class BackgroundPasswordResetForm(PasswordResetForm):
    """Django's form, with the email queued as a task: the request neither
    waits for the mail server nor takes longer when the address has an
    account."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        send_password_reset.enqueue(
            context["user"].pk,
            (subject_template_name, email_template_name, html_email_template_name),
            {key: context[key] for key in ("domain", "site_name", "protocol")},
            from_email,
        )


class ThrottledPasswordResetView(PasswordResetView):
    """Past the limit for an address, the form answers as usual and sends
    nothing, so it says no more about the address than it does otherwise.

    The email names the club by its Site's name: without Django's sites
    framework, Django would name it by the request's host."""

    form_class = BackgroundPasswordResetForm

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        key = hashlib.sha256(email.encode()).hexdigest()
        try:
            hit("password-reset", key, RESET_EMAIL_RATES)
        except RateLimited:
            return HttpResponseRedirect(self.get_success_url())
        site = Site.find_for_request(self.request)
        self.extra_email_context = {
            "site_name": (site and site.site_name) or settings.WAGTAIL_SITE_NAME
        }
        return super().form_valid(form)


class UnlockingPasswordResetConfirmView(PasswordResetConfirmView):
    """Django's view, which also lifts a login lockout of the member whose
    password it sets. The lockout page sends a member here ("Reset it by
    email"), and the link proves they hold the address; without this their
    new password was refused for the rest of the cool-off."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        reset_login_failures(username=form.user.get_username())
        return response
