"""Shared checks for the discussion tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def spoken(moment: datetime) -> str:
    """How a reader is told when a meeting starts, worked out without Django:
    "Thursday 11 July 2030, 19:00 BST" in the club's zone (Europe/London)."""
    local = moment.astimezone(LONDON)
    return (
        f"{local:%A} {local.day} {local:%B} {local.year}, "
        f"{local:%H:%M} {local.tzname()}"
    )
