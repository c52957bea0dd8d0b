"""The club's admin: books, reading progress, comment moderation, the
next-book rounds and the Goodreads import under one menu."""

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import AbstractPage
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from . import cache_tags
from .account_forms import InvitationForm
from .admin_dashboard import ClubPanel, member_name, yes_no
from .goodreads import admin_views as goodreads_admin
from .invalidation import page_kind
from .invitations import invitation_url, send_invitation
from .media_admin import DocumentApprovalViewSet, ImageApprovalViewSet
from .media_visibility import VisibleMediaPermissionPolicy, visible_media
from .members import display_name
from .models import (
    Book,
    CommentReport,
    DiscussionComment,
    DiscussionPage,
    Invitation,
    NominationRound,
    ReadingProgress,
    Webhook,
    WebhookDelivery,
)
from .page_permissions import club_page_policy
from .rich_text import use_visible_page_links

# Members see their own pages and live public pages only (reviews.page_permissions).
register_permission_policy(AbstractPage, club_page_policy)


@hooks.register("before_serve_page")
def declare_cache_tags(page, request, serve_args, serve_kwargs) -> None:
    """What the served page depends on, for the page cache and the edge
    (reviews/response_cache.py)."""
    request.cache_tags = cache_tags.for_page(page_kind(page), page.pk)


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


# -- Comment moderation ------------------------------------------------------
# Editors hide and restore comments; nothing a member wrote is deleted here,
# and nobody adds comments in the admin.


class CommentModerationPolicy(ModelPermissionPolicy):
    """``change_discussioncomment`` lets editors hide and restore comments;
    adding and deleting are never offered, not even to superusers."""

    NEVER = frozenset({"add", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.NEVER and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.NEVER]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)


register_permission_policy(
    DiscussionComment, CommentModerationPolicy(DiscussionComment)
)


class CommentFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(
        label=_("Discussion"),
        queryset=DiscussionPage.objects.order_by("-starts_at"),
    )
    reported = django_filters.BooleanFilter(
        label=_("Has open reports"), method="filter_reported"
    )
    removed = django_filters.BooleanFilter(label=_("Removed"))

    class Meta:
        model = DiscussionComment
        fields = ["page", "reported", "removed"]

    def filter_reported(self, queryset, name, value):
        if value is None:
            return queryset
        open_reports = Exists(
            CommentReport.objects.filter(
                comment=OuterRef("pk"), resolved_at__isnull=True
            )
        )
        return (
            queryset.filter(open_reports) if value else queryset.exclude(open_reports)
        )


class CommentModerationEditView(EditView):
    """Saving with "removed" switched records who hid or restored the
    comment, and closes its open reports."""

    def save_instance(self):
        was_removed = (
            DiscussionComment.objects.filter(pk=self.object.pk)
            .values_list("removed", flat=True)
            .first()
        )
        instance = super().save_instance()
        if instance.removed and not was_removed:
            instance.remove(self.request.user)
        elif was_removed and not instance.removed:
            instance.restore(self.request.user)
        else:
            # Saved without a change of state: the moderator saw the reports.
            instance.resolve_reports(self.request.user)
        return instance


class DiscussionCommentViewSet(SnippetViewSet):
    model = DiscussionComment
    icon = "comment"
    menu_label = _("Comments")
    add_to_admin_menu = False
    copy_view_enabled = False
    edit_view_class = CommentModerationEditView
    list_display = [
        "excerpt",
        member_name("author", _("Author")),
        "page",
        "chapter",
        Column("open_reports", label=_("Open reports")),
        yes_no("removed", _("Removed")),
        "created_at",
    ]
    filterset_class = CommentFilterSet
    search_fields = ["body"]
    ordering = ["-created_at"]
    panels = [
        FieldPanel("page", read_only=True),
        FieldPanel("author", read_only=True),
        FieldPanel("chapter", read_only=True),
        FieldPanel("body", read_only=True),
        FieldPanel("created_at", read_only=True),
        FieldPanel("edited_at", read_only=True),
        FieldPanel(
            "removed",
            help_text=_(
                "Hide the comment from the site and the API. Its replies stay "
                "readable under a 'removed' note; untick to restore it."
            ),
        ),
        FieldPanel("removed_by", read_only=True),
        FieldPanel("removed_at", read_only=True),
        HelpPanel(template="reviews/admin/comment_reports_panel.html"),
    ]

    def get_queryset(self, request):
        return DiscussionComment.objects.select_related("author", "page").annotate(
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True))
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


