"""Which images and documents may be shown to readers.

:class:`PublishedMediaUse` records where the *published* revision of a live
page uses an image or document, and whether openly or only inside a
spoiler. It is rewritten from the published revision when that changes
(publish, unpublish), so drafts and pending revisions never make media
public; whether a view restriction hides the page is asked when media are
read, not recorded. :class:`ImageApproval` and
:class:`DocumentApproval` record an editor's decision that an item is public
whether or not a page uses it. :mod:`reviews.media_visibility` reads both.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model_string
from wagtail.images import get_image_model_string


class PublishedMediaUse(models.Model):
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    # A string, like Wagtail's ReferenceIndex, so any primary key fits.
    object_id = models.CharField(max_length=255)
    open = models.BooleanField(
        default=False,
        help_text=_("Used outside every spoiler block (not only inside spoilers)."),
    )

    class Meta:
        verbose_name = _("published media use")
        indexes = [models.Index(fields=["content_type", "open", "object_id"])]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} on page {self.page_id}"


class _Approval(models.Model):
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        abstract = True


class ImageApproval(_Approval):
    """An editor made this image public, used on a page or not."""

    image = models.OneToOneField(
        get_image_model_string(),
        verbose_name=_("image"),
        on_delete=models.CASCADE,
        related_name="club_approval",
    )

    class Meta:
        verbose_name = _("image approval")

    def __str__(self) -> str:
        return f"Approval of image {self.image_id}"


class DocumentApproval(_Approval):
    """An editor made this document public, linked from a page or not."""

    document = models.OneToOneField(
        get_document_model_string(),
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="club_approval",
    )

    class Meta:
        verbose_name = _("document approval")

    def __str__(self) -> str:
        return f"Approval of document {self.document_id}"
