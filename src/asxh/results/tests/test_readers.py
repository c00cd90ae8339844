"""Reading the provider's result files: CSV/Excel lists, pain.002, camt.053/054 (no database)."""

import csv
import datetime as dt
import io
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwt
from lxml import etree
from openpyxl import load_workbook

from asxh.cycles.exports import COLUMNS, HEADER_ROW, csv_write, xlsx_write
from asxh.cycles.rows import ListHeader, PaymentRow
from asxh.results import readers
from asxh.results.outcomes import LABELS, Outcome, Reported, ResultFileError
from asxh.results.readers import (
    ACCEPTED_RESULTS,
    PAID_AMOUNT_TITLE,
    REASON_TITLE,
    REFERENCE_TITLE,
    RESULT_TITLE,
    ResultRead,
    read_results,
)

FILES = Path(__file__).resolve().parent / "files"
RESULT_TITLES = [RESULT_TITLE, PAID_AMOUNT_TITLE, REASON_TITLE]
ISO = "urn:iso:std:iso:20022:tech:xsd:"


def read(path: Path, name: str = "") -> tuple[ResultRead, list[Reported]]:
    found = read_results(path, name or path.name)
    return found, list(found.rows)


def fields(rows: list[Reported]) -> list[tuple[Any, ...]]:
    return [(r.where, r.reference, r.outcome, r.amount, r.code, r.text, r.provider_ref)
            for r in rows]  # fmt: skip


def problems(path: Path, name: str = "") -> list[str]:
    with pytest.raises(ResultFileError) as raised:
        read(path, name)
    return raised.value.problems


def ref(n: int) -> str:
    return f"ASXH000042{n:010d}"


# --- Which reader -------------------------------------------------------------------------


def test_the_name_and_the_content_decide_the_format(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7")
    assert "chỉ nhận" in problems(tmp_path / "a.pdf")[0]
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "rỗng" in problems(tmp_path / "empty.csv")[0]
    (tmp_path / "a.xlsx").write_text("Mã tham chiếu,Kết quả\n")
    assert "không phải tệp Excel" in problems(tmp_path / "a.xlsx")[0]
    (tmp_path / "a.xml").write_text("Mã tham chiếu,Kết quả\n")
    assert "không phải tệp XML" in problems(tmp_path / "a.xml")[0]
    # The upload's name counts, not the stored file's.
    stored = tmp_path / "upload-1"
    stored.write_bytes((FILES / "camt054.xml").read_bytes())
    assert read_results(stored, "SaoKe.XML").format == "camt054"


@pytest.mark.parametrize(
    ("root", "found"),
    [
        (f'<Document xmlns="{ISO}pain.002.001.03"/>', "thông điệp ISO 20022 pain.002.001.03"),
        (f'<Document xmlns="{ISO}camt.053.001.13"/>', "thông điệp ISO 20022 camt.053.001.13"),
        ('<Document xmlns="urn:other"/>', "phần tử gốc «Document», namespace «urn:other»"),
        ("<KetQua/>", "phần tử gốc «KetQua», namespace «không có»"),
    ],
)
def test_other_xml_messages_are_refused_naming_what_was_found(
    tmp_path: Path, root: str, found: str
) -> None:
    path = tmp_path / "kq.xml"
    path.write_text(f'<?xml version="1.0"?>{root}')
    (message,) = problems(path)
    assert found in message
    assert "pain.002.001.10, camt.053.001.08, camt.054.001.08" in message


def test_a_damaged_xml_file_is_refused_with_the_line(tmp_path: Path) -> None:
    text = (FILES / "camt054.xml").read_text()
    path = tmp_path / "cut.xml"
    path.write_text(text[: text.index("<Ntry>", text.index("</Ntry>"))] + "<Ntry><Amt>")
    found = read_results(path, path.name)
    with pytest.raises(ResultFileError, match=r"bị hỏng \(dòng \d+"):
        list(found.rows)


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "AAAAAAAAAA">]>'
        f'<Document xmlns="{ISO}pain.002.001.10"><CstmrPmtStsRpt><GrpHdr><MsgId>&a;</MsgId>'
        "</GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>M</OrgnlMsgId></OrgnlGrpInfAndSts>"
        "<OrgnlPmtInfAndSts><TxInfAndSts><OrgnlEndToEndId>"
        f"{ref(1)}</OrgnlEndToEndId><TxSts>ACCC</TxSts></TxInfAndSts></OrgnlPmtInfAndSts>"
        "</CstmrPmtStsRpt></Document>"
    )
    found, rows = read(path)
    assert found.message_id == "" and len(rows) == 1


# --- CSV and Excel: the list with result columns -----------------------------------------


def test_the_hand_written_csv() -> None:
    found, rows = read(FILES / "ket-qua.csv")
    assert (found.format, found.message_id, found.original_message_id) == ("csv", "", "")
    assert fields(rows) == [
        ("dòng 2", ref(1), Outcome.PAID, None, "", "", ""),
        ("dòng 3", ref(2), Outcome.PAID, 1_500_000, "", "", ""),
        ("dòng 4", ref(3), Outcome.PAID_HOME, 750_000, "", "", ""),
        ("dòng 5", ref(4), Outcome.PAID_REPRESENTATIVE, None, "", "con trai nhận", ""),
        ("dòng 6", ref(5), Outcome.FAILED_INVALID_ACCOUNT, 0, "", "", ""),
        ("dòng 7", ref(6), Outcome.FAILED_CLOSED_ACCOUNT, 0, "AC04",
         "Tài khoản đã đóng: tài khoản đã đóng", ""),
        ("dòng 8", ref(7), Outcome.PAID, 1_500_000, "ACCC", "", ""),
        ("dòng 9", ref(8), Outcome.NOT_COLLECTED, 0, "", "Đi làm ăn xa", ""),
        # line 10 is empty, line 11 has no result yet: not reported
        ("dòng 12", ref(10), Outcome.REVERSED, -1_500_000, "", "Tài khoản bị phong tỏa sau khi chi", ""),
        ("dòng 13", ref(11), Outcome.FAILED_OTHER, 0, "", "=người nhận từ chối", ""),
    ]  # fmt: skip


