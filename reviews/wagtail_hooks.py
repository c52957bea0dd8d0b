"""The club's admin: books, reading progress, comment moderation, the
next-book rounds and the Goodreads import under one menu."""

from django.db.models import Count
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import AbstractPage
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from . import cache_tags
from .admin_dashboard import ClubPanel, member_name, yes_no
from .admin_privacy import (
    VisibleDocumentsAdminAPIViewSet,
    VisibleImagesAdminAPIViewSet,
)
from .comment_admin import CommentModerationPolicy, DiscussionCommentViewSet
from .goodreads import admin_views as goodreads_admin
from .invalidation import page_kind
from .invitation_admin import InvitationPolicy, InvitationViewSet
from .media_admin import DocumentApprovalViewSet, ImageApprovalViewSet
from .media_visibility import (
    VisibleMediaPermissionPolicy,
    use_visible_document_links,
    visible_media,
)
from .models import (
    Book,
    DiscussionComment,
    Invitation,
    NominationRound,
    ReadingProgress,
)
from .moderation import keep_live_revision
from .page_permissions import club_page_policy
from .rich_text import use_visible_page_links
from .webhook_admin import WebhookViewSetGroup

# Members see their own pages and live public pages only (reviews.page_permissions).
register_permission_policy(AbstractPage, club_page_policy)


@hooks.register("before_serve_page")
def declare_cache_tags(page, request, serve_args, serve_kwargs) -> None:
    """What the served page depends on, for the page cache and the edge
    (reviews/response_cache/store.py)."""
    request.cache_tags = cache_tags.for_page(page_kind(page), page.pk)


# A save in the editor never rewrites a page's live revision (reviews.moderation).
hooks.register("before_edit_page", keep_live_revision)


@hooks.register("construct_page_chooser_queryset")
def choose_only_visible_pages(pages, request):
    return club_page_policy.visible_instances(pages, request.user)


class BookViewSet(SnippetViewSet):
    model = Book
    icon = "doc-full"
    menu_label = _("Books")
    list_display = ["title", "author", "isbn13", "published_year", "chapter_count"]
    list_filter = ["author"]
    search_fields = ["title", "author", "isbn13"]
    # The database's own match, not the search index, which holds the ISBN
    # only as a filter: an editor finds a book by part of any of the three.
    search_backend_name = None
    ordering = ["title"]


class ReadingProgressViewSet(SnippetViewSet):
    model = ReadingProgress
    icon = "list-ul"
    menu_label = _("Reading progress")
    list_display = [
        member_name("member", _("Member")),
        "book",
        "chapter",
        yes_no("finished", _("Finished")),
        "updated_at",
    ]
    list_filter = ["finished"]
    search_fields = ["book__title", "member__username"]
    panels = [
        FieldPanel("member"),
        FieldPanel("book"),
        FieldPanel("chapter"),
        FieldPanel("finished"),
        FieldPanel("started_at"),
        FieldPanel("finished_at"),
    ]


# Editors hide and restore comments (reviews/comment_admin.py).
register_permission_policy(
    DiscussionComment, CommentModerationPolicy(DiscussionComment)
)


class RoundCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class NominationRoundViewSet(SnippetViewSet):
    model = NominationRound
    icon = "tasks"
    menu_label = _("Next-book rounds")
    add_view_class = RoundCreateView
    copy_view_enabled = False
    list_display = [
        "title",
        "opens_at",
        "closes_at",
        Column("status", label=_("Status")),
        Column("nomination_count", label=_("Nominations")),
    ]
    ordering = ["-closes_at"]

    def get_queryset(self, request):
        return NominationRound.objects.annotate(nomination_count=Count("nominations"))


class BookClubViewSetGroup(SnippetViewSetGroup):
    items = (
        BookViewSet,
        ReadingProgressViewSet,
        DiscussionCommentViewSet,
        NominationRoundViewSet,
    )
    menu_icon = "doc-full-inverse"
    menu_label = _("Book club")
    menu_name = "bookclub"
    submenu_hook = "register_bookclub_menu_item"


register_snippet(BookClubViewSetGroup)


class MediaApprovalViewSetGroup(SnippetViewSetGroup):
    items = (ImageApprovalViewSet, DocumentApprovalViewSet)
    menu_icon = "image"
    menu_label = _("Media approvals")
    menu_name = "media-approvals"


register_snippet(MediaApprovalViewSetGroup)

# Members choose only media they may see, in every chooser view. For the exact
# class: that entry wins over the one each app registers in its ready(), which
# may run after this module is imported.
register_permission_policy(
    get_image_model(),
    VisibleMediaPermissionPolicy(
        get_image_model(),
        auth_model="wagtailimages.Image",
        owner_field_name="uploaded_by_user",
    ),
    exact_class=True,
)
register_permission_policy(
    get_document_model(),
    VisibleMediaPermissionPolicy(
        get_document_model(),
        auth_model="wagtaildocs.Document",
        owner_field_name="uploaded_by_user",
    ),
    exact_class=True,
)


register_snippet(WebhookViewSetGroup)


# -- Goodreads import --------------------------------------------------------


@hooks.register("register_admin_urls")
def register_goodreads_import_url():
    return [
        path(
            "goodreads-import/",
            goodreads_admin.GoodreadsImportView.as_view(),
            name=goodreads_admin.URL_NAME,
        ),
        path(
            "goodreads-import/<int:job_id>/",
            goodreads_admin.GoodreadsImportJobView.as_view(),
            name=goodreads_admin.JOB_URL_NAME,
        ),
    ]


@hooks.register("register_bookclub_menu_item")
def register_goodreads_import_menu_item():
    return goodreads_admin.GoodreadsImportMenuItem(
        _("Import from Goodreads"),
        reverse(goodreads_admin.URL_NAME),
        name="goodreads-import",
        icon_name="upload",
        order=900,
    )


# Invitations: sent or withdrawn, never changed (reviews/invitation_admin.py).
register_permission_policy(Invitation, InvitationPolicy(Invitation))


@hooks.register("register_admin_viewset")
def register_invitations():
    return InvitationViewSet("invitations")


# Links to pages and documents: after Wagtail's own handlers (order), which
# they replace.
hooks.register("register_rich_text_features", use_visible_page_links, order=100)
hooks.register("register_rich_text_features", use_visible_document_links, order=100)


@hooks.register("construct_image_chooser_queryset")
def choose_visible_images_only(images, request):
    """Members choose only images they may see (:mod:`reviews.media_visibility`)."""
    return visible_media(images, request.user)


@hooks.register("construct_document_chooser_queryset")
def choose_visible_documents_only(documents, request):
    return visible_media(documents, request.user)


@hooks.register("construct_admin_api", order=100)
def admin_api_lists_visible_media_only(router) -> None:
    """The admin's API of images and documents lists what the user may see,
    as the site's APIs do: in place of Wagtail's endpoints (order: after
    the apps' own registrations)."""
    router.register_endpoint("images", VisibleImagesAdminAPIViewSet)
    router.register_endpoint("documents", VisibleDocumentsAdminAPIViewSet)


@hooks.register("before_serve_document")
def serve_visible_documents_only(document, request) -> None:
    """A document's download address (``/documents/<id>/<file name>``) is
    guessable: ids count up and the file name is the uploader's. One the
    reader may not see answers exactly as a missing one."""
    model = type(document)
    if not visible_media(model.objects.filter(pk=document.pk), request.user).exists():
        raise Http404(f"No {model._meta.object_name} matches the given query.")


@hooks.register("construct_homepage_panels")
def add_club_panel(request, panels) -> None:
    panels.append(ClubPanel())
