"""The daily progress report as plain data: figures, totals, shares, layout, deadline, chart.

No ORM and no I/O: the selector fills `Figures` from one GROUP BY per commune, and the page,
the Excel file and the command all lay them out from the same `columns()`.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

# Chí Linh city letter (seed 004): communes report progress "trước 15 giờ 00 phút hàng ngày".
DEADLINE = dt.time(15, 0)


@dataclass
class Figures:
    """Counts for one commune (or a total) as of the end of a day. Counts of people only."""

    people: int = 0  # active beneficiaries: an enrolment in force that day
    by_programme: dict[str, int] = field(default_factory=dict)
    cash: int = 0  # newest registration on or before the day: cash
    account: int = 0  # … non-cash, has an account
    no_account: int = 0  # … non-cash, no account yet
    unregistered: int = 0  # no registration yet
    collected: int = 0  # an account recorded (opened_on ≤ day)
    verified: int = 0  # that account verified by the day
    mismatches: int = 0  # an open mismatch finding or an account in state mismatch
    ready: int = 0  # non-cash method and a verified account

    @property
    def non_cash(self) -> int:
        return self.account + self.no_account

    @property
    def registered(self) -> int:
        return self.cash + self.account + self.no_account

    def value(self, key: str) -> int:
        if key.startswith("programme:"):
            return self.by_programme.get(key.partition(":")[2], 0)
        return int(getattr(self, key))

    def as_dict(self) -> dict[str, int | dict[str, int]]:
        data: dict[str, int | dict[str, int]] = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name != "by_programme"
        }
        data["by_programme"] = dict(self.by_programme)
        return data


COUNT_FIELDS = tuple(f.name for f in fields(Figures) if f.name != "by_programme")


def figures_sum(items: Iterable[Figures]) -> Figures:
    """The total of several communes: every count is additive (a person lives in one commune)."""
    total = Figures()
    for item in items:
        for name in COUNT_FIELDS:
            setattr(total, name, getattr(total, name) + getattr(item, name))
        for code, n in item.by_programme.items():
            total.by_programme[code] = total.by_programme.get(code, 0) + n
    return total


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction, None when there is nobody to count."""
    return part / whole if whole else None


def percent_vn(ratio: float | None) -> str:
    """A share as Vietnamese officials write it: 45,3 %; a dash when there is nobody."""
    if ratio is None:
        return "–"
    return f"{ratio * 100:.1f}".replace(".", ",") + " %"


@dataclass(frozen=True)
class Column:
    """One column of the report: a count, or a share of two counts (numerator / denominator)."""

    key: str
    title: str
    group: str = ""  # the merged header above several columns
    of: str = ""  # for a share: the count it is a share of; `key` is the numerator
    short: str = ""  # a narrow title, for the terminal

    @property
    def is_share(self) -> bool:
        return bool(self.of)

    def cell(self, figures: Figures) -> int | float | None:
        if self.is_share:
            return share(figures.value(self.key), figures.value(self.of))
        return figures.value(self.key)


BENEFICIARIES = "Đối tượng đang hưởng"
METHOD = "Đăng ký hình thức chi trả"
COLLECTED = "Thu thập thông tin tài khoản"
VERIFIED = "Xác thực thông tin tài khoản"
READY = "Sẵn sàng chi trả không dùng tiền mặt"


def columns(programmes: Sequence[tuple[str, str]]) -> list[Column]:
    """The fixed layout, with one column per programme (code, name) after the total.

    Titles follow the seeds: the three answers of the Hưng Yên registration (seed 000), the
    collection and verification of account data by the commune police (seeds 000, 001).
    """
    return [
        Column("people", "Tổng số", BENEFICIARIES),
        *(Column(f"programme:{code}", name, BENEFICIARIES) for code, name in programmes),
        Column("cash", "Tiền mặt", METHOD),
        Column("account", "Không dùng tiền mặt - Đã có tài khoản", METHOD, short="KDTM có TK"),
        Column(
            "no_account", "Không dùng tiền mặt - Chưa có tài khoản", METHOD, short="KDTM chưa TK"
        ),
        Column("unregistered", "Chưa đăng ký", METHOD),
        Column("collected", "Đã thu thập", COLLECTED),
        Column("collected", "Tỷ lệ so với số đối tượng", COLLECTED, "people", "% thu thập"),
        Column("verified", "Đã xác thực", VERIFIED),
        Column("verified", "Tỷ lệ so với số đã thu thập", VERIFIED, "collected", "% xác thực"),
        Column("mismatches", "Sai lệch chưa xử lý", short="Sai lệch"),
        Column("ready", "Số đối tượng", READY, short="Sẵn sàng"),
        Column("ready", "Tỷ lệ so với số đối tượng", READY, "people", "% sẵn sàng"),
    ]


