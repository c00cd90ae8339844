"""What each kind of change carries, checked without the database.

`FIELDS` is the one description of a kind's fields: the propose page draws its form from it,
the command reads `--set name=value` by it, and `payload_clean` validates by it. Errors are
in Vietnamese and name the field by its label.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError

from asxh.accounts.models import AccountKind
from asxh.beneficiaries.logic import (
    id_number_problems,
    partial_date_parse,
    phone_normalise,
    phone_problems,
)
from asxh.beneficiaries.models import (
    DisabilityLevel,
    HouseholdPoverty,
    PayeeKind,
    PaymentMethod,
    Sex,
)
from asxh.beneficiaries.reference import GROUPS
from asxh.changes.models import ChangeKind
from asxh.core.masking import mask_account_number, mask_id_number
from asxh.entitlement.engine import CARE_KINDS
from asxh.entitlement.months import month_first_day, month_of, month_parse

K = ChangeKind
TEXT, DATE, PARTIAL_DATE, CHOICE, BOOL, INT, ID = (
    "text", "date", "partial_date", "choice", "bool", "int", "id",
)  # fmt: skip
Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = TEXT
    required: bool = False
    choices: Choices = ()
    help: str = ""


def _choices(pairs: Any) -> Choices:
    return tuple((str(v), str(label)) for v, label in pairs if v != "")


PERSON = (
    Field("full_name", "Họ và tên", required=True),
    Field("sex", "Giới tính", CHOICE, True, _choices(Sex.choices)),
    Field("birth_date", "Ngày sinh", PARTIAL_DATE, help="dd/mm/yyyy, mm/yyyy hoặc yyyy"),
    Field("id_number", "Số định danh/CCCD", help="12 chữ số (CCCD) hoặc 9 chữ số (CMND)"),
    Field("phone", "Điện thoại"),
    Field("village", "Thôn/ấp/tổ dân phố"),
    Field("ethnicity", "Dân tộc"),
)
TERMS = (
    Field("group", "Nhóm đối tượng", CHOICE, True, tuple((c, n) for _, c, n, _ in GROUPS)),
    Field("disability_level", "Mức độ khuyết tật", CHOICE, choices=_choices(DisabilityLevel.choices)),
    Field("household_poverty", "Hộ nghèo/cận nghèo", CHOICE, choices=_choices(HouseholdPoverty.choices)),
    Field("in_education", "Đang đi học", BOOL),
    Field("hiv_positive", "Nhiễm HIV/AIDS", BOOL),
    Field("impairment_percent", "Tỷ lệ tổn thương cơ thể (%)", INT),
    Field("martyr_count", "Số liệt sĩ", INT),
    Field("children", "Số con đang nuôi", INT),
    Field("pregnant", "Đang mang thai", BOOL),
    Field("care_kind", "Loại hỗ trợ chăm sóc (Điều 20)", CHOICE, choices=tuple(CARE_KINDS.items())),
    Field("cared_birth_date", "Ngày sinh người được nhận nuôi", DATE, help="dd/mm/yyyy"),
    Field("decision_number", "Số quyết định"),
    Field("decision_date", "Ngày quyết định", DATE, help="dd/mm/yyyy"),
)  # fmt: skip
ENROLMENT = Field("enrolment", "Diện hưởng", ID, help="để trống: mọi diện đang hưởng")
METHOD = Field("method", "Hình thức nhận", CHOICE, True, _choices(PaymentMethod.choices))

FIELDS: dict[str, tuple[Field, ...]] = {
    K.INCREASE_PERSON: (*PERSON, *TERMS, METHOD),
    K.INCREASE_ENROLMENT: TERMS,
    K.DECREASE_DEATH: (Field("death_date", "Ngày chết", DATE, True, help="dd/mm/yyyy"),),
    K.DECREASE_MOVED: (
        Field("destination", "Nơi chuyển đến", required=True, help="xã/phường, tỉnh"),
        ENROLMENT,
    ),
    K.DECREASE_INELIGIBLE: (ENROLMENT,),
    K.DECREASE_SOCIAL_INSURANCE: (ENROLMENT,),
    # Terms left out are kept from the enrolment being replaced.
    K.ADJUST_ENROLMENT: (
        replace(ENROLMENT, required=True, help=""),
        *(replace(f, required=False) for f in TERMS),
    ),
    K.ADJUST_PAYEE: (
        Field("payee_kind", "Loại người nhận", CHOICE, True, _choices(PayeeKind.choices)),
        Field("full_name", "Họ và tên người nhận", help="trừ khi bản thân nhận"),
        Field("id_number", "Số định danh người nhận"),
        Field("phone", "Điện thoại người nhận"),
        Field("relationship", "Quan hệ với đối tượng"),
        Field("valid_to", "Hiệu lực đến ngày", DATE, help="bắt buộc với giấy ủy quyền"),
    ),
    K.ADJUST_ACCOUNT: (
        Field("account_kind", "Loại tài khoản", CHOICE, True, _choices(AccountKind.choices)),
        Field("institution_bin", "Mã BIN ngân hàng/tổ chức", required=True, help="6 chữ số"),
        Field("account_number", "Số tài khoản", required=True),
        Field("holder_name", "Chủ tài khoản", required=True),
    ),
    K.ADJUST_METHOD: (METHOD, Field("cash_at_home", "Chi tại nhà", BOOL)),
    K.RESUME_PAYMENT: (),  # the effective month is the month paid again
}
TERM_NAMES = tuple(f.name for f in TERMS)  # "group" first
DATE_TERMS = tuple(f.name for f in TERMS if f.type == DATE)
DECREASES = frozenset(
    {K.DECREASE_DEATH, K.DECREASE_MOVED, K.DECREASE_INELIGIBLE, K.DECREASE_SOCIAL_INSURANCE}
)
_TRUE = {"1", "true", "on", "yes", "có", "co", "x"}
_FALSE = {"0", "false", "off", "no", "không", "khong"}
_BIN = re.compile(r"^[0-9]{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{4,34}$")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _value(field: Field, raw: Any) -> Any:
    """A raw value (text from a form or command, or a Python value) as stored in the payload."""
    if field.type == BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError("ghi có hoặc không.")
    if field.type in (INT, ID):
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        text = str(raw).strip()
        if not text.isdigit():
            raise ValueError("ghi một số nguyên không âm.")
        return int(text)
    if field.type in (DATE, PARTIAL_DATE):
        if isinstance(raw, dt.date):
            return raw.isoformat()
        value, precision = partial_date_parse(str(raw))
        if field.type == DATE and precision != "day":
            raise ValueError("ghi đủ ngày dạng dd/mm/yyyy.")
        return value.isoformat() if field.type == DATE else [value.isoformat(), precision]
    text = " ".join(str(raw).split())
    if field.type == CHOICE and text not in dict(field.choices):
        codes = dict(field.choices)
        if len(codes) > 6:
            raise ValueError(f"'{text}' không có trong danh sách mã.")
        raise ValueError(f"'{text}' không hợp lệ; ghi một trong: {', '.join(codes)}.")
    return text


def payload_clean(kind: str, raw: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """The payload of a kind, checked and in stored form (dates as yyyy-mm-dd). Fields left
    empty are left out; ValidationError maps each field to its problem, naming its label."""
    if kind not in FIELDS:
        raise ValidationError({"kind": f"Loại biến động '{kind}' không có."})
    fields = {f.name: f for f in FIELDS[kind]}
    errors: dict[str, str] = {}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        errors["payload"] = f"Trường không dùng cho loại biến động này: {', '.join(unknown)}."
    cleaned: dict[str, Any] = {}
    for name, field in fields.items():
        value = raw.get(name)
        if _empty(value):
            if field.required:
                errors[name] = f"{field.label}: bắt buộc" + (
                    f" ({field.help})." if field.help else "."
                )
            continue
        try:
            cleaned[name] = _value(field, value)
        except ValueError as error:
            errors[name] = f"{field.label}: {str(error).rstrip('.')}."
    if not errors:
        errors.update(_cross_checks(kind, cleaned, today))
    if errors:
        raise ValidationError(errors)
    if "birth_date" in cleaned and kind == K.INCREASE_PERSON:
        cleaned["birth_date"], cleaned["birth_date_precision"] = cleaned["birth_date"]
    return cleaned


def field_label(kind: str, name: str) -> str:
    return next(f.label for f in FIELDS[kind] if f.name == name)


def _cross_checks(kind: str, data: dict[str, Any], today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}

    def problem(name: str, text: str) -> None:
        errors.setdefault(name, f"{field_label(kind, name)}: {text}")

    if "phone" in data:
        data["phone"] = phone_normalise(data["phone"])
        for text in phone_problems(data["phone"]):
            problem("phone", text)
    if "id_number" in data:
        born = data.get("birth_date")
        year = int(born[0][:4]) if born else None
        for text in id_number_problems(data["id_number"], sex=data.get("sex", ""), birth_year=year):
            problem("id_number", text)
    for name in ("death_date", "birth_date"):
        if name in data:
            day = dt.date.fromisoformat(data[name] if name == "death_date" else data[name][0])
            if day > today:
                problem(name, f"{day:%d/%m/%Y} sau hôm nay.")
    if kind in (K.INCREASE_PERSON, K.INCREASE_ENROLMENT):
        for name, text in terms_problems(data).items():
            problem(name, text)
    if kind == K.ADJUST_PAYEE:
        if data["payee_kind"] != PayeeKind.SELF and not data.get("full_name"):
            problem("full_name", "bắt buộc khi người nhận không phải bản thân đối tượng.")
        if data["payee_kind"] == PayeeKind.AUTHORISED and "valid_to" not in data:
            problem("valid_to", "giấy ủy quyền phải có ngày hết hiệu lực.")
    if kind == K.ADJUST_ACCOUNT:
        data["account_number"] = data["account_number"].replace(" ", "")
        if not _BIN.match(data["institution_bin"]):
            problem("institution_bin", "gồm đúng 6 chữ số (mã BIN của NAPAS).")
        if not _ACCOUNT.match(data["account_number"]):
            problem("account_number", "gồm 4–34 chữ số hoặc chữ cái, không dấu cách.")
    return errors


def terms_problems(terms: Mapping[str, Any]) -> dict[str, str]:
    """What the rules need of a group's terms (field → problem, without the label)."""
    errors = {}
    group = terms.get("group")
    if group == "btxh_khuyet_tat" and not terms.get("disability_level"):
        errors["disability_level"] = "bắt buộc với người khuyết tật (nặng hoặc đặc biệt nặng)."
    if group == "btxh_ho_cham_soc" and not terms.get("care_kind"):
        errors["care_kind"] = "bắt buộc với hộ chăm sóc, nuôi dưỡng (Điều 20)."
    percent = terms.get("impairment_percent")
    if percent is not None and not 1 <= percent <= 100:
        errors["impairment_percent"] = "từ 1 đến 100."
    return errors


