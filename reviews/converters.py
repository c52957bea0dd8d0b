"""Path converters for the plugin's own URLs."""

from __future__ import annotations

from .api.params import MAX_ID


class ObjectIdConverter:
    """A database id: like ``<int:…>``, but a number no id column can hold
    does not match, so the URL is a 404 instead of a database error."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is not a valid id.")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
