"""Shared checks for the spoiler tests: where a marker may and may not appear."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser

from wagtail.models import APIToken

#: Planted in a spoiler; it must never reach a reader who has not asked for it.
MARKER = "QUILLFEATHERMARK"
#: In a spoiler scoped to a later chapter of the same book.
LATER_MARKER = "LANTERNLATERMARK"
#: In an ending spoiler (no chapter) of the same book.
ENDING_MARKER = "ENDGAMEOSPREYMARK"
#: In the open text of the review: searchable and always shown.
OPEN_WORD = "Marmalade"


class _OutsideClosedDetails(HTMLParser):
    """Sorts a page's text and attribute values into what a reader meets
    without clicking (everything outside closed ``<details>``, and their
    ``<summary>``) and what is behind a closed ``<details>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outside: list[str] = []
        self.inside: list[str] = []
        # One entry per open <details>: [closed?, inside its <summary>?]
        self.stack: list[list[bool]] = []
        self.closed_details_attrs: list[dict] = []

    def _sink(self) -> list[str]:
        hidden = any(closed and not in_summary for closed, in_summary in self.stack)
        return self.inside if hidden else self.outside

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # A tag's own attributes belong where the tag itself is.
        self._sink().extend(str(v) for v in attributes.values() if v)
        if tag == "details":
            closed = "open" not in attributes
            if closed:
                self.closed_details_attrs.append(attributes)
            self.stack.append([closed, False])
        elif tag == "summary" and self.stack:
            self.stack[-1][1] = True

    def handle_endtag(self, tag):
        if tag == "details" and self.stack:
            self.stack.pop()
        elif tag == "summary" and self.stack:
            self.stack[-1][1] = False

    def handle_data(self, data):
        self._sink().append(data)


def split_html(html: str) -> tuple[str, str, list[dict]]:
    """(text outside closed details, text inside them, their attributes)."""
    parser = _OutsideClosedDetails()
    parser.feed(html)
    parser.close()
    return (
        " ".join(parser.outside),
        " ".join(parser.inside),
        parser.closed_details_attrs,
    )


def head_of(html: str) -> str:
    return html.split("</head>", 1)[0]


def bearer(user) -> dict[str, str]:
    """Headers for a request authenticated with a fresh API token of ``user``."""
    _token, plaintext = APIToken.create_token(user=user, name="tests")
    return {"Authorization": f"Bearer {plaintext}"}


def spoiler_values(items: list[dict]) -> list[dict]:
    return [block["value"] for block in items if block["type"] == "spoiler"]


def link_data(value: str) -> list[dict]:
    """The LINK entities' data in a contentstate (JSON) value."""
    entities = json.loads(value)["entityMap"].values()
    return [entity["data"] for entity in entities if entity["type"] == "LINK"]


def paragraph_contentstates(page_html: str) -> list[str]:
    """Each StreamField paragraph's contentstate, as the admin's edit form
    sends it to the editor."""
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "paragraph" and isinstance(node.get("value"), str):
                found.append(node["value"])
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for argument in re.findall(r'data-w-block-arguments-value="([^"]*)"', page_html):
        walk(json.loads(unescape(argument)))
    return found
