"""The admin's "Import from Goodreads": an editor uploads a member's export.

It runs the same :func:`~reviews.goodreads.importer.import_export` as
``manage.py import_goodreads`` and shows its report. Editors (anyone who may
add books) and superusers may use it; other admin users get a 403 page.
Publishing needs the right to publish reviews, as it does in the editor.
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..members import display_name
from .importer import import_export, site_review_index

MAX_UPLOAD_SIZE = 10 * 1024 * 1024
URL_NAME = "reviews_goodreads_import"


def may_import(user) -> bool:
    """Editors import for members: the same people who manage the catalogue."""
    return bool(
        user.is_active and (user.is_superuser or user.has_perm("reviews.add_book"))
    )


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{display_name(obj)} ({obj.get_username()})"


class GoodreadsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Goodreads export"),
        help_text=_(
            "The CSV file from Goodreads (My Books → Import and export → Export "
            "library), up to %(size)s."
        )
        % {"size": filesizeformat(MAX_UPLOAD_SIZE)},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    member = MemberChoiceField(
        label=_("Member"),
        queryset=get_user_model().objects.none(),
        help_text=_(
            "Whose reading history this is: the reviews, ratings and progress "
            "become theirs."
        ),
    )
    publish = forms.BooleanField(
        label=_("Publish the reviews"),
        required=False,
        help_text=_(
            "Leave unticked to import the reviews as drafts the member can check "
            "and submit for moderation."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run"),
        required=False,
        help_text=_("Report what the import would do, without saving anything."),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        User = get_user_model()
        self.fields["member"].queryset = User.objects.filter(is_active=True).order_by(
            User.USERNAME_FIELD
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() != ".csv":
            raise forms.ValidationError(
                _("Choose the .csv file Goodreads exported."), code="extension"
            )
        if upload.size > MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(MAX_UPLOAD_SIZE),
                },
                code="size",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload

    def clean_publish(self) -> bool:
        publish = self.cleaned_data["publish"]
        index = site_review_index()
        if publish and index is not None and self.user is not None:
            if not index.permissions_for_user(self.user).can_publish_subpage():
                raise forms.ValidationError(
                    _(
                        "You may not publish reviews: leave this unticked to "
                        "import them as drafts."
                    ),
                    code="publish",
                )
        return publish


class GoodreadsImportView(WagtailAdminTemplateMixin, FormView):
    form_class = GoodreadsImportForm
    template_name = "reviews/admin/goodreads_import.html"
    page_title = _("Import from Goodreads")
    header_icon = "upload"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_import(request.user):
            # A page that says why, with the status that says so (Wagtail's
            # usual answer would be a redirect to the dashboard).
            return TemplateResponse(
                request,
                "reviews/admin/goodreads_import_denied.html",
                {
                    "page_title": self.page_title,
                    "header_icon": self.header_icon,
                    "header_title": self.page_title,
                },
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(URL_NAME), "label": self.page_title}
        ]

    def form_valid(self, form: GoodreadsImportForm) -> HttpResponse:
        data = form.cleaned_data
        report = import_export(
            data["file"],
            data["member"],
            publish=data["publish"],
            dry_run=data["dry_run"],
            acting_user=self.request.user,
        )
        # A fresh form: the report is the answer, the form is for the next file.
        return self.render_to_response(
            self.get_context_data(
                form=self.form_class(user=self.request.user), report=report
            )
        )


class GoodreadsImportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return may_import(request.user)
