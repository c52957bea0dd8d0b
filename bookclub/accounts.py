"""The site's account views: Django's, with the limits a public site needs."""

from __future__ import annotations

import hashlib

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponse, HttpResponseRedirect

from reviews.ratelimit import Rate, RateLimited, hit

#: Reset emails to one address: enough to retry a lost email, too few for
#: anyone to flood a member's inbox through the form.
RESET_EMAIL_RATES = (Rate(3, 60 * 60), Rate(10, 24 * 60 * 60))


class ThrottledPasswordResetView(PasswordResetView):
    """Past the limit for an address, the form answers as usual and sends
    nothing, so it says no more about the address than it does otherwise."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        key = hashlib.sha256(email.encode()).hexdigest()
        try:
            hit("password-reset", key, RESET_EMAIL_RATES)
        except RateLimited:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
