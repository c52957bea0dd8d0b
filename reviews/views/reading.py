"""Members record how far they have read: from a book's pages and "My reading"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..forms import AddBookForm, ReadingProgressForm
from ..members import MemberRequest
from ..models import Book, ReadingProgress, ReviewIndexPage


def safe_next_url(request: HttpRequest, fallback: str | None = None) -> str:
    """The posted ``next`` URL if it stays on this site, else ``fallback``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return fallback or reverse("reviews:my_reading")


def describe(progress: ReadingProgress) -> str:
    """ "finished", "up to chapter 5" or "not started yet", for messages."""
    if progress.finished:
        return _("finished")
    if progress.chapter:
        return _("up to chapter %(n)s") % {"n": progress.chapter_shown}
    return _("not started yet")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def update_progress(request: HttpRequest, book_id: int) -> HttpResponse:
    """Save the member's progress in one book, then go back where they were.

    Invalid input re-renders the form with its errors on a page of its own,
    keeping ``next`` so the member still gets back afterwards; that page
    reloaded (a ``GET``) goes back too, rather than to an empty 405.
    """
    book = get_object_or_404(Book, pk=book_id)
    next_url = safe_next_url(request)
    if request.method != "POST":
        return HttpResponseRedirect(next_url)
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    progress = ReadingProgress.objects.filter(member=request.user, book=book).first()
    form = ReadingProgressForm(
        request.POST, member=request.user, book=book, instance=progress
    )
    if form.is_valid():
        saved = form.save()
        messages.success(
            request,
            _("Saved: %(book)s, %(where)s. Spoilers up to there are open to you.")
            % {"book": book.title, "where": describe(saved)},
        )
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "reviews/progress_form_page.html",
        {"book": book, "form": form, "next_url": next_url},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def remove_progress(request: MemberRequest, book_id: int) -> HttpResponse:
    """Take a book off the member's list, after asking.

    Their progress in it is forgotten and the spoilers it opened close
    again, so one misclick must not do it: as Wagtail's delete views do, a
    ``GET`` shows what would be lost with a button, and only that button's
    ``POST`` removes it. Only the member's own progress is found: any other
    book is a 404, but for a second ``POST`` (a double click), which goes
    back as the first did.
    """
    progress = (
        ReadingProgress.objects.select_related("book")
        .filter(member=request.user, book_id=book_id)
        .first()
    )
    next_url = safe_next_url(request)
    if progress is None:
        if request.method == "POST":
            # A second click of the button: already done.
            return HttpResponseRedirect(next_url)
        # The question asked again (the Back button after removing): say so.
        book = get_object_or_404(Book, pk=book_id)
        return render(
            request,
            "reviews/remove_progress.html",
            {"progress": None, "book": book, "next_url": next_url},
            status=404,
        )
    if request.method == "POST":
        progress.delete()
        messages.success(
            request,
            _("Removed %(book)s from your reading.") % {"book": progress.book.title},
        )
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "reviews/remove_progress.html",
        {"progress": progress, "book": progress.book, "next_url": next_url},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def my_reading(request: MemberRequest) -> HttpResponse:
    """The member's books, how far they are in each, and a form to add one.

    The books stay in the order they were added: saving progress, here or
    on a book's pages, leaves a book where the member last saw it (ordered by
    the time of the last save, the book just saved jumped to the top).
    """
    if request.method == "POST":
        add_form = AddBookForm(request.POST, member=request.user)
        if add_form.is_valid():
            saved = add_form.save()
            messages.success(
                request,
                _("Saved: %(book)s, %(where)s.")
                % {"book": saved.book.title, "where": describe(saved)},
            )
            return HttpResponseRedirect(reverse("reviews:my_reading"))
    else:
        add_form = AddBookForm(member=request.user)
    entries = (
        ReadingProgress.objects.filter(member=request.user)
        .select_related("book", "book__cover")
        .order_by("pk")
    )
    return render(
        request,
        "reviews/my_reading.html",
        {
            "entries": entries,
            "add_form": add_form,
            "write_review_url": write_review_url(request),
        },
    )


def write_review_url(request: MemberRequest) -> str | None:
    """The admin's form for a new review under the review index, where the
    API adds them too; none for a user who may not add one."""
    index = ReviewIndexPage.objects.live().order_by("path").first()
    if index is None or not index.permissions_for_user(request.user).can_add_subpage():
        return None
    return reverse("wagtailadmin_pages:add", args=("reviews", "reviewpage", index.pk))
