"""/tong-quan/: one dashboard whose sections depend on the user's role, the monthly report's
Excel file, and recounting the progress figures. Thin: the figures are the selectors'."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability, Role
from asxh.core.formatting import number_vn, vnd
from asxh.dashboard import charts, selectors
from asxh.dashboard.excel import month_xlsx
from asxh.dashboard.logic import CHANNEL_SHORT, CHANNELS, Payments, account_share
from asxh.entitlement.months import month_iso, month_label, month_parse
from asxh.reports import progress as kept_progress
from asxh.reports.coverage_logic import MAX_MONTHS
from asxh.reports.logic import percent_vn, share

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What each role's dashboard shows, in order. The selectors check capability and area again.
SECTIONS: dict[str, tuple[str, ...]] = {
    Role.COMMUNE_OFFICER: ("progress", "work", "month"),
    Role.COMMUNE_POLICE: ("work",),
    Role.APPROVER: ("calendar", "month", "lagging", "progress", "work"),
    Role.PROVINCE: ("calendar", "month", "lagging", "progress", "work"),
    Role.PROVIDER: ("provider",),
    Role.TREASURY: ("treasury", "month"),
    Role.AUDITOR: ("calendar", "month", "lagging", "progress"),
}
LAGGING = 10  # communes listed as lagging behind
# Sections read through the reports' scope (VIEW_REPORTS), for a month and an area.
REPORTING = {"progress", "month", "calendar", "lagging", "treasury"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@dataclass(frozen=True)
class Asked:
    month: int
    area: str
    error: str


def _asked(request: HttpRequest, user: User, today: dt.date) -> Asked:
    """The month (yyyy-mm or mm/yyyy; by default the last with a locked list) and area."""
    area = request.GET.get("area", "").strip()
    text = request.GET.get("month", "").strip()
    default = selectors.latest_month(user, area, today=today)
    if not text:
        return Asked(default, area, "")
    try:
        return Asked(month_parse(text), area, "")
    except ValueError as error:
        return Asked(default, area, str(error))


class Page:
    """One request's dashboard: who asks, for which month and area; the month's report is
    read once for the sections that share it."""

    def __init__(self, user: User, asked: Asked, today: dt.date) -> None:
        self.user, self.asked, self.today = user, asked, today

    @cached_property
    def report(self) -> selectors.MonthReport:
        return selectors.month_report(self.user, self.asked.month, self.asked.area)

    @cached_property
    def progress(self) -> selectors.Progress:
        return selectors.progress(self.user, self.asked.area, today=self.today)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    sections = SECTIONS.get(user.role, ())
    today = timezone.localdate()
    context: dict[str, Any] = {"sections": sections, "today": today,
                               "can_recount": user.can(Capability.COUNT_PROGRESS)}  # fmt: skip
    reporting = bool(REPORTING & set(sections))
    asked = _asked(request, user, today) if reporting else Asked(0, "", "")
    if reporting:
        context.update(_filters(user, asked))
    page = Page(user, asked, today)
    for name in sections:
        context.update(BUILDERS[name](page))
    return render(request, "dashboard/index.html", context, status=400 if asked.error else 200)


def _filters(user: User, asked: Asked) -> dict[str, Any]:
    scope = selectors.report_scope(user)
    return {
        "asked": asked,
        "month_text": month_label(asked.month),
        "month_iso": month_iso(asked.month),
        "previous_month": month_iso(asked.month - 1),
        "next_month": month_iso(asked.month + 1),
        "area_choices": area_choices(scope),
    }


def area_choices(scope: selectors.Scope) -> list[tuple[str, str]]:
    """Whole provinces, then communes, when the user works in more than one commune."""
    if len(scope.communes) <= 1:
        return []
    provinces = [
        (code, f"{name} ({'toàn tỉnh' if pk in scope.whole else 'các xã của tôi'})")
        for pk, (code, name) in scope.provinces.items()
    ]
    return provinces + [(p.code, p.name) for p in scope.communes.values()]


# --- sections -------------------------------------------------------------------------------


def _progress(page: Page) -> dict[str, Any]:
    found = page.progress
    total = found.total
    items = [(place.name, f.verified, f.collected) for place, f in found.communes]
    return {
        "progress": found,
        "progress_cards": [
            ("Đối tượng đang hưởng", number_vn(total.people), ""),
            ("Đã thu thập tài khoản", percent_vn(share(total.collected, total.people)),
             f"{number_vn(total.collected)} người"),
            ("Tài khoản đã xác thực", percent_vn(share(total.verified, total.collected)),
             f"{number_vn(total.verified)}/{number_vn(total.collected)} tài khoản"),
            ("Sẵn sàng chi không dùng tiền mặt", percent_vn(share(total.ready, total.people)),
             f"{number_vn(total.ready)} người"),
            ("Sai lệch chưa xử lý", number_vn(total.mismatches), ""),
        ],
        "verified_chart": charts.share_bars(items, (total.verified, total.collected)),
        "progress_stale": found.stale(page.today),
    }  # fmt: skip


def _work(page: Page) -> dict[str, Any]:
    return {"work": selectors.open_work(page.user, page.asked.area)}


@dataclass(frozen=True)
class ChannelRow:
    label: str
    payments: Payments
    is_total: bool = False


def _month(page: Page) -> dict[str, Any]:
    report, asked = page.report, page.asked
    first = asked.month - MAX_MONTHS + 1
    months = selectors.trend(page.user, first, asked.month, asked.area)
    rows = [ChannelRow(label, report.channels[code]) for code, label in CHANNELS]
    return {
        "report": report,
        "channel_rows": [*rows, ChannelRow("Tổng cộng", report.total, True)],
        "money_chart": money_chart(months),
        "money_table": [
            (month_label(m.month), [vnd(m.channels[c].paid_amount) for c, _ in CHANNELS],
             percent_vn(account_share(m.channels)) if m.lists else "chưa có danh sách")
            for m in months
        ],
        "channel_short": [CHANNEL_SHORT[c] for c, _ in CHANNELS],
        "money_parts": MONEY_PARTS,
        "month_cards": _month_cards(report),
    }  # fmt: skip


# Parts of a month's column, bottom up: what was paid each way, then what was not.
MONEY_PARTS = [
    ("paid-account", "Đã chi: chuyển khoản"),
    ("paid-cash", "Đã chi: tiền mặt tại điểm chi trả"),
    ("paid-home", "Đã chi: tại nhà, qua người giám hộ/ủy quyền"),
    ("unpaid", "Không chi được (hoàn trả, chuyển kỳ sau)"),
    ("pending", "Chưa có kết quả"),
]


def money_chart(months: list[selectors.TrendMonth]) -> charts.StackedChart:
    """Each month's list by what became of its money; above it, the share of people paid
    without cash."""
    stacks = []
    for m in months:
        c = m.channels
        unpaid = sum(p.unpaid_amount for p in c.values())
        pending = sum(p.pending_amount for p in c.values())
        paid = [c[code].paid_amount for code, _ in CHANNELS]
        stacks.append([*paid, unpaid, pending])
    notes = [percent_vn(m.people_share) if m.lists else "" for m in months]
    return charts.stacked_bars([month_label(m.month) for m in months], stacks, MONEY_PARTS, notes)


def _month_cards(report: selectors.MonthReport) -> list[tuple[str, str, str]]:
    total = report.total
    return [
        ("Người được chi trả", number_vn(report.coverage.people), vnd(total.amount)),
        ("Nhận không dùng tiền mặt", percent_vn(report.coverage.people_share),
         f"số tiền: {percent_vn(report.coverage.amount_share)}"),
        ("Đã chi trả", vnd(total.paid_amount), f"{number_vn(total.paid_people)} người"),
        ("Chưa có kết quả", number_vn(total.pending_people) + " người", vnd(total.pending_amount)),
        ("Khoản tạm giữ", number_vn(total.held_lines) + " khoản", vnd(total.held_amount)),
        ("Chuyển khoản bị từ chối", number_vn(total.refused_people) + " người",
         f"{number_vn(report.refused_open)} việc chưa xử lý"),
    ]  # fmt: skip


def _calendar(page: Page) -> dict[str, Any]:
    asked = page.asked
    found = selectors.province_cycles(page.user, asked.month, today=page.today, area=asked.area)
    # The calendar is the province's: narrowed to some communes, it is not shown.
    return {"calendars": found, "calendar_whole": page.report.whole_province}


@dataclass(frozen=True)
class Lagging:
    commune: selectors.CommuneMonth
    ready: float | None  # share of people ready to be paid without cash (kept progress figures)


def _lagging(page: Page) -> dict[str, Any]:
    """The communes with the lowest share of people paid without cash in the month, with
    their readiness: where the province's officials call first."""
    ready = {p.pk: share(f.ready, f.people) for p, f in page.progress.communes}
    counted = [c for c in page.report.communes if c.coverage.people]
    counted.sort(key=lambda c: (c.coverage.people_share or 0, c.place.code))
    rows = [Lagging(c, ready.get(c.place.pk)) for c in counted[:LAGGING]]
    return {"lagging": rows, "lagging_of": len(counted)}


