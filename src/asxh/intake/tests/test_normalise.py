"""The cell parsers and the header finder, on examples from real lists and on generated input."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asxh.beneficiaries.logic import ID_PROVINCE_CODES
from asxh.intake import normalise as n
from asxh.intake.columns import is_numbering_row, layout_find, title_key

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("cell", "value", "precision"),
    [
        ("05/03/1950", dt.date(1950, 3, 5), "day"),
        ("5-3-1950", dt.date(1950, 3, 5), "day"),
        ("05.03.1950", dt.date(1950, 3, 5), "day"),
        ("1950-03-05", dt.date(1950, 3, 5), "day"),
        ("03/1950", dt.date(1950, 3, 1), "month"),
        ("1950", dt.date(1950, 1, 1), "year"),
        (1950, dt.date(1950, 1, 1), "year"),
        (1950.0, dt.date(1950, 1, 1), "year"),
        (18327, dt.date(1950, 3, 5), "day"),  # an Excel serial
        (dt.datetime(1950, 3, 5), dt.date(1950, 3, 5), "day"),
        ("ngày 05 tháng 3 năm 1950", dt.date(1950, 3, 5), "day"),
        ("tháng 3 năm 1950", dt.date(1950, 3, 1), "month"),
        ("năm 1950", dt.date(1950, 1, 1), "year"),
    ],
)
def test_birth_dates_in_the_forms_officials_write(cell, value, precision) -> None:
    assert n.birth_date(cell, TODAY) == n.BirthDate(value, precision)


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("31/02/1950", "không có thật"),
        ("05/03/50", "2 số năm"),
        ("05/03/2030", "tương lai"),
        ("hôm qua", "không đọc được"),
        ("1850", "không hợp lý"),
    ],
)
def test_bad_birth_dates_say_what_is_wrong(cell, says) -> None:
    with pytest.raises(n.CellError) as error:
        n.birth_date(cell, TODAY)
    assert says in error.value.message
    assert "dd/mm/yyyy" in error.value.fix or "năm" in error.value.fix


# Serials 1890–2100 read as a year: they are dates in 1905, before anyone on a list was born.
@given(st.dates(dt.date(1906, 1, 1), TODAY))
def test_any_date_reads_back_from_each_written_form(day: dt.date) -> None:
    for cell in (day.strftime("%d/%m/%Y"), day.isoformat(), (day - n.EXCEL_EPOCH).days):
        assert n.birth_date(cell, TODAY) == n.BirthDate(day, "day")


def test_id_typed_as_a_number_gets_its_leading_zero_back() -> None:
    number, warnings = n.id_number(89150012345.0)
    assert number == "089150012345"
    assert "mất số 0" in warnings[0]
    assert n.id_number("089 150 012 345") == ("089150012345", [])
    assert "CMND 9 số" in n.id_number("123456789")[1][0]
    with pytest.raises(n.CellError, match="10 chữ số"):
        n.id_number("0891500123")


@given(st.sampled_from(sorted(ID_PROVINCE_CODES)), st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_ids_as_text_or_as_numbers_read_the_same(province: str, rest: str) -> None:
    text = province + rest
    assert n.id_number(text)[0] == text
    assert n.id_number(float(int(text)))[0] == text


def test_phones_old_11_digit_and_lost_zero() -> None:
    assert n.phone("01689123456")[0] == "0389123456"
    assert "11 số cũ" in n.phone("01689123456")[1][0]
    assert n.phone(912345678.0) == ("0912345678", [])
    assert n.phone("+84 912 345 678")[0] == "0912345678"
    with pytest.raises(n.CellError):
        n.phone("12345")


def test_names_legacy_and_formula_prefix() -> None:
    assert n.full_name("  Nguyễn   Văn An ") == ("Nguyễn Văn An", None)
    with pytest.raises(n.CellError) as error:
        n.full_name("=Nguyễn Văn An")
    assert "Xoá ký tự '='" in error.value.fix
    with pytest.raises(n.CellError, match="không phải chữ cái"):
        n.full_name("Nguyễn Văn 2")


def test_account_rounded_by_excel_is_refused() -> None:
    with pytest.raises(n.CellError, match="làm tròn"):
        n.account_number(1.2345678901234567e18)
    assert n.account_number("0123 4567 89") == "0123456789"


def test_bank_by_name_bin_or_branch() -> None:
    index = {
        n.bank_key("Agribank"): "970405",
        n.bank_key("Vietcombank"): "970436",
        "970436": "970436",
    }
    assert n.bank("Agribank", index) == "970405"
    assert n.bank("Ngân hàng Agribank - CN An Giang", index) == "970405"
    assert n.bank("970436", index) == "970436"
    with pytest.raises(n.CellError, match="Không nhận ra"):
        n.bank("Ngân hàng Mặt Trăng", index)


def test_methods() -> None:
    assert n.method("Tài khoản") == ("account", False)
    assert n.method("Chi tại nhà") == ("cash", True)
    assert n.method("") == ("", False)
    with pytest.raises(n.CellError):
        n.method("Bồ câu")


@given(st.text(max_size=30))
def test_title_key_is_idempotent(title: str) -> None:
    assert title_key(title_key(title)) == title_key(title)


def test_layout_under_title_rows_with_merged_birth_date() -> None:
    rows: list[list[object]] = [
        ["UBND XÃ THOẠI SƠN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH SÁCH ĐỐI TƯỢNG", None, None, None],
        ["STT", "Họ và tên", "Ngày tháng năm sinh", None, "Số CCCD", "Xếp loại"],
        [None, None, "Nam", "Nữ", None, None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
    ]
    layout = layout_find(rows)
    assert layout is not None
    assert layout.header_row == 3
    assert layout.columns == {0: "ignore", 1: "full_name", 4: "id_number"}
    assert layout.birth_sex_columns == {2: "M", 3: "F"}
    assert is_numbering_row(rows[4])


@given(
    st.lists(st.lists(st.sampled_from(["", "Báo cáo", "Tháng 11", None]), max_size=5), max_size=10)
)
def test_header_found_below_any_title_rows(above) -> None:
    rows = [*above, ["TT", "Họ tên", "Ngày sinh", "Số tài khoản", "Ngân hàng"]]
    layout = layout_find(rows)
    assert layout is not None and layout.header_row == len(above)
    assert layout.columns[1] == "full_name"


def test_user_mapping_adds_a_title() -> None:
    rows = [["Tên người nhận", "Mã số thẻ"]]
    assert layout_find(rows) is None
    layout = layout_find(rows, {"Tên người nhận": "full_name", "Mã số thẻ": "id_number"})
    assert layout is not None and layout.columns == {0: "full_name", 1: "id_number"}
    with pytest.raises(ValueError, match="không có"):
        layout_find(rows, {"Tên người nhận": "ten"})


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True), st.sampled_from(["", " ", ".", "-"]))
def test_any_mobile_reads_back_however_it_is_spaced_or_typed(number: str, separator: str) -> None:
    spaced = separator.join([number[:4], number[4:7], number[7:]])
    assert n.phone(spaced) == (number, [])
    assert n.phone(float(number)) == (number, [])  # a number cell drops the 0
    assert n.phone("+84" + number[1:])[0] == number


@given(st.text(max_size=40))
def test_parsers_either_answer_or_say_what_to_fix(text: str) -> None:
    """Whatever a cell holds, each parser returns a value or a CellError with a fix, never crashes."""
    refs = {"agri": "970405"}
    for parse in (
        n.phone, n.account_number, n.method, n.sex, n.id_number, lambda v: n.bank(v, refs),
        lambda v: n.birth_date(v, TODAY), n.month, lambda v: n.full_name(v),
    ):  # fmt: skip
        try:
            parse(text)
        except n.CellError as error:
            assert error.message and error.fix


@given(st.from_regex(r"[0-9A-Za-z]{4,34}", fullmatch=True))
def test_account_numbers_keep_their_characters(number: str) -> None:
    assert n.account_number(number) == number
    assert n.account_number(" ".join(number)) == number
