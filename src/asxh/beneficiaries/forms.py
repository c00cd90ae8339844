import datetime as dt

from django import forms

from asxh.beneficiaries.models import DatePrecision, Sex


class PersonEditForm(forms.Form):
    """The person's own fields; every change needs a reason."""

    full_name = forms.CharField(label="Họ và tên", max_length=150)
    birth_date = forms.DateField(
        label="Ngày sinh",
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    birth_date_precision = forms.ChoiceField(label="Ngày sinh ghi", choices=DatePrecision.choices)
    sex = forms.ChoiceField(label="Giới tính", choices=Sex.choices)
    id_number = forms.CharField(label="Số định danh/CCCD", max_length=12, required=False)
    village = forms.CharField(label="Thôn/ấp/tổ dân phố", max_length=150, required=False)
    phone = forms.CharField(label="Điện thoại", max_length=15, required=False)
    ethnicity = forms.CharField(label="Dân tộc", max_length=50, required=False)
    reason = forms.CharField(
        label="Lý do thay đổi",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ví dụ: theo CCCD mới cấp ngày…; theo đối chiếu CSDL quốc gia về dân cư.",
    )

    def clean_birth_date(self) -> dt.date | None:
        return self.cleaned_data.get("birth_date")
