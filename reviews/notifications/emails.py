"""Each email written for its recipient: what they may see, nothing else.

The reader is built from the recipient (:func:`reviews.spoilers.reader_for_member`),
never from a request, and every piece of content goes through the same rule
as the pages: a review's body and a discussion's questions are rendered by
their blocks with that reader in the context, and a reply's text is sent
only when :func:`reviews.spoilers.can_see` allows it. A hidden spoiler or
comment arrives as its label or chapter alone. The plain-text part is made
from the same rendered HTML, so both parts always say the same; subjects
name only what every visitor sees (titles, names, the book).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from wagtail.models import Site

from ..blocks import READER_CONTEXT_KEY
from ..comments.text import comment_html
from ..meetings import spoken_start
from ..members import display_name
from ..models import DiscussionPage, Notification, ReviewPage
from ..spoilers import Reader, can_see, reader_for_member
from ..visibility import reading_as
from .preferences import follow_of
from .unsubscribe import Unsubscribe, make_token


@dataclass
class Item:
    """One thing an email tells about (a digest holds several)."""

    heading: str
    url: str
    lines: list[str] = field(default_factory=list)
    body_html: SafeString = field(default_factory=lambda: mark_safe(""))  # noqa: S308

    @property
    def body_text(self) -> str:
        return html_to_text(self.body_html)


@dataclass
class Email:
    subject: str
    items: list[Item]
    unsubscribe_url: str
    unsubscribe_what: str
    settings_url: str
    text: str = ""
    html: str = ""


def site_url(path: str = "/") -> str:
    """An absolute URL on the default site (emails have no request)."""
    site = Site.objects.filter(is_default_site=True).first()
    base = site.root_url if site is not None else settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + path


_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')


def absolute_links(html: str) -> SafeString:
    """Root-relative links made absolute: a mail client has no site to
    resolve them against."""
    base = site_url("/")
    return mark_safe(_RELATIVE.sub(lambda m: m.group(1) + base, html))  # noqa: S308


# -- Text from HTML ------------------------------------------------------------

_BLOCKS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "details", "summary", "figure", "figcaption", "section", "tr",
}  # fmt: skip


class _TextWriter(HTMLParser):
    """Readable plain text from the small HTML our block templates write.

    Hand-written because it is short and only ever meets our own templates;
    a general converter would be a dependency for thirty lines.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "span" and {"spoiler__scope", "spoiler__read"} & set(classes):
            self.parts.append(" — ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "li":
                self.parts.append("- ")
            elif tag == "blockquote":
                self.parts.append("> ")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href and href.startswith("http"):
                self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    text = "".join(writer.parts)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- One item per kind -----------------------------------------------------------


def _render_stream(stream, reader: Reader) -> SafeString:
    """A StreamField rendered by its own blocks for ``reader``: each spoiler
    or gated question asks the rule, and no request means no reveal links."""
    return absolute_links(stream.render_as_block(context={READER_CONTEXT_KEY: reader}))


def review_item(page: ReviewPage, reader: Reader) -> Item:
    lines = [_("Book: %(title)s by %(author)s") % {
        "title": page.book.title, "author": page.book.author
    }]  # fmt: skip
    if page.rating:
        lines.append(_("Rating: %(rating)s out of 5") % {"rating": f"{page.rating:g}"})
    lines.append(page.summary)
    return Item(
        heading=_("%(reviewer)s reviewed %(book)s: “%(title)s”")
        % {
            "reviewer": display_name(page.reviewer),
            "book": page.book.title,
            "title": page.title,
        },
        url=page.get_full_url() or site_url(page.url or "/"),
        lines=lines,
        body_html=_render_stream(page.body, reader),
    )


def reply_item(notification: Notification, reader: Reader) -> Item:
    reply = notification.comment
    assert reply is not None  # noqa: S101 - a reply notification names its comment
    discussion: DiscussionPage = notification.page.specific
    author = display_name(reply.author)
    url = (discussion.get_full_url() or site_url("/")) + f"#comment-{reply.pk}"
    if can_see(reader, discussion.book_id, reply.chapter):
        body = comment_html(reply.body)
    else:
        about = (
            _("chapter %(n)s") % {"n": reply.chapter}
            if reply.chapter
            else _("the ending")
        )
        body = format_html(
            "<p>{}</p>",
            _(
                "Their reply is about %(about)s of %(book)s, which you have not "
                "reached yet, so it is not in this email. It waits for you in "
                "the discussion."
            )
            % {"about": about, "book": discussion.book.title},
        )
    return Item(
        heading=_("%(author)s replied to your comment in “%(title)s”")
        % {"author": author, "title": discussion.title},
        url=url,
        body_html=body,
    )


def reminder_item(discussion: DiscussionPage, reader: Reader) -> Item:
    when = spoken_start(discussion.starts_at)
    lines = [_("When: %(when)s") % {"when": when}]
    if discussion.location:
        lines.append(_("Where: %(where)s") % {"where": discussion.location})
    if discussion.online_url:
        lines.append(_("Online: %(url)s") % {"url": discussion.online_url})
    if discussion.host:
        lines.append(_("Host: %(host)s") % {"host": discussion.host})
    body = ""
    if len(discussion.questions):
        body = format_html(
            "<h2>{}</h2><ol>{}</ol>",
            _("Questions"),
            _render_stream(discussion.questions, reader),
        )
    return Item(
        heading=_("Reminder: “%(title)s” about %(book)s")
        % {"title": discussion.title, "book": discussion.book.title},
        url=discussion.get_full_url() or site_url("/"),
        lines=lines,
        body_html=mark_safe(body),  # noqa: S308 - built by format_html
    )


def item_for(notification: Notification, reader: Reader) -> Item:
    page = notification.page.specific
    Kind = Notification.Kind
    if notification.kind == Kind.REVIEW:
        return review_item(page, reader)
    if notification.kind == Kind.REPLY:
        return reply_item(notification, reader)
    return reminder_item(page, reader)


def subject_for(notification: Notification) -> str:
    page = notification.page.specific
    Kind = notification.Kind
    if notification.kind == Kind.REVIEW:
        return _("New review of %(book)s: %(title)s") % {
            "book": page.book.title,
            "title": page.title,
        }
    if notification.kind == Kind.REPLY:
        comment = notification.comment
        return _("%(author)s replied to you in %(title)s") % {
            "author": display_name(comment.author if comment else None),
            "title": page.title,
        }
    when = spoken_start(page.starts_at)
    return _("Reminder: %(title)s, %(when)s") % {"title": page.title, "when": when}


def unsubscribe_scope(notification: Notification) -> str:
    """What this email's one-click unsubscribe stops."""
    page = notification.page.specific
    Kind = Notification.Kind
    if notification.kind == Kind.REVIEW:
        return f"book:{page.book_id}"
    if notification.kind == Kind.REPLY:
        return "replies"
    follow = follow_of(notification.recipient, discussion_id=page.pk)
    if follow is not None and follow.reminders:
        return f"discussion:{page.pk}"
    return f"book:{page.book_id}"


# -- Whole emails ----------------------------------------------------------------


def _finish(email: Email) -> Email:
    context = {"email": email, "site_name": settings.WAGTAIL_SITE_NAME}
    email.text = render_to_string("reviews/email/notification.txt", context)
    email.html = render_to_string("reviews/email/notification.html", context)
    return email


def _links(member, scope: str) -> dict[str, str]:
    return {
        "unsubscribe_url": site_url(
            reverse("reviews:unsubscribe", args=[make_token(member, scope)])
        ),
        "unsubscribe_what": Unsubscribe(member, scope).describe(),
        "settings_url": site_url(reverse("reviews:notification_settings")),
    }


def build_email(notification: Notification) -> Email:
    """The email for one notification, written for its recipient."""
    member = notification.recipient
    reader = reader_for_member(member)
    # Rich text asks current_user() which links it may write; with the
    # immediate task backend this runs inside the publishing editor's request.
    with reading_as(member):
        return _finish(
            Email(
                subject=" ".join(subject_for(notification).split()),
                items=[item_for(notification, reader)],
                **_links(member, unsubscribe_scope(notification)),
            )
        )


def build_digest(member, notifications: list[Notification]) -> Email:
    """One email gathering ``notifications``, each written for ``member``."""
    reader = reader_for_member(member)
    count = len(notifications)
    with reading_as(member):  # as in build_email: links for the recipient
        return _finish(
            Email(
                subject=_("Your book club digest: %(count)s new") % {"count": count},
                items=[item_for(n, reader) for n in notifications],
                **_links(member, "all"),
            )
        )
