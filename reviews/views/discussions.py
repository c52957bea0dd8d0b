"""Members' actions on a discussion page: comments, reports, RSVPs, and the
meeting's calendar files. Everything works as plain HTML forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Site

from ..chapter_ranges import InvalidChapterRange, parse_range
from ..club_forms import CommentForm, EditCommentForm, ReportForm, RSVPForm
from ..comments import actions as comment_actions
from ..comments.gate import may_read, revealed_range_comments
from ..meetings import calendar_for, set_rsvp
from ..members import member_id, shown_member
from ..middleware import bad_request
from ..models import DiscussionComment, DiscussionPage
from ..ratelimit import RateLimited, describe_wait
from ..read_only import read_only
from ..spoilers import InvalidReaderParams, reader_of
from ..visibility import descendants_of, public_pages, reachable_pages


def visible_discussion(request: HttpRequest, page_id: int) -> DiscussionPage:
    """A live discussion this visitor may view, else 404."""
    page = get_object_or_404(
        DiscussionPage.objects.live().select_related("book"), pk=page_id
    )
    for restriction in page.get_view_restrictions():
        if not restriction.accept_request(request):
            raise Http404
    return page


def render_discussion(
    request: HttpRequest, page: DiscussionPage, status: int = 200, **extra
) -> TemplateResponse:
    """The discussion page itself, e.g. with a bound form showing errors."""
    context = page.get_context(request)
    context.update(extra)
    return TemplateResponse(request, page.get_template(request), context, status=status)


def _confirm(request: HttpRequest, text: str, place: str) -> None:
    """Say ``text`` at ``place`` on the discussion page, where the redirect
    that follows lands: ``comment-<id>`` on that comment, ``comments`` at
    the head of the comments (reviews/includes/comments.html). At the top of
    the page it would be screens above what the member is looking at."""
    messages.success(request, text, extra_tags=f"placed {place}")


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_comment(request: HttpRequest, page_id: int) -> HttpResponse:
    page = visible_discussion(request, page_id)
    if request.method != "POST":
        # The page a refused comment came back on, reloaded or gone back
        # to: the discussion, not an empty 405.
        return redirect(f"{page.url}#comments")
    form = CommentForm(request.POST, page=page)
    status = 200
    retry_after = 0
    if form.is_valid():
        try:
            comment = comment_actions.post_comment(
                page,
                request.user,
                form.cleaned_data["body"],
                chapter=form.cleaned_data["chapter"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except RateLimited as error:
            status = 429
            retry_after = error.retry_after
            form.add_error(
                None,
                _(
                    "You are posting faster than the club allows. Your comment is "
                    "still here: try again in %(wait)s."
                )
                % {"wait": describe_wait(error.retry_after)},
            )
        else:
            _confirm(request, _("Your comment is posted."), f"comment-{comment.pk}")
            return redirect(f"{page.url}#comment-{comment.pk}")
    reply_to = (
        form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
    )
    response = render_discussion(
        request, page, status=status, comment_form=form, reply_to=reply_to
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _published_comment(request: HttpRequest, comment_id: int) -> DiscussionComment:
    """A published comment on a discussion this visitor may view, else 404:
    a removed or deleted comment has no page of its own."""
    comment = get_object_or_404(
        shown_member(
            DiscussionComment.objects.published().select_related("page", "page__book"),
            "author",
        ),
        pk=comment_id,
    )
    page = visible_discussion(request, comment.page_id)
    comment.page = page
    return comment


def _action_page(
    request: HttpRequest, comment: DiscussionComment, status: int = 200, **extra
) -> TemplateResponse:
    """The page of one action on ``comment``. It quotes the comment only if
    the spoiler rule lets this reader see it or they wrote it, as the
    discussion page does."""
    context = {
        "comment": comment,
        "page": comment.page,
        "text_visible": may_read(
            reader_of(request),
            comment.page.book_id,
            comment,
            member_id(request),
        ),
        **extra,
    }
    return TemplateResponse(
        request, "reviews/comment_action.html", context, status=status
    )


def _refuse(request: HttpRequest, comment: DiscussionComment, message: str):
    return _action_page(request, comment, status=403, refusal=message)


@login_required
@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _published_comment(request, comment_id)
    if not comment.can_delete(request.user):
        return _refuse(request, comment, _("You can only edit your own comments."))
    if not comment.can_edit(request.user):
        return _refuse(
            request,
            comment,
            _(
                "Comments can be edited only shortly after posting; you can still "
                "delete it."
            ),
        )
    if request.method == "POST":
        form = EditCommentForm(request.POST, page=comment.page)
        if form.is_valid():
            try:
                comment_actions.edit_comment(
                    comment,
                    request.user,
                    form.cleaned_data["body"],
                    form.cleaned_data["chapter"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            except PermissionDenied as error:
                return _refuse(request, comment, str(error))
            else:
                _confirm(
                    request, _("Your comment is updated."), f"comment-{comment.pk}"
                )
                return redirect(f"{comment.page.url}#comment-{comment.pk}")
    else:
        form = EditCommentForm(
            page=comment.page,
            initial={"body": comment.body, "chapter": comment.chapter},
        )
    return _action_page(request, comment, form=form, action="edit")


@login_required
@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _published_comment(request, comment_id)
    if not comment.can_delete(request.user):
        return _refuse(request, comment, _("You can only delete your own comments."))
    if request.method == "POST":
        comment_actions.delete_comment(comment, request.user)
        _confirm(request, _("Your comment is deleted."), "comments")
        return redirect(f"{comment.page.url}#comments")
    return _action_page(request, comment, action="delete")


@login_required
@require_http_methods(["GET", "POST"])
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _published_comment(request, comment_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _report, created = comment_actions.report_comment(
                comment, request.user, form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            _confirm(
                request,
                _("Thank you: the moderators will have a look.")
                if created
                else _("You have already reported this comment."),
                "comments",
            )
            return redirect(f"{comment.page.url}#comments")
    return _action_page(request, comment, form=form, action="report")


@login_required
@require_POST
def rsvp(request: HttpRequest, page_id: int) -> HttpResponse:
    page = visible_discussion(request, page_id)
    form = RSVPForm(request.POST)
    if not page.is_upcoming:
        messages.error(request, _("This meeting is over; answers are closed."))
        return redirect(f"{page.url}#rsvp")
    # Shown beside the button (reviews/includes/meeting.html), where the
    # fragment lands.
    if form.is_valid():
        set_rsvp(page, request.user, form.cleaned_data["answer"])
        messages.success(
            request, _("Thanks, your answer is saved."), extra_tags="placed rsvp"
        )
    else:
        messages.error(
            request, _("Choose going, maybe or not going."), extra_tags="placed rsvp"
        )
    return redirect(f"{page.url}#rsvp-status")


@read_only
def meeting_calendar(request: HttpRequest, page_id: int) -> HttpResponse:
    """One meeting as an ``.ics`` file to add to a calendar."""
    page = visible_discussion(request, page_id)
    return _ics_response(
        calendar_for([page], request, page.title), filename=f"{page.slug}.ics"
    )


@read_only
def meetings_feed(request: HttpRequest) -> HttpResponse:
    """Upcoming public meetings of this site, as a calendar to subscribe to."""
    from django.utils import timezone

    site = Site.find_for_request(request)
    pages = reachable_pages(DiscussionPage.objects.live()).filter(
        starts_at__gte=timezone.now()
    )
    if site is not None:
        pages = descendants_of(pages, site.root_page, inclusive=True)
    name = _("%(club)s meetings") % {
        "club": site.site_name if site and site.site_name else _("Book club")
    }
    return _ics_response(
        calendar_for(pages.select_related("book").order_by("starts_at"), request, name),
        filename="meetings.ics",
        inline=True,
    )


def _ics_response(body: bytes, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_GET
def reveal_comments(
    request: HttpRequest, page_id: int, chapter_range: str
) -> HttpResponse:
    """The comments of a live, public discussion about one range of chapters,
    as an HTML fragment a page script puts in place.

    The reader asked for exactly these comments, so the answer is the same for
    everyone and shared like any anonymous page: it never looks at who asks.
    A restricted or unpublished discussion is missing here, for everyone.
    """
    try:
        wanted = parse_range(chapter_range)
    except InvalidChapterRange as error:
        return bad_request(
            request,
            InvalidReaderParams(
                "range", f"the address names no range of chapters: {error}"
            ),
        )
    page = get_object_or_404(public_pages(DiscussionPage.objects.live()), pk=page_id)
    response = TemplateResponse(
        request,
        "reviews/includes/comment_range.html",
        {"page": page, "comments": revealed_range_comments(page, wanted)},
    )
    # What a reader opened on purpose is not for search engines to list.
    response["X-Robots-Tag"] = "noindex"
    return response
