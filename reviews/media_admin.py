"""Where editors approve images and documents in the admin.

An approval makes an item public whatever pages use it
(:mod:`reviews.media_visibility`): a member's upload waits here until an
editor has looked at it. Deleting an approval takes the item back out of the
public listings, unless a published page uses it openly.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from .admin_dashboard import member_name
from .models import DocumentApproval, ImageApproval

_HELP = _(
    "Approving makes this public in the image and document listings of both "
    "APIs and in members' choosers, even if no published page uses it. Look "
    "at the title and the file first: they must not give a spoiler away."
)


class ApprovalCreateView(CreateView):
    """Records who approved: always the editor submitting the form."""

    def save_instance(self):
        self.form.instance.approved_by = self.request.user
        return super().save_instance()


class ImageApprovalViewSet(SnippetViewSet):
    model = ImageApproval
    icon = "image"
    menu_label = _("Approved images")
    add_to_admin_menu = False
    list_display = [
        "image",
        member_name("approved_by", _("Approved by")),
        "approved_at",
    ]
    ordering = ["-approved_at"]
    add_view_class = ApprovalCreateView
    panels = [HelpPanel(content=_HELP), FieldPanel("image")]


class DocumentApprovalViewSet(SnippetViewSet):
    model = DocumentApproval
    icon = "doc-full"
    menu_label = _("Approved documents")
    add_to_admin_menu = False
    list_display = [
        "document",
        member_name("approved_by", _("Approved by")),
        "approved_at",
    ]
    ordering = ["-approved_at"]
    add_view_class = ApprovalCreateView
    panels = [HelpPanel(content=_HELP), FieldPanel("document")]
