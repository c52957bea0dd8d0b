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
allow-list applied by ``nh3.clean`` before this reader,
``pytest tests/goodreads/test_body.py`` fails 5 tests, one of them a spoiler
sentence shown: nh3 turns ``<b><spoiler>x</b>y</spoiler>`` into
``<b><spoiler>x</spoiler></b>y``. ``x</3`` and text after an unfinished
``<spoiler`` are lost as well. The output below is built from an allow-list
model (b, i, a href, br) that cannot hold anything else.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..stream_values import StreamBlockData, paragraph, spoiler

__all__ = [
    "DEFAULT_SPOILER_LABEL",
    "SPOILER_LABEL_LENGTH",
    "SpoiledBook",
    "review_to_stream",
    "sanitise_paragraphs",
    "stream_to_review_html",
]

DEFAULT_SPOILER_LABEL = "Spoiler from the Goodreads review"
SPOILER_LABEL_LENGTH = 120  # SpoilerBlock.label's max_length

# Goodreads writes links to books and authors as "[b:Title|id|…]" and
# "[a:Name|id|…]"; the first part is what a reader sees.
_GOODREADS_LINK = re.compile(r"\[[ab]:(?P<text>[^|\[\]]*)\|[^\[\]]*\]")

# Spoiler markers as they appear in *text* (after HTML parsing): the BBCode
# ones, and "<spoiler" left as text by an unfinished tag or written as
# &lt;spoiler&gt; (which may only open, see _Tokeniser._flush).
_MARKER = re.compile(
    r"\[(?P<bb>/?)spoiler\]|<(?P<tag>/?)spoiler(?![\w-])(?:[^<>]*>)?",
    re.IGNORECASE,
)
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SPACES_ANY = re.compile(r"\s+")
# HTML collapses ASCII whitespace only; a non-breaking space is content.
_ASCII_SPACE = re.compile(r"[ \t\f]+")
# C0 controls other than tab/newline, and DEL: invalid in HTML, break Draftail.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_STRIP = "".join(chr(i) for i in range(0x21))  # what browsers strip around URLs
_URL_REMOVE = re.compile(r"[\t\n\r]")  # what browsers remove inside URLs
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_GOODREADS = "https://www.goodreads.com"

_BOLD = frozenset({"b", "strong"})
_ITALIC = frozenset({"i", "em"})
# Block-level tags end the current paragraph.
_BLOCK = frozenset(
    "p div blockquote ul ol li dl dt dd pre h1 h2 h3 h4 h5 h6 hr table tr"
    " section article header footer aside figure figcaption".split()
)
# Tags whose text content is dropped, not just the tag.
_DROP_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe"})


@dataclass(frozen=True)
class SpoiledBook:
    """The book a spoiler reveals, as written on ``<spoiler>``: enough to find
    it again in this club or another one."""

    title: str
    author: str = ""
    isbn13: str | None = None


@dataclass(frozen=True)
class _Scope:
    """What a ``<spoiler>`` tag's attributes say about the block."""

    label: str | None = None
    book: SpoiledBook | None = None
    chapter: int | None = None

    @classmethod
    def from_attrs(cls, attrs: list[tuple[str, str | None]]) -> _Scope:
        values = {name: (value or "").strip() for name, value in attrs}
        label = _SPACES_ANY.sub(" ", values.get("label", "")).strip()
        title = values.get("book", "")
        chapter = values.get("chapter", "")
        return cls(
            label=label[:SPOILER_LABEL_LENGTH].rstrip() or None,
            book=(
                SpoiledBook(
                    title=title,
                    author=values.get("author", ""),
                    isbn13=values.get("isbn13") or None,
                )
                if title
                else None
            ),
            # A chapter that is no positive number is dropped: no chapter is
            # "the ending included", which hides the most.
            chapter=int(chapter) if chapter.isdigit() and int(chapter) > 0 else None,
        )


_NO_SCOPE = _Scope()


