"""Reading policy files: a case that cannot be read is reported with its id and field, and
the other cases are still evaluated."""

from typing import Any

import pytest

from asxh.entitlement.cases import policy_evaluate
from asxh.entitlement.rates import national_rates

ENROLMENT = {"group": "btxh_khuyet_tat", "start": "2024-01", "disability_level": "severe"}
GOOD: dict[str, Any] = {
    "id": "tot",
    "person": {"birth_date": "05/1950"},
    "enrolments": [ENROLMENT],
    "months": ["2024-02"],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"enrolments": [{**ENROLMENT, "disability_level": "nang"}]}, "disability_level: ghi một trong"),
        ({"enrolments": [{**ENROLMENT, "children": "2"}]}, "children: '2' không hợp lệ"),
        ({"enrolments": [{**ENROLMENT, "muc": 1}]}, "trường không biết: muc"),
        ({"enrolments": [{"group": "btxh_khuyet_tat"}]}, "thiếu 'start'"),
        ({"months": ["13/2024"]}, "tháng phải từ 1 đến 12"),
        ({"months": {"from": "2024-05", "to": "2024-01"}}, "khoảng tháng không hợp lệ"),
        ({"person": {"birth_date": "1950", "death_date": "2024"}}, "ghi đủ ngày chết"),
        ({"person": {"birth_date": "50"}}, "không đọc được"),
        ({"paid": [{"benefit": "x", "month": "2024-01", "amount": 1.5}], "pay_month": "2024-03"}, "số đồng nguyên"),
    ],
)  # fmt: skip
def test_a_bad_case_is_named_with_its_field_and_the_rest_still_run(change, message):
    answer = policy_evaluate({"cases": [{**GOOD, "id": "xau", **change}, GOOD]}, national_rates())
    assert [e["id"] for e in answer["errors"]] == ["xau"]
    assert message in answer["errors"][0]["error"]
    assert answer["errors"][0]["error"].startswith("Trường hợp xau")
    # 05/1950 turns 60 in 05/2010: an elderly person, severe disability, 360.000 × 2,0.
    assert [c["total"] for c in answer["cases"]] == [720_000]


def test_a_rate_missing_for_a_month_is_an_error_not_a_zero():
    case = {
        **GOOD,
        "months": ["2021-06"],
        "enrolments": [{**ENROLMENT, "start": "2021-01"}],
    }
    answer = policy_evaluate({"cases": [case]}, national_rates())
    assert (
        "Chưa có mức 'btxh_khuyet_tat.nang_tre_em_nct' áp dụng ngày 01/06/2021"
        in answer["errors"][0]["error"]
    )