DECISION_TERMS = ("decision_number", "decision_date")


def terms_merge(old: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """The new enrolment's terms: the old ones with the given ones replacing them; the
    decision is the new one's own, never carried over."""
    return {
        name: given.get(name, None if name in DECISION_TERMS else old.get(name))
        for name in TERM_NAMES
    }


def terms_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return [
        f.label
        for f in TERMS
        if f.name not in DECISION_TERMS and old.get(f.name) != new.get(f.name)
    ]


def effective_month_for(kind: str, payload: Mapping[str, Any], given: dt.date | None) -> dt.date:
    """The first month the change applies to. A death applies from the month after it: the
    death month is still paid, with the funeral support."""
    if kind == K.DECREASE_DEATH:
        month = month_first_day(month_of(dt.date.fromisoformat(payload["death_date"])) + 1)
        if given is not None and given.replace(day=1) != month:
            raise ValidationError(
                {
                    "effective_month": f"Tháng hiệu lực: báo giảm do chết có hiệu lực từ tháng "
                    f"sau tháng chết ({month:%m/%Y})."
                }
            )
        return month
    if given is None:
        raise ValidationError({"effective_month": "Tháng hiệu lực: bắt buộc (mm/yyyy)."})
    return given.replace(day=1)


def month_read(text: str) -> dt.date:
    """'07/2026' or '2026-07' → 1/7/2026; ValidationError naming the field otherwise."""
    try:
        return month_first_day(month_parse(text))
    except ValueError as error:
        raise ValidationError({"effective_month": f"Tháng hiệu lực: {error}"}) from None


def previous_month(month: dt.date) -> dt.date:
    return month_first_day(month_of(month) - 1)


def payload_rows(kind: str, payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for display, ID and account numbers masked."""
    rows = []
    for field in FIELDS.get(kind, ()):
        value = payload.get(field.name)
        if value is None or value == "":
            continue
        if field.name == "account_number":
            shown = mask_account_number(str(value))
        elif field.name == "id_number":
            shown = mask_id_number(str(value))
        elif field.type == BOOL:
            shown = "Có" if value else "Không"
        elif field.type == CHOICE:
            shown = dict(field.choices).get(str(value), str(value))
        elif field.type == DATE:
            shown = f"{dt.date.fromisoformat(value):%d/%m/%Y}"
        elif field.type == PARTIAL_DATE:
            day = dt.date.fromisoformat(value)
            precision = payload.get("birth_date_precision", "day")
            shown = {"year": f"{day:%Y}", "month": f"{day:%m/%Y}"}.get(precision, f"{day:%d/%m/%Y}")
        elif field.type == ID:
            shown = f"số {value}"
        else:
            shown = str(value)
        rows.append((field.label, shown))
    return rows


def payload_for_audit(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as the audit trail keeps it: the account number masked."""
    data = dict(payload)
    if "account_number" in data:
        data["account_number"] = mask_account_number(data["account_number"])
    return data
