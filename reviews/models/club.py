"""Club life around the meetings: who is coming, and which book is next."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from ..members import shown_member

PITCH_MAX_LENGTH = 500


class MeetingRSVP(models.Model):
    """A member's answer to "are you coming?" for one discussion meeting."""

    class Answer(models.TextChoices):
        GOING = "going", _("Going")
        MAYBE = "maybe", _("Maybe")
        NOT_GOING = "not_going", _("Not going")

    page = models.ForeignKey(
        "reviews.DiscussionPage",
        on_delete=models.CASCADE,
        related_name="rsvps",
        verbose_name=_("discussion"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_rsvps",
        verbose_name=_("member"),
    )
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices)
    updated_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        ordering = ["updated_at", "pk"]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "member"], name="one_rsvp_per_member_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.page.title}: {self.get_answer_display()}"


class NominationRoundQuerySet(models.QuerySet):
    def open(self) -> NominationRoundQuerySet:
        now = timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")

    def closed(self) -> NominationRoundQuerySet:
        return self.filter(closes_at__lte=timezone.now()).order_by("-closes_at")


class NominationRound(index.Indexed, models.Model):
    """Editors open a round; members nominate books and vote until it closes."""

    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("E.g. 'Our book for the autumn'."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Optional: what kind of book the club is looking for."),
    )
    opens_at = models.DateTimeField(
        _("opens"),
        default=timezone.now,
        help_text=_("Members may nominate and vote from this moment."),
    )
    closes_at = models.DateTimeField(
        _("closes"),
        help_text=_(
            "Nominations and votes end at this moment, and the result is shown. "
            "Set it to now to close the round early."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("opened by"),
    )

    objects = NominationRoundQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("opens_at"),
        FieldPanel("closes_at"),
    ]

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        ordering = ["-closes_at", "pk"]
        verbose_name = _("next-book round")
        verbose_name_plural = _("next-book rounds")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("A round must close after it opens.")}
            )

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.opens_at <= now < self.closes_at

    @property
    def is_closed(self) -> bool:
        return self.closes_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.is_closed:
            return "closed"
        return "open" if self.is_open else "scheduled"

    def tally(self) -> list[Nomination]:
        """Nominations with a ``vote_count`` (one query).

        Most votes first once the round has closed; until then in the order
        they were made, since sorting by votes would tell who is winning.
        Callers show the counts only once the round has closed.
        """
        order = ("-vote_count",) if self.is_closed else ()
        # vote_count is declared on Nomination for the type checker.
        return list(
            shown_member(self.nominations.select_related("book"), "nominated_by")
            .annotate(vote_count=models.Count("votes"))  # type: ignore[no-redef]
            .order_by(*order, "created_at", "pk")
        )

    def winners(self, tally: list[Nomination] | None = None) -> list[Nomination]:
        """The nominations with the most votes once the round has closed
        (several on a tie, none while open or without votes)."""
        if not self.is_closed:
            return []
        tally = self.tally() if tally is None else tally
        top = max((n.vote_count for n in tally), default=0)
        return [n for n in tally if top and n.vote_count == top]


class Nomination(models.Model):
    """A book from the catalogue put forward for a round, with a short pitch."""

    #: Set by :meth:`NominationRound.tally` (an annotation, not a column).
    vote_count: int

    round = models.ForeignKey(
        NominationRound,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("round"),
    )
    book = models.ForeignKey(
        "reviews.Book",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("book"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    pitch = models.TextField(
        _("pitch"),
        validators=[MaxLengthValidator(PITCH_MAX_LENGTH)],
        help_text=_("Why the club should read it, in a few sentences."),
    )
    created_at = models.DateTimeField(_("nominated"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "book"], name="one_nomination_per_book_round"
            ),
            models.UniqueConstraint(
                fields=["round", "nominated_by"],
                name="one_nomination_per_member_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book.title} ({self.round})"


class Vote(models.Model):
    """One member's vote in a round; changing it replaces the old one."""

    round = models.ForeignKey(
        NominationRound,
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("round"),
    )
    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("nomination"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="next_book_votes",
        verbose_name=_("member"),
    )
    updated_at = models.DateTimeField(_("voted"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"], name="one_vote_per_member_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.nomination.book.title}"

    def clean(self) -> None:
        super().clean()
        if self.nomination_id and self.round_id != self.nomination.round_id:
            raise ValidationError(
                {"nomination": _("Vote for a book nominated in this round.")}
            )


def cast_vote(
    nomination_round: NominationRound, member, nomination: Nomination
) -> Vote:
    """Record ``member``'s vote, replacing any earlier one in the round."""
    if nomination.round_id != nomination_round.pk:
        raise ValidationError(_("Vote for a book nominated in this round."))
    if not nomination_round.is_open:
        raise ValidationError(_("This round is not open for votes."))
    vote, _created = Vote.objects.update_or_create(
        round=nomination_round, member=member, defaults={"nomination": nomination}
    )
    return vote
