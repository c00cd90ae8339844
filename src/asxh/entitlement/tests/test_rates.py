"""Rates as data: reading files, superseding by date, lapsing, province overrides."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from asxh.entitlement.rates import (
    Rate,
    RateBook,
    RateError,
    RateMissing,
    Unit,
    national_rates,
    rates_read,
)

D = dt.date


def _rate(key: str, value: int | str, start: dt.date, scope: str = "", unit=Unit.VND, until=None):
    return Rate(key, Decimal(value), unit, start, until, scope, "văn bản thử")


def test_a_later_rate_supersedes_an_earlier_one_from_its_date():
    book = RateBook(
        [_rate("btxh.base", 500_000, D(2024, 7, 1)), _rate("btxh.base", 360_000, D(2021, 7, 1))]
    )
    assert book.on("btxh.base", D(2021, 6, 30)) is None
    assert book.require("btxh.base", D(2024, 6, 30)).vnd == 360_000
    assert book.require("btxh.base", D(2024, 7, 1)).vnd == 500_000


def test_a_rate_may_lapse_without_successor():
    book = RateBook([_rate("x.y", 1, D(2021, 7, 1), unit=Unit.COEFFICIENT, until=D(2025, 6, 30))])
    assert book.on("x.y", D(2025, 6, 30)) is not None
    assert book.on("x.y", D(2025, 7, 1)) is None and book.started("x.y", D(2025, 7, 1))
    assert not book.started("x.y", D(2021, 6, 30))


def test_a_province_rate_overrides_the_national_one_but_not_below_a_floor():
    book = RateBook(
        [
            _rate("btxh.base", 500_000, D(2024, 7, 1)),
            _rate("btxh.base", 450_000, D(2023, 1, 1), scope="91"),
            _rate("fee.per_head", 5_000, D(2023, 5, 15), scope="91"),
            _rate("fee.per_head", 4_000, D(2023, 1, 1)),
        ]
    )
    # Before the national raise the province's higher base applies; after it, the national.
    assert book.require("btxh.base", D(2024, 1, 1), "91").vnd == 450_000
    assert book.require("btxh.base", D(2024, 7, 1), "91").vnd == 500_000
    # Fees are not a floor: the province's own applies, and other provinces get the national.
    assert book.require("fee.per_head", D(2024, 1, 1), "91").vnd == 5_000
    assert book.require("fee.per_head", D(2024, 1, 1), "01").vnd == 4_000


def test_the_shipped_rates_all_cite_a_source_and_the_known_levels():
    rates = national_rates()
    assert all(r.source for r in rates)
    book = RateBook(rates)
    assert book.require("btxh.base", D(2024, 6, 1)).vnd == 360_000
    assert book.require("btxh.base", D(2024, 7, 1)).vnd == 500_000
    assert book.require("ncc.standard", D(2023, 7, 1)).vnd == 2_055_000
    assert book.require("ncc.standard", D(2024, 7, 1)).vnd == 2_789_000
    # NĐ 75/2021 Phụ lục II, 21% and 100% at 2.789.000 (VBHN 4804/VBHN-BLĐTBXH).
    assert book.require("ncc_thuong_binh.21", D(2024, 7, 1)).vnd == 1_878_000
    assert book.require("ncc_thuong_binh.100", D(2024, 7, 1)).vnd == 8_941_000
    rows = {r.key for r in rates if r.key.startswith("ncc_thuong_binh.")} - {
        "ncc_thuong_binh.phu_cap"
    }
    assert rows == {f"ncc_thuong_binh.{pct}" for pct in range(21, 101)}  # one row per percent
    # An Giang's flat fee (KH 360/KH-UBND 15/5/2023).
    assert book.require("fee.per_head", D(2024, 1, 1), "91").vnd == 5_000


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"value": "1", "unit": "vnd", "from": "2026-07-01", "source": "x"}, "cột 'key'"),
        ({"key": "a", "value": "1", "unit": "dong", "from": "2026-07-01", "source": "x"}, "cột 'unit'"),
        ({"key": "a", "value": "1,5", "unit": "vnd", "from": "2026-07-01", "source": "x"}, "đồng nguyên"),
        ({"key": "a", "value": "-1", "unit": "coefficient", "from": "2026-07-01", "source": "x"}, "không âm"),
        ({"key": "a", "value": "1.555", "unit": "coefficient", "from": "2026-07-01", "source": "x"}, "2 chữ số"),
        ({"key": "a", "value": "abc", "unit": "vnd", "from": "2026-07-01", "source": "x"}, "không phải số"),
        ({"key": "a", "value": "1", "unit": "vnd", "from": "01/07/2026", "source": "x"}, "cột 'from'"),
        ({"key": "a", "value": "1", "unit": "vnd", "from": "2026-07-01"}, "cột 'source'"),
        ({"key": "a", "value": "1", "unit": "vnd", "from": "2026-07-01", "until": "2026-01-01", "source": "x"}, "hết hiệu lực"),
    ],
)  # fmt: skip
def test_a_bad_row_is_refused_with_its_row_and_column(row, message):
    with pytest.raises(RateError, match=message) as error:
        rates_read("r.json", json.dumps({"rates": [row]}).encode())
    assert "Dòng 1" in str(error.value)


def test_a_file_repeating_a_rate_is_refused():
    row = {
        "key": "btxh.base",
        "value": "540000",
        "unit": "vnd",
        "from": "2026-07-01",
        "source": "x",
    }
    with pytest.raises(RateError, match=r"Dòng 2.*hai lần"):
        rates_read("r.json", json.dumps({"rates": [row, row]}).encode())


def test_csv_files_are_read_with_their_header_row_numbers():
    text = (
        "key,value,unit,from,until,scope,source\n"
        "btxh.base,540000,vnd,2026-07-01,,,NĐ thử\n"
        "btxh.base,abc,vnd,2026-08-01,,,NĐ thử\n"
    )
    with pytest.raises(RateError, match="Dòng 3, cột 'value'"):
        rates_read("r.csv", text.encode())
    assert rates_read("r.csv", text.encode().replace(b"abc", b"1"))[0].vnd == 540_000
    with pytest.raises(RateError, match="thiếu cột: source"):
        rates_read("r.csv", b"key,value,unit,from,until,scope\n")
    with pytest.raises(RateError, match=r"\.json hoặc \.csv"):
        rates_read("r.xlsx", b"")


def test_the_provider_fee_is_per_head_where_set_else_a_percentage():
    from asxh.entitlement.engine import provider_fee
    from asxh.entitlement.months import month_of

    month = month_of(D(2026, 11, 1))
    percent = _rate("fee.percent", "0.55", D(2022, 1, 1), scope="01", unit=Unit.PERCENT)
    book = RateBook([*national_rates(), percent])
    fee, rate = provider_fee(book, month, "91", people=3_000, amount=2_250_000_000)
    assert (fee, rate.source.startswith("KH 360/KH-UBND")) == (15_000_000, True)
    # 0,55 % of 1.234.567.891 đ = 6.790.123,4 → 6.790.123 đ
    assert provider_fee(book, month, "01", people=3_000, amount=1_234_567_891)[0] == 6_790_123
    with pytest.raises(RateMissing, match=r"fee\.percent"):
        provider_fee(book, month, "79", people=1, amount=1)
