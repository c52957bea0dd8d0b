"""Admin views that name a page answer 404 to a user who may not see it;
site history lists only pages whose drafts they may see and the page types
usage report counts only pages they may see; and pages are named by their
live titles where their drafts are not the user's to see
(``reviews.page_permissions.shows_live_title``).

The explorer, the page chooser and the per-page admin views (history,
usage, revisions, workflow…) show the page's title in their header and
breadcrumbs. Wagtail checks what a user may *do* with a page there, not
whether they may know it exists, and offers no hook before those views
run; this middleware asks :class:`~reviews.page_permissions.ClubPagePermissionPolicy`
for the page in the URL first, so a hidden page looks exactly like a
missing one.

The same holds for two views that name any model's objects: a bulk
action's confirmation page lists every object whose id its address names
(those the user may not act on too, by title), and a snippet chooser lists
every object of its model. Both name only what :func:`known_objects` lets
the user know of.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from urllib.parse import unquote

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.views.decorators.cache import never_cache
from taggit.models import Tag
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.admin.views.chooser import ExternalLinkView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.tags import TAGS_AUTOCOMPLETE_LIMIT
from wagtail.admin.views.tags import autocomplete as tag_autocomplete
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Collection, Page, PageLogEntry
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

from .media_visibility import visible_media
from .models import Book
from .object_ids import as_ids
from .page_permissions import admin_served, club_page_policy, serving_admin_for

#: URL arguments of Wagtail's admin views that name a page.
PAGE_ARGUMENTS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")
#: Views that name pages by the ``id`` values of their query string.
PAGE_IDS_IN_QUERY = frozenset({"wagtailadmin_choose_page_chosen_multiple"})
#: URL arguments that name a page in some views only, by the views'
#: namespace or name.
PAGE_ARGUMENTS_IN = {
    "wagtailadmin_pages": "pk",
    "wagtailadmin_api:pages": "pk",
    "wagtailadmin_workflows:remove": "page_pk",
}
#: Views whose JSON body names pages, and the members that do.
PAGE_IDS_IN_JSON = {"wagtailadmin_api:pages:action": ("destination_page_id",)}
#: Views whose posted form names a page, and the fields that do: a refused
#: choice was named back in the form's error.
PAGE_FIELDS_IN_POST = {"wagtailadmin_pages:copy": ("new_parent_page",)}
#: The media admin's namespaces, and the URL arguments that name a medium
#: (``doc_id``: the documents' multiple upload).
MEDIA_NAMESPACES = {
    "wagtailimages": get_image_model,
    "wagtailimages_chooser": get_image_model,
    "wagtaildocs": get_document_model,
    "wagtaildocs_chooser": get_document_model,
}
MEDIA_ARGUMENTS = ("pk", "image_id", "document_id", "doc_id")
SNIPPET_CHOOSERS = "wagtailsnippetchoosers_"
#: A snippet model's own views (listing, edit, history, usage, delete…).
SNIPPET_VIEWS = "wagtailsnippets_"
BULK_ACTION = "wagtail_bulk_action"
#: Names (a namespace or the URL's own) of the admin's views this module
#: looks at: Wagtail's admin, its bulk actions, the snippet choosers and
#: the media admin.
ADMIN_NAMES = (
    "wagtailadmin",
    BULK_ACTION,
    SNIPPET_CHOOSERS,
    SNIPPET_VIEWS,
    *MEDIA_NAMESPACES,
)
#: Models whose every object any admin user may know of: the site shows
#: them to every reader, and a member chooses a review's book.
OPEN_MODELS: tuple[type, ...] = (Book,)
#: Holding a permission for any of these on a model shows its objects.
MODEL_ACTIONS = ("add", "change", "delete", "view")


class HiddenAdminPagesMiddleware:
    """Answers 404 for admin views of pages the user may not see."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            admin_served()

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not _is_admin_view(match):
            # Asked first: the user is read, and the session loaded, only
            # for the admin's views.
            return None
        malformed = _malformed(request, match, view_kwargs)
        if malformed is not None:
            return malformed
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_superuser:
            return None
        serving_admin_for(user)
        names = {":".join(match.namespaces), match.view_name}
        arguments = [
            *PAGE_ARGUMENTS,
            *(name for key, name in PAGE_ARGUMENTS_IN.items() if key in names),
        ]
        for name in arguments:
            page_id = view_kwargs.get(name)
            if page_id is not None and not _may_see_pages(user, [page_id]):
                raise Http404("No page matches the given query.")
        if match.view_name in PAGE_IDS_IN_JSON and not _may_see_pages(
            user, _json_page_ids(request, PAGE_IDS_IN_JSON[match.view_name])
        ):
            raise Http404("No page matches the given query.")
        for name in PAGE_FIELDS_IN_POST.get(match.view_name, ()):
            posted = request.POST.get(name) if request.method == "POST" else None
            if posted and not _may_see_pages(user, [posted]):
                # As for a page that does not exist (Wagtail's view reads
                # it before its form, so that was a 500).
                raise Http404("No page matches the given query.")
        if match.view_name in PAGE_IDS_IN_QUERY and not _may_see_pages(
            user, request.GET.getlist("id")
        ):
            raise Http404("No page matches the given query.")
        if any(
            space.startswith((SNIPPET_CHOOSERS, SNIPPET_VIEWS))
            for space in match.namespaces
        ):
            # Wagtail's own views redirect a user without the permission
            # when the object exists and 404 when it does not: the
            # difference would say which ids exist.
            model = getattr(match.func, "view_initkwargs", {}).get("model")
            if model is not None and not knows_every_object(user, model):
                raise Http404("No object matches the given query.")
        media = next(
            (
                MEDIA_NAMESPACES[space]
                for space in match.namespaces
                if space in MEDIA_NAMESPACES
            ),
            None,
        )
        if media is not None:
            for name in MEDIA_ARGUMENTS:
                if name in view_kwargs and not _may_see_medium(
                    user, media(), view_kwargs[name]
                ):
                    raise Http404("No object matches the given query.")
        replacement = VISIBLE_ONLY_VIEWS.get(match.view_name)
        if replacement is not None:
            return replacement(request, *view_args, **view_kwargs)
        return None