@dataclass(frozen=True)
class _Style:
    href: str | None = None
    bold: bool = False
    italic: bool = False

    def tags(self) -> list[tuple[str, str]]:
        """The tags this style needs, outermost first when opened together."""
        out: list[tuple[str, str]] = []
        if self.href is not None:
            out.append(("a", f'<a href="{htmllib.escape(self.href, quote=True)}">'))
        if self.bold:
            out.append(("b", "<b>"))
        if self.italic:
            out.append(("i", "<i>"))
        return out


@dataclass
class _Run:
    text: str
    style: _Style


class _Br:
    """A single line break inside a paragraph."""


_BR = _Br()
_Item = _Run | _Br


def clean_href(raw: str | None) -> str | None:
    """Return a safe absolute link target, or ``None`` to drop the link.

    Only http, https and mailto survive. Whitespace and control characters are
    removed the way browsers do before they look at the scheme, so
    ``java\\tscript:`` is caught. Site-relative Goodreads links (``/book/show/…``)
    are made absolute, since they point at goodreads.com.
    """
    if raw is None:
        return None
    url = _URL_REMOVE.sub("", raw.strip(_URL_STRIP))
    if not url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    match = _URL_SCHEME.match(url)
    if match:
        return url if match.group(1).lower() in _ALLOWED_SCHEMES else None
    if url.startswith("//"):
        return "https:" + url
    if url.startswith("/"):
        return _GOODREADS + url
    return None


class _Builder:
    """Collects styled text into paragraphs and paragraphs into segments, a
    segment being a stretch that is all spoiler or all non-spoiler."""

    def __init__(self, *, all_spoiler: bool) -> None:
        self.segments: list[tuple[bool, list[str], _Scope]] = []
        self._scope = _NO_SCOPE
        # Open spoilers per syntax ("tag" for <spoiler>, "bb" for [spoiler]). Each
        # syntax only closes its own kind, so "[spoiler] a </spoiler> b" keeps b
        # hidden; a reader that paired any closer with any opener would show it.
        self._depth = {"tag": 0, "bb": 0}
        self._pinned = all_spoiler
        self._paragraphs: list[str] = []
        self._items: list[_Item] = []
        self._pending_brs = 0

    @property
    def hidden(self) -> bool:
        return self._pinned or any(self._depth.values())

    def is_open(self, kind: str) -> bool:
        return self._depth[kind] > 0

    def text(self, text: str, style: _Style) -> None:
        for i, line in enumerate(_NEWLINE.split(text)):
            if i:
                self.br()
            if not line:
                continue
            if not line.strip():
                # Whitespace at the start of a paragraph or line is invisible,
                # and must not turn <br/> <br/> into a line with a space on it.
                if self._items and not self._pending_brs:
                    self._items.append(_Run(line, style))
                continue
            if self._pending_brs and self._items:
                if self._pending_brs >= 2:
                    self._flush_paragraph()
                else:
                    self._items.append(_BR)
            self._pending_brs = 0
            self._items.append(_Run(line, style))

    def br(self) -> None:
        self._pending_brs += 1

    def block_break(self) -> None:
        self._pending_brs += 2

    def open_spoiler(self, kind: str, scope: _Scope = _NO_SCOPE) -> None:
        if not self.hidden:
            self._end_segment()
            self._scope = scope  # the outermost spoiler's scope holds for all
        self._depth[kind] += 1

    def close_spoiler(self, kind: str) -> None:
        """Close one spoiler of this kind; a closer with none open is ignored."""
        if self._depth[kind] == 0:
            return
        if sum(self._depth.values()) == 1 and not self._pinned:
            self._end_segment()  # the last open spoiler: the hidden stretch ends
            self._scope = _NO_SCOPE
        self._depth[kind] -= 1

    def finish(self) -> list[tuple[bool, list[str], _Scope]]:
        self._end_segment()
        return self.segments

    def _flush_paragraph(self) -> None:
        self._paragraphs.extend(_render_paragraphs(self._items))
        self._items = []
        self._pending_brs = 0

    def _end_segment(self) -> None:
        self._flush_paragraph()
        if self._paragraphs:
            scope = self._scope if self.hidden else _NO_SCOPE
            self.segments.append((self.hidden, self._paragraphs, scope))
        self._paragraphs = []


