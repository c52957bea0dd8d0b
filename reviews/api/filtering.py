"""Which columns API v2 and v3 may filter and order on.

A StreamField stores every block of a page, spoilers included, and rich text
or any long text holds whatever its author wrote. Ordering by such a column
ranks pages by text a reader may not see, and an equality filter answers
yes or no to a guess at it: a side channel around the spoiler rule. So no
API filters or orders on them.

The rule looks at the field's type, not at a list of names, so a new
StreamField or rich-text field is covered the day it is added. Short text
(``title``, ``summary``), numbers, dates and relations stay filterable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Model
from wagtail.fields import StreamField

#: Query parameters that are operations, never field filters.
ORDER_PARAM = "order"

#: Column types whose content is never compared: serialised blocks (a
#: StreamField is stored as JSON), JSON, and long text (rich text is a
#: ``TextField``).
CONTENT_FIELD_TYPES: tuple[type[models.Field], ...] = (
    StreamField,
    models.JSONField,
    models.TextField,
)


class ContentFieldQueryError(ValueError):
    """A filter or ordering names a content column."""

    def __init__(self, param: str, field_name: str) -> None:
        self.param = param
        self.field_name = field_name
        self.message = (
            f"Cannot filter or order by '{field_name}': it holds page content, "
            "which may include text this reader may not see."
        )
        super().__init__(self.message)

    def problem_fields(self) -> dict[str, Any]:
        """What the problem both API versions answer with says
        (:func:`reviews.api.problems.problem_response`, a 400)."""
        return {
            "detail": self.message,
            "param": self.param,
            "errors": [
                {
                    "type": "content_field",
                    "loc": ["query", self.param],
                    "msg": self.message,
                }
            ],
        }


def is_content_field(field: Any) -> bool:
    return isinstance(field, CONTENT_FIELD_TYPES)


def is_content_column(model: type[Model], name: str) -> bool:
    """Is ``name`` (a field name or ``attname``) one of ``model``'s content
    columns?"""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return is_content_field(field)


def order_terms(params: Mapping[str, Any]) -> list[str]:
    """Field names in ``order=``: comma-separated (v2) or repeated (v3)."""
    getlist = getattr(params, "getlist", None)
    values = getlist(ORDER_PARAM) if getlist else [params.get(ORDER_PARAM, "")]
    return [
        term.strip().lstrip("-")
        for value in values
        if value
        for term in str(value).split(",")
        if term.strip()
    ]


def check_filters_and_ordering(
    models_: Iterable[type[Model]], params: Mapping[str, Any]
) -> None:
    """Raise :class:`ContentFieldQueryError` when ``params`` filter or order
    any of ``models_`` by a content column."""
    for model in models_:
        for term in order_terms(params):
            if is_content_column(model, term):
                raise ContentFieldQueryError(ORDER_PARAM, term)
        for name in params:
            if name != ORDER_PARAM and is_content_column(model, name):
                raise ContentFieldQueryError(name, name)