def _is_admin_view(match) -> bool:
    names = [*match.namespaces, match.url_name or ""]
    return any(name.startswith(ADMIN_NAMES) for name in names)


def _json_page_ids(request: HttpRequest, members: tuple[str, ...]) -> list:
    """The ``members`` of the request's JSON object that are set."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return []  # the view answers a body it cannot read
    if not isinstance(body, dict):
        return []
    return [body[name] for name in members if body.get(name) is not None]


def _malformed(request: HttpRequest, match, view_kwargs: dict) -> HttpResponse | None:
    """The answer to an admin request that Wagtail would fail on (a 500):
    a NUL in the query (SQLite cannot search for it), or an id that no
    object can have. Asked for every user, superusers included."""
    if any("\x00" in value for value in request.GET.values()):
        return HttpResponseBadRequest("The query holds a NUL character.")
    if request.method == "POST" and match.view_name in PAGE_FIELDS_IN_POST:
        # Wagtail's view reads the page before its form validates it.
        for name in PAGE_FIELDS_IN_POST[match.view_name]:
            ids = as_ids([request.POST.get(name, "")], Page)
            if ids is None or not Page.objects.filter(pk=ids[0]).exists():
                raise Http404("No page matches the given query.")
    model = getattr(match.func, "view_initkwargs", {}).get("model")
    ids = [view_kwargs[name] for name in ("pk", "object_id") if name in view_kwargs]
    if match.url_name == "chosen_multiple" or match.view_name in PAGE_IDS_IN_QUERY:
        ids += request.GET.getlist("id")
    if match.view_name in PAGE_IDS_IN_QUERY:
        model = Page
    if match.view_name == BULK_ACTION:
        ids = [value for value in request.GET.getlist("id") if value != "all"]
    if "wagtailadmin_editing_sessions" in match.namespaces or (
        match.view_name == BULK_ACTION
    ):
        try:
            model = apps.get_model(view_kwargs["app_label"], view_kwargs["model_name"])
        except (KeyError, LookupError, ValueError):
            model = None
    if model is None:
        media = [MEDIA_NAMESPACES[n] for n in match.namespaces if n in MEDIA_NAMESPACES]
        model = media[0]() if media else None
    if isinstance(model, str):  # "app_label.Model", as some viewsets give it
        model = apps.get_model(model)
    if model is None:
        return None
    if as_ids([unquote(str(value)) for value in ids], model) is None:
        raise Http404("No object matches the given query.")
    return None


def _may_see_pages(user, values: list[str]) -> bool:
    """May ``user`` know of every page whose id is in ``values``?"""
    ids = as_ids(values, Page)
    if ids is None:
        return False
    visible = club_page_policy.visible_instances(Page.objects.filter(pk__in=ids), user)
    return visible.count() == len(set(ids))


def _may_see_medium(user, model: type[Model], value) -> bool:
    """May ``user`` know the image or document ``value`` names exists? A
    hidden one answers as a missing one does: a redirect for one and a 404
    for the other would say which ids exist."""
    ids = as_ids([value], model)
    return (
        ids is not None
        and visible_media(model._default_manager.filter(pk=ids[0]), user).exists()
    )


def knows_every_object(user, model: type) -> bool:
    """May ``user`` know of every object of ``model`` in the admin? Yes for
    :data:`OPEN_MODELS` and for a model they hold a permission on (its
    registered policy's, like the snippet's own views); pages and media are
    decided one by one (:func:`known_objects`)."""
    if user.is_superuser or issubclass(model, OPEN_MODELS):
        return True
    policy = policy_registry.get_by_type(model) or ModelPermissionPolicy(model)
    return policy.user_has_any_permission(user, MODEL_ACTIONS)


def known_objects(queryset: QuerySet, user) -> QuerySet:
    """The objects of ``queryset`` that ``user`` may know exist in the admin:
    the pages :class:`~reviews.page_permissions.ClubPagePermissionPolicy`
    shows them, the media they may see (:func:`visible_media`), and, of any
    other model, all or none (:func:`knows_every_object`)."""
    model = queryset.model
    if issubclass(model, Page):
        return club_page_policy.visible_instances(queryset, user)
    if issubclass(model, get_image_model() | get_document_model()):
        return visible_media(queryset, user)
    return queryset if knows_every_object(user, model) else queryset.none()


@cache
def _known_only(action_class: type[BulkAction]) -> type[BulkAction]:
    """``action_class``, reading only the objects the user may know of: every
    list its page makes (to act on, "no permission", the move's "no valid
    destination"…) comes from these. 404 when none is left."""

    class KnownOnly(action_class):  # type: ignore[valid-type,misc]
        # An instance method in place of Wagtail's class method: the view
        # calls it on itself, and only the instance knows the user.
        def get_queryset(self, model, object_ids):  # type: ignore[override]
            if as_ids(object_ids, model) is None:
                raise Http404("No object matches the given query.")
            named = super().get_queryset(model, object_ids)
            known = known_objects(
                model._default_manager.filter(pk__in=[item.pk for item in named]),
                self.request.user,
            )
            if issubclass(model, Page):
                # Named by their types' titles (one query a type): the live
                # one where the draft is not the user's
                # (``LiveTitleForMembersMixin``).
                known = known.specific(defer=True)
            by_pk = {item.pk: item for item in known}
            objects = [by_pk[item.pk] for item in named if item.pk in by_pk]
            if not objects:
                raise Http404("No object matches the given query.")
            return objects

        def get_all_objects_in_listing_query(self, parent_id):
            """``id=all``: every object of the listing below ``childOf``,
            which must be a page (or a collection) the user may know of."""
            if parent_id is not None:
                ids = as_ids(
                    [parent_id], Page if issubclass(self.model, Page) else Collection
                )
                known = ids is not None and (
                    club_page_policy.may_see(self.request.user, ids[0])
                    if issubclass(self.model, Page)
                    else True  # a collection: Wagtail filters by its id
                )
                if not known:
                    raise Http404("No page matches the given query.")
            return super().get_all_objects_in_listing_query(parent_id)

        def get_form(self, form_class=None):
            """The form's choices (the move's destination) limited to what
            the user may know of: a refused choice is named on the page."""
            form = super().get_form(form_class)
            data = form.data.copy() if form.is_bound else None
            for name, field in form.fields.items():
                queryset = getattr(field, "queryset", None)
                if queryset is None:
                    continue
                field.queryset = known_objects(queryset, self.request.user)
                posted = data.get(name) if data else None
                chosen = as_ids([posted], queryset.model) if posted else None
                if posted and not (
                    chosen and field.queryset.filter(pk=chosen[0]).exists()
                ):
                    # Refused, and not shown back: the chooser widget would
                    # name the page it was sent.
                    data.pop(name)
            if data is not None:
                form.data = data
            return form

    KnownOnly.__name__ = KnownOnly.__qualname__ = f"KnownOnly{action_class.__name__}"
    return KnownOnly


def known_only_bulk_action(
    request: HttpRequest, app_label: str, model_name: str, action: str
) -> HttpResponse:
    """Wagtail's bulk-action view (``wagtail.admin.views.bulk_action.index``)
    with :func:`_known_only` actions."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404 from error
    action_class = bulk_action_registry.get_bulk_action_class(
        app_label, model_name, action
    )
    if action_class is None:
        raise Http404
    return _known_only(action_class)(request, model).dispatch(request)


class VisiblePageTypesUsageReportView(PageTypesUsageReportView):
    """Wagtail's page types usage report, counting and naming only the pages
    the user may see: Wagtail's counts every page of each type and names
    the last edited one, whoever's draft it is."""

    def get_queryset(self):
        queryset = self.filter_queryset(
            ContentType.objects.filter(model__in=self.page_models)
        )
        self.queryset = queryset
        pages = club_page_policy.visible_instances(
            Page.objects.filter(depth__gt=1), self.request.user
        )
        language_code = self.filters.form.cleaned_data.get("page_locale")
        site_root_path = self.filters.form.cleaned_data.get("site")
        if language_code:
            pages = pages.filter(locale__language_code=language_code)
        if site_root_path:
            pages = pages.filter(path__startswith=site_root_path)
        of_type = pages.filter(content_type=OuterRef("pk")).order_by()
        counts = of_type.values("content_type").annotate(n=Count("pk")).values("n")
        last_edited = of_type.order_by(
            F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk"
        ).values("pk")[:1]
        queryset = queryset.annotate(
            count=Coalesce(Subquery(counts), 0),
            last_edited_page_id=Subquery(last_edited),
        ).exclude(model="page", app_label="wagtailcore", count=0)
        return queryset.order_by("-count", "app_label", "model")


class VisibleLogEntriesView(LogEntriesView):
    """Site history without other people's drafts: a page's log entries
    carry its title as it was then, a pending draft's title included, so
    they are listed only for pages whose drafts the user may see."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if queryset.model is PageLogEntry:
            pages = club_page_policy.with_visible_drafts(
                Page.objects.all(), self.request.user
            )
            queryset = queryset.filter(page_id__in=pages.values("pk"))
        return queryset


class ExternalLinksStayExternal(ExternalLinkView):
    """Wagtail's external link chooser, without turning a pasted address of
    the site into a link to the page it routes to: for that, Wagtail names
    the page by its draft title, whoever's draft, behind whatever view
    restriction or unpublished section. For anyone but a superuser (the
    view replaces Wagtail's for every other user), the link stays the
    address they pasted."""

    def post(self, request):
        self.form = self.form_class(
            request.POST, initial=self.get_initial_data(), prefix=self.form_prefix
        )
        if not self.form.is_valid():
            return super().post(request)
        return self.render_chosen_response(self.get_result_data())


class VisibleImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    """The admin's API of images (the choosers' and the editor's), with only
    the images the user may see (:func:`visible_media`), as the site's APIs."""

    def get_queryset(self):
        return visible_media(super().get_queryset(), self.request.user)


class VisibleDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    """The admin's API of documents, with only those the user may see."""

    def get_queryset(self):
        return visible_media(super().get_queryset(), self.request.user)


def visible_tags(tags: QuerySet, user) -> QuerySet:
    """The tags of ``tags`` used on a page or a medium ``user`` may see.

    A tag can name a spoiler ("anna-dies"), and Wagtail's tag field suggests
    every tag in the database, those of other members' drafts and of
    spoiler-only images included. Tags used on nothing else are left out.
    """
    used = Q(pk__in=[])
    for relation in tags.model._meta.related_objects:
        if not relation.one_to_many or relation.field.name != "tag":
            continue  # not a tagged item's foreign key to its tag
        through = relation.related_model
        names = {field.name for field in through._meta.get_fields()}
        tag_ids = Q(pk__in=[])
        if {"content_type", "object_id"} <= names:
            media = Q(pk__in=[])
            for model in (get_image_model(), get_document_model()):
                media |= Q(
                    content_type=ContentType.objects.get_for_model(model),
                    object_id__in=visible_media(model.objects.all(), user).values("pk"),
                )
            tag_ids = Q(pk__in=through.objects.filter(media).values("tag_id"))
        elif "content_object" in names:
            target = through._meta.get_field("content_object").related_model
            if isinstance(target, type) and issubclass(target, Page):
                shown = club_page_policy.visible_instances(Page.objects.all(), user)
                on_shown = through.objects.filter(content_object__in=shown.values("pk"))
                tag_ids = Q(pk__in=on_shown.values("tag_id"))
        used |= tag_ids
    return tags.filter(used)


def visible_tag_autocomplete(
    request: HttpRequest, app_name: str | None = None, model_name: str | None = None
) -> JsonResponse:
    """Wagtail's tag autocomplete, suggesting only :func:`visible_tags`.
    Wagtail's view filters its tag model inline, so only its answer's shape
    is reused: its own view runs first for the same checks and 404s."""
    tag_autocomplete(request, app_name, model_name)
    tag_model = Tag
    if app_name and model_name:
        tag_model = ContentType.objects.get_by_natural_key(
            app_name, model_name
        ).model_class()
    term = request.GET.get("term")
    if not term:
        return JsonResponse([], safe=False)
    names = (
        visible_tags(tag_model.objects.filter(name__istartswith=term), request.user)
        .order_by("name")
        .values_list("name", flat=True)[:TAGS_AUTOCOMPLETE_LIMIT]
    )
    return JsonResponse(list(names), safe=False)


#: Admin views shown in place of Wagtail's to users who may not see every page.
#: Wrapped as Wagtail wraps every admin URL.
VISIBLE_ONLY_VIEWS = {
    BULK_ACTION: require_admin_access(known_only_bulk_action),
    "wagtailadmin_choose_page_external_link": require_admin_access(
        ExternalLinksStayExternal.as_view()
    ),
    "wagtailadmin_tag_autocomplete": require_admin_access(visible_tag_autocomplete),
    "wagtailadmin_tag_model_autocomplete": require_admin_access(
        visible_tag_autocomplete
    ),
    "wagtailadmin_reports:site_history": never_cache(
        require_admin_access(VisibleLogEntriesView.as_view())
    ),
    "wagtailadmin_reports:site_history_results": never_cache(
        require_admin_access(VisibleLogEntriesView.as_view(results_only=True))
    ),
    "wagtailadmin_reports:page_types_usage": never_cache(
        require_admin_access(VisiblePageTypesUsageReportView.as_view())
    ),
    "wagtailadmin_reports:page_types_usage_results": never_cache(
        require_admin_access(VisiblePageTypesUsageReportView.as_view(results_only=True))
    ),
}
