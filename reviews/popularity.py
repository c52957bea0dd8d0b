"""Counting review views without a database write per request.

Views are counted in the cache (one atomic ``incr``); every
``FLUSH_EVERY`` views of a page the count is handed to a background task
that adds it to the day's row. "Popular" sums the last 30 days of rows.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db.models import F, Sum
from django.utils import timezone
from django_tasks import task

FLUSH_EVERY = 10
POPULAR_DAYS = 30


def _key(page_id: int) -> str:
    return f"reviews:views:{page_id}"


def record_view(page_id: int) -> None:
    """Count one view; flush to the database every ``FLUSH_EVERY`` views."""
    key = _key(page_id)
    if cache.add(key, 1, timeout=None):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, timeout=None)
            count = 1
    if count >= FLUSH_EVERY:
        flush_page(page_id)


def flush_page(page_id: int) -> None:
    """Move the cached count of ``page_id`` into the database."""
    key = _key(page_id)
    count = cache.get(key) or 0
    if not count:
        return
    # decr keeps views counted between the get and here.
    try:
        cache.decr(key, count)
    except ValueError:
        return
    add_views.enqueue(
        page_id=page_id, count=count, day=timezone.localdate().isoformat()
    )


@task()
def add_views(page_id: int, count: int, day: str) -> None:
    from .models import ReviewDailyViews

    updated = ReviewDailyViews.objects.filter(page_id=page_id, day=day).update(
        views=F("views") + count
    )
    if not updated:
        _, created = ReviewDailyViews.objects.get_or_create(
            page_id=page_id, day=day, defaults={"views": count}
        )
        if not created:
            ReviewDailyViews.objects.filter(page_id=page_id, day=day).update(
                views=F("views") + count
            )


def popular_review_ids(queryset, days: int = POPULAR_DAYS, limit: int = 5) -> list[int]:
    """The ids of the most viewed reviews of ``queryset`` over the last
    ``days`` days, most viewed first (the newer first on a tie).

    Only the id and the publication date are selected, so the database
    groups the daily rows by those two columns, not by every column of the
    page, its book and its reviewer.
    """
    since = timezone.localdate() - timedelta(days=days)
    rows = (
        queryset.filter(daily_views__day__gte=since)
        .values("pk", "first_published_at")
        .annotate(recent_views=Sum("daily_views__views"))
        .filter(recent_views__gt=0)
        .order_by("-recent_views", "-first_published_at")[:limit]
    )
    return [row["pk"] for row in rows]
