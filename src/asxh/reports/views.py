import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from asxh.access.models import User
from asxh.core.formatting import number_vn
from asxh.reports import logic, selectors
from asxh.reports.excel import report_xlsx
from asxh.units.models import Commune

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _deadline() -> dt.time:
    """15:00 unless the province fixes another hour (ASXH_REPORT_DEADLINE = "HH:MM")."""
    value = getattr(settings, "ASXH_REPORT_DEADLINE", "")
    return dt.time.fromisoformat(value) if value else logic.DEADLINE


def _date_and_area(request: HttpRequest) -> tuple[dt.date, str, str]:
    """The date asked for (today by default), the area code, and an error for the user."""
    today = timezone.localdate()
    text = request.GET.get("date", "").strip()
    area = request.GET.get("area", "").strip()
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
        }
    )
    return render(request, "reports/daily.html", context)


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