class WebhookViewSet(SnippetViewSet):
    model = Webhook
    icon = "link-external"
    menu_label = _("Publish webhooks")
    list_display = ["name", "url", "events", yes_no("active", _("Active"))]
    list_filter = ["active"]


class WebhookDeliveryViewSet(SnippetViewSet):
    """Every delivery and its last attempt; editors only read these."""

    model = WebhookDelivery
    icon = "history"
    menu_label = _("Webhook deliveries")
    list_display = [
        "event",
        "page_title",
        "webhook",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["page_title", "last_error"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "webhook",
        "event",
        "page_id",
        "page_title",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "payload",
    ]


class WebhookViewSetGroup(SnippetViewSetGroup):
    items = (WebhookViewSet, WebhookDeliveryViewSet)
    menu_icon = "link-external"
    menu_label = _("Webhooks")
    menu_name = "webhooks"


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


# -- Invitations -------------------------------------------------------------
# Under Settings, beside Users, for whoever may add invitations (editors and
# admins). An invitation is sent or withdrawn (deleted), never edited: the
# link already emailed would not follow a changed address.


class InvitationPolicy(ModelPermissionPolicy):
    NEVER = frozenset({"change"})

    def user_has_permission(self, user, action):
        return action not in self.NEVER and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.NEVER]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)


register_permission_policy(Invitation, InvitationPolicy(Invitation))


class InvitationCreateView(generic.CreateView):
    """Saves the invitation, then emails its link (outside the transaction, so
    a mail server that is down leaves the invitation listed, with its link
    shown to the editor to pass on another way)."""

    def save_instance(self):
        self.form.instance.invited_by = self.request.user
        return super().save_instance()

    def save_action(self):
        try:
            send_invitation(self.request, self.object)
        except OSError:  # smtplib's errors are OSErrors, as are refused connections
            messages.error(
                self.request,
                _(
                    "The invitation to %(email)s is saved, but the email could not "
                    "be sent. Send them this link another way: %(url)s"
                )
                % {
                    "email": self.object.email,
                    "url": invitation_url(self.request, self.object),
                },
            )
        else:
            messages.success(
                self.request,
                _("Invitation sent to %(email)s.") % {"email": self.object.email},
            )
        return redirect(self.get_success_url())


class InvitationViewSet(ModelViewSet):
    model = Invitation
    icon = "mail"
    menu_label = _("Invitations")
    add_to_settings_menu = True
    add_view_class = InvitationCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "email",
        Column(
            "status",
            label=_("Status"),
            accessor=lambda invitation: (
                _("Joined") if invitation.accepted else _("Waiting")
            ),
        ),
        Column(
            "inviter",
            label=_("Invited by"),
            accessor=lambda invitation: display_name(invitation.invited_by),
        ),
        "created_at",
        Column(
            "joined_as",
            label=_("Joined as"),
            accessor=lambda invitation: (
                display_name(invitation.member) if invitation.member else ""
            ),
        ),
    ]
    inspect_view_fields = ["email", "created_at", "accepted_at"]

    def get_form_class(self, for_update=False):
        return InvitationForm

    def get_queryset(self, request):
        return Invitation.objects.select_related("invited_by", "member")


@hooks.register("register_admin_viewset")
def register_invitations():
    return InvitationViewSet("invitations")


# Links to pages: after Wagtail's own handlers (order), which it replaces.
hooks.register("register_rich_text_features", use_visible_page_links, order=100)


@hooks.register("construct_image_chooser_queryset")
def choose_visible_images_only(images, request):
    """Members choose only images they may see (:mod:`reviews.media_visibility`)."""
    return visible_media(images, request.user)


@hooks.register("construct_document_chooser_queryset")
def choose_visible_documents_only(documents, request):
    return visible_media(documents, request.user)


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
