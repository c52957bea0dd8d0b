"""StreamField blocks for reviews and discussions.

Child names (``paragraph``, ``heading``, ``quote``, ``image``, ``spoiler``,
``question``) are public API contract: never rename them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.rich_text import RichText
from wagtail.snippets.blocks import SnippetChooserBlock

from .spoilers import (
    BlockState,
    Reader,
    can_see,
    can_see_about,
    can_see_question,
    reader_of,
    spoiler_state,
)

#: A context key that overrides the request's reader, for a rendering that
#: must be the same for everyone (the reveal endpoint).
READER_CONTEXT_KEY = "spoiler_reader"
#: The path reveal links point at when it is not the request's own.
REVEAL_PATH_CONTEXT_KEY = "reveal_path"

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]
#: A review's text links documents too: members add documents as they add
#: images, under the same rule of who sees them (reviews/media_visibility.py).
REVIEW_TEXT_FEATURES = [*RICH_TEXT_FEATURES, "document-link"]

#: The most elements (paragraphs, lists and their items, line breaks, links, bold and
#: italic runs) one text of a review may hold, and the most a review's whole body may
#: hold (those, and each block). Far above what any review holds; they keep every
#: reading of one short. Both APIs' Markdown formats take time growing with the square
#: of one text's elements (the Markdown exporter numbers a list item by going over every
#: block before it, and compares each new child with the ones before): 8,000 list items
#: in one paragraph took 4 s a request, and a member could store far more. A body at
#: both limits (five texts of 1,000 list items) takes 0.4 s.
MAX_TEXT_ELEMENTS = 1_000
MAX_BODY_ELEMENTS = 5_000

#: A start tag: stored rich text escapes every ``<`` of its words.
_START_TAG = re.compile(r"<[A-Za-z]")


def element_count(html: str) -> int:
    """How many elements a rich text's stored HTML holds."""
    return len(_START_TAG.findall(html))


def _too_many(
    what: str | Promise, limit: int, count: int, advice: str | Promise
) -> ValidationError:
    return ValidationError(
        _(
            "%(what)s may hold at most %(limit)s elements (paragraphs, lists "
            "and their items, line breaks, links, bold or italic runs); this "
            "one holds %(count)s. %(advice)s"
        ),
        code="too_many_elements",
        params={
            "what": what,
            "limit": f"{limit:,}",
            "count": f"{count:,}",
            "advice": advice,
        },
    )


def check_text_size(html: str) -> None:
    """Raise a ``ValidationError`` if one text of a review holds more than
    :data:`MAX_TEXT_ELEMENTS` elements."""
    count = element_count(html)
    if count > MAX_TEXT_ELEMENTS:
        raise _too_many(
            _("A text"),
            MAX_TEXT_ELEMENTS,
            count,
            _("Split it into more Paragraph blocks."),
        )


def check_block_chapters(stream: blocks.StreamValue, book_key: str) -> None:
    """Raise a ``ValidationError`` for each block of ``stream`` whose
    ``chapter`` is past the last of its book (``value[book_key]``), placed
    at the block, as its own fields' errors are: the admin shows it beside
    the block, and the API names the block (a page's ``clean`` checks this:
    the book's length is the model's to know)."""
    errors: dict[int, blocks.StructBlockValidationError] = {}
    for index, child in enumerate(stream):
        book = child.value.get(book_key) if hasattr(child.value, "get") else None
        if book is None:
            continue
        try:
            book.check_chapter(child.value.get("chapter"))
        except ValidationError as error:
            errors[index] = blocks.StructBlockValidationError(
                block_errors={"chapter": error}
            )
    if errors:
        raise blocks.StreamBlockValidationError(block_errors=errors)


def check_body_size(stream: blocks.StreamValue) -> None:
    """Raise a ``ValidationError`` if a review's body holds more than
    :data:`MAX_BODY_ELEMENTS` elements, or one of its texts more than
    :data:`MAX_TEXT_ELEMENTS`. The blocks check as a member writes
    (:class:`ReviewTextBlock`, :class:`ReviewStreamBlock`);
    ``ReviewPage.clean`` checks again for whatever builds a body without
    them (the Goodreads import)."""
    count = 0
    for child in _children(stream):
        count += 1
        if isinstance(child.value, RichText):
            check_text_size(child.value.source)
            count += element_count(child.value.source)
    if count > MAX_BODY_ELEMENTS:
        raise _too_many(
            _("A review"),
            MAX_BODY_ELEMENTS,
            count,
            _("Leave some out, or write a second review."),
        )


