"""Following books and discussions, email settings, and unsubscribing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..members import MemberRequest
from ..models import Book, Follow
from ..notifications.forms import FollowFormSet, NotificationSettingsForm
from ..notifications.preferences import settings_for
from ..notifications.unsubscribe import InvalidUnsubscribe, apply, open_token
from .discussions import visible_discussion
from .reading import safe_next_url


def _follow(request: HttpRequest, title: str, **target) -> HttpResponse:
    next_url = safe_next_url(request)
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if request.POST.get("action") == "unfollow":
        Follow.objects.filter(member=request.user, **target).delete()
        messages.success(
            request, _("You no longer follow %(title)s.") % {"title": title}
        )
    else:
        Follow.objects.get_or_create(member=request.user, **target)
        messages.success(
            request,
            _(
                "You follow %(title)s. Choose what you hear about in your email "
                "settings."
            )
            % {"title": title},
        )
    return HttpResponseRedirect(next_url)


@require_POST
def follow_book(request: HttpRequest, book_id: int) -> HttpResponse:
    book = get_object_or_404(Book, pk=book_id)
    return _follow(request, book.title, book=book)


@require_POST
def follow_discussion(request: HttpRequest, page_id: int) -> HttpResponse:
    page = visible_discussion(request, page_id)
    return _follow(request, page.title, discussion=page)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: MemberRequest) -> HttpResponse:
    """How and whether the member hears from the club, and each follow."""
    current = settings_for(request.user)
    follows = Follow.objects.filter(member=request.user).select_related(
        "book", "discussion"
    )
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(data, instance=current)
    formset = FollowFormSet(data, queryset=follows, prefix="follows")
    if data is not None and form.is_valid() and formset.is_valid():
        form.save()
        for follow_form in formset.forms:
            if follow_form.instance.member_id != request.user.pk:
                continue
            if follow_form in formset.deleted_forms:
                follow_form.instance.delete()
            elif follow_form.has_changed():
                follow_form.save()
        messages.success(request, _("Your email settings are saved."))
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "reviews/notification_settings.html",
        {"form": form, "formset": formset},
    )


def _private(response: HttpResponse) -> HttpResponse:
    """The token is in the URL: keep it out of caches and other sites' logs."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@csrf_exempt  # RFC 8058: mail clients POST without a form; the token is signed.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click, no login: the signed link stops what it names.

    Opening the link (GET) shows one button; link checkers and mail
    scanners open links too, so only the POST unsubscribes — the button, or
    the mail client's own one-click POST (``List-Unsubscribe-Post``).
    """
    try:
        target = open_token(token)
    except InvalidUnsubscribe:
        return _private(
            render(request, "reviews/unsubscribe.html", {"invalid": True}, status=400)
        )
    done = request.method == "POST"
    if done:
        apply(target)
    return _private(
        render(
            request,
            "reviews/unsubscribe.html",
            {"what": target.describe(), "done": done},
        )
    )
