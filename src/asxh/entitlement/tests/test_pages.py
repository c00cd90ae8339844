"""The rate pages, the calculator and a person's amounts, by role and area; the CLI calculator."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from asxh.access.roles import Capability, Role
from asxh.audit.models import AccessLog
from asxh.entitlement.models import RateEntry

pytestmark = pytest.mark.django_db

ELDERLY = {
    "birth_date": "10/08/1944",
    "group": "btxh_nct_ngheo_khong_nguoi_phung_duong",
    "start": "01/2024",
    "month_from": "06/2024",
    "month_to": "08/2024",
}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_calculator_prices_months_and_says_why(officer):
    page = _client(officer).get("/che-do/tinh-thu/", ELDERLY)
    body = page.content.decode()
    assert page.status_code == 200
    # 360.000 × 1,5 before 1/7/2024, 500.000 × 1,5 after, × 2,0 from the 80th birthday month.
    for amount in ("540.000 đ", "750.000 đ", "1.000.000 đ", "2.290.000 đ"):
        assert amount in body
    assert "Tuổi tính trong 08/2024: 80" in body
    assert "NĐ 76/2024/NĐ-CP" in body


def test_the_calculator_explains_bad_input_in_vietnamese(officer):
    page = _client(officer).get("/che-do/tinh-thu/", {**ELDERLY, "birth_date": "31/02/1944"})
    assert "Ngày sinh &#x27;31/02/1944&#x27; không có thật" in page.content.decode()
    page = _client(officer).get("/che-do/tinh-thu/", {**ELDERLY, "month_to": "01/2024"})
    assert "Tháng kết thúc trước tháng bắt đầu" in page.content.decode()


def test_pages_need_a_login():
    assert Client().get("/che-do/tinh-thu/").status_code == 302
    assert Client().get("/che-do/").status_code == 302


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads_the_rates_and_only_rate_managers_add(role, users, areas):
    user = users[role]
    client = _client(user)
    page = client.get("/che-do/?ma=btxh.base")
    assert page.status_code == 200 and "500.000 đ" in page.content.decode()
    assert ('data-testid="add-rates"' in page.content.decode()) == user.can(Capability.MANAGE_RATES)
    row = {
        "key": "btxh.base",
        "value": "560000",
        "unit": "vnd",
        "from": "2026-09-01",
        "scope": areas.province.code,
        "source": "Nghị quyết HĐND",
        "reason": "Nghị quyết HĐND tỉnh",
    }
    response = client.post("/che-do/them/", row)
    stored = RateEntry.objects.filter(value=560_000).exists()
    if user.can(Capability.MANAGE_RATES):
        assert response.status_code == 302 and stored
    else:
        assert response.status_code == 403 and not stored


def test_a_rate_file_with_a_bad_row_stores_nothing_and_says_where(users):
    client = _client(users[Role.PROVINCE])
    text = "key,value,unit,from,until,scope,source\nbtxh.base,5x0000,vnd,2026-09-01,,91,NQ\n"
    upload = SimpleUploadedFile("muc.csv", text.encode())
    before = RateEntry.objects.count()
    page = client.post("/che-do/them/", {"file": upload, "reason": "NQ"}, follow=True)
    assert "Dòng 2, cột &#x27;value&#x27;" in page.content.decode()
    assert RateEntry.objects.count() == before


def test_a_person_amounts_page_is_scoped_and_logged(users, people):
    officer = users[Role.COMMUNE_OFFICER]
    page = _client(officer).get(f"/che-do/doi-tuong/{people['home']}/?tu=01/2026&den=03/2026")
    assert page.status_code == 200 and "Tổng cộng 3 tháng" in page.content.decode()
    assert AccessLog.objects.filter(user=officer, field="entitlement").count() == 1
    assert _client(officer).get(f"/che-do/doi-tuong/{people['foreign']}/").status_code == 404
    for user in users.values():
        if not user.can(Capability.VIEW_BENEFICIARIES):
            assert _client(user).get(f"/che-do/doi-tuong/{people['home']}/").status_code == 403


def test_policy_evaluate_prints_amounts_and_explanations(tmp_path):
    cases = {
        "cases": [
            {
                "id": "nkt",
                "person": {"birth_date": "1990"},
                "enrolments": [
                    {"group": "btxh_khuyet_tat", "start": "2024-06", "disability_level": "severe"}
                ],
                "months": {"from": "2024-06", "to": "2024-07"},
            }
        ]
    }
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    out = io.StringIO()
    call_command("policy", "evaluate", str(path), stdout=out)
    answer = json.loads(out.getvalue())
    months = answer["cases"][0]["months"]
    assert [m["total"] for m in months] == [540_000, 750_000]
    assert "360.000 đ × 1,5 = 540.000 đ" in months[0]["lines"][0]["explanation"]
    cases["cases"].append({"id": "xau", "person": {}, "enrolments": [], "months": ["13/2024"]})
    path.write_text(json.dumps(cases), encoding="utf-8")
    with pytest.raises(CommandError, match="1 trường hợp không tính được"):
        call_command("policy", "evaluate", str(path), stdout=io.StringIO(), stderr=io.StringIO())
