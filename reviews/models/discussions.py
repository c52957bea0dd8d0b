"""Club meetings about a book, their questions and members' comments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..api.fields import BookSummaryField
from ..blocks import RICH_TEXT_FEATURES, QuestionStreamBlock

COMMENT_MAX_LENGTH = 4000


class DiscussionIndexPage(Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    api_fields = [APIField("intro")]

    parent_page_types = ["wagtailcore.Page", "home.HomePage"]
    subpage_types = ["reviews.DiscussionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("discussion index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        discussions = (
            DiscussionPage.objects.child_of(self)
            .live()
            .public()
            .select_related("book", "book__cover")
        )
        now = timezone.now()
        context["upcoming"] = discussions.filter(starts_at__gte=now).order_by(
            "starts_at"
        )
        context["past"] = discussions.filter(starts_at__lt=now).order_by("-starts_at")[
            :20
        ]
        return context


class DiscussionPage(Page):
    book = models.ForeignKey(
        "reviews.Book",
        on_delete=models.PROTECT,
        related_name="discussions",
        verbose_name=_("book"),
    )
    starts_at = models.DateTimeField(
        _("starts at"),
        help_text=_("Date and time of the meeting, in the club's time zone."),
    )
    location = models.CharField(
        _("location"),
        max_length=255,
        blank=True,
        help_text=_("Where members meet in person. Leave blank for online only."),
    )
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Video call link. Leave blank for in person only."),
    )
    host = models.CharField(
        _("host"), max_length=255, blank=True, help_text=_("Who leads the discussion.")
    )
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    questions = StreamField(
        QuestionStreamBlock(),
        blank=True,
        verbose_name=_("questions"),
        help_text=_("Questions for the meeting; gate any that give away the plot."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("book"),
        MultiFieldPanel(
            [
                FieldPanel("starts_at"),
                FieldRowPanel([FieldPanel("location"), FieldPanel("online_url")]),
                FieldPanel("host"),
            ],
            heading=_("Meeting"),
        ),
        FieldPanel("intro"),
        FieldPanel("questions"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.RelatedFields("book", [index.SearchField("title")]),
        index.FilterField("starts_at"),
    ]

    api_fields = [
        APIField("book", serializer=BookSummaryField()),
        APIField("starts_at"),
        APIField("location"),
        APIField("online_url"),
        APIField("host"),
        APIField("intro"),
        APIField("questions"),
        APIField("comment_count"),
    ]

    parent_page_types = ["reviews.DiscussionIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("discussion")

    def clean(self) -> None:
        super().clean()
        if not self.location and not self.online_url:
            raise ValidationError(
                {
                    "location": _("Give a location, an online link, or both."),
                    "online_url": _("Give a location, an online link, or both."),
                }
            )
        if self.book_id:
            errors = []
            for block in self.questions:
                if block.value["book"] is None:
                    block.value["book"] = self.book
                try:
                    block.value["book"].check_chapter(block.value["chapter"])
                except ValidationError as error:
                    errors.extend(error.messages)
            if errors:
                raise ValidationError({"questions": errors})

    @property
    def is_upcoming(self) -> bool:
        return self.starts_at >= timezone.now()

    @property
    def comment_count(self) -> int:
        return self.comments.filter(removed=False).count()


class DiscussionComment(models.Model):
    """A member's comment on a discussion. Moderation hides, never deletes."""

    page = models.ForeignKey(
        DiscussionPage,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("discussion"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="discussion_comments",
        verbose_name=_("author"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(
        _("comment"), validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)]
    )
    chapter = models.PositiveSmallIntegerField(
        _("about chapter"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The chapter the comment is about. Blank: the whole book."),
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    removed = models.BooleanField(
        _("removed"),
        default=False,
        help_text=_("Hidden by a moderator. The text is kept and can be restored."),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("discussion comment")
        verbose_name_plural = _("discussion comments")
        indexes = [models.Index(fields=["page", "removed", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author} on {self.page.title}: {self.body[:40]}"

    def clean(self) -> None:
        super().clean()
        if self.parent_id and self.page_id and self.parent.page_id != self.page_id:
            raise ValidationError({"parent": _("Replies stay in the same discussion.")})
        if self.page_id and self.chapter:
            try:
                self.page.book.check_chapter(self.chapter)
            except ValidationError as error:
                raise ValidationError({"chapter": error.messages}) from error
