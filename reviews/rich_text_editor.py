"""The admin's rich text editor, refusing what is not the editor's own input.

Draftail posts its content as contentstate JSON, and Wagtail's widget turns it
into HTML while the form reads its data, before any field validates: a
hand-built POST whose value is not contentstate (not JSON, ``1``, ``[]``,
``{"blocks": 5}``) failed the whole request with a 500. This widget keeps
what was posted instead, as :class:`UnreadableRichText`, which the form
field refuses as a field error when it cleans it (a ``RichTextField``, or
the ``RichTextBlock`` of a StreamField) and which shows again, as text, in
the form that comes back. Nothing is saved.

A site uses it as its rich text editor::

    WAGTAILADMIN_RICH_TEXT_EDITORS = {
        "default": {"WIDGET": "reviews.rich_text_editor.CheckedDraftailRichTextArea"}
    }

(``reviews.W005`` says when an editor is still Wagtail's own Draftail).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from draftjs_exporter.error import ExporterException
from wagtail.admin.rich_text import DraftailRichTextArea

from .rich_text import page_links_looked_up

WIDGET = "reviews.rich_text_editor.CheckedDraftailRichTextArea"

#: How converting a value that is not contentstate fails: JSON that does not
#: parse (or nests past the recursion limit), JSON of another shape, which
#: the exporter reads as if it were a contentstate, and an entity that is
#: not in the entity map.
NOT_CONTENTSTATE = (
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    RecursionError,
    ExporterException,
)


class UnreadableRichText:
    """A posted rich text value that is not contentstate.

    Not a string on purpose: a form field reads its value as one (Django's
    ``CharField.to_python``), and this one cannot become rich text, so that
    is where the form learns of it, as a field error."""

    def __init__(self, posted: str) -> None:
        self.posted = posted

    def __str__(self) -> str:
        raise ValidationError(
            _("This rich text could not be read: it is not the editor's content."),
            code="invalid_rich_text",
        )

    def __repr__(self) -> str:
        return f"UnreadableRichText({self.posted[:40]!r})"


class CheckedDraftailRichTextArea(DraftailRichTextArea):
    """Wagtail's Draftail, with a posted value that is not contentstate kept
    as :class:`UnreadableRichText` instead of failing the request."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        try:
            return super().value_from_datadict(data, files, name)
        except NOT_CONTENTSTATE:
            return UnreadableRichText(data.get(name, ""))

    def format_value(self, value: Any) -> str:
        # The form shown again with the error: what was posted, as a
        # paragraph of text, so the editor opens on it.
        if isinstance(value, UnreadableRichText):
            return self.converter.from_database_format(
                format_html("<p>{}</p>", value.posted)
            )
        # The pages its links name, found together, not four queries a link.
        with page_links_looked_up(value if isinstance(value, str) else ""):
            return super().format_value(value)
