"""The version of every cache tag, kept with the content it describes.

A change updates the rows of the tags it retires (reviews.invalidation) in
the same transaction as the change itself, so every process, whatever cache
it uses, sees the new versions exactly when it can see the new content.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CacheTag(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    version = models.BigIntegerField(
        help_text=_(
            "Changes, to a value never used before, whenever the tag is retired."
        )
    )
    strict_version = models.BigIntegerField(
        default=0,
        help_text=_(
            "Changes with the version, except when the change is one a page may "
            "show a moment late (a new comment, a vote, an RSVP)."
        ),
    )
    changed_at = models.DateTimeField(
        help_text=_("When the tag was last retired (a response's Last-Modified).")
    )

    class Meta:
        verbose_name = _("cache tag")

    def __str__(self) -> str:
        return self.name
