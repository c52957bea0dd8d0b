"""Values the plugin derives from Django's settings on every request, read once.

Django's settings object answers each attribute through Python code, and one
the site leaves unset (the plugin's own settings have defaults) by raising
``AttributeError`` twice. The API prefix alone was asked for five times per
request. A function decorated with :func:`from_settings` computes its value
once and keeps it until a setting changes, which only tests do
(``override_settings``, pytest-django's ``settings``): Django then sends
``setting_changed``, and :func:`forget` (connected in
reviews/signal_handlers.py) drops every kept value.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

T = TypeVar("T")

_kept: list[Callable[[], object]] = []


def from_settings(function: Callable[[], T]) -> Callable[[], T]:
    """``function()``, computed from the settings once, until they change."""
    kept = cache(function)
    _kept.append(kept)
    return kept


def forget(**kwargs) -> None:
    """``setting_changed`` receiver: compute every value afresh."""
    for kept in _kept:
        kept.cache_clear()  # type: ignore[attr-defined]
