import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from asxh.core.formatting import date_vn, partial_date_vn, vnd
from asxh.core.masking import mask_account_number, mask_id_number
from asxh.core.text import fold, fold_upper, nfc


def test_money_is_grouped_with_dots_and_ends_in_dong():
    assert vnd(1234567) == "1.234.567 đ"
    assert vnd(-500000) == "-500.000 đ"
    assert vnd(0) == "0 đ"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_money_text_reads_back_to_the_same_integer(amount):
    assert int(vnd(amount)[:-2].replace(".", "")) == amount


def test_dates_are_day_month_year_in_vietnam_time():
    assert date_vn(dt.date(2025, 7, 1)) == "01/07/2025"
    assert date_vn(dt.datetime(2026, 11, 23, 20, 30, tzinfo=dt.UTC)) == "24/11/2026 03:30"
    assert partial_date_vn(dt.date(1950, 1, 1), "year") == "1950"
    assert partial_date_vn(dt.date(1950, 3, 1), "month") == "03/1950"


def test_folding_removes_marks_and_d_bar():
    assert fold("  Đặng   Thị Thuý ") == "dang thi thuy"
    assert fold_upper("Nguyễn Văn Đức") == "NGUYEN VAN DUC"
    assert nfc("Nguye\u0302\u0303n") == "Nguyễn"


def test_masks_keep_only_what_identifies_the_record():
    assert mask_id_number("091155012345") == "091******345"
    assert mask_id_number("123456789") == "12*****89"
    assert mask_account_number("7100205123456") == "*********3456"
