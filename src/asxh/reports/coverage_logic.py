"""The non-cash coverage report as plain data: figures, shares, ranking, month range, chart.

No ORM and no I/O. The selector fills `Coverage` from the summary rows written when a list
is locked; the page, the Excel file and the command lay out the same figures.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from asxh.entitlement.engine import FUNERAL
from asxh.entitlement.months import month_label, month_parse
from asxh.reports.logic import percent_vn, share

# Đoàn Kết commune plan (seed 001): "trên 50%" paid by account by the end of 2023.
TARGET = 0.5
# A longer trend would not fit the chart's width; officials compare within a year.
MAX_MONTHS = 12
# Benefits of no programme: one-off payments (Tết gifts, emergency lists) and any code the
# list builder may add later. They keep their own row instead of swelling a programme's.
ONE_OFF = "mot_lan"
ONE_OFF_NAME = "Chi một lần và khoản khác"


def benefit_programmes(groups: Mapping[str, str]) -> dict[str, str]:
    """Benefit code → programme code, from the target groups (group code → programme).

    A payment line's benefit is its target group's code, or that code with `_phu_cap` for
    the monthly allowance paid with it (`entitlement.engine._supplement`), or the funeral
    support of a social-assistance beneficiary (`engine.FUNERAL`).
    """
    mapping: dict[str, str] = {}
    for group, programme in groups.items():
        mapping[group] = programme
        mapping[f"{group}_phu_cap"] = programme
    mapping[FUNERAL] = "btxh"
    return mapping


@dataclass(frozen=True)
class Coverage:
    """People and amounts sent in a month, and the part sent without cash (to an account)."""

    people: int = 0
    people_non_cash: int = 0
    amount: int = 0
    amount_non_cash: int = 0

    @property
    def people_share(self) -> float | None:
        return share(self.people_non_cash, self.people)

    @property
    def amount_share(self) -> float | None:
        return share(self.amount_non_cash, self.amount)

    def __add__(self, other: "Coverage") -> "Coverage":
        """Adding communes: a person is listed in one commune per month, so people add up."""
        return Coverage(
            self.people + other.people,
            self.people_non_cash + other.people_non_cash,
            self.amount + other.amount,
            self.amount_non_cash + other.amount_non_cash,
        )

    def as_dict(self) -> dict[str, int | float | None]:
        return {
            "people": self.people,
            "people_non_cash": self.people_non_cash,
            "people_share": _rounded(self.people_share),
            "amount": self.amount,
            "amount_non_cash": self.amount_non_cash,
            "amount_share": _rounded(self.amount_share),
        }


def _rounded(ratio: float | None) -> float | None:
    # Four decimals is 0,01 %: finer than any page shows, and stable in JSON comparisons.
    return None if ratio is None else round(ratio, 4)


def coverage_sum(items: Iterable[Coverage]) -> Coverage:
    total = Coverage()
    for item in items:
        total = total + item
    return total


def ranks(shares: Sequence[float | None]) -> list[int | None]:
    """Rank 1 for the highest share, equal shares the same rank (1, 2, 2, 4); None without
    anybody paid. Officials read "hạng 98/102" as "among the last"."""
    ordered = sorted((s for s in shares if s is not None), reverse=True)
    first: dict[float, int] = {}
    for i, s in enumerate(ordered):
        first.setdefault(s, i + 1)
    return [None if s is None else first[s] for s in shares]


@dataclass(frozen=True)
class Place:
    """A commune's figures in a month: everyone, and per programme."""

    code: str
    name: str
    province: str
    total: Coverage
    by_programme: Mapping[str, Coverage]

    def figures(self, programme: str = "") -> Coverage:
        return self.by_programme.get(programme, Coverage()) if programme else self.total


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # None: nobody (of the programme) paid there that month
    place: Place
    figures: Coverage


def ranking(
    places: Sequence[Place], programme: str = "", *, lowest_first: bool = True
) -> list[Ranked]:
    """Communes ranked by the share of people paid without cash (everyone, or one
    programme's). Lowest first by default: those are the communes an official calls."""
    figures = [p.figures(programme) for p in places]
    rank_of = ranks([f.people_share for f in figures])
    rows = [Ranked(*row) for row in zip(rank_of, places, figures, strict=True)]
    sign = 1 if lowest_first else -1

    def key(row: Ranked) -> tuple[bool, float, float, str]:
        people, amount = row.figures.people_share, row.figures.amount_share
        return (people is None, sign * (people or 0.0), sign * (amount or 0.0), row.place.code)

    return sorted(rows, key=key)


def month_range(text_from: str, text_to: str, default_to: int) -> tuple[int, int]:
    """The months asked for (yyyy-mm or mm/yyyy): by default the year up to `default_to`.

    Raises ValueError with a message for the user.
    """
    last = month_parse(text_to) if text_to.strip() else default_to
    first = month_parse(text_from) if text_from.strip() else last - MAX_MONTHS + 1
    if first > last:
        raise ValueError(
            f"Từ tháng {month_label(first)} phải không sau đến tháng {month_label(last)}."
        )
    if last - first + 1 > MAX_MONTHS:
        raise ValueError(
            f"Xem tối đa {MAX_MONTHS} tháng một lần "
            f"({month_label(first)}–{month_label(last)} là {last - first + 1} tháng)."
        )
    return first, last


@dataclass(frozen=True)
class Series:
    """One line of the trend chart: a label, a CSS class and the share of each month."""

    label: str
    css: str
    shares: Sequence[float | None]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Line:
    label: str
    css: str
    paths: list[str]  # SVG path data, one per run of months with figures
    points: list[Point]


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    target_y: float
    target_text: str
    lines: list[Line]


def trend_chart(
    months: Sequence[int],
    series: Sequence[Series],
    *,
    target: float = TARGET,
    width: int = 900,
    height: int = 280,
) -> TrendChart:
    """The share paid without cash per month, a line per group, 0–100 % on the y axis and a
    dashed line at the target. A month without a locked list breaks the line there."""
    # Room on the right for the target's label, below for the months.
    left, top, right, bottom = 44, 14, 110, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / (len(months) - 1) if len(months) > 1 else 0.0

    def x(i: int) -> float:
        return round(left + (i * step if len(months) > 1 else plot_w / 2), 1)

    def y(ratio: float) -> float:
        return round(top + (1 - ratio) * plot_h, 1)

    lines = [_line(s, months, x, y) for s in series]
    return TrendChart(
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_w,
        plot_height=plot_h,
        x_labels=[(x(i), month_label(m)) for i, m in enumerate(months)],
        y_ticks=[(y(t / 100), f"{t} %") for t in (0, 25, 50, 75, 100)],
        target_y=y(target),
        target_text=f"Mục tiêu {percent_vn(target)}",
        lines=lines,
    )


def _line(
    s: Series, months: Sequence[int], x: Callable[[int], float], y: Callable[[float], float]
) -> Line:
    paths: list[str] = []
    points: list[Point] = []
    run: list[str] = []
    for i, ratio in enumerate(s.shares):
        if ratio is None:
            if run:
                paths.append(" ".join(run))
            run = []
            continue
        px, py = x(i), y(ratio)
        run.append(f"{'L' if run else 'M'}{px},{py}")
        points.append(Point(px, py, f"{s.label}, {month_label(months[i])}: {percent_vn(ratio)}"))
    if run:
        paths.append(" ".join(run))
    return Line(s.label, s.css, paths, points)
