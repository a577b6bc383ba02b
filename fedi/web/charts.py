"""Small bar charts drawn on the server as SVG: the geometry here, the markup in
templates/admin/_chart.html. No script, so they show without JavaScript too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 300, 60


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the day and the value, for the bar's <title>


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    width: int = WIDTH
    height: int = HEIGHT


def bar_chart(data: list[tuple[date, int]]) -> Chart:
    """One bar per day, scaled to the highest value (an empty range draws nothing)."""
    peak = max((value for _, value in data), default=0)
    step = WIDTH / max(len(data), 1)
    bars = []
    for i, (day, value) in enumerate(data):
        height = round(value / peak * (HEIGHT - 2), 2) if peak else 0
        bars.append(
            Bar(
                x=round(i * step, 2),
                y=round(HEIGHT - height, 2),
                width=round(max(step - 1, 1), 2),
                height=height,
                label=f"{day.isoformat()}: {value}",
            )
        )
    return Chart(bars=bars, peak=peak)
