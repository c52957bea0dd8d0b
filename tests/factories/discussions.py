"""Factories and helpers for discussions, comments and club life."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from reviews.models import (
    DiscussionComment,
    MeetingRSVP,
    Nomination,
    NominationRound,
)
from tests.factories.models import BookFactory, UserFactory


class DiscussionCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscussionComment

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}.")
    chapter = None


class MeetingRSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingRSVP

    member = factory.SubFactory(UserFactory)
    answer = MeetingRSVP.Answer.GOING


class NominationRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NominationRound

    title = factory.Sequence(lambda n: f"Round {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    round = factory.SubFactory(NominationRoundFactory)
    book = factory.SubFactory(BookFactory)
    nominated_by = factory.SubFactory(UserFactory)
    pitch = "A book we should read together."
