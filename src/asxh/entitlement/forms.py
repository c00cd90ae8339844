"""The calculator's form: a hypothetical person and enrolment, and the months to price."""

import datetime as dt
from typing import Any

from django import forms

from asxh.beneficiaries.models import DisabilityLevel, HouseholdPoverty
from asxh.beneficiaries.reference import GROUPS
from asxh.entitlement.engine import CARE_KINDS, RULES, Enrolment, Person
from asxh.entitlement.months import month_parse
from asxh.intake.normalise import CellError, birth_date

GROUP_CHOICES = [(code, name) for _, code, name, _ in GROUPS if code in RULES]
MAX_MONTHS = 60


def _month(text: str) -> int:
    try:
        return month_parse(text)
    except ValueError as error:
        raise forms.ValidationError(str(error)) from None


class CalculatorForm(forms.Form):
    birth_date = forms.CharField(
        label="Ngày sinh", max_length=12, help_text="dd/mm/yyyy, mm/yyyy hoặc chỉ năm yyyy"
    )
    death_date = forms.CharField(label="Ngày chết (nếu có)", max_length=10, required=False)
    province = forms.CharField(label="Mã tỉnh (mức riêng của tỉnh)", max_length=2, required=False)
    group = forms.ChoiceField(label="Nhóm đối tượng", choices=GROUP_CHOICES)
    group2 = forms.ChoiceField(
        label="Thuộc thêm nhóm (nếu có)", choices=[("", "—"), *GROUP_CHOICES], required=False
    )
    start = forms.CharField(label="Hưởng từ tháng (quyết định)", max_length=7, help_text="mm/yyyy")
    end = forms.CharField(label="Đến hết tháng (nếu có)", max_length=7, required=False)
    disability_level = forms.ChoiceField(
        label="Mức độ khuyết tật", choices=DisabilityLevel.choices, required=False
    )
    household_poverty = forms.ChoiceField(
        label="Hộ nghèo/cận nghèo", choices=HouseholdPoverty.choices, required=False
    )
    in_education = forms.BooleanField(label="Đang đi học", required=False)
    impairment_percent = forms.IntegerField(
        label="Tỷ lệ tổn thương cơ thể (%)", min_value=1, max_value=100, required=False
    )
    martyr_count = forms.IntegerField(label="Số liệt sĩ", min_value=1, max_value=20, required=False)
    children = forms.IntegerField(
        label="Số con đang nuôi (đơn thân) / dưới 36 tháng (Điều 20)",
        min_value=0,
        max_value=20,
        required=False,
    )
    pregnant = forms.BooleanField(label="Đang mang thai", required=False)
    care_kind = forms.ChoiceField(
        label="Loại hỗ trợ chăm sóc (Điều 20)",
        choices=[("", "—"), *CARE_KINDS.items()],
        required=False,
    )
    cared_birth_date = forms.CharField(
        label="Ngày sinh người được nhận nuôi", max_length=12, required=False
    )
    month_from = forms.CharField(label="Tính từ tháng", max_length=7, help_text="mm/yyyy")
    month_to = forms.CharField(label="Đến tháng", max_length=7, help_text="mm/yyyy")

    def _date(self, name: str) -> tuple[dt.date, str] | None:
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            found = birth_date(text, dt.date(2200, 1, 1))
        except CellError as error:
            raise forms.ValidationError(f"{error.message} {error.fix}") from None
        return (found.value, found.precision) if found else None

    def clean_birth_date(self) -> tuple[dt.date, str] | None:
        return self._date("birth_date")

    def clean_death_date(self) -> dt.date | None:
        found = self._date("death_date")
        if found and found[1] != "day":
            raise forms.ValidationError("Ghi đủ ngày chết dạng dd/mm/yyyy.")
        return found[0] if found else None

    def clean_cared_birth_date(self) -> dt.date | None:
        found = self._date("cared_birth_date")
        return found[0] if found else None

    def clean_start(self) -> int:
        return _month(self.cleaned_data["start"])

    def clean_end(self) -> int | None:
        return _month(self.cleaned_data["end"]) if self.cleaned_data.get("end") else None

    def clean_month_from(self) -> int:
        return _month(self.cleaned_data["month_from"])

    def clean_month_to(self) -> int:
        return _month(self.cleaned_data["month_to"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("month_from"), data.get("month_to")
        if first is not None and last is not None:
            if last < first:
                self.add_error("month_to", "Tháng kết thúc trước tháng bắt đầu.")
            elif last - first >= MAX_MONTHS:
                self.add_error("month_to", f"Tính tối đa {MAX_MONTHS} tháng mỗi lần.")
        return data

    def case(self) -> tuple[Person, list[Enrolment], range]:
        d = self.cleaned_data
        born = d["birth_date"]
        person = Person(
            birth_date=born[0] if born else None,
            birth_precision=born[1] if born else "day",
            death_date=d["death_date"],
            province=d["province"].strip(),
        )
        terms = {
            "disability_level": d["disability_level"] or "",
            "household_poverty": d["household_poverty"] or "",
            "in_education": d["in_education"],
            "hiv_positive": False,
            "impairment_percent": d["impairment_percent"],
            "martyr_count": d["martyr_count"],
            "children": d["children"],
            "pregnant": d["pregnant"],
            "care_kind": d["care_kind"] or "",
            "cared_birth_date": d["cared_birth_date"],
        }
        groups = [d["group"], *([d["group2"]] if d.get("group2") else [])]
        enrolments = [Enrolment(g, d["start"], d["end"], **terms) for g in groups]
        return person, enrolments, range(d["month_from"], d["month_to"] + 1)
