"""The dashboard's charts as geometry for inline SVG: no ORM, no I/O, no JavaScript.

Two charts: the money of each month's list stacked by what became of it (paid by account, in
cash, at home; not paid; no result yet), and a share per commune as horizontal bars, lowest
first, so that the communes holding the area back come first.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from asxh.core.formatting import number_vn, vnd
from asxh.dashboard.logic import amount_short
from asxh.reports.logic import percent_vn, share


@dataclass(frozen=True)
class Segment:
    css: str
    y: float
    height: float
    title: str  # the tooltip: what, which month, how much


@dataclass(frozen=True)
class Column:
    x: float
    width: float
    label: str
    segments: list[Segment]
    top: float  # y of the column's top, for the note above it
    note: str  # e.g. the share paid without cash


@dataclass(frozen=True)
class StackedChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    columns: list[Column]
    y_ticks: list[tuple[float, str]]


def nice_step(largest: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 × 10ⁿ) so that about `ticks` steps reach `largest`."""
    if largest <= 0:
        return 1
    rough = largest / ticks
    power = 10 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def stacked_bars(
    labels: Sequence[str],
    stacks: Sequence[Sequence[int]],
    parts: Sequence[tuple[str, str]],
    notes: Sequence[str] = (),
    *,
    width: int = 900,
    height: int = 300,
) -> StackedChart:
    """One column per label; column i stacks `stacks[i][j]` đồng of part j (css, name) from
    the bottom. The y axis is in đồng with round ticks; an empty month keeps its place."""
    left, top, right, bottom = 70, 22, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = nice_step(max((sum(s) for s in stacks), default=0))
    y_max = step * max(1, math.ceil(max((sum(s) for s in stacks), default=0) / step))

    def y(amount: int) -> float:
        return round(top + plot_h - amount / y_max * plot_h, 1)

    slot = plot_w / max(1, len(labels))
    bar = round(min(56.0, slot * 0.6), 1)
    columns = []
    for i, (label, values) in enumerate(zip(labels, stacks, strict=True)):
        base, segments = 0, []
        for (css, name), amount in zip(parts, values, strict=True):
            if amount > 0:
                height_of = round(y(base) - y(base + amount), 1)
                title = f"{name}, tháng {label}: {vnd(amount)}"
                segments.append(Segment(css, y(base + amount), height_of, title))
            base += amount
        x = round(left + i * slot + (slot - bar) / 2, 1)
        note = notes[i] if i < len(notes) else ""
        columns.append(Column(x, bar, label, segments, y(base), note))
    ticks = [(y(v), amount_short(v)) for v in range(0, y_max + 1, step)]
    return StackedChart(width, height, left, top, plot_w, plot_h, columns, ticks)


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: float
    text: str  # the share, and of how many


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    bar_height: int
    bars: list[Bar]
    average_x: float | None
    average_text: str
    ticks: list[tuple[float, str]]
    hidden: int  # communes left out (the best ones) to keep the chart short


def share_bars(
    items: Sequence[tuple[str, int, int]],
    average: tuple[int, int],
    *,
    limit: int = 15,
    width: int = 640,
    label_width: int = 190,
    bar_height: int = 14,
    gap: int = 6,
) -> BarChart:
    """(label, part, whole) per commune as a bar of part/whole, lowest first, at most
    `limit` bars; a line marks the area's share (average = its part, whole). Items with a
    whole of 0 have no share and are left out."""
    plot = width - label_width - 120
    counted = [(label, part, whole) for label, part, whole in items if whole]
    ordered = sorted(counted, key=lambda item: (item[1] / item[2], item[0]))
    shown = ordered[:limit]
    top = 20
    bars = [
        Bar(
            label,
            top + i * (bar_height + gap),
            round(part / whole * plot, 1),
            f"{percent_vn(part / whole)} ({number_vn(part)}/{number_vn(whole)})",
        )
        for i, (label, part, whole) in enumerate(shown)
    ]
    mean = share(*average)
    return BarChart(
        width=width,
        height=top + len(bars) * (bar_height + gap) + 6,
        label_width=label_width,
        plot_width=plot,
        bar_height=bar_height,
        bars=bars,
        average_x=None if mean is None else round(label_width + mean * plot, 1),
        average_text=percent_vn(mean),
        ticks=[(label_width + t / 100 * plot, f"{t} %") for t in (0, 50, 100)],
        hidden=len(ordered) - len(shown),
    )
