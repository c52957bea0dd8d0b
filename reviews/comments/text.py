"""How a comment's plain text is shown: the same HTML on the page, in the API
and in emails."""

from __future__ import annotations

from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines


def comment_html(text: str) -> SafeString:
    """Plain text to HTML: everything escaped, web links made clickable
    (``rel="nofollow ugc noopener"``), blank lines start paragraphs."""
    linked = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="nofollow ugc noopener"')
    paragraphs = [p for p in normalize_newlines(linked).split("\n\n") if p.strip()]
    return mark_safe(  # noqa: S308 - built from escaped text only
        "".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs)
    )
