"""What a page shows that is built above the models.

Wagtail serves a page through its model (``serve``, then ``get_context``), but
what some pages show is built above the models: the review index's filter
form and cards, a review's prefetched body, a discussion's comment gate and
forms. The models import none of that. The view layer registers a context
builder per page type when the app is ready
(:mod:`reviews.views.page_context`), the way receivers connect to signals,
and a page's ``get_context`` adds what its builder returns. A page that
answered a request sends :data:`page_served`, which counts the view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.dispatch import Signal
from django.http import HttpRequest
from wagtail.models import Page

ContextBuilder = Callable[[Any, HttpRequest], Mapping[str, Any]]

_builders: dict[type[Page], ContextBuilder] = {}

#: Sent with ``page``, ``request`` and ``response`` when a page answered 200.
page_served = Signal()


def builds_context_of(
    page_type: type[Page],
) -> Callable[[ContextBuilder], ContextBuilder]:
    """Register the decorated function as ``page_type``'s context builder."""

    def register(builder: ContextBuilder) -> ContextBuilder:
        _builders[page_type] = builder
        return builder

    return register


def context_from_views(page: Page, request: HttpRequest) -> Mapping[str, Any]:
    """What the view layer adds to ``page``'s template context."""
    builder = _builders.get(type(page))
    return builder(page, request) if builder is not None else {}
