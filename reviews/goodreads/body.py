"""Goodreads review HTML <-> Wagtail StreamField raw data for a review body.

Goodreads stores a review as loosely-HTML text: ``<br/>`` for line breaks
(``<br/><br/>`` between paragraphs), ``<b>``/``<i>``/``<a href>``, and inline
spoilers written as ``<spoiler>…</spoiler>`` or ``[spoiler]…[/spoiler]``. Some
exports also carry literal newlines, which are treated like ``<br/>``.

The review body StreamField has two children whose names are a public contract:

``paragraph``
    a RichTextBlock; the value is one ``<p>…</p>`` with only ``b``, ``i``,
    ``a href`` (http, https, mailto) and ``br`` inside, text HTML-escaped.
``spoiler``
    ``{"spoils": book id or None, "chapter": int or None, "label": str,
    "content": [paragraph…]}``.

Goodreads ignores attributes on ``<spoiler>`` but still hides what it wraps, so
the club writes a spoiler's scope there: ``<spoiler label="How it ends"
book="The Siege" author="Helen Dunmore" isbn13="…" chapter="7">``. Reading
them back restores the block exactly; a spoiler without them spoils the
reviewed book, the ending included (the most hidden reading).

Goodreads' own link markup, ``[b:Title|123|Title (Series #1)|…]`` for a book and
``[a:Author|456|…]`` for an author, becomes its plain title or name.

The one rule that matters more than formatting: text inside a spoiler ends up
only inside a ``spoiler`` block. When in doubt, text is hidden rather than shown:

* an unclosed spoiler runs to the end of the review;
* each syntax counts its own openings, and only its own closer closes one, so
  neither a nested ``[spoiler]`` nor a stray ``</spoiler>`` ends a spoiler early;
* anything that looks like an opening opens (an unfinished ``<spoiler`` tag,
  ``&lt;spoiler&gt;``), while a closing tag only counts as a real tag.

Markers split by a tag (``[spo<i></i>iler]``) are not markers, as in the raw
text Goodreads reads, but their text is deleted so no output spells a marker.

The output is canonical: ``review_to_stream(stream_to_review_html(s)) == s`` for
any ``s`` that ``review_to_stream`` produced (same label).

Why a tokeniser on :mod:`html.parser` rather than a sanitiser such as nh3:
Goodreads finds spoilers in the raw text, but nh3 builds a browser's tree
first, and the tree moves text across a spoiler's end. With the same
allow-list applied by ``nh3.clean`` before the reader,
``pytest tests/goodreads/test_body.py`` fails 5 tests, one of them a spoiler
sentence shown: nh3 turns ``<b><spoiler>x</b>y</spoiler>`` into
``<b><spoiler>x</spoiler></b>y``. ``x</3`` and text after an unfinished
``<spoiler`` are lost as well. The output (``body_paragraphs``) is built from
an allow-list model (b, i, a href, br) that cannot hold anything else.

The work is split: ``body_reader`` reads the HTML into paragraphs and spoiler
segments, ``body_paragraphs`` renders paragraphs, ``body_writer`` writes a
body back as Goodreads HTML; this module turns segments into blocks.
"""

from __future__ import annotations

from collections.abc import Callable

from ..stream_values import StreamBlockData, paragraph, spoiler
from .body_reader import (
    DEFAULT_SPOILER_LABEL,
    SPOILER_LABEL_LENGTH,
    SpoiledBook,
    clean_href,
    read_segments,
    sanitise_paragraphs,
)
from .body_writer import stream_to_review_html

__all__ = [
    "DEFAULT_SPOILER_LABEL",
    "SPOILER_LABEL_LENGTH",
    "SpoiledBook",
    "clean_href",
    "review_to_stream",
    "sanitise_paragraphs",
    "stream_to_review_html",
]


def review_to_stream(
    html: str | None,
    whole_spoiler: bool = False,
    label: str = DEFAULT_SPOILER_LABEL,
    spoiled_book: Callable[[SpoiledBook], int | None] | None = None,
) -> list[StreamBlockData]:
    """Convert Goodreads review HTML to raw data for the review body StreamField.

    ``whole_spoiler`` (the export's ``Spoiler`` column) puts the whole review in
    one spoiler block. Otherwise each paragraph becomes a ``paragraph`` block and
    each inline spoiler a ``spoiler`` block, splitting the paragraph around it.
    ``label`` is the spoiler-free warning shown on a spoiler block whose tag
    names none. ``spoiled_book`` finds (or makes) the book a ``<spoiler book=…>``
    names and returns its id; without it such a spoiler keeps no book.
    """
    if not html:
        return []
    segments = read_segments(html, markers=not whole_spoiler, all_spoiler=whole_spoiler)
    blocks: list[StreamBlockData] = []
    for is_spoiler, paragraphs, scope in segments:
        if is_spoiler:
            spoils = (
                spoiled_book(scope.book)
                if scope.book is not None and spoiled_book is not None
                else None
            )
            content = [paragraph(p) for p in paragraphs]
            blocks.append(
                spoiler(
                    scope.label or label, content, spoils=spoils, chapter=scope.chapter
                )
            )
        else:
            blocks.extend(paragraph(p) for p in paragraphs)
    return blocks