class _Tokeniser(HTMLParser):
    """Feeds a :class:`_Builder`, keeping only what the allow-list permits.

    Text between two tags is collected before it is looked at, because
    html.parser hands it over in pieces (it splits at a stray ``<``), and a
    spoiler marker may be among them.
    """

    def __init__(self, builder: _Builder, *, markers: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._builder = builder
        self._markers = markers
        self._links: list[str | None] = []
        self._bold = 0
        self._italic = 0
        self._drop = 0
        self._buffer: list[str] = []

    # -- html.parser callbacks -------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        if tag in _DROP_CONTENT:
            self._drop += 1
        elif tag == "br":
            self._builder.br()
        elif tag in _BLOCK:
            self._builder.block_break()
        elif tag == "spoiler":
            if self._markers:
                self._builder.open_spoiler("tag", _Scope.from_attrs(attrs))
        elif tag in _BOLD:
            self._bold += 1
        elif tag in _ITALIC:
            self._italic += 1
        elif tag == "a":
            self._links.append(clean_href(dict(attrs).get("href")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Browsers ignore the slash in <b/>; only void elements are self-closing.
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._flush()
        if tag in _DROP_CONTENT:
            self._drop = max(0, self._drop - 1)
        elif tag == "br":  # browsers treat </br> as <br>
            self._builder.br()
        elif tag in _BLOCK:
            self._builder.block_break()
        elif tag == "spoiler":
            if self._markers:
                self._builder.close_spoiler("tag")
        elif tag in _BOLD:
            self._bold = max(0, self._bold - 1)
        elif tag in _ITALIC:
            self._italic = max(0, self._italic - 1)
        elif tag == "a" and self._links:
            self._links.pop()

    def handle_data(self, data: str) -> None:
        if not self._drop:
            self._buffer.append(data)

    # Comments and declarations are dropped, but still separate text, as in the
    # raw review Goodreads reads: "[spo<!-- -->iler]" is no marker there.
    def handle_comment(self, data: str) -> None:
        self._flush()

    def handle_decl(self, decl: str) -> None:
        self._flush()

    def handle_pi(self, data: str) -> None:
        self._flush()

    def unknown_decl(self, data: str) -> None:
        self._flush()

    def close(self) -> None:
        super().close()
        self._flush()

    # -- internals -------------------------------------------------------------

    def _flush(self) -> None:
        if not self._buffer:
            return
        text = _GOODREADS_LINK.sub(_link_text, _CONTROL.sub("", "".join(self._buffer)))
        self._buffer = []
        href = self._links[-1] if self._links else None
        style = _Style(href=href, bold=self._bold > 0, italic=self._italic > 0)
        while match := _MARKER.search(text):
            kind = "tag" if match.group("tag") is not None else "bb"
            closing = bool(match.group(kind))
            # "<spoiler" left as text is an unfinished tag or was written as
            # &lt;spoiler&gt;: as an opening it hides (safe), as a closing it
            # would show what Goodreads hides, so it never closes anything.
            effective = not closing or (kind == "bb" and self._builder.is_open(kind))
            if self._markers and effective:
                self._builder.text(text[: match.start()], style)
                if closing:
                    self._builder.close_spoiler(kind)
                else:
                    self._builder.open_spoiler(kind)
                text = text[match.end() :]
            else:
                # Dropped marker: splice the text back together and look again,
                # since "[spo[/spoiler]iler]" hides another marker.
                text = text[: match.start()] + text[match.end() :]
        self._builder.text(text, style)


def _render_paragraphs(items: list[_Item]) -> list[str]:
    """Normalise whitespace and render a paragraph's items as inner HTML.

    The result is canonical: reading it again gives the same paragraphs. That
    is why this follows :meth:`_Builder.text` exactly: a line left blank (once
    spoiler markers are deleted) separates paragraphs, as two ``<br/>`` would.
    Usually one paragraph comes out, but it may be none or several.
    """
    lines: list[list[_Run]] = [[]]
    for item in _without_markers(items):
        if isinstance(item, _Br):
            lines.append([])
        else:
            lines[-1].append(item)
    paragraphs: list[list[_Item]] = []
    current: list[_Item] = []
    after_blank = False
    for line in lines:
        runs = _normalise_line(line)
        if not runs:
            after_blank = bool(current)
            continue
        if current and after_blank:
            paragraphs.append(current)
            current = []
        elif current:
            current.append(_BR)
        after_blank = False
        current.extend(runs)
    if current:
        paragraphs.append(current)
    return [_to_html(paragraph) for paragraph in paragraphs]


def _normalise_line(line: list[_Run]) -> list[_Item]:
    """Collapse spaces as HTML does; drop invisible runs at the start and end."""
    out: list[_Item] = []
    ends_with_space = True
    for run in line:
        text = _ASCII_SPACE.sub(" ", run.text)
        if not out and not text.strip():
            continue  # the builder ignores blank text at the start of a line
        if ends_with_space:
            text = text.lstrip(" ")
        if not text:
            continue
        ends_with_space = text.endswith(" ")
        last = out[-1] if out else None
        if isinstance(last, _Run) and last.style == run.style:
            out[-1] = _Run(last.text + text, run.style)
        else:
            out.append(_Run(text, run.style))
    _rstrip(out)
    return out


def _without_markers(items: list[_Item]) -> list[_Item]:
    """Merge neighbouring runs of one style and delete spoiler markers that the
    merge spells out.

    Runs that render side by side read back as one text, so ``[spo`` and
    ``iler]`` (split by a tag or by another marker) would become a marker the
    next time the output is read, here or at Goodreads.
    """
    while True:
        merged: list[_Item] = []
        for item in items:
            if isinstance(item, _Run):
                if not item.text:
                    continue
                last = merged[-1] if merged else None
                if isinstance(last, _Run) and last.style == item.style:
                    merged[-1] = _Run(last.text + item.text, item.style)
                    continue
            merged.append(item)
        changed = False
        for i, item in enumerate(merged):
            if isinstance(item, _Run) and _GOODREADS_LINK.search(item.text):
                # Read again, the text would be link markup: write what it shows.
                merged[i] = _Run(_GOODREADS_LINK.sub(_link_text, item.text), item.style)
                changed = True
            run = merged[i]
            if isinstance(run, _Run) and _MARKER.search(run.text):
                merged[i] = _Run(_MARKER.sub("", run.text), run.style)
                changed = True
        if not changed:
            return merged
        items = merged


def _link_text(match: re.Match[str]) -> str:
    return match.group("text").strip()


def _rstrip(out: list[_Item]) -> None:
    while out and isinstance(out[-1], _Run):
        text = out[-1].text.rstrip(" ")
        if text:
            out[-1] = _Run(text, out[-1].style)
            return
        out.pop()


def _to_html(items: list[_Item]) -> str:
    """Render items, keeping a tag open for as long as the runs need it.

    Output depends only on the items, which is what makes it canonical.
    """
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, _Br):
            parts.append("<br/>")
            continue
        wanted = item.style.tags()
        keep = 0
        while keep < len(open_tags) and open_tags[keep] in wanted:
            keep += 1
        for name, _ in reversed(open_tags[keep:]):
            parts.append(f"</{name}>")
        open_tags = open_tags[:keep]
        for tag in wanted:
            if tag not in open_tags:
                parts.append(tag[1])
                open_tags.append(tag)
        parts.append(htmllib.escape(item.text, quote=False))
    for name, _ in reversed(open_tags):
        parts.append(f"</{name}>")
    return "".join(parts)


def _segments(
    source: str, *, markers: bool, all_spoiler: bool
) -> list[tuple[bool, list[str], _Scope]]:
    builder = _Builder(all_spoiler=all_spoiler)
    parser = _Tokeniser(builder, markers=markers)
    parser.feed(source)
    parser.close()
    return builder.finish()


def sanitise_paragraphs(source: str) -> list[str]:
    """Sanitise an HTML fragment into a list of paragraph inner-HTML strings.

    Spoiler markers are not interpreted here; they are removed.
    """
    segments = _segments(source, markers=False, all_spoiler=False)
    return [paragraph for _, paragraphs, _ in segments for paragraph in paragraphs]


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
    segments = _segments(html, markers=not whole_spoiler, all_spoiler=whole_spoiler)
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
