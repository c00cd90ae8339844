"""Small registries with known problems, for the scan's tests."""

import datetime as dt

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.beneficiaries.models import Beneficiary
from asxh.core.text import fold
from asxh.quality.models import Finding, FindingState
from asxh.quality.services import ScanResult, quality_scan
from conftest import make_user

TODAY = dt.date(2026, 11, 23)


def scan(user: User, commune: str = "") -> ScanResult:
    return quality_scan(actor=user, commune_code=commune, today=TODAY)


def plant(pk: int, **fields: object) -> None:
    """Leave a record as an old import would have (the services refuse such values)."""
    if "full_name" in fields:
        fields["name_folded"] = fold(str(fields["full_name"]))
    Beneficiary.objects.filter(pk=pk).update(**fields)


def open_kinds(pk: int) -> set[str]:
    return set(
        Finding.objects.filter(beneficiary_id=pk, state=FindingState.OPEN).values_list(
            "kind", flat=True
        )
    )


def officer_of(commune, username: str) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.COMMUNE_OFFICER, commune=commune, username=username)
