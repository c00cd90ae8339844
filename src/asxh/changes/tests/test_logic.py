"""Payload checks: each error names the field in Vietnamese."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from asxh.changes import logic
from asxh.changes.models import ChangeKind as K

TODAY = dt.date(2026, 11, 23)


def errors(kind: str, payload: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        logic.payload_clean(kind, payload, today=TODAY)
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("kind", "payload", "field", "text"),
    [
        (K.DECREASE_DEATH, {}, "death_date", "Ngày chết: bắt buộc (dd/mm/yyyy)."),
        (K.DECREASE_DEATH, {"death_date": "31/02/2026"}, "death_date", "Ngày chết: Ngày '31/02/2026' không có thật."),
        (K.DECREASE_DEATH, {"death_date": "09/2026"}, "death_date", "Ngày chết: ghi đủ ngày dạng dd/mm/yyyy."),
        (K.DECREASE_DEATH, {"death_date": "01/12/2026"}, "death_date", "Ngày chết: 01/12/2026 sau hôm nay."),
        (K.ADJUST_METHOD, {"method": "bank"}, "method", "Hình thức nhận: 'bank' không hợp lệ; ghi một trong: cash, account, no_account."),
        (K.ADJUST_METHOD, {"method": "cash", "cash_at_home": "maybe"}, "cash_at_home", "Chi tại nhà: ghi có hoặc không."),
        (K.ADJUST_METHOD, {"method": "cash", "colour": "red"}, "payload", "Trường không dùng cho loại biến động này: colour."),
        (K.INCREASE_ENROLMENT, {"group": "btxh_khuyet_tat"}, "disability_level", "Mức độ khuyết tật: bắt buộc với người khuyết tật (nặng hoặc đặc biệt nặng)."),
        (K.INCREASE_ENROLMENT, {"group": "btxh_nct_80", "impairment_percent": "120"}, "impairment_percent", "Tỷ lệ tổn thương cơ thể (%): từ 1 đến 100."),
        (K.INCREASE_ENROLMENT, {"group": "khong_co"}, "group", "Nhóm đối tượng: 'khong_co' không có trong danh sách mã."),
        (K.INCREASE_PERSON, {"full_name": "An", "sex": "F", "birth_date": "1950", "id_number": "091050123456", "group": "btxh_nct_80", "method": "cash"}, "id_number", "Số định danh/CCCD: Chữ số thứ tư '0' không khớp giới tính và năm sinh 1950 (phải là '1')."),
        (K.INCREASE_PERSON, {"full_name": "An", "sex": "F", "phone": "12345", "group": "btxh_nct_80", "method": "cash"}, "phone", "Điện thoại: Số điện thoại phải có 10 chữ số"),
        (K.INCREASE_PERSON, {"sex": "F", "group": "btxh_nct_80", "method": "cash"}, "full_name", "Họ và tên: bắt buộc."),
        (K.ADJUST_PAYEE, {"payee_kind": "guardian"}, "full_name", "Họ và tên người nhận: bắt buộc khi người nhận không phải bản thân đối tượng."),
        (K.ADJUST_PAYEE, {"payee_kind": "authorised", "full_name": "Bình"}, "valid_to", "Hiệu lực đến ngày: giấy ủy quyền phải có ngày hết hiệu lực."),
        (K.ADJUST_ACCOUNT, {"account_kind": "bank", "institution_bin": "9704", "account_number": "12-34", "holder_name": "A"}, "institution_bin", "Mã BIN ngân hàng/tổ chức: gồm đúng 6 chữ số"),
        (K.ADJUST_ACCOUNT, {"account_kind": "bank", "institution_bin": "970405", "account_number": "12-34", "holder_name": "A"}, "account_number", "Số tài khoản: gồm 4–34 chữ số hoặc chữ cái"),
        (K.ADJUST_ENROLMENT, {"enrolment": "x"}, "enrolment", "Diện hưởng: ghi một số nguyên không âm."),
        (K.DECREASE_MOVED, {}, "destination", "Nơi chuyển đến: bắt buộc (xã/phường, tỉnh)."),
        ("doi_ten", {}, "kind", "Loại biến động 'doi_ten' không có."),
    ],
)  # fmt: skip
def test_errors_name_the_field_in_vietnamese(kind, payload, field, text):
    assert errors(kind, payload)[field][0].startswith(text)


def test_a_clean_payload_is_stored_in_plain_json_forms():
    person = logic.payload_clean(
        K.INCREASE_PERSON,
        {"full_name": " Lê  Thị   Mai ", "sex": "F", "birth_date": "03/1950", "phone": "+84 912 345 678",
         "group": "btxh_nct_80", "in_education": "0", "children": "2", "method": "cash"},
        today=TODAY,
    )  # fmt: skip
    assert person == {
        "full_name": "Lê Thị Mai",
        "sex": "F",
        "birth_date": "1950-03-01",
        "birth_date_precision": "month",
        "phone": "0912345678",
        "group": "btxh_nct_80",
        "in_education": False,
        "children": 2,
        "method": "cash",
    }
    death = logic.payload_clean(K.DECREASE_DEATH, {"death_date": dt.date(2026, 9, 15)}, today=TODAY)
    assert death == {"death_date": "2026-09-15"}


def test_a_death_applies_from_the_month_after_it():
    payload = {"death_date": "2026-09-15"}
    assert logic.effective_month_for(K.DECREASE_DEATH, payload, None) == dt.date(2026, 10, 1)
    assert logic.effective_month_for(K.DECREASE_DEATH, payload, dt.date(2026, 10, 5)) == dt.date(
        2026, 10, 1
    )
    with pytest.raises(ValidationError) as caught:
        logic.effective_month_for(K.DECREASE_DEATH, payload, dt.date(2026, 9, 1))
    assert caught.value.message_dict["effective_month"] == [
        "Tháng hiệu lực: báo giảm do chết có hiệu lực từ tháng sau tháng chết (10/2026)."
    ]
    with pytest.raises(ValidationError, match="Tháng hiệu lực: bắt buộc"):
        logic.effective_month_for(K.DECREASE_INELIGIBLE, {}, None)
    with pytest.raises(ValidationError, match="Tháng hiệu lực: Tháng '13/2026' không hợp lệ"):
        logic.month_read("13/2026")


def test_an_adjusted_enrolment_keeps_the_old_terms_but_not_the_old_decision():
    old = {"group": "btxh_khuyet_tat", "disability_level": "severe", "decision_number": "12/QĐ"}
    new = logic.terms_merge(old, {"disability_level": "very_severe"})
    assert new["group"] == "btxh_khuyet_tat" and new["decision_number"] is None
    assert logic.terms_changed(old, new) == ["Mức độ khuyết tật"]


def test_shown_payloads_mask_account_and_id_numbers():
    rows = logic.payload_rows(
        K.ADJUST_ACCOUNT,
        {"account_kind": "bank", "institution_bin": "970405", "account_number": "7100205123456",
         "holder_name": "AN"},
    )  # fmt: skip
    assert ("Số tài khoản", "*********3456") in rows and (
        "Loại tài khoản",
        "Tài khoản ngân hàng",
    ) in rows
    assert logic.payload_for_audit({"account_number": "7100205123456"}) == {
        "account_number": "*********3456"
    }
    rows = logic.payload_rows(K.DECREASE_DEATH, {"death_date": "2026-09-15"})
    assert rows == [("Ngày chết", "15/09/2026")]
