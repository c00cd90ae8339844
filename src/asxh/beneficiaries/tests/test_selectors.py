import pytest

from asxh.access.roles import Role
from asxh.beneficiaries.models import Beneficiary
from asxh.beneficiaries.selectors import BeneficiaryFilters, beneficiary_page
from asxh.core.text import fold

pytestmark = pytest.mark.django_db


def _walk(user, filters, size):  # type: ignore[no-untyped-def]
    seen, cursor = [], ""
    while True:
        page = beneficiary_page(user, filters, cursor=cursor, size=size)
        seen += [p.pk for p in page.rows]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


def test_keyset_pages_visit_everyone_once_in_name_order_even_with_equal_names(users, areas):
    names = [
        "Lê Văn Tám",
        "Nguyễn Thị Hoa",
        "Nguyễn Thị Hoa",
        "Nguyễn Thị Hoa",
        "Ánh",
        "Bùi Đức",
        "Nguyễn Thị Hoà",
    ]
    for commune in (areas.home, areas.foreign):
        for name in names:
            Beneficiary.objects.create(
                full_name=name, name_folded=fold(name), sex="F", commune=commune
            )
    officer = users[Role.COMMUNE_OFFICER]
    expected = list(
        Beneficiary.objects.filter(commune=areas.home)
        .order_by("name_folded", "id")
        .values_list("pk", flat=True)
    )
    for size in (1, 2, 3, 50):
        assert _walk(officer, BeneficiaryFilters(), size) == expected
    hoa = _walk(officer, BeneficiaryFilters(q="nguyen thi hoa"), 2)
    assert len(hoa) == 4
