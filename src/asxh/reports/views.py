import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.core.formatting import number_vn, vnd
from asxh.entitlement.months import month_iso, month_label, month_of
from asxh.reports import budget as budget_report
from asxh.reports import budget_excel, coverage_excel, coverage_logic, logic, selectors
from asxh.reports.excel import report_xlsx
from asxh.reports.progress import progress_recount
from asxh.units.models import Commune

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _deadline() -> dt.time:
    """15:00 unless the province fixes another hour (ASXH_REPORT_DEADLINE = "HH:MM")."""
    value = getattr(settings, "ASXH_REPORT_DEADLINE", "")
    return dt.time.fromisoformat(value) if value else logic.DEADLINE


def _date_and_area(request: HttpRequest, form: QueryDict | None = None) -> tuple[dt.date, str, str]:
    """The date asked for (today by default), the area code, and an error for the user."""
    today = timezone.localdate()
    asked = request.GET if form is None else form
    text = asked.get("date", "").strip()
    area = asked.get("area", "").strip()
    if not text:
        return today, area, ""
    try:
        return logic.report_date_parse(text, today=today), area, ""
    except ValueError as error:
        return today, area, str(error)


@dataclass(frozen=True)
class Cell:
    text: str
    is_share: bool


def _cells(cols: list[logic.Column], figures: logic.Figures) -> list[Cell]:
    cells = []
    for col in cols:
        value = col.cell(figures)
        text = logic.percent_vn(value) if col.is_share else number_vn(int(value or 0))
        cells.append(Cell(text, col.is_share))
    return cells


def _block_view(block: selectors.ProvinceBlock, cols: list[logic.Column]) -> dict[str, object]:
    average = logic.share(block.total.ready, block.total.people)
    rows = [
        {
            "row": row,
            "cells": _cells(cols, row.figures),
            # Behind the province: the communes to call first.
            "behind": average is not None
            and row.figures.people > 0
            and row.figures.ready / row.figures.people < average,
        }
        for row in block.rows
    ]
    # A commune with nobody to count has no share: it is named under the chart, not drawn.
    counted = [(r.name, r.figures) for r in block.rows if r.figures.people]
    chart = logic.bar_chart(counted, block.total) if len(counted) > 1 else None
    return {
        "block": block,
        "rows": rows,
        "total": _cells(cols, block.total),
        "chart": chart,
        "empty": len(block.rows) - len(counted),
    }


def _cards(total: logic.Figures) -> list[tuple[str, str, str]]:
    """(label, value, note) for the figures a reader looks for first."""
    people = total.people
    return [
        ("Đối tượng đang hưởng", number_vn(total.people), ""),
        (
            "Đăng ký không dùng tiền mặt",
            number_vn(total.non_cash),
            logic.percent_vn(logic.share(total.non_cash, people)),
        ),
        (
            "Đã thu thập tài khoản",
            number_vn(total.collected),
            logic.percent_vn(logic.share(total.collected, people)),
        ),
        (
            "Đã xác thực",
            number_vn(total.verified),
            logic.percent_vn(logic.share(total.verified, total.collected)) + " số đã thu thập",
        ),
        ("Sai lệch chưa xử lý", number_vn(total.mismatches), ""),
        (
            "Sẵn sàng chi trả không dùng tiền mặt",
            logic.percent_vn(logic.share(total.ready, people)),
            number_vn(total.ready) + " người",
        ),
    ]