ROW = {
    "beneficiary_id": 1, "full_name": "Nguyễn Thị Hoà", "birth_year": 1950,
    "payee_name": "Nguyễn Thị Hoà", "payee_kind": "self", "payee_phone": "0912345678",
    "commune_code": "30280", "commune_name": "Xã Mỹ Hòa Hưng", "village": "Ấp 1",
    "method": "account", "cash_at_home": False, "bank_bin": "970436",
    "bank_name": "Vietcombank", "account_number": "0071000123456", "amount": 1_500_000,
    "details": "TC tháng 11/2026",
}  # fmt: skip


def payment_rows(count: int) -> list[PaymentRow]:
    return [PaymentRow(**{**ROW, "reference": ref(n), "beneficiary_id": n,  # type: ignore[arg-type]
                          "full_name": f"=1+1 Trần Văn {n}" if n == 2 else ROW["full_name"]})
            for n in range(1, count + 1)]  # fmt: skip


def list_header(rows: list[PaymentRow]) -> ListHeader:
    return ListHeader(
        cycle_id=42, month=dt.date(2026, 11, 1), area_code="89", area_name="Tỉnh An Giang",
        provider_code="buudien-ag", provider_name="Bưu điện An Giang",
        payer_name="Sở Y tế tỉnh An Giang", payer_account="3713.0.1234567",
        payer_bank_bin="970415", execution_date=dt.date(2026, 11, 8),
        created_at=dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC),
        rows=len(rows), total=sum(r.amount for r in rows),
    )  # fmt: skip


RESULTS = [
    ("Đã chi trả vào tài khoản", "", ""),
    ("Đã chi", "1.500.000 đ", "'=chi lúc 10:00"),
    ("Không chi được", "", "AC04"),
]


def test_a_csv_written_by_our_exporter_with_results_added(tmp_path: Path) -> None:
    listed = payment_rows(3)
    exported = io.StringIO()
    csv_write(list_header(listed), listed, exported)
    lines = list(csv.reader(io.StringIO(exported.getvalue())))
    assert lines[0][1] == REFERENCE_TITLE and lines[2][5] == "'=1+1 Trần Văn 2"
    path = tmp_path / "ds.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(lines[0] + RESULT_TITLES)
        for line, result in zip(lines[1:], RESULTS, strict=True):
            writer.writerow(line + list(result))
    found, rows = read(path, "Ket qua chi tra.CSV")
    assert found.format == "csv"
    assert fields(rows) == [
        ("dòng 2", ref(1), Outcome.PAID, None, "", "", ""),
        ("dòng 3", ref(2), Outcome.PAID, 1_500_000, "", "=chi lúc 10:00", ""),
        ("dòng 4", ref(3), Outcome.FAILED_CLOSED_ACCOUNT, 0, "AC04", "Tài khoản đã đóng", ""),
    ]


def test_an_excel_file_made_by_our_exporter_with_results_added(tmp_path: Path) -> None:
    listed = payment_rows(3)
    plain = tmp_path / "ds.xlsx"
    with plain.open("wb") as out:
        xlsx_write(list_header(listed), listed, out)
    book = load_workbook(plain)
    sheet = book.active
    titles = HEADER_ROW + 1
    for offset, title in enumerate(RESULT_TITLES):
        sheet.cell(row=titles, column=len(COLUMNS) + 1 + offset, value=title)
    for n, (result, amount, reason) in enumerate(RESULTS, start=1):
        values = [result, 1_500_000 if amount else None, reason.lstrip("'=")]
        for offset, value in enumerate(values):
            sheet.cell(row=titles + n, column=len(COLUMNS) + 1 + offset, value=value)
    assert sheet.cell(row=titles + 4, column=1).value == "TỔNG CỘNG"  # under the rows
    path = tmp_path / "ket-qua.xlsx"
    book.save(path)
    found, rows = read(path)
    assert (found.format, found.message_id) == ("xlsx", "")
    assert fields(rows) == [
        ("dòng 8", ref(1), Outcome.PAID, None, "", "", ""),
        ("dòng 9", ref(2), Outcome.PAID, 1_500_000, "", "chi lúc 10:00", ""),
        ("dòng 10", ref(3), Outcome.FAILED_CLOSED_ACCOUNT, 0, "AC04", "Tài khoản đã đóng", ""),
    ]


def test_the_excel_export_itself_read_with_inline_strings(tmp_path: Path) -> None:
    """Our exporter's own file (inline strings, no result column) is refused at once."""
    listed = payment_rows(2)
    path = tmp_path / "ds.xlsx"
    with path.open("wb") as out:
        xlsx_write(list_header(listed), listed, out)
    (message,) = problems(path)
    assert message.startswith("Dòng tiêu đề (dòng 7) không có cột «Kết quả»")


