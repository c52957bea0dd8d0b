"""Raw StreamField values for the club's blocks, one builder per shape.

The demo, the Goodreads importer, the benchmark seed and the tests build review
bodies and discussion questions here, so the raw shape of each block
(``reviews/blocks.py``) is written once. A value is what a StreamField accepts
as raw data: a list of these dicts. ``block_id`` is optional; Wagtail gives a
block without one a new id when the page is saved.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "StreamBlockData",
    "heading",
    "paragraph",
    "question",
    "quote",
    "spoiler",
]

#: One block of a StreamField's raw data: ``{"type", "value"[, "id"]}``.
StreamBlockData = dict[str, Any]


def _block(block_type: str, value: Any, block_id: str | None) -> StreamBlockData:
    data: StreamBlockData = {"type": block_type, "value": value}
    if block_id is not None:
        data["id"] = block_id
    return data


def paragraph(inner_html: str, *, block_id: str | None = None) -> StreamBlockData:
    """A rich-text paragraph: one ``<p>`` around ``inner_html``, which the caller
    has already escaped or sanitised."""
    return _block("paragraph", f"<p>{inner_html}</p>", block_id)


def heading(text: str, *, block_id: str | None = None) -> StreamBlockData:
    return _block("heading", text, block_id)


def quote(
    text: str, attribution: str = "", *, block_id: str | None = None
) -> StreamBlockData:
    return _block("quote", {"text": text, "attribution": attribution}, block_id)


def spoiler(
    label: str,
    content: list[StreamBlockData],
    *,
    spoils: int | None = None,
    chapter: int | None = None,
    block_id: str | None = None,
) -> StreamBlockData:
    """A spoiler block. ``spoils`` is the id of the book it reveals (``None``: the
    reviewed book); ``chapter`` how far in (``None``: the ending included)."""
    value = {"spoils": spoils, "chapter": chapter, "label": label, "content": content}
    return _block("spoiler", value, block_id)


def question(
    text: str,
    *,
    book: int | None = None,
    chapter: int | None = None,
    block_id: str | None = None,
) -> StreamBlockData:
    """A discussion question; one with a chapter is gated like a spoiler."""
    return _block(
        "question", {"question": text, "book": book, "chapter": chapter}, block_id
    )
