"""Comment moderation in the admin.

Editors hide and restore comments; nothing a member wrote is deleted here, and
nobody adds comments in the admin. ``wagtail_hooks`` registers the policy and
puts the viewset in the club's menu.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import EditView, SnippetViewSet

from .admin_dashboard import PolicyWithout, member_name, yes_no
from .members import display_name
from .models import CommentReport, DiscussionComment, DiscussionPage


class CommentModerationPolicy(PolicyWithout):
    """``change_discussioncomment`` lets editors hide and restore comments;
    adding and deleting are never offered, not even to superusers."""

    NEVER = frozenset({"add", "delete"})


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


class SetFieldPanel(FieldPanel):
    """A read-only field shown only once it has a value: "Removed by None"
    told a moderator nothing."""

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self) -> bool:
            value = getattr(self.instance, self.panel.field_name, None)
            return super().is_shown() and value is not None


class MemberFieldPanel(FieldPanel):
    """A member shown read-only by their display name, as the comment list
    and the reports name them; Django's default was the username."""

    def format_value_for_display(self, value: object) -> object:
        return display_name(value) if value is not None else value


class SetMemberFieldPanel(SetFieldPanel, MemberFieldPanel):
    """A member, by name, shown only once the field is set (who removed it)."""


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
    # The reports first after the words: they are why a moderator is here.
    panels = [
        FieldPanel("page", read_only=True),
        MemberFieldPanel("author", read_only=True),
        FieldPanel("chapter", read_only=True),
        FieldPanel("body", read_only=True),
        HelpPanel(template="reviews/admin/comment_reports_panel.html"),
        FieldPanel("created_at", read_only=True),
        SetFieldPanel("edited_at", read_only=True),
        FieldPanel(
            "removed",
            help_text=_(
                "Hide the comment from the site and the API. Its replies stay "
                "readable under a 'removed' note; untick to restore it."
            ),
        ),
        SetMemberFieldPanel("removed_by", read_only=True),
        SetFieldPanel("removed_at", read_only=True),
    ]

    def get_queryset(self, request):
        return DiscussionComment.objects.select_related("author", "page").annotate(
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True))
        )
