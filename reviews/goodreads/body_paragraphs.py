"""Styled text runs to canonical paragraph HTML, for the Goodreads body.

:mod:`.body_reader` collects a review's text as runs with a style (bold,
italic, a link) and line breaks; :func:`render_paragraphs` turns them into the
inner HTML of ``<p>`` blocks, with only ``b``, ``i``, ``a href`` and ``br``.
Reading that HTML again gives the same paragraphs.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

# Goodreads writes links to books and authors as "[b:Title|id|…]" and
# "[a:Name|id|…]"; the first part is what a reader sees.
GOODREADS_LINK = re.compile(r"\[[ab]:(?P<text>[^|\[\]]*)\|[^\[\]]*\]")

# Spoiler markers as they appear in *text* (after HTML parsing): the BBCode
# ones, and "<spoiler" left as text by an unfinished tag or written as
# &lt;spoiler&gt; (which may only open, see body_reader._Tokeniser._flush).
MARKER = re.compile(
    r"\[(?P<bb>/?)spoiler\]|<(?P<tag>/?)spoiler(?![\w-])(?:[^<>]*>)?",
    re.IGNORECASE,
)
# HTML collapses ASCII whitespace only; a non-breaking space is content.
_ASCII_SPACE = re.compile(r"[ \t\f]+")


@dataclass(frozen=True)
class Style:
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
class Run:
    text: str
    style: Style


class LineBreak:
    """A single line break inside a paragraph."""


LINE_BREAK = LineBreak()
Item = Run | LineBreak


def render_paragraphs(items: list[Item]) -> list[str]:
    """Normalise whitespace and render a paragraph's items as inner HTML.

    The result is canonical: reading it again gives the same paragraphs. That
    is why this follows :meth:`_Builder.text` exactly: a line left blank (once
    spoiler markers are deleted) separates paragraphs, as two ``<br/>`` would.
    Usually one paragraph comes out, but it may be none or several.
    """
    lines: list[list[Run]] = [[]]
    for item in _without_markers(items):
        if isinstance(item, LineBreak):
            lines.append([])
        else:
            lines[-1].append(item)
    paragraphs: list[list[Item]] = []
    current: list[Item] = []
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
            current.append(LINE_BREAK)
        after_blank = False
        current.extend(runs)
    if current:
        paragraphs.append(current)
    return [_to_html(paragraph) for paragraph in paragraphs]


def _normalise_line(line: list[Run]) -> list[Item]:
    """Collapse spaces as HTML does; drop invisible runs at the start and end."""
    out: list[Item] = []
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
        if isinstance(last, Run) and last.style == run.style:
            out[-1] = Run(last.text + text, run.style)
        else:
            out.append(Run(text, run.style))
    _rstrip(out)
    return out


def _without_markers(items: list[Item]) -> list[Item]:
    """Merge neighbouring runs of one style and delete spoiler markers that the
    merge spells out.

    Runs that render side by side read back as one text, so ``[spo`` and
    ``iler]`` (split by a tag or by another marker) would become a marker the
    next time the output is read, here or at Goodreads.
    """
    while True:
        merged: list[Item] = []
        for item in items:
            if isinstance(item, Run):
                if not item.text:
                    continue
                last = merged[-1] if merged else None
                if isinstance(last, Run) and last.style == item.style:
                    merged[-1] = Run(last.text + item.text, item.style)
                    continue
            merged.append(item)
        changed = False
        for i, item in enumerate(merged):
            if isinstance(item, Run) and GOODREADS_LINK.search(item.text):
                # Read again, the text would be link markup: write what it shows.
                merged[i] = Run(GOODREADS_LINK.sub(link_text, item.text), item.style)
                changed = True
            run = merged[i]
            if isinstance(run, Run) and MARKER.search(run.text):
                merged[i] = Run(MARKER.sub("", run.text), run.style)
                changed = True
        if not changed:
            return merged
        items = merged


def link_text(match: re.Match[str]) -> str:
    return match.group("text").strip()


def _rstrip(out: list[Item]) -> None:
    while out and isinstance(out[-1], Run):
        text = out[-1].text.rstrip(" ")
        if text:
            out[-1] = Run(text, out[-1].style)
            return
        out.pop()


def _to_html(items: list[Item]) -> str:
    """Render items, keeping a tag open for as long as the runs need it.

    Output depends only on the items, which is what makes it canonical.
    """
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, LineBreak):
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
