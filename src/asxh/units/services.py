"""Loading the administrative units and the old→new mapping from `vietnamadminunits`."""

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from django.db import models, transaction
from vietnamadminunits.database import query

from asxh.audit.services import audit_record
from asxh.units.models import (
    Commune,
    CommuneSuccession,
    LegacyCommune,
    LegacyDistrict,
    LegacyProvince,
    Province,
)


def _upsert(model: type[models.Model], rows: Iterable[dict[str, Any]], key: str) -> dict[str, int]:
    """Insert or update by a natural key; returns key → primary key."""
    objs = [model(**row) for row in rows]
    fields = [f for f in objs[0].__dict__ if not f.startswith("_") and f not in ("id", key)]
    model.objects.bulk_create(  # type: ignore[attr-defined]
        objs, update_conflicts=True, unique_fields=[key], update_fields=fields, batch_size=2000
    )
    return dict(model.objects.values_list(key, "pk"))  # type: ignore[attr-defined]


def _converter() -> dict[str, Any]:
    text = resources.files("vietnamadminunits").joinpath("data/converter_2025.json").read_text()
    return dict(json.loads(text))


def _new_units() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    rows = query(
        "SELECT DISTINCT provinceCode, province, provinceShort, provinceKey, wardCode, ward, "
        "wardShort, wardType, wardKey FROM admin_units ORDER BY wardCode"
    )
    province_ids = _upsert(
        Province,
        {
            r["provinceCode"]: {
                "code": r["provinceCode"],
                "name": r["province"],
                "short_name": r["provinceShort"],
                "key": r["provinceKey"],
            }
            for r in rows
        }.values(),
        "code",
    )
    commune_ids = _upsert(
        Commune,
        (
            {
                "code": r["wardCode"],
                "name": r["ward"],
                "short_name": r["wardShort"],
                "kind": r["wardType"],
                "key": r["wardKey"],
                "province_id": province_ids[r["provinceCode"]],
            }
            for r in rows
        ),
        "code",
    )
    by_key = {(r["provinceKey"], r["wardKey"]): commune_ids[r["wardCode"]] for r in rows}
    province_by_key = {r["provinceKey"]: province_ids[r["provinceCode"]] for r in rows}
    return province_by_key, by_key


def _legacy_units(new_province_by_key: dict[str, int]) -> dict[str, int]:
    """Loads the legacy units; returns 'province_district_ward' key → legacy commune id."""
    successor_key = {
        old: new for new, olds in _converter()["DICT_PROVINCE"].items() for old in olds
    }
    rows = query(
        "SELECT DISTINCT provinceCode, province, provinceKey, districtCode, district, districtKey, "
        "wardCode, ward, wardKey FROM admin_units_legacy WHERE wardCode IS NOT NULL "
        "ORDER BY wardCode"
    )
    province_ids = _upsert(
        LegacyProvince,
        {
            r["provinceCode"]: {
                "code": r["provinceCode"],
                "name": r["province"],
                "key": r["provinceKey"],
                "successor_id": new_province_by_key[successor_key[r["provinceKey"]]],
            }
            for r in rows
        }.values(),
        "code",
    )
    # Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Côn Đảo…) have no commune rows.
    district_rows = query(
        "SELECT DISTINCT provinceCode, districtCode, district, districtKey FROM admin_units_legacy"
    )
    district_ids = _upsert(
        LegacyDistrict,
        {
            r["districtCode"]: {
                "code": r["districtCode"],
                "name": r["district"],
                "key": r["districtKey"],
                "province_id": province_ids[r["provinceCode"]],
            }
            for r in district_rows
        }.values(),
        "code",
    )
    commune_ids = _upsert(
        LegacyCommune,
        (
            {
                "code": r["wardCode"],
                "name": r["ward"],
                "key": r["wardKey"],
                "district_id": district_ids[r["districtCode"]],
            }
            for r in rows
        ),
        "code",
    )
    return {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": commune_ids[r["wardCode"]]
        for r in rows
    }


def _successions(
    legacy_by_key: dict[str, int], new_by_key: dict[tuple[str, str], int]
) -> list[CommuneSuccession]:
    data = _converter()
    links: dict[tuple[int, int], bool] = {}
    for province_key, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            for old_key in old_keys:
                if old_key in legacy_by_key and (province_key, ward_key) in new_by_key:
                    links[(legacy_by_key[old_key], new_by_key[(province_key, ward_key)])] = True
    for province_key, olds in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            for part in parts:
                new_id = new_by_key.get((province_key, part["newWardKey"]))
                if old_key in legacy_by_key and new_id:
                    links[(legacy_by_key[old_key], new_id)] = bool(part["isDefaultNewWard"])
    return [
        CommuneSuccession(legacy_commune_id=old, commune_id=new, is_default=default)
        for (old, new), default in links.items()
    ]


@transaction.atomic
def units_load() -> dict[str, int]:
    """Idempotent: loading twice leaves the same rows."""
    province_by_key, new_by_key = _new_units()
    legacy_by_key = _legacy_units(province_by_key)
    successions = _successions(legacy_by_key, new_by_key)
    CommuneSuccession.objects.all().delete()
    CommuneSuccession.objects.bulk_create(successions, batch_size=2000)
    counts = {
        "provinces": Province.objects.count(),
        "communes": Commune.objects.count(),
        "legacy_provinces": LegacyProvince.objects.count(),
        "legacy_districts": LegacyDistrict.objects.count(),
        "legacy_communes": LegacyCommune.objects.count(),
        "successions": len(successions),
    }
    audit_record(actor=None, action="units.load", object_type="units", after=counts)
    return counts
