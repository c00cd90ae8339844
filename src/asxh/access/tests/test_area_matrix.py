"""Every role × every page × an area that is not the user's: nothing foreign is shown or changed."""

import pytest
from django.test import Client

from asxh.access.models import User
from asxh.access.roles import Capability, Role
from asxh.accounts.models import ReceivingAccount
from asxh.audit.models import AccessLog
from asxh.beneficiaries.models import Beneficiary
from conftest import COMMUNE_ROLES

pytestmark = pytest.mark.django_db


def _foreign_people(role: str, people: dict[str, int]) -> list[Beneficiary]:
    """People outside the user's area: a commune user's neighbour is foreign too."""
    keys = ["foreign", "neighbour"] if role in COMMUNE_ROLES else ["foreign"]
    return [Beneficiary.objects.get(pk=people[k]) for k in keys]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def data_q(url: str) -> str:
    return url.partition("?q=")[2]


def _pages_for(person: Beneficiary, account: ReceivingAccount) -> list[tuple[str, str, dict]]:
    return [
        ("get", "/", {}),
        ("get", "/doi-tuong/", {}),
        ("get", f"/doi-tuong/?commune={person.commune.code}", {}),
        ("get", f"/doi-tuong/?q={person.name_folded}", {}),
        ("get", f"/doi-tuong/?q={person.id_number}", {}),
        ("get", f"/doi-tuong/{person.pk}/", {}),
        ("get", f"/doi-tuong/{person.pk}/sua/", {}),
        (
            "post",
            f"/doi-tuong/{person.pk}/sua/",
            {
                "full_name": "Tên Bị Sửa",
                "sex": person.sex,
                "birth_date_precision": "day",
                "reason": "thử sửa ngoài địa bàn",
            },
        ),
        ("post", f"/doi-tuong/{person.pk}/so-dinh-danh/", {}),
        ("post", f"/doi-tuong/tai-khoan/{account.pk}/so-tai-khoan/", {}),
        ("get", "/nhat-ky/", {}),
    ]


@pytest.mark.parametrize("role", Role.values)
def test_no_page_shows_or_changes_a_foreign_person(role, users, people):
    user = users[role]
    client = _client(user)
    for person in _foreign_people(role, people):
        account = ReceivingAccount.objects.get(beneficiary=person)
        version = person.version
        for method, url, data in _pages_for(person, account):
            response = getattr(client, method)(url, data)
            # The search box echoes what the user typed; that is not data shown from the store.
            body = response.content.decode().replace(f'value="{data_q(url)}"', "")
            assert response.status_code in (200, 403, 404), (url, response.status_code)
            assert person.full_name not in body, (role, url)
            assert person.id_number not in body, (role, url)
            assert account.account_number not in body, (role, url)
        person.refresh_from_db()
        assert person.version == version and person.full_name != "Tên Bị Sửa"
    assert not AccessLog.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", Role.values)
def test_each_role_sees_its_own_area_as_its_role_allows(role, users, people):
    user = users[role]
    client = _client(user)
    own = Beneficiary.objects.get(pk=people["home"])
    listing = client.get("/doi-tuong/")
    detail = client.get(f"/doi-tuong/{own.pk}/")
    if user.can(Capability.VIEW_BENEFICIARIES):
        assert listing.status_code == 200 and own.full_name in listing.content.decode()
        assert detail.status_code == 200
        # Lists and detail pages show the ID masked.
        assert own.id_number not in listing.content.decode()
        assert own.id_number not in detail.content.decode()
    else:
        assert listing.status_code == 403 and detail.status_code == 403
    home = client.get("/")
    assert home.status_code == 200


def test_home_totals_count_only_the_users_area(users, people):
    officer = users[Role.COMMUNE_OFFICER]
    province_user = users[Role.PROVINCE]
    assert _client(officer).get("/").context["summary"].total == 1
    assert _client(province_user).get("/").context["summary"].total == 2


def test_officer_edit_in_own_commune_is_saved_with_history(officer, people):
    client = _client(officer)
    person = Beneficiary.objects.get(pk=people["home"])
    before = person.version
    response = client.post(
        f"/doi-tuong/{person.pk}/sua/",
        {
            "full_name": "Nguyễn Thị Hòa",
            "birth_date": "05/03/1955",
            "birth_date_precision": "day",
            "sex": "F",
            "id_number": person.id_number,
            "phone": "01689123456",
            "village": person.village,
            "reason": "Theo CCCD",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "0389123456"  # the 2018 conversion of 11-digit mobiles
    assert person.version == before + 1
    latest, previous = person.revisions.all()[:2]
    assert (latest.version, latest.data["full_name"], latest.reason) == (
        before + 1,
        "Nguyễn Thị Hòa",
        "Theo CCCD",
    )
    assert previous.data["full_name"] == "Nguyễn Thị Hoà" and previous.data["phone"] == "0912345678"


def test_reveal_in_own_area_is_logged(officer, people):
    person = Beneficiary.objects.get(pk=people["home"])
    response = _client(officer).post(f"/doi-tuong/{person.pk}/so-dinh-danh/")
    assert person.id_number in response.content.decode()
    log = AccessLog.objects.get(user=officer)
    assert (log.object_id, log.field, log.channel) == (str(person.pk), "id_number", "web")


def test_provider_may_see_an_account_number_but_not_an_id_number(users, people):
    client = _client(users[Role.PROVIDER])
    person = Beneficiary.objects.get(pk=people["home"])
    account = ReceivingAccount.objects.get(beneficiary=person)
    assert client.post(f"/doi-tuong/{person.pk}/so-dinh-danh/").status_code == 403
    shown = client.post(f"/doi-tuong/tai-khoan/{account.pk}/so-tai-khoan/").content.decode()
    assert account.account_number in shown


def test_inactive_user_sees_nothing(users, people):
    officer = users[Role.COMMUNE_OFFICER]
    client = _client(officer)
    officer.is_active = False
    officer.save()
    assert client.get("/doi-tuong/").status_code in (302, 403)
