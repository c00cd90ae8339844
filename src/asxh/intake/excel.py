"""Excel out: the commune's list in the import layout, and the report of rows to fix.

Files are streamed (xlsxwriter constant_memory) and every cell is written as a value: text
is always a string cell, never a formula, whatever it starts with.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.accounts.models import AccountStatus, ReceivingAccount
from asxh.audit.services import access_log_record, audit_record
from asxh.beneficiaries.models import Beneficiary, Enrolment, PaymentMethodRegistration
from asxh.core.formatting import month_vn, partial_date_vn
from asxh.intake.columns import FIELD_LABELS
from asxh.intake.services import ImportReport, import_commune

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
EXPORT_FIELDS = (
    "full_name", "birth_date", "sex", "id_number", "ethnicity", "village", "phone", "group",
    "start_month", "decision_number", "method", "account_number", "bank", "holder_name", "note",
)  # fmt: skip
METHOD_TEXT = {"account": "Tài khoản", "cash": "Tiền mặt", "no_account": "Chưa có tài khoản"}
SEX_TEXT = {"M": "Nam", "F": "Nữ"}


def _title_block(book: Any, sheet: Any, title: str, subtitle: str, width: int) -> int:
    """National header and title as official lists have them; returns the header row index."""
    bold = book.add_format({"bold": True, "align": "center"})
    sheet.merge_range(0, 0, 0, min(width, 5) - 1, "UBND " + subtitle.upper(), bold)
    sheet.merge_range(0, 6, 0, width - 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    sheet.merge_range(1, 6, 1, width - 1, "Độc lập - Tự do - Hạnh phúc", bold)
    sheet.merge_range(
        3,
        0,
        3,
        width - 1,
        title,
        book.add_format({"bold": True, "align": "center", "font_size": 13}),
    )
    return 5


def _header(book: Any, sheet: Any, row: int, titles: Sequence[str]) -> None:
    head = book.add_format(
        {
            "bold": True,
            "border": 1,
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
            "bg_color": "#E8EEF6",
        }
    )
    for column, title in enumerate(titles):
        sheet.write_string(row, column, title, head)
        sheet.set_column(column, column, 8 if column == 0 else 16)


def _cells(sheet: Any, row: int, values: Iterable[Any], text: Any) -> None:
    for column, value in enumerate(values):
        if isinstance(value, int):
            sheet.write_number(row, column, value, text)
        else:
            sheet.write_string(row, column, "" if value is None else str(value), text)


def errors_workbook(report: ImportReport, path: Path) -> int:
    """The rejected rows as read, with a column saying what to fix; ready to re-import."""
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    sheet = book.add_worksheet("Dòng cần sửa")
    text = book.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
    rejected, titles = report.rejected, report.titles
    reasons: dict[int, list[str]] = {}
    for issue in report.errors:
        where = f"{issue.column}: " if issue.column else ""
        reasons.setdefault(issue.row, []).append(f"{where}{issue.message} {issue.fix}".strip())
    _header(book, sheet, 0, ["Dòng trong tệp gốc", *titles, "Lỗi cần sửa"])
    sheet.set_column(len(titles) + 1, len(titles) + 1, 60)
    for out, number in enumerate(sorted(rejected), start=1):
        _cells(sheet, out, [number, *rejected[number], "\n".join(reasons.get(number, []))], text)
    book.close()
    return len(rejected)


def _at_home(b: Beneficiary) -> bool:
    latest = next(iter(b.registrations), None)  # type: ignore[attr-defined]
    return bool(latest and latest.cash_at_home and b.payment_method == "cash")


def _display(b: Beneficiary) -> dict[str, Any]:
    enrolment = next(iter(b.open_enrolments), None)  # type: ignore[attr-defined]
    account = next(iter(b.active_accounts), None)  # type: ignore[attr-defined]
    return {
        "full_name": b.full_name,
        "birth_date": partial_date_vn(b.birth_date, b.birth_date_precision),
        "sex": SEX_TEXT.get(b.sex, ""),
        "id_number": b.id_number,
        "ethnicity": b.ethnicity,
        "village": b.village,
        "phone": b.phone,
        "group": enrolment.group.code if enrolment else "",
        "start_month": month_vn(enrolment.start_month) if enrolment else "",
        "decision_number": enrolment.decision_number if enrolment else "",
        "method": "Chi tại nhà" if _at_home(b) else METHOD_TEXT.get(b.payment_method, ""),
        "account_number": account.account_number if account else "",
        "bank": account.institution.short_name if account else "",
        "holder_name": account.holder_name if account else "",
        "note": "",
    }


def beneficiaries_export(*, actor: User, commune_code: str, path: Path) -> int:
    """The commune's people in the import layout, with full ID and account numbers (logged)."""
    commune = import_commune(actor, commune_code)
    require(actor, Capability.REVEAL_ID_NUMBER)
    people = (
        Beneficiary.objects.filter(commune=commune)
        .order_by("name_folded", "id")
        .prefetch_related(
            Prefetch(
                "enrolments",
                Enrolment.objects.filter(end_month__isnull=True).select_related("group"),
                to_attr="open_enrolments",
            ),
            Prefetch(
                "method_registrations",
                PaymentMethodRegistration.objects.order_by("-registered_on", "-id"),
                to_attr="registrations",
            ),
            Prefetch(
                "accounts",
                ReceivingAccount.objects.filter(status=AccountStatus.ACTIVE).select_related(
                    "institution"
                ),
                to_attr="active_accounts",
            ),
        )
    )
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    sheet = book.add_worksheet("Danh sách")
    text = book.add_format({"num_format": "@", "border": 1})
    start = _title_block(
        book,
        sheet,
        f"DANH SÁCH ĐỐI TƯỢNG HƯỞNG CHÍNH SÁCH — {commune.name.upper()}",
        commune.name,
        len(EXPORT_FIELDS) + 1,
    )
    sheet.write_string(start - 1, 0, f"Xuất ngày {timezone.localdate():%d/%m/%Y}")
    _header(book, sheet, start, ["STT", *[FIELD_LABELS[f] for f in EXPORT_FIELDS]])
    count = 0
    for count, person in enumerate(people.iterator(chunk_size=2000), start=1):
        shown = _display(person)
        _cells(sheet, start + count, [count, *[shown[f] for f in EXPORT_FIELDS]], text)
    _signatures(book, sheet, start + count + 2)
    book.close()
    with transaction.atomic():
        access_log_record(
            user=actor,
            object_type="commune",
            object_id=commune.code,
            field="export_id_account",
            area_code=commune.code,
            channel="export",
        )
        audit_record(
            actor=actor,
            action="intake.export",
            object_type="commune",
            object_id=commune.code,
            area_code=commune.code,
            after={
                "rows": count,
                "file": path.name,
            },
            reason="Xuất danh sách đối tượng và tài khoản",
        )
    return count


def _signatures(book: Any, sheet: Any, row: int) -> None:
    bold = book.add_format({"bold": True, "align": "center"})
    sheet.write_string(row, 1, "NGƯỜI LẬP BIỂU", bold)
    sheet.write_string(row, 10, "TM. ỦY BAN NHÂN DÂN", bold)
    italic = book.add_format({"italic": True, "align": "center"})
    sheet.write_string(row + 1, 1, "(Ký, ghi rõ họ tên)", italic)
    sheet.write_string(row + 1, 10, "(Ký tên, đóng dấu)", italic)