def header_groups(cols: Sequence[Column]) -> list[tuple[str, int, int, bool]]:
    """(title, first column index, column count, grouped) of each cell of the top header row.

    A column without a group is its own cell, spanning both header rows (grouped False).
    """
    spans: list[tuple[str, int, int, bool]] = []
    for i, col in enumerate(cols):
        if spans and col.group and spans[-1][3] and spans[-1][0] == col.group:
            title, first, width, _ = spans[-1]
            spans[-1] = (title, first, width + 1, True)
        else:
            spans.append((col.group or col.title, i, 1, bool(col.group)))
    return spans


_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def report_date_parse(text: str, *, today: dt.date) -> dt.date:
    """dd/mm/yyyy (or yyyy-mm-dd from a browser's date picker); not after today.

    Raises ValueError with a message for the user.
    """
    if m := _DATE.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(f"Ngày '{text}' không đúng dạng dd/mm/yyyy (ví dụ 05/01/2026).")
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"Ngày '{text}' không có trên lịch.") from None
    if value > today:
        raise ValueError(
            f"Ngày {value:%d/%m/%Y} chưa tới: chọn hôm nay ({today:%d/%m/%Y}) hoặc một ngày trước."
        )
    return value


def deadline_note(report_date: dt.date, now: dt.datetime, deadline: dt.time = DEADLINE) -> str:
    """What the page says about the daily 15:00 deadline, seen at `now` (local time)."""
    due = f"{deadline:%H:%M}"
    if report_date < now.date():
        return f"Báo cáo tiến độ gửi cấp trên trước {due} hằng ngày."
    left = dt.datetime.combine(now.date(), deadline, tzinfo=now.tzinfo) - now
    if left.total_seconds() > 0:
        minutes = int(left.total_seconds() // 60)
        return (
            f"Hạn gửi báo cáo hôm nay: trước {due} (còn {minutes // 60} giờ {minutes % 60} phút)."
        )
    return f"Đã quá {due}, hạn gửi báo cáo hôm nay; báo cáo ngày mai gửi trước {due}."


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    ready_width: float
    collected_width: float
    ready_text: str
    collected_text: str


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


def bar_chart(
    items: Sequence[tuple[str, Figures]],
    average: Figures,
    *,
    width: int = 760,
    label_width: int = 200,
    bar_height: int = 16,
    gap: int = 6,
) -> BarChart:
    """Share ready per commune (dark) over share collected (light), lowest first, so the
    communes that hold the province back are at the top; a line marks the province share."""
    plot = width - label_width - 60

    def ratio(f: Figures, key: str) -> float:
        return share(f.value(key), f.people) or 0.0

    ordered = sorted(items, key=lambda item: (ratio(item[1], "ready"), item[0]))
    top = 24
    bars = [
        Bar(
            label=label,
            y=top + i * (bar_height + gap),
            ready_width=round(ratio(f, "ready") * plot, 1),
            collected_width=round(ratio(f, "collected") * plot, 1),
            ready_text=percent_vn(share(f.ready, f.people)),
            collected_text=percent_vn(share(f.collected, f.people)),
        )
        for i, (label, f) in enumerate(ordered)
    ]
    mean = share(average.ready, average.people)
    return BarChart(
        width=width,
        height=top + len(bars) * (bar_height + gap) + 8,
        label_width=label_width,
        plot_width=plot,
        bar_height=bar_height,
        bars=bars,
        average_x=None if mean is None else round(label_width + mean * plot, 1),
        average_text=percent_vn(mean),
        ticks=[(label_width + t / 100 * plot, f"{t} %") for t in (0, 25, 50, 75, 100)],
    )