class ReviewTextBlock(blocks.RichTextBlock):
    """A paragraph of a review: the club's rich text features and document
    links, at most :data:`MAX_TEXT_ELEMENTS` elements."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("features", REVIEW_TEXT_FEATURES)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        check_text_size(value.source)
        return value


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(
        required=False,
        max_length=200,
        help_text=_("Who said it, or where it comes from (e.g. 'Chapter 3')."),
    )

    class Meta:
        icon = "openquote"
        template = "reviews/blocks/quote_block.html"
        label = _("Quote")
        description = _("A quotation from the book or elsewhere.")


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "reviews/blocks/image_block.html"
        label = _("Image")
        description = _("An image with alternative text and an optional caption.")

    def get_api_representation(self, value, context=None) -> dict[str, Any]:
        image = value["image"]
        return {
            "image": _image_representation(image),
            "caption": value["caption"],
        }


def _image_representation(image) -> dict[str, Any] | None:
    if image is None:
        return None
    rendition = image.get_rendition("max-1200x1200|format-webp")
    return {
        "id": image.pk,
        "title": image.title,
        "alt": getattr(image, "contextual_alt_text", None) or image.default_alt_text,
        "url": rendition.url,
        "width": rendition.width,
        "height": rendition.height,
    }


def context_reader(context: dict[str, Any] | None) -> Reader:
    """The reader a block is rendered for: the one the context names, else
    the request's."""
    context = context or {}
    reader = context.get(READER_CONTEXT_KEY)
    if reader is not None:
        return reader
    return reader_of(context.get("request"))


@dataclass(frozen=True)
class RevealLinks:
    """Where a hidden block's reveal control points.

    ``reveal_href`` renders the page on the server with the block open (no
    JavaScript needed), ``hide_href`` the page without it, and
    ``fetch_url`` answers the block's content alone for the script.
    """

    reveal_href: str
    hide_href: str
    fetch_url: str | None


def reveal_links(context: dict[str, Any], block_id: str | None) -> RevealLinks | None:
    request: HttpRequest | None = context.get("request")
    if not block_id or request is None:
        return None
    path = context.get(REVEAL_PATH_CONTEXT_KEY) or request.path
    params = request.GET.copy()
    params.setlist("reveal", [block_id])
    reveal_href = f"{path}?{params.urlencode()}#{block_id}"
    params.pop("reveal")
    query = params.urlencode()
    hide_href = f"{path}{'?' + query if query else ''}#{block_id}"
    page = context.get("page")
    fetch_url = None
    if page is not None and getattr(page, "pk", None):
        try:
            fetch_url = reverse("reviews:reveal_block", args=[page.pk, block_id])
        except NoReverseMatch:  # a site that did not include reviews.urls
            fetch_url = None
    return RevealLinks(reveal_href, hide_href, fetch_url)


def _without_block_id(context: dict[str, Any]) -> dict[str, Any]:
    """A child stream takes its children's ids from its own items; an ``id``
    inherited from the enclosing block would make them all answer to it."""
    return {key: value for key, value in context.items() if key != "id"}


class SpoilerContentBlock(blocks.StreamBlock):
    paragraph = ReviewTextBlock()
    quote = QuoteBlock()
    image = CaptionedImageBlock()

    class Meta:
        label = _("Spoiler content")


class SpoilerBlock(blocks.StructBlock):
    """A passage that reveals a book up to a chapter.

    Whether a reader sees the content is decided by :func:`reviews.spoilers.can_see`,
    in HTML (via :meth:`get_context`) and in both API versions (via
    :meth:`get_api_representation`); nothing else decides it.
    """

    spoils = SnippetChooserBlock(
        "reviews.Book",
        required=False,
        help_text=_(
            "The book this passage reveals. Leave blank for the reviewed book; "
            "choose the earlier book when a sequel's review spoils it."
        ),
    )
    chapter = blocks.IntegerBlock(
        required=False,
        min_value=1,
        help_text=_(
            "Reveals the book up to this chapter. Leave blank if it may reveal "
            "anything, the ending included."
        ),
    )
    label = blocks.CharBlock(
        max_length=120,
        help_text=_(
            "A short, spoiler-free warning shown instead of the passage, e.g. "
            "'How the siege ends'."
        ),
    )
    content = SpoilerContentBlock()

    class Meta:
        icon = "warning"
        template = "reviews/blocks/spoiler_block.html"
        label = _("Spoiler")
        description = _("A passage hidden from readers who have not read that far.")

    def get_context(self, value, parent_context=None) -> dict[str, Any]:
        """Decide here, not in the template, what is sent: a hidden spoiler's
        template gets its label and scope, never its content."""
        parent_context = dict(parent_context or {})
        block_id = parent_context.get("id")
        book = value["spoils"]
        state: BlockState = spoiler_state(
            context_reader(parent_context),
            block_id,
            book.pk if book else None,
            value["chapter"],
        )
        content = (
            None
            if state == "hidden"
            else self.render_content(value, _without_block_id(parent_context))
        )
        spoiler = SpoilerView(
            id=block_id,
            label=value["label"],
            book=book,
            chapter=value["chapter"],
            state=state,
            content=content,
            links=reveal_links(parent_context, block_id),
        )
        context = parent_context
        context.update({"self": spoiler, "value": spoiler, "spoiler": spoiler})
        return context

    def render_content(self, value, context: dict[str, Any]) -> SafeString:
        """The spoiler's passage, each child block asking the rule again."""
        return self.child_blocks["content"].render(value["content"], context=context)

    def get_api_representation(self, value, context=None) -> dict[str, Any]:
        context = context or {}
        book = value["spoils"]
        visible = can_see(
            reader_of(context.get("request")),
            book.pk if book else None,
            value["chapter"],
        )
        return {
            "spoils": {"id": book.pk, "title": book.title} if book else None,
            "chapter": value["chapter"],
            "label": value["label"],
            "hidden": not visible,
            "content": (
                self.child_blocks["content"].get_api_representation(
                    value["content"], context
                )
                if visible
                else None
            ),
        }

    def get_searchable_content(self, value) -> list[str]:
        """Index only the label and the spoiled book's title, never the content."""
        book = value["spoils"]
        return [value["label"]] + ([book.title] if book else [])


