"""An id from a request, as the database can hold it.

Django's ``AutoField`` accepts any integer, and the database then fails on
one past its column's range (``OverflowError`` on SQLite, ``DataError`` on
PostgreSQL): a 500 for an id nothing can have. A view that looks objects
up by ids from a URL, a query or a form asks this first, and answers such
an id as it answers a missing object.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model


def as_id(value: Any, model: type[Model]) -> Any | None:
    """``value`` (text, a number, or an object with a ``pk``) as a primary
    key of ``model``'s table, or None if none of its rows can have it."""
    value = getattr(value, "pk", value)
    if isinstance(value, bool) or value is None:
        return None
    field = model._meta.pk
    assert field is not None  # noqa: S101 (every concrete model has one)
    try:
        key = field.to_python(value.strip() if isinstance(value, str) else value)
    except ValidationError:
        return None
    if isinstance(key, int):
        lowest, highest = connection.ops.integer_field_range(field.get_internal_type())
        if (lowest is not None and key < lowest) or (
            highest is not None and key > highest
        ):
            return None
    return key


def as_ids(values: Any, model: type[Model]) -> list[Any] | None:
    """Every one of ``values`` as a key (:func:`as_id`), or None if any is
    not one."""
    keys = [as_id(value, model) for value in values]
    return None if any(key is None for key in keys) else keys
