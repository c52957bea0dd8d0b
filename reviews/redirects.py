"""Wagtail's redirects, followed only to pages the reader may see.

A redirect answers an old URL with the target page's current URL, and API v3
lists redirects (old path, target page id) to anyone. When the target is a
draft, an unpublished or a view-restricted page, its URL and the old path are
slugs the reader may not learn (a slug can be a spoiler). Such a redirect is
skipped for that reader: the old URL stays the 404 it would be without it.
Who may see a page is :func:`reviews.visibility.can_view_page`'s answer, the
same rule that writes rich text links.
"""

from __future__ import annotations

from urllib.parse import urlparse

from django.db.models import Q, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.urls import reverse
from wagtail.contrib.redirects.middleware import RedirectMiddleware, get_redirect
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from .visibility import can_view_page, outside_unpublished_branches, own_or_live_public

#: Who may see every redirect, whatever it leads to.
MANAGE_PERMISSION = "wagtailredirects.change_redirect"


def _manages_redirects(user) -> bool:
    return bool(user is not None and user.is_authenticated) and user.has_perm(
        MANAGE_PERMISSION
    )


def leads_to_visible_page(redirect: Redirect, user) -> bool:
    """May ``user`` (None: anonymous) follow ``redirect``? A redirect to an
    outside link may always be followed; one to a page, when they may see it."""
    if redirect.redirect_page_id is None or _manages_redirects(user):
        return True
    return can_view_page(redirect.redirect_page, user)


def visible_redirects(queryset: QuerySet, user) -> QuerySet:
    """The redirects of ``queryset`` whose page ``user`` may know of in a
    listing (:func:`reviews.visibility.own_or_live_public`: not one below an
    unpublished page, which a redirect found by its path still leads to),
    or that lead outside; in one query."""
    if _manages_redirects(user):
        return queryset
    return queryset.filter(
        Q(redirect_page__isnull=True)
        | Q(redirect_page__in=own_or_live_public(Page.objects.all(), user))
    )


def listed_redirects(queryset: QuerySet, user) -> QuerySet:
    """:func:`visible_redirects` for a listing, which names the pages they
    lead to: not those below an unpublished page
    (:func:`reviews.visibility.outside_unpublished_branches`), which a
    redirect found by its path still leads to."""
    if _manages_redirects(user):
        return queryset
    return outside_unpublished_branches(
        visible_redirects(queryset, user), field="redirect_page__path"
    )


class VisibleRedirectMiddleware(RedirectMiddleware):
    """Wagtail's ``RedirectMiddleware``, but a redirect to a page the reader
    may not see leaves the 404 alone.

    Wagtail's middleware finds the redirect and answers in one method with no
    hook in between, so its lookup is repeated here (the same calls, in the
    same order) with the visibility check added.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        if response.status_code != 404:
            return response
        path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
        redirect = get_redirect(request, path)
        if redirect is None:
            path_without_query = urlparse(path).path
            if path == path_without_query:
                return response
            redirect = get_redirect(request, path_without_query)
        if redirect is None or redirect.link is None:
            return response
        if not leads_to_visible_page(redirect, getattr(request, "user", None)):
            return response
        if redirect.is_permanent:
            return HttpResponsePermanentRedirect(redirect.link)
        return HttpResponseRedirect(redirect.link)


def book_slug_changing(sender, instance, **kwargs) -> None:
    """``pre_save`` of a book: when its slug changes, its old address becomes a
    permanent redirect to the new one, kept as one of Wagtail's redirects (so
    editors see and manage it beside the pages' own). Earlier addresses are
    pointed straight at the new one, and a redirect from the new address (the
    book took back an old slug) goes, so no chain or loop forms."""
    if instance.pk is None or not instance.slug:
        return
    old_slug = (
        type(instance)
        ._default_manager.filter(pk=instance.pk)
        .values_list("slug", flat=True)
        .first()
    )
    if not old_slug or old_slug == instance.slug:
        return
    old_url = reverse("reviews:book", args=[old_slug])
    new_url = reverse("reviews:book", args=[instance.slug])
    Redirect.objects.filter(redirect_page=None, redirect_link=old_url).update(
        redirect_link=new_url
    )
    Redirect.objects.filter(
        site=None, old_path=Redirect.normalise_path(new_url)
    ).delete()
    Redirect.objects.update_or_create(
        site=None,
        old_path=Redirect.normalise_path(old_url),
        defaults={
            "redirect_page": None,
            "redirect_link": new_url,
            "is_permanent": True,
        },
    )


def book_deleted(sender, instance, **kwargs) -> None:
    """``post_delete`` of a book: its old addresses lead nowhere now, so they
    answer 404 like any unknown book."""
    Redirect.objects.filter(
        redirect_page=None,
        redirect_link=reverse("reviews:book", args=[instance.slug]),
    ).delete()
