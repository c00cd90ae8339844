import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from asxh.units.models import (
    Commune,
    CommuneSuccession,
    LegacyCommune,
    LegacyDistrict,
    LegacyProvince,
    Province,
)
from asxh.units.services import units_load

pytestmark = pytest.mark.django_db


def test_both_unit_sets_are_loaded_in_full():
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    assert dict(Commune.objects.values_list("kind").annotate(n=Count("id")).order_by()) == {
        "Xã": 2621,
        "Phường": 687,
        "Đặc khu": 13,
    }
    assert LegacyProvince.objects.count() == 63
    assert LegacyDistrict.objects.count() == 696
    assert LegacyCommune.objects.count() >= 10_030


def test_every_legacy_commune_has_a_successor():
    assert not LegacyCommune.objects.filter(successions__isnull=True).exists()
    # A split commune has exactly one default successor.
    split = LegacyCommune.objects.filter(code="31268").get()
    assert split.successions.count() == 2 and split.successions.filter(is_default=True).count() == 1


def test_loading_twice_changes_nothing():
    before = (Commune.objects.count(), CommuneSuccession.objects.count())
    units_load()
    assert (Commune.objects.count(), CommuneSuccession.objects.count()) == before


def test_old_province_codes_reused_with_new_meaning():
    # 91 was Kiên Giang and is now An Giang; Kiên Giang's successor is the new An Giang.
    assert Province.objects.get(code="91").short_name == "An Giang"
    assert LegacyProvince.objects.get(code="91").successor.code == "91"
    assert LegacyProvince.objects.get(code="89").successor.code == "91"


def test_resolve_prints_the_new_commune(capsys):
    call_command("units", "resolve", "TT Núi Sập, Thoại Sơn, An Giang")
    out = capsys.readouterr().out
    assert "Thị trấn Núi Sập" in out and "Đơn vị mới: Xã Thoại Sơn, An Giang (mã 30682)" in out


def test_resolve_says_when_the_old_commune_was_split(capsys):
    call_command("units", "resolve", "Xã Tân Thạnh, Huyện Thới Lai, Cần Thơ", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["split"] is True and len(result["communes"]) == 2
    call_command("units", "resolve", "Xã Tân Thạnh, Huyện Thới Lai, Cần Thơ")
    assert "Không xác định duy nhất" in capsys.readouterr().out


def test_resolve_explains_an_address_it_cannot_read():
    with pytest.raises(CommandError, match="xã, huyện, tỉnh"):
        call_command("units", "resolve", "không phải địa chỉ")
