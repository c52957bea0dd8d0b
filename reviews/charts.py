"""Bar charts drawn on the server as inline SVG, with a table beside them.

Hand-written: a bar chart is a few rectangles, and the charting libraries
either draw in the browser (a script, often from a CDN) or bring their own
scripts into the SVG. Every chart is sent with the numbers as a table, its
text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

#: Narrow enough that on a phone the labels stay near their own size.
WIDTH = 400
FONT_SIZE = 15
BAR_GAP = 4
LABEL_BAND = 30
HORIZONTAL_LABEL_WIDTH = 200
HORIZONTAL_BAR_HEIGHT = 24
LABEL_LENGTH = 24


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    label_x: float = 0
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_LENGTH:
            return self.label
        return self.label[: LABEL_LENGTH - 1] + "…"

    @property
    def value_text(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Chart:
    """One chart: ``title`` names it, ``value_label`` the numbers' column."""

    title: str
    label_heading: str
    value_label: str
    bars: list[Bar]
    width: int
    height: int
    horizontal: bool
    slug: str
    font_size: int = FONT_SIZE

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def description(self) -> str:
        """The chart in one sentence, for the SVG's accessible name."""
        parts = ", ".join(f"{bar.label}: {bar.value_text}" for bar in self.bars)
        return f"{self.title}. {parts}."

    def render(self) -> SafeString:
        return SafeString(
            render_to_string("reviews/includes/bar_chart.html", {"chart": self})
        )


def column_chart(
    title: str,
    data: list[tuple[str, float]],
    *,
    label_heading: str,
    value_label: str,
    slug: str,
    height: int = 220,
) -> Chart:
    """Upright bars, one per label (months, ratings)."""
    top = max((value for _label, value in data), default=0) or 1
    plot = height - 2 * LABEL_BAND
    slot = WIDTH / max(len(data), 1)
    bars = []
    for index, (label, value) in enumerate(data):
        bar_height = plot * value / top
        x = index * slot + BAR_GAP / 2
        y = LABEL_BAND + plot - bar_height
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(x, 1),
                y=round(y, 1),
                width=round(slot - BAR_GAP, 1),
                height=round(bar_height, 1),
                label_x=round(x + (slot - BAR_GAP) / 2, 1),
                label_y=height - LABEL_BAND / 3,
                value_x=round(x + (slot - BAR_GAP) / 2, 1),
                value_y=round(y - 6, 1),
            )
        )
    return Chart(title, label_heading, value_label, bars, WIDTH, height, False, slug)


def bar_chart(
    title: str,
    data: list[tuple[str, float]],
    *,
    label_heading: str,
    value_label: str,
    slug: str,
) -> Chart:
    """Bars lying down, one per row, for long labels (book titles)."""
    top = max((value for _label, value in data), default=0) or 1
    plot = WIDTH - HORIZONTAL_LABEL_WIDTH - 30
    row = HORIZONTAL_BAR_HEIGHT + BAR_GAP * 2
    bars = []
    for index, (label, value) in enumerate(data):
        y = index * row + BAR_GAP
        bar_width = plot * value / top
        bars.append(
            Bar(
                label=label,
                value=value,
                x=HORIZONTAL_LABEL_WIDTH,
                y=y,
                width=round(bar_width, 1),
                height=HORIZONTAL_BAR_HEIGHT,
                label_x=HORIZONTAL_LABEL_WIDTH - 8,
                label_y=y + HORIZONTAL_BAR_HEIGHT * 0.7,
                value_x=round(HORIZONTAL_LABEL_WIDTH + bar_width + 6, 1),
                value_y=y + HORIZONTAL_BAR_HEIGHT * 0.7,
            )
        )
    height = max(len(data), 1) * row + BAR_GAP
    return Chart(title, label_heading, value_label, bars, WIDTH, height, True, slug)
