"""Choosing the next book: nominations with a pitch, one vote per member."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..club_forms import NominationForm, VoteForm
from ..members import MemberRequest
from ..models import Nomination, NominationRound, Vote
from ..models.club import cast_vote


def _visible_rounds():
    return NominationRound.objects.filter(opens_at__lte=timezone.now())


@require_GET
def round_index(request: HttpRequest) -> HttpResponse:
    rounds = _visible_rounds()
    return TemplateResponse(
        request,
        "reviews/next_book_index.html",
        {
            "open_rounds": list(NominationRound.objects.open()),
            "closed_rounds": list(rounds.closed()[:10]),
        },
    )


def _round_context(
    request: HttpRequest, nomination_round: NominationRound, **forms
) -> dict:
    tally = nomination_round.tally()
    user = request.user
    my_vote = None
    my_nomination = None
    if user.is_authenticated:
        my_vote = (
            Vote.objects.filter(round=nomination_round, member=user)
            .values_list("nomination_id", flat=True)
            .first()
        )
        my_nomination = next((n for n in tally if n.nominated_by_id == user.pk), None)
    context = {
        "round": nomination_round,
        "nominations": tally,
        "winners": nomination_round.winners(tally),
        "total_votes": sum(n.vote_count for n in tally)
        if nomination_round.is_closed
        else None,
        "my_vote": my_vote,
        "my_nomination": my_nomination,
    }
    if user.is_authenticated and nomination_round.is_open:
        context["vote_form"] = forms.get("vote_form") or VoteForm(
            nomination_round=nomination_round, initial={"nomination": my_vote}
        )
        if my_nomination is None:
            context["nomination_form"] = forms.get("nomination_form") or NominationForm(
                nomination_round=nomination_round
            )
    return context


@require_GET
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    nomination_round = get_object_or_404(_visible_rounds(), pk=round_id)
    return TemplateResponse(
        request,
        "reviews/next_book_round.html",
        _round_context(request, nomination_round),
    )


@login_required
@require_POST
def nominate(request: MemberRequest, round_id: int) -> HttpResponse:
    nomination_round = get_object_or_404(_visible_rounds(), pk=round_id)
    url = reverse("reviews:next_book_round", args=[nomination_round.pk])
    if not nomination_round.is_open:
        messages.error(request, _("This round is closed."))
        return redirect(url)
    form = NominationForm(request.POST, nomination_round=nomination_round)
    if form.is_valid():
        try:
            with transaction.atomic():
                Nomination.objects.create(
                    round=nomination_round,
                    book=form.cleaned_data["book"],
                    pitch=form.cleaned_data["pitch"].strip(),
                    nominated_by=request.user,
                )
        except IntegrityError:
            form.add_error(
                None, _("You have already nominated a book, or it was nominated.")
            )
        else:
            messages.success(request, _("Your nomination is in."))
            return redirect(f"{url}#nominations")
    return TemplateResponse(
        request,
        "reviews/next_book_round.html",
        _round_context(request, nomination_round, nomination_form=form),
    )


@login_required
@require_POST
def vote(request: HttpRequest, round_id: int) -> HttpResponse:
    nomination_round = get_object_or_404(_visible_rounds(), pk=round_id)
    url = reverse("reviews:next_book_round", args=[nomination_round.pk])
    form = VoteForm(request.POST, nomination_round=nomination_round)
    if form.is_valid():
        try:
            cast_vote(nomination_round, request.user, form.cleaned_data["nomination"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your vote is saved; you can change it."))
        return redirect(f"{url}#vote")
    return TemplateResponse(
        request,
        "reviews/next_book_round.html",
        _round_context(request, nomination_round, vote_form=form),
    )
