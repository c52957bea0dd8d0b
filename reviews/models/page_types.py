"""Where the club's index pages may be created: the host site decides.

The plugin names no model of the host site. A site lists the page types that
may hold a review, series or discussion index in
``BOOKCLUB_INDEX_PARENT_PAGE_TYPES`` (``app_label.Model`` strings, as in
``parent_page_types``); without the setting, or with ``None``, an index may sit
under any page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.functional import classproperty
from wagtail.models import get_page_models

__all__ = ["INDEX_PARENT_PAGE_TYPES", "forget_index_parents"]


def _index_parent_page_types(cls: type) -> list[str] | None:
    configured = getattr(settings, "BOOKCLUB_INDEX_PARENT_PAGE_TYPES", None)
    return None if configured is None else list(configured)


#: ``parent_page_types`` of the index pages. Wagtail reads the attribute only
#: when it first needs the rule (``clean_parent_page_models``), so the setting is
#: read then, never at import time.
INDEX_PARENT_PAGE_TYPES: Any = classproperty(_index_parent_page_types)


def forget_index_parents(*, setting: str, **kwargs: Any) -> None:
    """``setting_changed`` receiver: Wagtail keeps the parent models it resolved
    on each page class; a changed setting makes it resolve them again."""
    if setting != "BOOKCLUB_INDEX_PARENT_PAGE_TYPES":
        return
    for model in get_page_models():
        if vars(model).get("parent_page_types") is INDEX_PARENT_PAGE_TYPES:
            model._clean_parent_page_models = None