def test_an_xls_file(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Kết quả")
    sheet.write(0, 0, "DANH SÁCH KẾT QUẢ CHI TRẢ")
    for column, title in enumerate(["STT", REFERENCE_TITLE, *RESULT_TITLES]):
        sheet.write(2, column, title)
    sheet.write(3, 0, 1)
    sheet.write(3, 1, ref(1))
    sheet.write(3, 2, "tien mat")
    sheet.write(3, 3, 1500000)
    sheet.write(4, 0, 2)
    sheet.write(4, 1, ref(2))
    sheet.write(4, 2, "Sai tên")
    path = tmp_path / "kq.xls"
    book.save(str(path))
    found, rows = read(path)
    assert found.format == "xlsx"
    assert fields(rows) == [
        ("dòng 4", ref(1), Outcome.PAID_CASH, 1_500_000, "", "", ""),
        ("dòng 5", ref(2), Outcome.FAILED_NAME_MISMATCH, 0, "", "", ""),
    ]


def write_csv(
    path: Path, *rows: list[str], encoding: str = "utf-8-sig", delimiter: str = ","
) -> Path:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(windows_1258(text.getvalue()) if encoding == "cp1258" else
                     text.getvalue().encode(encoding))  # fmt: skip
    return path


TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """As Windows writes Vietnamese in code page 1258: the tones as combining marks."""
    out = []
    for letter in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", letter)
        tones = "".join(mark for mark in parts if mark in TONES)
        out.append(
            unicodedata.normalize("NFC", parts.replace(tones, "")) + tones if tones else letter
        )
    return "".join(out).encode("cp1258")


TITLES = [REFERENCE_TITLE, *RESULT_TITLES]


def one_row(tmp_path: Path, result: str, amount: str = "", reason: str = "") -> Reported:
    _, rows = read(write_csv(tmp_path / "kq.csv", TITLES, [ref(7), result, amount, reason]))
    (row,) = rows
    return row


@pytest.mark.parametrize(
    ("result", "outcome"),
    [
        *[(label, outcome) for outcome, label in LABELS.items()],
        *[(outcome.value, outcome) for outcome in Outcome],
        ("ĐÃ CHI TRẢ VÀO TÀI KHOẢN.", Outcome.PAID),
        ("da chi tra vao tai khoan", Outcome.PAID),
        ("  Đã   chi ", Outcome.PAID),
        ("chi tai nha", Outcome.PAID_HOME),
        ("Chi qua uỷ quyền", Outcome.PAID_REPRESENTATIVE),
        ("Đã chi qua người giám hộ/ủy quyền", Outcome.PAID_REPRESENTATIVE),
        ("giám hộ", Outcome.PAID_REPRESENTATIVE),
        ("Tiền mặt", Outcome.PAID_CASH),
        ("sai so tai khoan", Outcome.FAILED_INVALID_ACCOUNT),
        ("Tài khoản đóng", Outcome.FAILED_CLOSED_ACCOUNT),
        ("Sai tên", Outcome.FAILED_NAME_MISMATCH),
        ("Không chi được - sai tên", Outcome.FAILED_NAME_MISMATCH),
        ("không nhận", Outcome.NOT_COLLECTED),
        ("Chưa nhận", Outcome.NOT_COLLECTED),
        ("không chi được", Outcome.FAILED_OTHER),
        ("PAID_HOME", Outcome.PAID_HOME),
        ("accc", Outcome.PAID),
        ("Cần kiểm tra", Outcome.REVIEW),
    ],
)
def test_result_words_without_accents_case_or_extra_spaces(
    tmp_path: Path, result: str, outcome: Outcome
) -> None:
    amount = "1000" if outcome is Outcome.REVERSED else ""
    assert one_row(tmp_path, result, amount).outcome is outcome


@pytest.mark.parametrize(
    ("result", "reason", "expected"),
    [
        ("RJCT", "AC01", (Outcome.FAILED_INVALID_ACCOUNT, "AC01",
                          "Số tài khoản không đúng hoặc không tồn tại")),
        ("rjct", "be01: tên khác", (Outcome.FAILED_NAME_MISMATCH, "BE01",
                                    "Tên người nhận không khớp với chủ tài khoản: tên khác")),
        ("RJCT", "MD07", (Outcome.FAILED_OTHER, "MD07", "Người hưởng đã qua đời")),
        ("RJCT", "CNPC", (Outcome.NOT_COLLECTED, "CNPC", "Người hưởng không nhận tiền")),
        ("RJCT", "XY99", (Outcome.REVIEW, "XY99", "Ngân hàng trả mã XY99, cần kiểm tra")),
        ("RJCT", "AM05", (Outcome.REVIEW, "AM05", "Giao dịch bị coi là trùng lặp, cần kiểm tra")),
        ("RJCT", "", (Outcome.FAILED_OTHER, "RJCT", "Bị từ chối, không nêu lý do")),
        ("RJCT", "Chưa rõ", (Outcome.FAILED_OTHER, "RJCT", "Chưa rõ")),
        ("AC06", "", (Outcome.FAILED_CLOSED_ACCOUNT, "AC06", "Tài khoản bị phong tỏa")),
        ("Không chi được", "RC01", (Outcome.FAILED_INVALID_ACCOUNT, "RC01",
                                    "Mã ngân hàng (BIN NAPAS) không đúng")),
        ("ACSC", "", (Outcome.PAID, "ACSC", "Ngân hàng đã trích tiền, chờ xác nhận ghi có")),
        ("Sai số tài khoản", "AC03 thiếu số", (Outcome.FAILED_INVALID_ACCOUNT, "AC03", "thiếu số")),
    ],
)  # fmt: skip
def test_iso_codes_in_the_result_columns(
    tmp_path: Path, result: str, reason: str, expected: tuple[Outcome, str, str]
) -> None:
    row = one_row(tmp_path, result, "", reason)
    assert (row.outcome, row.code, row.text) == expected
    assert row.amount == (None if row.outcome is Outcome.PAID else 0)


@pytest.mark.parametrize(
    ("written", "amount"),
    [("1.234.567", 1_234_567), ("1,234,567", 1_234_567), ("1234567", 1_234_567),
     ("1.234.567 đ", 1_234_567), ("1 234 567 VNĐ", 1_234_567), ("500.000đồng", 500_000),
     (" 750000 ", 750_000), ("1.500", 1_500)],
)  # fmt: skip
def test_amounts_as_people_write_them(tmp_path: Path, written: str, amount: int) -> None:
    assert one_row(tmp_path, "Đã chi", written).amount == amount
    assert one_row(tmp_path, "Trả lại", written).amount == -amount


@pytest.mark.parametrize(
    ("result", "written", "message"),
    [
        ("Đã chi", "1234,5", "«1234,5» không phải số đồng nguyên. Không ghi phần lẻ"),
        ("Đã chi", "1.234.567,00", "«1.234.567,00» không phải số đồng nguyên"),
        ("Đã chi", "-1.000", "«-1.000» là số âm"),
        ("Đã chi", "'-1000", "«-1000» là số âm"),
        ("Đã chi", "một triệu", "«một triệu» không phải số tiền"),
        ("Đã chi", "0", "số tiền là 0 ở dòng đã chi hoặc bị trả lại"),
        ("Sai tên", "1.500.000", "kết quả là không chi được nhưng ghi 1.500.000 đồng"),
    ],
)
def test_wrong_amounts_name_the_row_and_the_column(
    tmp_path: Path, result: str, written: str, message: str
) -> None:
    path = write_csv(tmp_path / "kq.csv", TITLES, [ref(1), "Đã chi", "", ""],
                     [ref(2), result, written, ""])  # fmt: skip
    (problem,) = problems(path)
    assert problem.startswith(f"Dòng 3, cột «{PAID_AMOUNT_TITLE}»: ")
    assert message in problem


def test_a_failure_may_say_zero_and_a_paid_row_may_leave_the_amount_empty(tmp_path: Path) -> None:
    assert one_row(tmp_path, "Không nhận", "0").amount == 0
    assert one_row(tmp_path, "Đã chi", "").amount is None
    assert one_row(tmp_path, "Trả lại", "").amount is None


def test_row_problems_are_collected_and_raised_after_the_good_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "kq.csv",
        ["DANH SÁCH KẾT QUẢ"], [],
        ["STT", *TITLES],
        ["1", ref(1), "Đã chi", "", ""],
        ["2", ref(2), "xyz", "", ""],
        ["3", "", "Đã chi", "", ""],
        ["4", "ASXH-42-7", "Đã chi", "", ""],
        ["5", f" {ref(5)[:8]} {ref(5)[8:]} ", "Đã chi", "", ""],
        ["", "", "", "", ""],
        ["TỔNG CỘNG", "", "", "", ""],
    )  # fmt: skip
    found = read_results(path, path.name)
    assert next(found.rows).where == "dòng 4"  # the title row is line 3
    assert next(found.rows).reference == ref(5)  # spaces inside are taken out
    with pytest.raises(ResultFileError) as raised:
        next(found.rows)
    assert raised.value.problems == [
        "Dòng 5, cột «Kết quả»: không hiểu giá trị «xyz». Ghi một trong: Đã chi trả vào tài "
        "khoản; Đã chi tiền mặt tại nhà; Đã chi qua người giám hộ / ủy quyền; Đã chi tiền mặt "
        "tại điểm chi trả; Không chi được: sai số tài khoản hoặc ngân hàng; Không chi được: tài "
        "khoản đã đóng hoặc bị phong tỏa; Không chi được: tên người nhận không khớp chủ tài "
        "khoản; Không chi được: người hưởng không nhận tiền; Không chi được: lý do khác; Đã chi "
        "nhưng bị trả lại / hủy bút toán; Cần kiểm tra; hoặc mã ISO ACCC (đã chi), RJCT (bị từ "
        "chối) (với RJCT, ghi mã lý do ISO như AC04 vào cột «Lý do»).",
        "Dòng 6, cột «Mã tham chiếu»: để trống nhưng dòng có dữ liệu. Chép mã tham chiếu từ "
        "danh sách đã nhận, hoặc xóa dòng.",
        "Dòng 7, cột «Mã tham chiếu»: «ASXH-42-7» không phải mã tham chiếu của hệ thống (ASXH "
        "và 16 chữ số, ví dụ ASXH0000420000001234). Chép lại mã từ danh sách đã nhận; nếu bảng "
        "tính đã đổi ô thành số hoặc ngày, định dạng cột là Văn bản (Text).",
    ]