def _provider(page: Page) -> dict[str, Any]:
    return {"provider_lists": selectors.provider_lists(page.user)}


def _treasury(page: Page) -> dict[str, Any]:
    return {"advances": selectors.treasury_advances(page.user, area=page.asked.area)}


BUILDERS: dict[str, Callable[[Page], dict[str, Any]]] = {
    "progress": _progress,
    "work": _work,
    "month": _month,
    "calendar": _calendar,
    "lagging": _lagging,
    "provider": _provider,
    "treasury": _treasury,
}


# --- downloads and actions ------------------------------------------------------------------


@login_required
def month_excel(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    asked = _asked(request, user, timezone.localdate())
    if asked.error:
        return HttpResponse(asked.error, status=400, content_type="text/plain; charset=utf-8")
    report = selectors.month_report(user, asked.month, asked.area)
    content = month_xlsx(report, on=timezone.localdate(), agency=user.organisation,
                         preparer=user.full_name)  # fmt: skip
    response = HttpResponse(content, content_type=XLSX)
    name = f"bao-cao-thang-{month_iso(asked.month)}{'-' + asked.area if asked.area else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def progress_recount(request: HttpRequest) -> HttpResponse:
    """Count the progress of the user's communes now (seconds for a whole province)."""
    area = request.POST.get("area", "").strip()
    user = _user(request)
    communes = list(selectors.report_scope(user, area).communes)
    counted = kept_progress.progress_recount(user, communes, timezone.localdate(), area=area)
    messages.success(request, f"Đã cập nhật số liệu tiến độ của {counted} xã/phường.")
    return redirect(reverse("dashboard") + (f"?area={area}" if area else ""))
