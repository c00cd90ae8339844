"""The provider's results: matched to the list by reference, amounts checked, nothing stored
from a file with a wrong row, the same report twice changes nothing; the books balance to
the đồng before the cycle can be closed, by someone other than who prepared the settlement."""

import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from asxh.audit.models import AuditEvent
from asxh.cycles.models import CycleState
from asxh.cycles.services import cycle_approve, cycle_build, cycle_export
from asxh.cycles.tests.conftest import MONTH
from asxh.results import selectors
from asxh.results.models import PaymentEvent, ResultFile, Settlement
from asxh.results.outcomes import ResultFileError
from asxh.results.services import cycle_close, cycle_settle, results_import

pytestmark = pytest.mark.django_db
RESULT_COLUMNS = ["Kết quả", "Số tiền đã chi (đồng)", "Lý do"]


@pytest.fixture
def locked(setting):  # type: ignore[no-untyped-def]
    built = cycle_build(actor=setting.preparer, month=MONTH,
                        province_code=setting.areas.province.code).cycle  # fmt: skip
    return cycle_approve(actor=setting.approver, cycle_id=built.pk)


@pytest.fixture
def sent(setting, locked, tmp_path) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The provider's CSV list, as rows by column title."""
    cycle_export(actor=setting.preparer, cycle_id=locked.pk, provider_code="buudien-ag",
                 fmt="csv", path=tmp_path / "ds.csv")  # fmt: skip
    with (tmp_path / "ds.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _report(tmp_path: Path, rows: list[dict[str, str]], results: list[tuple[str, str, str]],
            name: str = "ket-qua.csv") -> Path:  # fmt: skip
    """The list sent back with the provider's three result columns filled in."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*rows[0].keys(), *RESULT_COLUMNS])
        for row, result in zip(rows, results, strict=True):
            writer.writerow([*row.values(), *result])
    return path


def _import(setting, locked, path):  # type: ignore[no-untyped-def]
    return results_import(actor=setting.preparer, cycle_id=locked.pk, path=path, name=path.name)


def test_a_report_of_everyone_paid_balances_the_books_and_counts_once(
    setting, locked, sent, tmp_path
):  # type: ignore[no-untyped-def]
    path = _report(tmp_path, sent, [("Đã chi", "", "")] * len(sent))
    summary = _import(setting, locked, path)
    assert summary.rows == summary.events == len(sent) == 2
    [books] = selectors.books(locked)
    assert books.advanced == books.paid == locked.total == 2_000_000
    assert books.balanced and books.people_paid == 2 and books.fee == 2 * 5_000
    assert AuditEvent.objects.filter(action="results.import").count() == 1
    # The same file again, then the same report in another file: nothing changes.
    assert _import(setting, locked, path).already
    again = _report(tmp_path, sent, [("đã chi trả", row["Số tiền (đồng)"], "") for row in sent],
                    name="ket-qua-lan-2.csv")  # fmt: skip
    assert _import(setting, locked, again).events == 0
    assert PaymentEvent.objects.count() == 2 and ResultFile.objects.count() == 2
    assert selectors.books(locked)[0].paid == 2_000_000


def test_partial_and_failed_payments_end_as_returned_or_carried_over(
    setting, locked, sent, tmp_path
):  # type: ignore[no-untyped-def]
    first, second = sent
    path = _report(tmp_path, sent, [("Đã chi", "400.000", ""), ("Sai số tài khoản", "", "AC01")])
    _import(setting, locked, path)
    [books] = selectors.books(locked)
    amounts = {row["Mã tham chiếu"]: int(row["Số tiền (đồng)"]) for row in sent}
    unpaid = amounts[first["Mã tham chiếu"]] - 400_000 + amounts[second["Mã tham chiếu"]]
    assert books.paid == 400_000 and books.returned + books.carried == unpaid
    assert books.accounted == books.advanced and books.balanced and books.unpaid_people == 2
    by_outcome = {row.outcome: row for row in selectors.outcomes(locked)}
    assert by_outcome["paid"].paid == 400_000 and by_outcome["paid"].people == 1
    assert by_outcome["failed_invalid_account"].unpaid == amounts[second["Mã tham chiếu"]]
    # A later report that the first person got the rest: an event of the difference only.
    later = _report(tmp_path, sent, [("Đã chi", "", ""), ("Sai số tài khoản", "", "AC01")],
                    name="bo-sung.csv")  # fmt: skip
    assert _import(setting, locked, later).events == 1
    assert selectors.books(locked)[0].paid == amounts[first["Mã tham chiếu"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[0].update({"Mã tham chiếu": "ASXH0000000000000001"}), "kỳ chi số 0"),
        (lambda rows: rows[0].update({"Mã tham chiếu": rows[0]["Mã tham chiếu"][:-4] + "9999"}),
         "không có trong danh sách"),
        (lambda rows: rows[1].update({"Mã tham chiếu": rows[0]["Mã tham chiếu"]}), "mỗi người một dòng"),
    ],
)  # fmt: skip
def test_a_file_with_a_wrong_row_is_refused_whole_saying_where(
    setting, locked, sent, tmp_path, change, message
):  # type: ignore[no-untyped-def]
    change(sent)
    path = _report(tmp_path, sent, [("Đã chi", "", "")] * 2)
    with pytest.raises(ResultFileError, match=message) as refused:
        _import(setting, locked, path)
    assert refused.value.problems[0].startswith("Dòng ")
    assert not ResultFile.objects.exists() and not PaymentEvent.objects.exists()


def test_an_amount_over_the_rows_amount_is_refused(setting, locked, sent, tmp_path):  # type: ignore[no-untyped-def]
    path = _report(tmp_path, sent, [("Đã chi", "99.000.000", ""), ("Đã chi", "", "")])
    with pytest.raises(ResultFileError, match="lớn hơn số tiền trong danh sách"):
        _import(setting, locked, path)
    assert not PaymentEvent.objects.exists()


def test_the_cycle_closes_only_when_balanced_and_approved_by_someone_else(
    setting, locked, sent, tmp_path
):  # type: ignore[no-untyped-def]
    _import(setting, locked, _report(tmp_path, sent[:1], [("Đã chi", "", "")]))
    with pytest.raises(ValidationError, match="chưa có kết quả"):
        cycle_settle(actor=setting.preparer, cycle_id=locked.pk)
    _import(setting, locked, _report(tmp_path, sent, [("Đã chi", "", "")] * 2, name="du.csv"))
    settlement = cycle_settle(actor=setting.preparer, cycle_id=locked.pk)
    assert settlement.figures[0]["balanced"] and settlement.figures[0]["paid"] == 2_000_000
    with pytest.raises(PermissionDenied, match="không được tự duyệt"):
        cycle_close(actor=setting.preparer, cycle_id=locked.pk)
    closed = cycle_close(actor=setting.approver, cycle_id=locked.pk)
    assert closed.state == CycleState.CLOSED
    assert Settlement.objects.get().approved_by == setting.approver
    with pytest.raises(ValidationError, match="đã quyết toán"):
        _import(setting, locked, _report(tmp_path, sent, [("Đã chi", "", "")] * 2, name="x.csv"))


def test_a_settlement_made_stale_by_new_results_is_not_approved(setting, locked, sent, tmp_path):  # type: ignore[no-untyped-def]
    _import(setting, locked, _report(tmp_path, sent, [("Đã chi", "", "")] * 2))
    cycle_settle(actor=setting.preparer, cycle_id=locked.pk)
    _import(setting, locked, _report(tmp_path, sent, [("Đã chi", "", ""), ("Không nhận", "", "")],
                                     name="sua.csv"))  # fmt: skip
    with pytest.raises(ValidationError, match="đã thay đổi sau khi lập quyết toán"):
        cycle_close(actor=setting.approver, cycle_id=locked.pk)


def test_only_whole_province_users_and_the_providers_own_staff_import(
    setting, locked, sent, tmp_path, users
):  # type: ignore[no-untyped-def]
    from asxh.access.roles import Role
    from asxh.providers.services import provider_add, provider_staff_add
    from conftest import make_user

    path = _report(tmp_path, sent, [("Đã chi", "", "")] * 2)
    with pytest.raises(PermissionDenied):
        results_import(actor=setting.officer, cycle_id=locked.pk, path=path, name=path.name)
    other = make_user(Role.PROVIDER, province=setting.areas.province, username="nganhang-y")
    provider_add(actor=setting.preparer, code="nganhang-y", name="Ngân hàng Y", kind="bank")
    provider_staff_add(actor=setting.preparer, provider_code="nganhang-y", username=other.username)
    with pytest.raises(PermissionDenied, match="không thuộc tổ chức chi trả"):
        results_import(actor=other, cycle_id=locked.pk, path=path, name=path.name)
    own = users[Role.PROVIDER]
    provider_staff_add(actor=setting.preparer, provider_code="buudien-ag", username=own.username)
    assert results_import(actor=own, cycle_id=locked.pk, path=path, name=path.name).events == 2


def test_the_page_takes_a_file_shows_the_books_and_settles_in_two_hands(
    setting, locked, sent, tmp_path
):  # type: ignore[no-untyped-def]
    from django.test import Client
    from openpyxl import load_workbook

    preparer, approver = Client(), Client()
    preparer.force_login(setting.preparer)
    approver.force_login(setting.approver)
    page = f"/ky-chi/{locked.pk}/ket-qua/"
    assert "chưa khớp" in preparer.get(page).content.decode()
    path = _report(tmp_path, sent, [("Đã chi", "", "")] * 2)
    with path.open("rb") as upload:
        answer = preparer.post(page + "nhap/", {"file": upload}, follow=True)
    html = answer.content.decode()
    assert "ghi nhận 2 kết quả mới" in html and "✓ khớp" in html and "2.000.000 đ" in html
    preparer.post(page + "quyet-toan/")
    assert 'data-testid="close"' not in preparer.get(page).content.decode()  # not their own
    approver.post(page + "duyet-quyet-toan/")
    locked.refresh_from_db()
    assert locked.state == CycleState.CLOSED
    officer = Client()
    officer.force_login(setting.officer)
    assert officer.get(page).status_code == 403
    book = load_workbook(io.BytesIO(preparer.get(page + "?xlsx=1").content))
    sheet = book.active
    assert sheet["A5"].value == "BẢNG QUYẾT TOÁN KINH PHÍ CHI TRẢ"
    assert sheet["A8"].value == "Tổ chức dịch vụ chi trả" and sheet["A10"].value == "TỔNG CỘNG"
    assert sheet["C9"].value == 2_000_000 == sum(sheet.cell(9, col).value for col in (4, 5, 6))
    pdf = preparer.get(page + "?pdf=1")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_providers_staff_see_their_own_books_only(setting, locked, sent, tmp_path, users):  # type: ignore[no-untyped-def]
    from django.test import Client

    from asxh.access.roles import Role
    from asxh.providers.services import provider_add, provider_staff_add
    from conftest import make_user

    own = users[Role.PROVIDER]
    provider_staff_add(actor=setting.preparer, provider_code="buudien-ag", username=own.username)
    other = make_user(Role.PROVIDER, province=setting.areas.province, username="nganhang-z")
    provider_add(actor=setting.preparer, code="nganhang-z", name="Ngân hàng Z", kind="bank")
    provider_staff_add(actor=setting.preparer, provider_code="nganhang-z", username=other.username)

    def seen(user):  # type: ignore[no-untyped-def]
        return [
            b.provider_code for b in selectors.books(locked, selectors.standing_for(user, locked))
        ]

    assert seen(own) == ["buudien-ag"] == seen(setting.approver)
    assert seen(other) == []
    with pytest.raises(PermissionDenied):
        selectors.standing_for(setting.officer, locked)
    client = Client()
    client.force_login(other)
    assert (
        "Bưu điện tỉnh An Giang" not in client.get(f"/ky-chi/{locked.pk}/ket-qua/").content.decode()
    )
