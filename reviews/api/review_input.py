"""Turning a review's body (or a discussion's questions) as the API shows
it back into what it stores.

A client may send back exactly what it read: a spoiler's ``spoils`` as
``{"id", "title"}``, an image as ``{"id", …}``, and a spoiler it was not
allowed to see (``"hidden": true, "content": null``) keeps the content it
already has, matched by the block's ``id``. Rich text is sanitised to the
features of a review's text, as Wagtail's own v3 writes do.

Where the body is read before its page is known (the schema of Wagtail's
generic page PATCH), ``existing=KEEP_LATER`` leaves each hidden spoiler's
content as :class:`KeptContent`, and :func:`fill_kept_content` puts the
stored content in once the page is: the same rule, applied in two steps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db.models import Model
from wagtail.api.rich_text import APIRichText, RichTextFormatError
from wagtail.images import get_image_model

from ..blocks import REVIEW_TEXT_FEATURES
from ..models import Book
from .params import MAX_ID

REVIEW_BLOCK_TYPES = ("paragraph", "heading", "quote", "image", "spoiler")
CONTENT_BLOCK_TYPES = ("paragraph", "quote", "image")


@dataclass(frozen=True)
class KeptContent:
    """The content of a spoiler sent back hidden, to be taken from the stored
    spoiler with ``block_id``; ``loc`` is where the spoiler was sent."""

    block_id: str | None
    loc: tuple


class _KeepLater(dict):
    """``existing`` when the stored spoilers are not known yet."""


#: Read hidden spoilers into :class:`KeptContent` (see the module's text).
KEEP_LATER: Final = _KeepLater()


class BodyInputError(ValidationError):
    """A body that cannot be read; ``loc`` says where."""

    def __init__(self, loc: tuple, message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.text = message


def _id_of(value: Any, loc: tuple, *, allow_none: bool = False) -> int | None:
    if isinstance(value, dict):
        value = value.get("id")
    if value is None and allow_none:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_ID
    ):
        raise BodyInputError(loc, "Expected an id (a positive whole number).")
    return value


def _existing(model: type[Model], object_id: int | None, loc: tuple) -> int | None:
    """``object_id`` if a ``model`` has it. A chooser block stores an id of
    nothing as empty: an image block with no image, a spoiler of no book,
    which the review then reads as a spoiler of the reviewed book."""
    if (
        object_id is not None
        and not model._default_manager.filter(pk=object_id).exists()
    ):
        raise BodyInputError(loc, f"No {model._meta.verbose_name} with id {object_id}.")
    return object_id


def _rich_text(value: Any, loc: tuple) -> str:
    try:
        html, _removals = APIRichText.convert_input(
            value, features=REVIEW_TEXT_FEATURES
        )
    except (RichTextFormatError, TypeError, ValueError) as error:
        raise BodyInputError(loc, f"Invalid rich text: {error}") from error
    return html


def _text(value: Any, loc: tuple) -> str:
    if not isinstance(value, str):
        raise BodyInputError(loc, "Expected text.")
    return value


def _image(value: Any, loc: tuple) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BodyInputError(loc, "Expected {image, caption}.")
    image = value.get("image")
    alt = image.get("alt", "") if isinstance(image, dict) else ""
    return {
        "image": {
            "image": _existing(
                get_image_model(), _id_of(image, (*loc, "image")), (*loc, "image")
            ),
            "alt_text": alt or "",
            "decorative": False,
        },
        "caption": _text(value.get("caption") or "", (*loc, "caption")),
    }


def _quote(value: Any, loc: tuple) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BodyInputError(loc, "Expected {text, attribution}.")
    return {
        "text": _text(value.get("text"), (*loc, "text")),
        "attribution": _text(value.get("attribution") or "", (*loc, "attribution")),
    }


def _block(
    item: Any, loc: tuple, allowed: tuple[str, ...], existing: dict[str, dict]
) -> dict[str, Any]:
    if not isinstance(item, dict) or "type" not in item:
        raise BodyInputError(loc, "Each block needs a type and a value.")
    block_type, value = item["type"], item.get("value")
    if block_type not in allowed:
        raise BodyInputError(
            (*loc, "type"), f"Unknown block type; expected one of {', '.join(allowed)}."
        )
    block_id = item.get("id")
    if block_id is not None and not isinstance(block_id, str):
        raise BodyInputError((*loc, "id"), "A block id is a string.")
    if block_type == "paragraph":
        raw = _rich_text(value, (*loc, "value"))
    elif block_type == "heading":
        raw = _text(value, (*loc, "value"))
    elif block_type == "quote":
        raw = _quote(value, (*loc, "value"))
    elif block_type == "image":
        raw = _image(value, (*loc, "value"))
    else:
        raw = _spoiler(value, (*loc, "value"), block_id, existing)
    result = {"type": block_type, "value": raw}
    if block_id:
        result["id"] = block_id
    return result


def _chapter(chapter: Any, loc: tuple) -> int | None:
    if chapter is not None and (
        isinstance(chapter, bool)
        or not isinstance(chapter, int)
        or not 1 <= chapter <= 32767
    ):
        raise BodyInputError(loc, "A chapter is a positive whole number.")
    return chapter


def _spoiler(
    value: Any, loc: tuple, block_id: str | None, existing: dict[str, dict]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BodyInputError(loc, "Expected {spoils, chapter, label, content}.")
    chapter = _chapter(value.get("chapter"), (*loc, "chapter"))
    content = value.get("content")
    if content is None:
        kept = KeptContent(block_id, (*loc, "content"))
        raw_content = kept if existing is KEEP_LATER else _stored(kept, existing)
    else:
        raw_content = stream_to_raw(
            content, (*loc, "content"), CONTENT_BLOCK_TYPES, existing
        )
    return {
        "spoils": _existing(
            Book,
            _id_of(value.get("spoils"), (*loc, "spoils"), allow_none=True),
            (*loc, "spoils"),
        ),
        "chapter": chapter,
        "label": _text(value.get("label"), (*loc, "label")),
        "content": raw_content,
    }


def _stored(kept: KeptContent, existing: Mapping[str, dict]) -> Any:
    stored = existing.get(kept.block_id or "")
    if stored is None:
        raise BodyInputError(
            kept.loc,
            "A new spoiler needs its content; only a spoiler that already "
            "exists (same id) may be sent back hidden.",
        )
    return stored["content"]


def fill_kept_content(
    raw: list[dict[str, Any]], existing: Mapping[str, dict]
) -> list[dict[str, Any]]:
    """``raw`` (read with ``existing=KEEP_LATER``) with each hidden spoiler's
    content taken from ``existing`` (:func:`existing_spoilers`); a spoiler
    matching none is a :class:`BodyInputError` saying where."""
    filled = []
    for block in raw:
        value = block.get("value")
        if isinstance(value, dict) and isinstance(value.get("content"), KeptContent):
            value = {**value, "content": _stored(value["content"], existing)}
            block = {**block, "value": value}
        filled.append(block)
    return filled


def stream_to_raw(
    items: Any,
    loc: tuple = ("body",),
    allowed: tuple[str, ...] = REVIEW_BLOCK_TYPES,
    existing: dict[str, dict] | None = None,
) -> list[dict[str, Any]]:
    """The stored form of a body sent in the API's read form; a spoiler sent
    back hidden keeps its content from ``existing`` (by block id), or waits
    for it with ``KEEP_LATER``."""
    if not isinstance(items, list):
        raise BodyInputError(loc, "Expected a list of blocks.")
    return [
        _block(item, (*loc, index), allowed, {} if existing is None else existing)
        for index, item in enumerate(items)
    ]


def _question(item: Any, loc: tuple) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("type") != "question":
        raise BodyInputError(loc, "Each item is {type: question, value}.")
    value = item.get("value")
    if not isinstance(value, dict):
        raise BodyInputError((*loc, "value"), "Expected {question, book, chapter}.")
    chapter = _chapter(value.get("chapter"), (*loc, "value", "chapter"))
    raw = {
        "question": _text(value.get("question"), (*loc, "value", "question")),
        "book": _existing(
            Book,
            _id_of(value.get("book"), (*loc, "value", "book"), allow_none=True),
            (*loc, "value", "book"),
        ),
        "chapter": chapter,
    }
    result: dict[str, Any] = {"type": "question", "value": raw}
    if isinstance(item.get("id"), str) and item["id"]:
        result["id"] = item["id"]
    return result


def questions_to_raw(items: Any, loc: tuple = ("questions",)) -> list[dict[str, Any]]:
    """The stored form of discussion questions sent in the API's read form.
    A question must come with its text: one read hidden is sent back whole
    by someone who may see it."""
    if not isinstance(items, list):
        raise BodyInputError(loc, "Expected a list of questions.")
    return [_question(item, (*loc, index)) for index, item in enumerate(items)]


def image_references(
    raw: list[dict[str, Any]], loc: tuple = ("body",)
) -> Iterator[tuple[int, tuple]]:
    """``(image id, loc)`` for every image block in a stored-form body,
    spoiler contents included."""
    for index, block in enumerate(raw):
        value = block.get("value")
        if block.get("type") == "image":
            yield value["image"]["image"], (*loc, index, "value", "image")
        elif block.get("type") == "spoiler":
            yield from image_references(
                value.get("content") or [], (*loc, index, "value", "content")
            )


def existing_spoilers(body) -> dict[str, dict]:
    """The stored values of a body's spoiler blocks, by block id."""
    return {
        block["id"]: block["value"]
        for block in body.raw_data
        if block.get("type") == "spoiler" and block.get("id")
    }
