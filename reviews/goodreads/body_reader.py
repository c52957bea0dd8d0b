"""Reads Goodreads review HTML into paragraphs and spoiler segments.

See :mod:`.body` for the rules; this is the tokeniser (on :mod:`html.parser`),
the allow-list it applies, and the builder that splits text into stretches that
are all spoiler or all not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from ..chapter_ranges import MAX_CHAPTER
from .body_paragraphs import (
    GOODREADS_LINK,
    LINE_BREAK,
    MARKER,
    Item,
    Run,
    Style,
    link_text,
    render_paragraphs,
)

DEFAULT_SPOILER_LABEL = "Spoiler from the Goodreads review"
SPOILER_LABEL_LENGTH = 120  # SpoilerBlock.label's max_length

_NEWLINE = re.compile(r"\r\n|\r|\n")
_SPACES_ANY = re.compile(r"\s+")
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
class Scope:
    """What a ``<spoiler>`` tag's attributes say about the block."""

    label: str | None = None
    book: SpoiledBook | None = None
    chapter: int | None = None

    @classmethod
    def from_attrs(cls, attrs: list[tuple[str, str | None]]) -> Scope:
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
            chapter=_chapter(chapter),
        )


_NO_SCOPE = Scope()


def _chapter(text: str) -> int | None:
    """A chapter that is no plain positive number a chapter can have (``0``,
    ``seven``, ``²``, past :data:`MAX_CHAPTER`) is dropped: no chapter is "the
    ending included", which hides the most."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_CHAPTER)):
        return None
    chapter = int(text)
    return chapter if 1 <= chapter <= MAX_CHAPTER else None


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
        self.segments: list[tuple[bool, list[str], Scope]] = []
        self._scope = _NO_SCOPE
        # Open spoilers per syntax ("tag" for <spoiler>, "bb" for [spoiler]). Each
        # syntax only closes its own kind, so "[spoiler] a </spoiler> b" keeps b
        # hidden; a reader that paired any closer with any opener would show it.
        self._depth = {"tag": 0, "bb": 0}
        self._pinned = all_spoiler
        self._paragraphs: list[str] = []
        self._items: list[Item] = []
        self._pending_brs = 0

    @property
    def hidden(self) -> bool:
        return self._pinned or any(self._depth.values())

    def is_open(self, kind: str) -> bool:
        return self._depth[kind] > 0

    def text(self, text: str, style: Style) -> None:
        for i, line in enumerate(_NEWLINE.split(text)):
            if i:
                self.br()
            if not line:
                continue
            if not line.strip():
                # Whitespace at the start of a paragraph or line is invisible,
                # and must not turn <br/> <br/> into a line with a space on it.
                if self._items and not self._pending_brs:
                    self._items.append(Run(line, style))
                continue
            if self._pending_brs and self._items:
                if self._pending_brs >= 2:
                    self._flush_paragraph()
                else:
                    self._items.append(LINE_BREAK)
            self._pending_brs = 0
            self._items.append(Run(line, style))

    def br(self) -> None:
        self._pending_brs += 1

    def block_break(self) -> None:
        self._pending_brs += 2

    def open_spoiler(self, kind: str, scope: Scope = _NO_SCOPE) -> None:
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

    def finish(self) -> list[tuple[bool, list[str], Scope]]:
        self._end_segment()
        return self.segments

    def _flush_paragraph(self) -> None:
        self._paragraphs.extend(render_paragraphs(self._items))
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
                self._builder.open_spoiler("tag", Scope.from_attrs(attrs))
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
        if self._drop:
            self._open_spoilers_in_dropped(data)
        else:
            self._buffer.append(data)

    # Comments and declarations are dropped, but still separate text, as in the
    # raw review Goodreads reads: "[spo<!-- -->iler]" is no marker there.
    def handle_comment(self, data: str) -> None:
        self._flush()
        self._open_spoilers_in_dropped(data)

    def handle_decl(self, decl: str) -> None:
        self._flush()
        self._open_spoilers_in_dropped(decl)

    def handle_pi(self, data: str) -> None:
        self._flush()
        self._open_spoilers_in_dropped(data)

    def unknown_decl(self, data: str) -> None:
        self._flush()
        self._open_spoilers_in_dropped(data)

    def close(self) -> None:
        super().close()
        self._flush()

    # -- internals -------------------------------------------------------------

    def _open_spoilers_in_dropped(self, data: str) -> None:
        """Markup whose text is dropped (a comment, a script) is still raw text
        to Goodreads, where an opening marker in it opens a spoiler: so it opens
        one here. A closing one closes nothing, as for "<spoiler" left as text."""
        if not self._markers:
            return
        for match in MARKER.finditer(data):
            kind = "tag" if match.group("tag") is not None else "bb"
            if not match.group(kind):
                self._builder.open_spoiler(kind)

    def _flush(self) -> None:
        if not self._buffer:
            return
        text = GOODREADS_LINK.sub(link_text, _CONTROL.sub("", "".join(self._buffer)))
        self._buffer = []
        href = self._links[-1] if self._links else None
        style = Style(href=href, bold=self._bold > 0, italic=self._italic > 0)
        while match := MARKER.search(text):
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


def read_segments(
    source: str, *, markers: bool, all_spoiler: bool
) -> list[tuple[bool, list[str], Scope]]:
    builder = _Builder(all_spoiler=all_spoiler)
    parser = _Tokeniser(builder, markers=markers)
    parser.feed(source)
    parser.close()
    return builder.finish()


def sanitise_paragraphs(source: str) -> list[str]:
    """Sanitise an HTML fragment into a list of paragraph inner-HTML strings.

    Spoiler markers are not interpreted here; they are removed.
    """
    segments = read_segments(source, markers=False, all_spoiler=False)
    return [paragraph for _, paragraphs, _ in segments for paragraph in paragraphs]
