import datetime as dt

import pytest

from asxh.beneficiaries.logic import (
    id_number_problems,
    partial_date_parse,
    phone_normalise,
    phone_problems,
)


@pytest.mark.parametrize(
    ("id_number", "sex", "year", "ok"),
    [
        ("091155012345", "F", 1955, True),
        ("091050012345", "M", 1950, True),
        ("001303012345", "F", 2003, True),
        ("001203012345", "M", 2003, True),
        ("091055012345", "F", 1955, False),  # 4th digit says male
        ("091154012345", "F", 1955, False),  # year digits say 1954
        ("099155012345", "F", 1955, False),  # 099 is no province code
        ("09115501234", "F", 1955, False),  # 11 digits
        ("0911550123AB", "F", 1955, False),
        ("123456789", "M", 1950, True),  # legacy CMND: no structure to check here
    ],
)
def test_id_number_structure_agrees_with_sex_and_year(id_number, sex, year, ok):
    assert (id_number_problems(id_number, sex=sex, birth_year=year) == []) is ok


def test_id_number_problems_say_what_to_fix_in_vietnamese():
    (problem,) = id_number_problems("091055012345", sex="F", birth_year=1955)
    assert "phải là '1'" in problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01689123456", "0389123456"),
        ("0168 912 3456", "0389123456"),
        ("01239123456", "0839123456"),
        ("01869123456", "0569123456"),
        ("+84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
    ],
)
def test_old_eleven_digit_mobiles_are_converted(raw, expected):
    assert phone_normalise(raw) == expected
    assert phone_problems(expected) == []


def test_partial_birth_dates_keep_their_precision():
    assert partial_date_parse("05/03/1950") == (dt.date(1950, 3, 5), "day")
    assert partial_date_parse("3/1950") == (dt.date(1950, 3, 1), "month")
    assert partial_date_parse("1950") == (dt.date(1950, 1, 1), "year")
    with pytest.raises(ValueError, match="không có thật"):
        partial_date_parse("31/02/1950")
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        partial_date_parse("năm 1950")