@login_required
def daily(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    on, area, error = _date_and_area(request)
    communes = selectors.report_communes(user)  # 403 without VIEW_REPORTS
    context: dict[str, object] = {
        "error": error,
        "date_text": request.GET.get("date", "").strip() if error else f"{on:%d/%m/%Y}",
        "area": area,
        "area_choices": _area_choices(communes),
        "now": timezone.localtime(),
    }
    if error:
        return render(request, "reports/daily.html", context, status=400)
    report = selectors.daily_report(user, on=on, area=area)
    cols = logic.columns(report.programmes)
    today = timezone.localdate()
    context.update(
        {
            "report": report,
            "columns": cols,
            "header": logic.header_groups(cols),
            "blocks": [_block_view(b, cols) for b in report.provinces],
            "cards": _cards(report.total),
            "deadline": logic.deadline_note(on, timezone.localtime(), _deadline()),
            "previous_day": f"{on - dt.timedelta(days=1):%d/%m/%Y}",
            "next_day": f"{on + dt.timedelta(days=1):%d/%m/%Y}" if on < today else "",
            "today_text": f"{today:%d/%m/%Y}",
            "iso_date": on.isoformat(),
            "max_iso": today.isoformat(),
            "can_recount": user.can(Capability.COUNT_PROGRESS),
        }
    )
    return render(request, "reports/daily.html", context)


@login_required
@require_POST
def daily_recount(request: HttpRequest) -> HttpResponse:
    """Count the day again for the user's communes in the area (seconds for a province)."""
    user = _user(request)
    on, area, error = _date_and_area(request, request.POST)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    communes = list(selectors.report_communes(user, area).values_list("pk", flat=True))
    counted = progress_recount(user, communes, on, area=area)
    messages.success(request, f"Đã đếm lại số liệu ngày {on:%d/%m/%Y} của {counted} xã/phường.")
    query = urlencode({"date": f"{on:%d/%m/%Y}", **({"area": area} if area else {})})
    return redirect(f"{reverse('report_daily')}?{query}")


def _area_choices(communes: QuerySet[Commune]) -> list[tuple[str, str]]:
    """Provinces then communes of the user's scope, for the area filter."""
    rows = list(
        communes.order_by("province__code", "name").values_list(
            "code", "name", "province__code", "province__name"
        )
    )
    provinces = sorted({(p, n) for _, _, p, n in rows})
    if len(rows) <= 1:
        return []
    return [*((p, f"{n} (cả tỉnh)") for p, n in provinces), *((c, n) for c, n, _, _ in rows)]


@login_required
def daily_xlsx(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    on, area, error = _date_and_area(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    report = selectors.daily_report(user, on=on, area=area)
    content = report_xlsx(report, agency=user.organisation, preparer=user.full_name)
    response = HttpResponse(content, content_type=XLSX)
    name = f"bao-cao-tien-do-{on:%Y-%m-%d}{'-' + area if area else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- non-cash coverage ----------------------------------------------------------------------


def _coverage_request(request: HttpRequest) -> tuple[int, int, str, str]:
    """The months (entitlement.months numbers) and the area asked for, and an error for the
    user. By default the year up to the last month with a locked list (else this month)."""
    user = _user(request)
    area = request.GET.get("area", "").strip()
    latest = selectors.coverage_latest_month(user, area)  # 404 for an area not the user's
    default = latest if latest is not None else month_of(timezone.localdate())
    try:
        first, last = coverage_logic.month_range(
            request.GET.get("from", ""), request.GET.get("to", ""), default
        )
    except ValueError as error:
        return default - coverage_logic.MAX_MONTHS + 1, default, area, str(error)
    return first, last, area, ""


# Colours of the chart's lines: everyone first, then the programmes in order.
_SERIES_CSS = ("all", "g1", "g2", "g3", "g4", "g5", "g6")


def _trend(report: selectors.CoverageReport) -> coverage_logic.TrendChart:
    def shares(code: str) -> list[float | None]:
        values: list[float | None] = []
        for month in report.months:
            groups = {g.code: g.figures for g in month.groups}
            figures = month.total if not code else groups.get(code)
            values.append(figures.people_share if month.lists and figures else None)
        return values

    series = [
        coverage_logic.Series(name, _SERIES_CSS[min(i, len(_SERIES_CSS) - 1)], shares(code))
        for i, (code, name) in enumerate([("", "Tất cả các nhóm"), *report.programmes()])
    ]
    return coverage_logic.trend_chart([m.month for m in report.months], series)


@dataclass(frozen=True)
class _CoverageRow:
    """One row of a table: a label and the six figures as the page writes them."""

    level: str  # "programme" | "benefit" | "total" | "commune"
    label: str
    people: str
    people_non_cash: str
    people_share: str
    amount: str
    amount_non_cash: str
    amount_share: str
    below_target: bool
    bar: str  # the people share as a CSS width, 0–100

    @classmethod
    def of(cls, level: str, label: str, f: coverage_logic.Coverage) -> "_CoverageRow":
        share = f.people_share
        return cls(
            level,
            label,
            number_vn(f.people),
            number_vn(f.people_non_cash),
            logic.percent_vn(share),
            vnd(f.amount),
            vnd(f.amount_non_cash),
            logic.percent_vn(f.amount_share),
            share is not None and share < coverage_logic.TARGET,
            f"{(share or 0) * 100:.1f}",
        )


def _group_rows(month: selectors.MonthCoverage) -> list[_CoverageRow]:
    rows = []
    for group in month.groups:
        rows.append(_CoverageRow.of("programme", group.name, group.figures))
        rows += [_CoverageRow.of("benefit", name, f) for _, name, f in group.benefits]
    rows.append(_CoverageRow.of("total", "Tổng cộng (mỗi người tính một lần)", month.total))
    return rows


def _ranking(
    month: selectors.MonthCoverage, programme: str, lowest_first: bool
) -> tuple[list[tuple[str, str, _CoverageRow]], list[str]]:
    """(rank text, commune code, row) of the communes with people paid, in the order asked
    for; and the names of the others (nobody of the programme paid there that month)."""
    places = [r.place for r in month.communes]
    ranked = coverage_logic.ranking(places, programme, lowest_first=lowest_first)
    counted = [r for r in ranked if r.rank is not None]
    rows = [
        (
            f"{r.rank}/{len(counted)}",
            r.place.code,
            _CoverageRow.of("commune", r.place.name, r.figures),
        )
        for r in counted
    ]
    return rows, [r.place.name for r in ranked if r.rank is None]


def _coverage_cards(month: selectors.MonthCoverage) -> list[tuple[str, str, str]]:
    total = month.total
    share = total.people_share
    target = logic.percent_vn(coverage_logic.TARGET)
    counted = [r for r in month.communes if r.figures.people]
    below = [r for r in counted if (r.figures.people_share or 0) < coverage_logic.TARGET]
    return [
        ("Người được chi trả", number_vn(total.people), f"tháng {month_label(month.month)}"),
        (
            "Nhận không dùng tiền mặt (số người)",
            logic.percent_vn(share),
            f"{number_vn(total.people_non_cash)} người",
        ),
        (
            "Chi không dùng tiền mặt (số tiền)",
            logic.percent_vn(total.amount_share),
            f"{vnd(total.amount_non_cash)} / {vnd(total.amount)}",
        ),
        (
            f"Mục tiêu trên {target}",
            "Đạt" if share is not None and share > coverage_logic.TARGET else "Chưa đạt",
            f"{number_vn(len(below))}/{number_vn(len(counted))} xã/phường dưới mục tiêu",
        ),
    ]


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    communes = selectors.report_communes(user)  # 403 without VIEW_REPORTS
    first, last, area, error = _coverage_request(request)
    context: dict[str, object] = {
        "error": error,
        "area": area,
        "area_choices": _area_choices(communes),
        "from_text": request.GET.get("from", "") if error else month_label(first),
        "to_text": request.GET.get("to", "") if error else month_label(last),
        "from_iso": month_iso(first),
        "to_iso": month_iso(last),
    }
    if error:
        return render(request, "reports/coverage.html", context, status=400)
    report = selectors.coverage(user, first, last, area)
    month = report.latest
    this_month = month_of(timezone.localdate())
    context["earlier"] = (month_iso(first - 1), month_iso(last - 1))
    context["later"] = (month_iso(first + 1), month_iso(last + 1)) if last < this_month else None
    programme = request.GET.get("group", "")
    programmes = report.programmes()
    if programme not in dict(programmes):
        programme = ""
    lowest_first = request.GET.get("order", "") != "high"
    context.update(
        {
            "report": report,
            "month": month,
            "chart": _trend(report),
            "programmes": programmes,
            "group": programme,
            "lowest_first": lowest_first,
            "target": logic.percent_vn(coverage_logic.TARGET),
        }
    )
    if month is not None:
        ranking, unpaid = _ranking(month, programme, lowest_first)
        context.update(
            {
                "month_text": month_label(month.month),
                "cards": _coverage_cards(month),
                "group_rows": _group_rows(month),
                "ranking": ranking,
                "unpaid": unpaid,
                "provinces": [_CoverageRow.of("province", n, f) for _, n, f in month.provinces],
                "trend_rows": _trend_rows(report),
            }
        )
    return render(request, "reports/coverage.html", context)


def _trend_rows(report: selectors.CoverageReport) -> list[tuple[str, list[str]]]:
    """The chart's figures as a table: a row a month, the share of people per group."""
    codes = ["", *(code for code, _ in report.programmes())]
    rows = []
    for month in report.months:
        groups = {g.code: g.figures for g in month.groups}
        cells = [
            logic.percent_vn(
                (
                    month.total if not code else groups.get(code, coverage_logic.Coverage())
                ).people_share
            )
            if month.lists
            else "chưa có danh sách"
            for code in codes
        ]
        rows.append((month_label(month.month), cells))
    return rows


@login_required
def coverage_xlsx(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    first, last, area, error = _coverage_request(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    report = selectors.coverage(user, first, last, area)
    content = coverage_excel.coverage_xlsx(
        report, on=timezone.localdate(), agency=user.organisation, preparer=user.full_name
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"bao-cao-bao-phu-{month_iso(last)}{'-' + area if area else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- budget estimate (dự toán) ----------------------------------------------------------------


def _budget_year(text: str) -> tuple[int, str]:
    """The year asked for (next year by default) and an error for the user."""
    default = timezone.localdate().year + 1
    text = text.strip()
    if not text:
        return default, ""
    if not (len(text) == 4 and text.isdigit()):
        return default, f"Năm '{text}' không hợp lệ: ghi năm 4 chữ số, ví dụ {default}."
    return int(text), ""


@dataclass(frozen=True)
class _BudgetRow:
    """A row of the page's tables as written: a programme's or a commune's subtotal, or one
    group."""

    level: str  # "programme" | "commune" | "group" | "total"
    stt: str
    commune: str
    label: str
    people: str
    monthly: str
    funeral: str
    fees: str
    total: str

    @classmethod
    def of(
        cls, level: str, stt: str, commune: str, label: str, f: budget_report.Figures
    ) -> "_BudgetRow":
        return cls(
            level,
            stt,
            commune,
            label,
            number_vn(f.people),
            vnd(f.monthly),
            vnd(f.funeral),
            vnd(f.fees),
            vnd(f.total),
        )


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _programme_rows(block: budget_report.ProvinceBudget) -> list[_BudgetRow]:
    """The province's groups under their programme, each programme with its subtotal."""
    programmes: dict[str, list[budget_report.GroupRow]] = {}
    for row in block.by_group():
        programmes.setdefault(row.programme_name, []).append(row)
    rows = []
    for n, (name, groups) in enumerate(programmes.items()):
        subtotal = budget_report.figures_sum(r.figures for r in groups)
        rows.append(_BudgetRow.of("programme", _ROMAN[n % len(_ROMAN)], "", name, subtotal))
        rows += [
            _BudgetRow.of("group", str(k), "", r.name, r.figures)
            for k, r in enumerate(groups, start=1)
        ]
    return rows


def _commune_rows(block: budget_report.ProvinceBudget) -> list[_BudgetRow]:
    rows = []
    for n, commune in enumerate(block.communes, start=1):
        rows.append(_BudgetRow.of("commune", str(n), commune.name, "Cộng", commune.subtotal))
        rows += [
            _BudgetRow.of("group", f"{n}.{k}", "", r.name, r.figures)
            for k, r in enumerate(commune.rows, start=1)
        ]
    return rows


def _budget_cards(total: budget_report.Figures) -> list[tuple[str, str, str]]:
    return [
        ("Tổng dự toán", vnd(total.total), ""),
        ("Trợ cấp hằng tháng (12 tháng)", vnd(total.monthly), ""),
        ("Hỗ trợ mai táng (dự kiến)", vnd(total.funeral), ""),
        ("Chi phí chi trả", vnd(total.fees), ""),
        ("Số đối tượng", number_vn(total.people), "người thuộc nhiều nhóm: tính ở mỗi nhóm"),
    ]


def _budget_block(block: budget_report.ProvinceBudget) -> dict[str, object]:
    estimate = block.estimate
    view: dict[str, object] = {"block": block}
    if estimate is not None:
        facts = estimate.assumptions
        view.update(
            {
                "cards": _budget_cards(block.total),
                "groups": _programme_rows(block),
                "rows": _commune_rows(block),
                "total": _BudgetRow.of("total", "", "", "TỔNG CỘNG", block.total),
                "window": budget_report.window_text(facts),
                "mortality": [
                    (
                        m["band"],
                        number_vn(m["deaths"]),
                        number_vn(m["at_risk"]),
                        logic.percent_vn(m["monthly_rate"] * 12),
                    )
                    for m in facts["mortality"]
                ],
                "expected_deaths": number_vn(round(facts["expected_deaths"])),
                "funeral_amounts": sorted({vnd(a) for a in facts["funeral_amounts"].values()}),
                "fees": {k: number_vn(v) for k, v in facts["fee_person_months"].items()},
            }
        )
    return view


@login_required
def budget(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    communes = selectors.report_communes(user)  # 403 without VIEW_REPORTS
    year, error = _budget_year(request.GET.get("nam", ""))
    area = request.GET.get("area", "").strip()
    context: dict[str, object] = {
        "error": error,
        "year": year,
        "year_text": request.GET.get("nam", "") if error else str(year),
        "area": area,
        "area_choices": _area_choices(communes),
    }
    if error:
        return render(request, "reports/budget.html", context, status=400)
    report = budget_report.budget_estimate(user, year, area)
    blocks = [_budget_block(b) for b in report.provinces]
    computed = any(b.estimate for b in report.provinces)
    context.update({"report": report, "blocks": blocks, "computed": computed})
    return render(request, "reports/budget.html", context)


@login_required
@require_POST
def budget_compute(request: HttpRequest) -> HttpResponse:
    year, error = _budget_year(request.POST.get("nam", ""))
    area = request.POST.get("area", "").strip()
    back = f"{reverse('report_budget')}?nam={year}" + (f"&area={area}" if area else "")
    if error:
        messages.error(request, error)
        return redirect(back)
    try:
        done = budget_report.budget_compute(
            actor=_user(request), province_code=request.POST.get("province", ""), year=year
        )
    except ValidationError as refused:
        messages.error(request, "; ".join(refused.messages))
        return redirect(back)
    estimate = done.estimate
    messages.success(
        request,
        f"Đã tính dự toán năm {year} của {estimate.province.name}: "
        f"{number_vn(estimate.people)} đối tượng đang hưởng, trong "
        f"{budget_report.seconds_text(estimate.seconds)}.",
    )
    return redirect(back)


@login_required
def budget_xlsx(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    year, error = _budget_year(request.GET.get("nam", ""))
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    area = request.GET.get("area", "").strip()
    report = budget_report.budget_estimate(user, year, area)
    content = budget_excel.budget_xlsx(
        report, on=timezone.localdate(), agency=user.organisation, preparer=user.full_name
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"du-toan-{year}{'-' + area if area else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
