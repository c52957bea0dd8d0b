"""A review body back to Goodreads review HTML (the club's export)."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .body_reader import DEFAULT_SPOILER_LABEL, SpoiledBook, sanitise_paragraphs


def _block_parts(block: Any) -> tuple[Any, Any]:
    """(type, value) of a raw-data dict or of a bound StreamField child."""
    if isinstance(block, Mapping):
        return block.get("type"), block.get("value")
    return getattr(block, "block_type", None), getattr(block, "value", None)


def _rich_text_source(value: Any) -> str:
    # Wagtail's RichText object keeps its HTML in .source; raw data is a str.
    source = getattr(value, "source", value)
    return source if isinstance(source, str) else ""


def _plain_paragraphs(text: Any, *, bold: bool = False) -> list[str]:
    """Paragraphs for a plain-text value (heading, quotation)."""
    if not isinstance(text, str) or not text.strip():
        return []
    escaped = htmllib.escape(text, quote=False)
    return sanitise_paragraphs(f"<b>{escaped}</b>" if bold else escaped)


def _collect_paragraphs(blocks: Iterable[Any], emit: Callable[[str], None]) -> None:
    """Emit the Goodreads paragraphs of the blocks, spoilers flattened in."""
    for block in blocks or ():
        block_type, value = _block_parts(block)
        if block_type == "paragraph":
            paragraphs = sanitise_paragraphs(_rich_text_source(value))
        elif block_type == "heading":
            paragraphs = _plain_paragraphs(value, bold=True)
        elif block_type == "quote" and isinstance(value, Mapping):
            quoted = value.get("text")
            attribution = value.get("attribution")
            if isinstance(quoted, str) and quoted.strip():
                quoted = f"\u201c{quoted.strip()}\u201d"
                if isinstance(attribution, str) and attribution.strip():
                    quoted += f" \u2014 {attribution.strip()}"
            paragraphs = _plain_paragraphs(quoted)
        elif block_type == "spoiler":
            # A spoiler nested inside a spoiler is still hidden: flatten it.
            content = value.get("content") if isinstance(value, Mapping) else None
            _collect_paragraphs(content or (), emit)
            continue
        else:  # images and unknown blocks have no Goodreads equivalent
            continue
        for inner in paragraphs:
            emit(inner)


def _spoiler_tag(value: Any, books: Mapping[int, SpoiledBook]) -> str:
    """``<spoiler …>`` with the block's scope, so an import can restore it.

    The label is left out when it is the import's default, and the book when
    the block names none (it then spoils the reviewed book).
    """
    attrs: list[tuple[str, str]] = []
    if not isinstance(value, Mapping):
        return "<spoiler>"
    label = value.get("label")
    if isinstance(label, str) and label.strip() and label != DEFAULT_SPOILER_LABEL:
        attrs.append(("label", label))
    spoils = value.get("spoils")
    book: SpoiledBook | None = None
    if isinstance(spoils, int):
        book = books.get(spoils)
    elif spoils is not None and getattr(spoils, "title", None):
        # A bound StreamValue holds the Book itself.
        book = SpoiledBook(spoils.title, spoils.author, spoils.isbn13 or None)
    if book is not None:
        attrs.append(("book", book.title))
        if book.author:
            attrs.append(("author", book.author))
        if book.isbn13:
            attrs.append(("isbn13", book.isbn13))
    chapter = value.get("chapter")
    if isinstance(chapter, int) and not isinstance(chapter, bool) and chapter > 0:
        attrs.append(("chapter", str(chapter)))
    written = "".join(
        f' {name}="{htmllib.escape(text, quote=True)}"' for name, text in attrs
    )
    return f"<spoiler{written}>"


def stream_to_review_html(
    stream: Iterable[Any], books: Mapping[int, SpoiledBook] | None = None
) -> str:
    """Convert a review body back to Goodreads review HTML.

    ``stream`` is StreamField raw data (a list of dicts) or a ``StreamValue``.
    Paragraphs are joined with ``<br/><br/>``; each spoiler block is written as
    ``<spoiler …>…</spoiler>`` with its label, spoiled book (looked up by id in
    ``books`` for raw data) and chapter as attributes, which Goodreads ignores
    and :func:`review_to_stream` reads back. Paragraph values are re-sanitised,
    so this also copes with rich text edited in the Wagtail admin (several
    ``<p>`` or a list in one value). Headings become bold paragraphs and quotes
    quoted text; images and unknown blocks are skipped.
    """
    parts: list[str] = []
    for block in stream or ():
        block_type, value = _block_parts(block)
        if block_type == "spoiler":
            inner: list[str] = []
            _collect_paragraphs([block], inner.append)
            if inner:
                parts.append(
                    _spoiler_tag(value, books or {})
                    + "<br/><br/>".join(inner)
                    + "</spoiler>"
                )
        else:
            _collect_paragraphs([block], parts.append)
    return "<br/><br/>".join(parts)
