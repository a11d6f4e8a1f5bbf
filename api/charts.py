"""Bar charts drawn on the server as inline SVG: no chart library, no script, and nothing the
Content-Security-Policy has to allow (sizes and colours are SVG attributes, not styles). Each
chart goes with a table of the same numbers, which is what a screen reader reads."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.reports import Count

ROW_HEIGHT = 24
BAR_HEIGHT = 16
LABEL_WIDTH = 150
PLOT_WIDTH = 420
VALUE_ROOM = 50
TOP = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    total: int

    @property
    def value_x(self) -> int:
        return self.label_width + 6


def bar_chart(id: str, title: str, counts: list[Count]) -> BarChart:
    """Horizontal bars, one a row, scaled to the largest count."""
    largest = max((c.value for c in counts), default=0)
    bars = []
    for row, count in enumerate(counts):
        y = TOP + row * ROW_HEIGHT
        width = round(PLOT_WIDTH * count.value / largest) if largest else 0
        bars.append(Bar(count.label, count.value, y, width, y + BAR_HEIGHT - 3))
    total = sum(c.value for c in counts)
    busiest = max(counts, key=lambda c: c.value) if counts and largest else None
    description = f"{total} in all." + (
        f" The most: {busiest.label}, {busiest.value}." if busiest is not None else ""
    )
    return BarChart(
        id=id,
        title=title,
        description=description,
        bars=bars,
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_ROOM,
        height=TOP * 2 + len(counts) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
        total=total,
    )