def test_problems_are_capped_at_fifty(tmp_path: Path) -> None:
    rows = [[ref(n), "không rõ", "", ""] for n in range(1, 121)]
    found = problems(write_csv(tmp_path / "kq.csv", TITLES, *rows))
    assert len(found) == 51
    assert found[0].startswith("Dòng 2, cột «Kết quả»") and found[49].startswith("Dòng 51,")
    assert found[50] == "… và 70 lỗi khác."
    # The accepted values are listed once, not on each of the fifty problems.
    assert ACCEPTED_RESULTS in found[0]
    assert found[1] == (
        "Dòng 3, cột «Kết quả»: không hiểu giá trị «không rõ». Ghi một trong các giá trị đã "
        "nêu ở lỗi đầu tiên của cột này."
    )
    assert sum(ACCEPTED_RESULTS in text for text in found) == 1


def test_a_file_that_is_not_a_result_list_is_refused_at_once(tmp_path: Path) -> None:
    no_title = write_csv(tmp_path / "a.csv", ["Mã", "Kết quả"], [ref(1), "Đã chi"])
    assert (
        "Không tìm thấy dòng tiêu đề có ô «Mã tham chiếu» trong 20 dòng đầu"
        in problems(no_title)[0]
    )
    late = write_csv(tmp_path / "b.csv", *[["…"]] * 20, TITLES, [ref(1), "Đã chi", "", ""])
    assert "Không tìm thấy dòng tiêu đề" in problems(late)[0]
    no_result = write_csv(tmp_path / "c.csv", [REFERENCE_TITLE, "Số tiền (đồng)"], [ref(1), "1"])
    assert problems(no_result)[0].startswith("Dòng tiêu đề (dòng 1) không có cột «Kết quả»")
    twice = write_csv(tmp_path / "d.csv", [REFERENCE_TITLE, "Kết quả", "ket qua"], [ref(1)])
    assert "có 2 cột «Kết quả» (cột B, C)" in problems(twice)[0]


