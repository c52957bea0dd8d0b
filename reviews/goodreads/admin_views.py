"""The admin's "Import from Goodreads": an editor uploads a member's export.

The upload is stored as a :class:`~reviews.models.GoodreadsImportJob` and run
in the background (:mod:`reviews.goodreads.tasks`) by the same
:func:`~reviews.goodreads.importer.import_export` as ``manage.py
import_goodreads``: a large import outlasts a web request. The job's page
shows its status, then its report. Editors (anyone who may add books) and
superusers may use it; other admin users get a 403 page. Publishing needs the
right to publish reviews, as it does in the editor.
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..members import display_name
from ..models import GoodreadsImportJob
from .importer import site_review_index
from .report import ImportReport
from .tasks import enqueue_import

MAX_UPLOAD_SIZE = 10 * 1024 * 1024
URL_NAME = "reviews_goodreads_import"
JOB_URL_NAME = "reviews_goodreads_import_job"
RECENT_JOBS = 10
#: Seconds between reloads of a job's page while it runs.
REFRESH_SECONDS = 3


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
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,text/csv,.json,application/json"}
        ),
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
        if PurePath(upload.name).suffix.lower() not in (".csv", ".json"):
            raise forms.ValidationError(
                _(
                    "Choose the .csv file Goodreads exported. A .json reading "
                    "export from this club works too."
                ),
                code="extension",
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


class EditorsOnlyMixin:
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

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(URL_NAME), "label": _("Import from Goodreads")}
        ]


class GoodreadsImportView(EditorsOnlyMixin, WagtailAdminTemplateMixin, FormView):
    form_class = GoodreadsImportForm
    template_name = "reviews/admin/goodreads_import.html"

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["recent_jobs"] = GoodreadsImportJob.objects.select_related(
            "member"
        ).defer("source", "report")[:RECENT_JOBS]
        return context

    def form_valid(self, form: GoodreadsImportForm) -> HttpResponse:
        data = form.cleaned_data
        upload = data["file"]
        upload.seek(0)
        job = GoodreadsImportJob.objects.create(
            member=data["member"],
            requested_by=self.request.user,
            file_name=PurePath(upload.name).name[:255],
            source=upload.read(),
            publish=data["publish"],
            dry_run=data["dry_run"],
        )
        enqueue_import(job)
        return HttpResponseRedirect(reverse(JOB_URL_NAME, args=[job.pk]))


class GoodreadsImportJobView(EditorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """One import: waiting, running, its report, or why it failed."""

    template_name = "reviews/admin/goodreads_import_job.html"

    def get_page_subtitle(self) -> str:
        return self.job.file_name

    def get(self, request: HttpRequest, job_id: int) -> HttpResponse:
        self.job = get_object_or_404(
            GoodreadsImportJob.objects.select_related("member", "requested_by").defer(
                "source"
            ),
            pk=job_id,
        )
        return super().get(request, job_id=job_id)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        job = self.job
        context["job"] = job
        context["member_name"] = display_name(job.member)
        context["report"] = (
            ImportReport.from_dict(job.report) if job.report is not None else None
        )
        context["refresh_seconds"] = None if job.finished else REFRESH_SECONDS
        return context


class GoodreadsImportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return may_import(request.user)
