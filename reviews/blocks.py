"""StreamField blocks for reviews and discussions.

Child names (``paragraph``, ``heading``, ``quote``, ``image``, ``spoiler``,
``question``) are public API contract: never rename them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from .spoilers import can_see, can_see_about, reader_for_request

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


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


class SpoilerContentBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
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
        context = super().get_context(value, parent_context=parent_context)
        reader = reader_for_request((parent_context or {}).get("request"))
        book = value["spoils"]
        book_id = book.pk if book else None
        context["spoiled_book"] = book
        context["reader_may_see"] = can_see(reader, book_id, value["chapter"])
        context["reader_has_read"] = reader.has_read(book_id, value["chapter"])
        return context

    def get_api_representation(self, value, context=None) -> dict[str, Any]:
        context = context or {}
        book = value["spoils"]
        visible = can_see(
            reader_for_request(context.get("request")),
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


class ReviewStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    heading = blocks.CharBlock(
        max_length=120,
        form_classname="title",
        template="reviews/blocks/heading_block.html",
        icon="title",
    )
    quote = QuoteBlock()
    image = CaptionedImageBlock()
    spoiler = SpoilerBlock()


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
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        book = value["book"]
        context["visible"] = can_see_about(
            reader_for_request(request), book.pk if book else None, value["chapter"]
        )
        return context

    def get_api_representation(self, value, context=None) -> dict[str, Any]:
        context = context or {}
        book = value["book"]
        visible = can_see_about(
            reader_for_request(context.get("request")),
            book.pk if book else None,
            value["chapter"],
        )
        return {
            "book": {"id": book.pk, "title": book.title} if book else None,
            "chapter": value["chapter"],
            "hidden": not visible,
            "question": value["question"] if visible else None,
        }


class QuestionStreamBlock(blocks.StreamBlock):
    question = QuestionBlock()