def test_only_the_reference_and_the_result_are_required(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kq.csv", ["Kết quả", "Mã tham chiếu"], ["Đã chi", ref(1)],
                     ["", ref(2)])  # fmt: skip
    _, rows = read(path)
    assert fields(rows) == [("dòng 2", ref(1), Outcome.PAID, None, "", "", "")]


def test_a_list_without_any_result_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kq.csv", TITLES, [ref(1), "", "", ""], [ref(2), " ", "", ""])
    (problem,) = problems(path)
    assert problem.startswith("Cột «Kết quả» trống ở mọi dòng.")


def test_duplicate_references_are_all_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kq.csv", TITLES, [ref(1), "Đã chi", "", ""],
                     [ref(1), "Trả lại", "", ""])  # fmt: skip
    _, rows = read(path)
    assert [(r.where, r.outcome) for r in rows] == [("dòng 2", Outcome.PAID),
                                                    ("dòng 3", Outcome.REVERSED)]  # fmt: skip


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ";"), ("utf-8-sig", "\t"), ("utf-16", "\t"), ("cp1258", ";")],
)
def test_csv_as_excel_saves_it_in_other_encodings_and_separators(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    rows = [TITLES] + [[ref(n), "Không nhận", "", "Người hưởng đi vắng, đã báo xã"]
                       for n in range(1, 40)]  # fmt: skip
    path = write_csv(tmp_path / "kq.csv", *rows, encoding=encoding, delimiter=delimiter)
    _, read_rows = read(path)
    assert len(read_rows) == 39
    assert read_rows[0].outcome is Outcome.NOT_COLLECTED
    assert read_rows[0].text == "Người hưởng đi vắng, đã báo xã"  # NFC, as the project stores


def test_a_csv_that_is_not_utf8_half_way_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kq.csv"
    head = "\r\n".join(f"{ref(n)},Đã chi" for n in range(1, 60_000))
    path.write_bytes(f"Mã tham chiếu,Kết quả\r\n{head}\r\n".encode() + b"\xff\xfe,\xc3\r\n")
    with pytest.raises(ResultFileError, match="không đọc được theo bảng mã utf-8"):
        read(path)


# --- pain.002 ----------------------------------------------------------------------------


def test_pain002() -> None:
    found, rows = read(FILES / "pain002.xml")
    assert (found.format, found.message_id, found.original_message_id) == (
        "pain002", "VCB-PSR-20261109-001", "ASXH-42-vcb-ag-pain001")  # fmt: skip
    assert fields(rows) == [
        ("giao dịch 1", "ASXH0000420000123456", Outcome.PAID, None, "ACCC", "", "FT26313000001"),
        ("giao dịch 2", "ASXH0000420000123457", Outcome.FAILED_INVALID_ACCOUNT, 0, "AC01",
         "Số tài khoản không đúng hoặc không tồn tại: Account 0071000999999 does not exist", ""),
        ("giao dịch 3", "ASXH0000420000123458", Outcome.FAILED_NAME_MISMATCH, 0, "BE01",
         "Tên người nhận không khớp với chủ tài khoản", ""),
        # 4: ACSP, still in progress
        ("giao dịch 5", "ASXH0000420000123460", Outcome.REVIEW, 0, "BLCK",
         "Ngân hàng trả mã BLCK, cần kiểm tra", ""),
        ("giao dịch 6", "ASXH0000420000123461", Outcome.FAILED_OTHER, 0, "NARR",
         "Bị từ chối: Người nhận báo không dùng tài khoản này", ""),
        ("giao dịch 7", "ASXH0000420000123462", Outcome.PAID, 1_500_000, "ACCC", "", ""),
        ("giao dịch 8", "ASXH0000420000123463", Outcome.REVIEW, 0, "VN-NAPAS-05",
         "Ngân hàng trả mã VN-NAPAS-05, cần kiểm tra", ""),
        ("giao dịch 9", "ASXH0000420000123464", Outcome.REVIEW, 0, "DU04",
         "Giao dịch bị coi là trùng lặp, cần kiểm tra", ""),
    ]  # fmt: skip


def test_a_whole_file_refused_raises_with_the_group_reason() -> None:
    assert problems(FILES / "pain002-refused.xml") == [
        "Ngân hàng từ chối toàn bộ tệp ASXH-42-vcb-ag-pain001, mã lý do AM10 (tổng kiểm tra "
        "(CtrlSum) sai; CtrlSum 300000000000 khác tổng giao dịch). Không người nào trong tệp "
        "được chi. Sửa theo lý do, lập lại tệp chuyển khoản và gửi lại ngân hàng."
    ]


def pain002(path: Path, transactions: str, group: str = "<GrpSts>PART</GrpSts>",
            block: str = "") -> Path:  # fmt: skip
    path.write_text(
        f'<?xml version="1.0"?><Document xmlns="{ISO}pain.002.001.10"><CstmrPmtStsRpt>'
        "<GrpHdr><MsgId>R1</MsgId></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>ASXH-42-x</OrgnlMsgId>"
        f"{group}</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>ASXH-42-x</OrgnlPmtInfId>"
        f"{block}{transactions}</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
    )
    return path


def test_a_report_without_transactions_is_refused(tmp_path: Path) -> None:
    path = pain002(tmp_path / "a.xml", "", group="<GrpSts>ACTC</GrpSts>")
    assert "không có trạng thái từng giao dịch (trạng thái chung: ACTC)" in problems(path)[0]
    block = "<PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>DU01</Cd></Rsn></StsRsnInf>"
    path = pain002(tmp_path / "b.xml", "", group="", block=block)
    assert "toàn bộ tệp ASXH-42-x, mã lý do DU01 (trùng mã thông điệp" in problems(path)[0]


def test_a_transaction_without_status_takes_its_block_s(tmp_path: Path) -> None:
    block = "<PmtInfSts>RJCT</PmtInfSts><StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>"
    tx = f"<TxInfAndSts><OrgnlEndToEndId>{ref(1)}</OrgnlEndToEndId></TxInfAndSts>"
    _, rows = read(pain002(tmp_path / "a.xml", tx, block=block))
    assert fields(rows) == [("giao dịch 1", ref(1), Outcome.REVIEW, 0, "AM04",
                             "Ngân hàng trả mã AM04, cần kiểm tra", "")]  # fmt: skip
    tx = f"<TxInfAndSts><OrgnlEndToEndId>{ref(1)}</OrgnlEndToEndId></TxInfAndSts>"
    _, rows = read(pain002(tmp_path / "b.xml", tx, group=""))
    assert rows[0].outcome is Outcome.REVIEW and "không ghi trạng thái" in rows[0].text


def test_pain002_problems_name_the_transaction(tmp_path: Path) -> None:
    txs = (
        f"<TxInfAndSts><OrgnlEndToEndId>{ref(1)}</OrgnlEndToEndId><TxSts>ACCC</TxSts>"
        '<OrgnlTxRef><Amt><InstdAmt Ccy="USD">60</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>'
        "<TxInfAndSts><OrgnlEndToEndId>KHAC-1</OrgnlEndToEndId><TxSts>ACCC</TxSts></TxInfAndSts>"
        "<TxInfAndSts><TxSts>RJCT</TxSts></TxInfAndSts>"
        f"<TxInfAndSts><OrgnlEndToEndId>{ref(4)}</OrgnlEndToEndId><TxSts>ACCC</TxSts>"
        '<OrgnlTxRef><Amt><InstdAmt Ccy="VND">1500000.5</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>'
    )
    assert problems(pain002(tmp_path / "a.xml", txs)) == [
        f"Giao dịch 1 ({ref(1)}): số tiền bằng «USD», chỉ nhận VND.",
        "Giao dịch 2: mã tham chiếu «KHAC-1» (OrgnlEndToEndId) không phải mã của hệ thống (ASXH "
        "và 16 chữ số, ví dụ ASXH0000420000001234).",
        "Giao dịch 3: không có OrgnlEndToEndId: không biết giao dịch của ai.",
        f"Giao dịch 4 ({ref(4)}): số tiền «1500000.5» không phải số đồng nguyên dương.",
    ]


# --- camt.053 / camt.054 -----------------------------------------------------------------


def test_camt053() -> None:
    found, rows = read(FILES / "camt053.xml")
    assert (found.format, found.message_id, found.original_message_id) == (
        "camt053", "VCB-STMT-20261110", "ASXH-42-vcb-ag-pain001")  # fmt: skip
    # Entry 1 funds the account, 4 is pending, 5 is a batch booking without details and 6
    # a charge: none of them is a person's result.
    assert fields(rows) == [
        ("bút toán 2, giao dịch 1", "ASXH0000420000123456", Outcome.PAID, 1_500_000, "", "",
         "FT26314000001"),
        ("bút toán 3, giao dịch 1", "ASXH0000420000123459", Outcome.REVERSED, -2_000_000, "AC04",
         "Đã chi nhưng bị trả lại: Tài khoản đã đóng: Closed 2026-10-31", "RT26314000002"),
    ]  # fmt: skip


def test_camt054() -> None:
    found, rows = read(FILES / "camt054.xml")
    assert (found.format, found.message_id, found.original_message_id) == (
        "camt054", "VCB-NTF-20261110-07", "ASXH-42-vcb-ag-pain001")  # fmt: skip
    assert fields(rows) == [
        ("bút toán 1, giao dịch 1", "ASXH0000420000123460", Outcome.PAID, 1_500_000, "", "",
         "FT26314000010-1"),
        ("bút toán 1, giao dịch 2", "ASXH0000420000123461", Outcome.PAID, 1_000_000, "", "",
         "FT26314000010-2"),
        ("bút toán 2, giao dịch 1", "ASXH0000420000123460", Outcome.REVERSED, -1_500_000, "",
         "Ngân hàng hủy bút toán đã chi", "FT26314000011"),
    ]  # fmt: skip


def test_camt053_of_2009() -> None:
    found, rows = read(FILES / "camt053-2009.xml")
    assert (found.format, found.message_id, found.original_message_id) == (
        "camt053", "AGR-STMT-20261110", "")  # fmt: skip
    assert fields(rows) == [
        # one TxDtls without an amount: the entry's
        ("bút toán 1, giao dịch 1", "ASXH0000420000200001", Outcome.PAID, 1_500_000, "", "",
         "AGR-0001"),
        ("bút toán 2, giao dịch 1", "ASXH0000420000200002", Outcome.PAID, 1_000_000, "", "",
         "AGR-0002"),
        ("bút toán 2, giao dịch 2", "ASXH0000420000200003", Outcome.PAID, 2_000_000, "", "",
         "AGR-0002"),
    ]  # fmt: skip


def camt054(path: Path, *entries: str) -> Path:
    path.write_text(
        f'<?xml version="1.0"?><Document xmlns="{ISO}camt.054.001.08"><BkToCstmrDbtCdtNtfctn>'
        "<GrpHdr><MsgId>N1</MsgId></GrpHdr><Ntfctn><Id>1</Id>" + "".join(entries)
        + "</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    )  # fmt: skip
    return path


def entry(*txs: str, head: str = "<CdtDbtInd>DBIT</CdtDbtInd>", amount: str = "1500000",
          currency: str = "VND") -> str:  # fmt: skip
    details = f"<NtryDtls>{''.join(txs)}</NtryDtls>" if txs else ""
    return (f'<Ntry><Amt Ccy="{currency}">{amount}</Amt>{head}<Sts><Cd>BOOK</Cd></Sts>'
            f"<AcctSvcrRef>E1</AcctSvcrRef>{details}</Ntry>")  # fmt: skip


def tx(n: int, amount: str = "", more: str = "", message: str = "") -> str:
    amt = f'<Amt Ccy="VND">{amount}</Amt>' if amount else ""
    msg = f"<MsgId>{message}</MsgId>" if message else ""
    return f"<TxDtls><Refs>{msg}<EndToEndId>{ref(n)}</EndToEndId></Refs>{amt}{more}</TxDtls>"


def test_returns_and_reversals(tmp_path: Path) -> None:
    credit = "<CdtDbtInd>CRDT</CdtDbtInd>"
    returned = "<RtrInf><Rsn><Cd>MD07</Cd></Rsn></RtrInf>"
    code = ("<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly>"
            "</Domn></BkTxCd>")  # fmt: skip
    path = camt054(
        tmp_path / "n.xml",
        entry(tx(1, "700000", returned), head=credit),
        entry(tx(2), head=credit + code),
        entry(tx(3, "1500000"), head=credit),  # a credit that says nothing: look at it
        entry(tx(4), head="<CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd>"),
        entry(tx(5, "2000000", "<RtrInf><Rsn><Prtry>X-9</Prtry></Rsn></RtrInf>"), head=credit),
    )
    _, rows = read(path)
    assert [(r.outcome, r.amount, r.code, r.text) for r in rows] == [
        (Outcome.REVERSED, -700_000, "MD07", "Đã chi nhưng bị trả lại: Người hưởng đã qua đời"),
        (Outcome.REVERSED, -1_500_000, "", "Đã chi nhưng bị trả lại"),
        (Outcome.REVIEW, 0, "",
         "Tài khoản chi trả được ghi có một khoản không phải tiền trả lại, cần kiểm tra"),
        (Outcome.REVIEW, 0, "", "Ngân hàng hủy một khoản đã ghi có (bút toán nợ đảo), cần kiểm tra"),
        (Outcome.REVERSED, -2_000_000, "X-9", "Đã chi nhưng bị trả lại: mã X-9"),
    ]  # fmt: skip
    assert rows[0].provider_ref == "E1"


def test_camt_problems_name_the_entry(tmp_path: Path) -> None:
    path = camt054(
        tmp_path / "n.xml",
        entry(tx(1), currency="USD"),
        entry(tx(2, "1500000.50")),
        entry(tx(3), tx(4, "1000")),  # two TxDtls: the first has no amount of its own
        entry(tx(5, "0")),
        "<Ntry><Amt Ccy='VND'>1</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        "<NtryDtls><TxDtls><Refs><MsgId>ASXH-42-x</MsgId><EndToEndId>NOTPROVIDED</EndToEndId>"
        "</Refs></TxDtls></NtryDtls></Ntry>",
        entry(tx(6, "1500000")),
    )
    found, good = read_results(path, path.name), list[Reported]()
    with pytest.raises(ResultFileError) as raised:
        good.extend(found.rows)
    assert [row.reference for row in good] == [ref(4), ref(6)]
    assert raised.value.problems == [
        f"Bút toán 1, giao dịch 1 ({ref(1)}): số tiền bằng «USD», chỉ nhận VND.",
        f"Bút toán 2, giao dịch 1 ({ref(2)}): số tiền «1500000.50» không phải số đồng nguyên "
        "dương.",
        f"Bút toán 3, giao dịch 1 ({ref(3)}): không có số tiền (TxDtls/Amt).",
        f"Bút toán 4, giao dịch 1 ({ref(5)}): số tiền «0» không phải số đồng nguyên dương.",
        "Bút toán 5, giao dịch 1: không có Refs/EndToEndId: không biết giao dịch của ai.",
    ]


def test_the_first_transaction_s_file_is_the_original_message(tmp_path: Path) -> None:
    path = camt054(tmp_path / "n.xml", entry(tx(1), head="<CdtDbtInd>DBIT</CdtDbtInd>"),
                   entry(tx(2, "1500000", message="ASXH-42-y")))  # fmt: skip
    found = read_results(path, path.name)
    assert found.original_message_id == ""  # the first has no Refs/MsgId
    path = camt054(tmp_path / "m.xml", entry(tx(2, "1500000", message="ASXH-42-y")))
    assert read_results(path, path.name).original_message_id == "ASXH-42-y"


# --- Streaming ---------------------------------------------------------------------------


@pytest.fixture
def trees(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The documents the readers parse, to look at what they keep while streaming."""
    roots: list[Any] = []
    parse = etree.iterparse

    def watched(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for event, element in parse(*args, **kwargs):
            if not roots or roots[-1] is not element.getroottree().getroot():
                roots.append(element.getroottree().getroot())
            yield event, element

    monkeypatch.setattr(readers.etree, "iterparse", watched)
    return roots


def kept(rows: Iterator[Reported], roots: list[Any], count: int) -> list[int]:
    """Elements held in the tree every 5,000 rows."""
    sizes = []
    for n, _ in enumerate(rows, start=1):
        if n % 5000 == 0:
            sizes.append(sum(1 for _ in roots[-1].iter()))
    assert n == count
    return sizes


def test_20000_camt_transactions_stream_in_a_small_tree(tmp_path: Path, trees: list[Any]) -> None:
    many = "".join(tx(n, "1500000") for n in range(1, 20_001))
    path = camt054(tmp_path / "n.xml", entry(many, amount=str(20_000 * 1_500_000)))
    sizes = kept(read_results(path, path.name).rows, trees, 20_000)
    # Not the 140,000 elements of the file: what iterparse parsed ahead (one buffer, not
    # reported yet) and nothing more, however far the stream is.
    assert len(sizes) == 4 and max(sizes) < 3_000


def test_20000_pain002_transactions_stream_in_a_small_tree(
    tmp_path: Path, trees: list[Any]
) -> None:
    many = "".join(f"<TxInfAndSts><OrgnlEndToEndId>{ref(n)}</OrgnlEndToEndId><TxSts>ACCC"
                   "</TxSts></TxInfAndSts>" for n in range(1, 20_001))  # fmt: skip
    path = pain002(tmp_path / "p.xml", many)
    assert max(kept(read_results(path, path.name).rows, trees, 20_000)) < 3_000  # of 80,000


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def small_xlsx(path: Path, rows: list[str], shared: list[str] | None = None) -> Path:
    """A workbook written by hand: one sheet of `rows` (<row> elements), shared strings."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = [("rId1", "worksheet", "worksheets/sheet1.xml")]
    if shared is not None:
        rels.append(("rId2", "sharedStrings", "sharedStrings.xml"))
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets>'
            '<sheet name="KQ" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">'
            + "".join(
                f'<Relationship Id="{i}" Type="{rel}/{kind}" Target="{target}"/>'
                for i, kind, target in rels
            )
            + "</Relationships>",
        )
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>',
        )
        if shared is not None:
            book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{"".join(shared)}</sst>')
    return path  # fmt: skip


def test_shared_strings_as_excel_saves_them(tmp_path: Path) -> None:
    shared = [f"<si><t>{t}</t></si>" for t in TITLES] + [
        f"<si><t>{ref(1)}</t></si>",
        # rich text runs, and a phonetic run that is not part of the text
        "<si><r><t>Đã chi </t></r><r><rPr><b/></rPr><t>tại nhà</t></r><rPh><t>x</t></rPh></si>",
        '<si><t xml:space="preserve"> 1.500.000 đ </t></si>',
    ]
    cells = "".join(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCD"))
    row = ('<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c>'
           '<c r="C2" t="s"><v>6</v></c></row>')  # fmt: skip
    path = small_xlsx(tmp_path / "kq.xlsx", [f'<row r="1">{cells}</row>', row], shared)
    _, rows = read(path)
    assert fields(rows) == [("dòng 2", ref(1), Outcome.PAID_HOME, 1_500_000, "", "", "")]


def test_excel_rows_without_a_reference(tmp_path: Path) -> None:
    """A blank or total row is skipped; a note under the list is an error; a workbook saved
    under a .csv name is still read as Excel."""
    cells = "".join(f'<c r="{col}1" t="inlineStr"><is><t>{t}</t></is></c>'
                    for col, t in zip("ABCD", TITLES, strict=True))  # fmt: skip
    rows = [
        f'<row r="1">{cells}</row>',
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{ref(1)}</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>Đã chi</t></is></c></row>',
        '<row r="3"><c r="A3" t="inlineStr"><is><t> </t></is></c></row>',
        '<row r="4"><c r="D4" t="inlineStr"><is><t>TỔNG CỘNG</t></is></c></row>',
        '<row r="6"><c r="E6" t="inlineStr"><is><t>Người lập biểu</t></is></c></row>',
    ]
    path = small_xlsx(tmp_path / "kq.csv", rows)
    found = read_results(path, path.name)
    assert found.format == "xlsx" and next(found.rows).where == "dòng 2"
    with pytest.raises(ResultFileError) as raised:
        next(found.rows)
    assert raised.value.problems == [
        "Dòng 6, cột «Mã tham chiếu»: để trống nhưng dòng có dữ liệu. Chép mã tham chiếu từ "
        "danh sách đã nhận, hoặc xóa dòng."
    ]


def test_20000_excel_rows_stream_in_a_small_tree(tmp_path: Path, trees: list[Any]) -> None:
    """Inline strings, and cells without their "r" address (each follows the one before)."""
    cells = "".join(f'<c t="inlineStr"><is><t>{t}</t></is></c>' for t in TITLES)
    rows = [f"<row>{cells}</row>"] + [
        f'<row><c t="inlineStr"><is><t>{ref(n)}</t></is></c><c t="inlineStr"><is><t>Đã chi'
        f"</t></is></c><c><v>{n}</v></c></row>" for n in range(1, 20_001)
    ]  # fmt: skip
    path = small_xlsx(tmp_path / "kq.xlsx", rows)
    found = read_results(path, path.name)
    assert max(kept(found.rows, trees, 20_000)) < 3_000  # of 180,000
    last = list(read_results(path, path.name).rows)[-1]
    assert (last.where, last.reference, last.amount) == ("dòng 20001", ref(20_000), 20_000)


def test_20000_csv_rows_stream_in_little_memory(tmp_path: Path) -> None:
    rows = [[ref(n), "Đã chi", "1.500.000", f"Người hưởng nhận đủ tại nhà văn hóa ấp {n}" * 2]
            for n in range(1, 20_001)]  # fmt: skip
    path = write_csv(tmp_path / "kq.csv", TITLES, *rows)
    assert path.stat().st_size > 3_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_results(path, path.name).rows)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000 and peak < 1_000_000


# --- Tables the readers use --------------------------------------------------------------


def test_the_reference_column_is_the_export_s() -> None:
    assert REFERENCE_TITLE in [title for title, _ in COLUMNS]


def test_every_reason_code_of_the_research_table_has_an_outcome() -> None:
    table = readers.REASONS
    for code in ("AC01", "AC03", "BE06", "AG01", "AG03", "RC01", "RC04", "RC08", "RC10", "AC04",
                 "AC07", "AC06", "BE01", "BE21", "BE22", "RR03", "CNPC", "NOAS", "MD07", "AM02",
                 "AM14", "AM21", "RR01", "RR02", "RR04", "MS02", "MS03", "NARR", "FF01", "AM10",
                 "AM16", "AM17", "AM18", "AM19", "AM20", "DU01", "DT01", "AM05", "DU03", "DU04",
                 "DU05", "DUPL"):  # fmt: skip
        assert code in table
    assert set(readers.FILE_REASONS) <= set(table)