@dataclass(frozen=True)
class SpoilerView:
    """What a spoiler block's template may show: ``content`` is None unless
    the reader may see it."""

    id: str | None
    label: str
    book: Any
    chapter: int | None
    state: BlockState
    content: SafeString | None
    links: RevealLinks | None


class ReviewStreamBlock(blocks.StreamBlock):
    paragraph = ReviewTextBlock()
    heading = blocks.CharBlock(
        max_length=120,
        form_classname="title",
        template="reviews/blocks/heading_block.html",
        icon="title",
    )
    quote = QuoteBlock()
    image = CaptionedImageBlock()
    spoiler = SpoilerBlock()

    def clean(self, value):
        value = super().clean(value)
        try:
            check_body_size(value)
        except ValidationError as error:
            # Each text was checked as its block was: what is left is the sum.
            raise blocks.StreamBlockValidationError(non_block_errors=[error]) from error
        return value


class QuestionBlock(blocks.StructBlock):
    """A discussion question; one with a chapter is gated like a spoiler."""

    question = blocks.TextBlock(max_length=500)
    book = SnippetChooserBlock(
        "reviews.Book",
        required=False,
        help_text=_("Leave blank for the discussion's book."),
    )
    chapter = blocks.IntegerBlock(
        required=False,
        min_value=1,
        help_text=_(
            "If the question gives away the book up to a chapter, set it: readers "
            "who have not got there see it collapsed."
        ),
    )

    class Meta:
        icon = "help"
        template = "reviews/blocks/question_block.html"
        label = _("Question")

    def get_context(self, value, parent_context=None) -> dict[str, Any]:
        """A gated question the reader may not see is sent as its scope and a
        reveal control, never its text."""
        parent_context = dict(parent_context or {})
        block_id = parent_context.get("id")
        reader = context_reader(parent_context)
        book = value["book"]
        book_id = book.pk if book else None
        visible = can_see_question(reader, block_id, book_id, value["chapter"])
        question = QuestionView(
            id=block_id,
            book=book,
            chapter=value["chapter"],
            question=value["question"] if visible else None,
            revealed=visible and not can_see_about(reader, book_id, value["chapter"]),
            links=reveal_links(parent_context, block_id),
        )
        context = parent_context
        context.update({"self": question, "value": question, "visible": visible})
        return context

    def render_content(self, value, context: dict[str, Any]) -> SafeString:
        """The question's text alone, for the reveal endpoint."""
        return render_question_text(value["question"])

    def get_api_representation(self, value, context=None) -> dict[str, Any]:
        context = context or {}
        book = value["book"]
        visible = can_see_about(
            reader_of(context.get("request")),
            book.pk if book else None,
            value["chapter"],
        )
        return {
            "book": {"id": book.pk, "title": book.title} if book else None,
            "chapter": value["chapter"],
            "hidden": not visible,
            "question": value["question"] if visible else None,
        }


@dataclass(frozen=True)
class QuestionView:
    """What a question block's template may show: ``question`` is None
    unless the reader may see it."""

    id: str | None
    book: Any
    chapter: int | None
    question: str | None
    revealed: bool
    links: RevealLinks | None


def render_question_text(text: str) -> SafeString:
    return format_html("<p>{}</p>", linebreaksbr(text, autoescape=True))


class QuestionStreamBlock(blocks.StreamBlock):
    question = QuestionBlock()


def _children(stream: blocks.StreamValue) -> Iterator[Any]:
    """Every child of ``stream``, depth first, nested streams included."""
    for child in stream:
        yield child
        if isinstance(child.value, blocks.StructValue):
            for value in child.value.values():
                if isinstance(value, blocks.StreamValue):
                    yield from _children(value)


def revealable_blocks(page) -> Iterator[Any]:
    """The blocks of ``page``'s StreamFields that a reader may ask to reveal
    one by one (spoilers, gated questions): what the reveal endpoint answers
    for, and what an edge cache keeps of it."""
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            for child in _children(getattr(page, field.name)):
                if child.id and hasattr(child.block, "render_content"):
                    yield child
