"""Invitations in the admin.

Under Settings, beside Users, for whoever may add invitations (editors and
admins). An invitation is sent or withdrawn (deleted), never edited: the link
already emailed would not follow a changed address. ``wagtail_hooks``
registers the policy and the viewset.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from .account_forms import InvitationForm
from .admin_dashboard import PolicyWithout
from .invitations import invitation_url, send_invitation
from .members import display_name
from .models import Invitation


class InvitationPolicy(PolicyWithout):
    """Invitations are sent or withdrawn, never changed."""

    NEVER = frozenset({"change"})


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
