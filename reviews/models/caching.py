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


class EdgePurge(models.Model):
    """A cache tag the database's triggers retired (a write no signal
    reported: reviews/migrations/0016_retire_tags_in_triggers.py), waiting
    for ``manage.py purge_edge`` to purge it from the edge caches.

    The app purges the edge itself for every change it is told of; this
    queue is for the others. The triggers fill it only while a purger has
    said it is running (:class:`EdgePurger`), so a site without one keeps
    nothing here.
    """

    tag = models.CharField(max_length=100)
    queued_at = models.DateTimeField()

    class Meta:
        verbose_name = _("edge purge")

    def __str__(self) -> str:
        return self.tag


class EdgePurger(models.Model):
    """A running ``manage.py purge_edge``, by name: ``seen_at`` is when it
    last said so, by the database's clock. The triggers queue purges
    (:class:`EdgePurge`) only while one was seen in the last hour (migration
    0017 says why that long)."""

    name = models.CharField(max_length=200, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("edge purger")

    def __str__(self) -> str:
        return self.name
