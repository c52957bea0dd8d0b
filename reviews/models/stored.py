"""What the database holds for an object about to be saved."""

from __future__ import annotations

from typing import Any

from django.db.models import Model


def stored(instance: Model, *fields: str) -> Any:
    """``instance``'s ``fields`` as its stored row has them, before a save
    changes them: one value for one field, else a tuple; None for an object
    not stored yet. What a check that runs only on a change compares with."""
    if instance.pk is None:
        return None
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if len(fields) == 1:
        return rows.values_list(fields[0], flat=True).first()
    return rows.values_list(*fields).first()
