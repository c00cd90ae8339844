"""Seeding the registry: set-based writes, determinism, defects recorded, one audit event."""

import json
import unicodedata
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.db.models import F

from asxh.accounts.models import ReceivingAccount
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.logic import id_number_problems, phone_problems
from asxh.beneficiaries.models import (
    Beneficiary,
    BeneficiaryRevision,
    Enrolment,
    Payee,
    PaymentMethodRegistration,
    Programme,
)
from asxh.beneficiaries.services import revision_data
from asxh.core.bulk import bulk_insert, reserve_ids
from asxh.core.text import fold
from asxh.synthetic.models import SeedDefect
from asxh.synthetic.services import seed_province
from asxh.units.models import Commune

pytestmark = pytest.mark.django_db

PROVINCE = "91"


def communes(n: int = 6) -> list[str]:
    codes = Commune.objects.filter(province__code=PROVINCE).order_by("code")
    return list(codes.values_list("code", flat=True)[:n])


def seed(n: int = 1_500, seed: int = 1, defect_rate: float = 0.0, **kwargs) -> dict[str, int]:
    kwargs.setdefault("commune_codes", communes())
    return seed_province(
        province_code=PROVINCE, beneficiaries=n, seed=seed, defect_rate=defect_rate, **kwargs
    )


def person_rows(ids=None) -> list[tuple]:
    """What makes a person the same person, without the database ids."""
    qs = Beneficiary.objects.order_by("id")
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return list(
        qs.values_list(
            "full_name", "birth_date", "sex", "id_number", "commune__code", "village", "phone"
        )
    )


def test_bulk_insert_round_trip_keeps_awkward_text_and_types():
    rows = [
        ("tab\tand\nnewline", "back\\slash \\N", True),
        ("Nguyễn Thị Đào", "quote \" ' ; --", False),
        ("NguyÔn", "\xad soft hyphen, \r return", True),
    ]
    with transaction.atomic():
        first = reserve_ids(Programme, len(rows))
        written = bulk_insert(
            Programme,
            ["id", "code", "name", "legal_basis", "is_one_off"],
            [(first + i, f"bulk-{i}", *row) for i, row in enumerate(rows)],
        )
    assert written == 3
    stored = Programme.objects.filter(code__startswith="bulk-").order_by("id")
    assert [p.pk for p in stored] == [first, first + 1, first + 2]
    assert [(p.name, p.legal_basis, p.is_one_off) for p in stored] == rows


def test_reserved_ids_are_not_handed_out_again():
    with transaction.atomic():
        first = reserve_ids(Programme, 10)
        columns = ["id", "code", "name", "legal_basis", "is_one_off"]
        bulk_insert(Programme, columns, [(first, "reserved-0", "a", "", False)])
    later = Programme.objects.create(code="after-reserve", name="b")
    assert later.pk >= first + 10 or later.pk < first
    with transaction.atomic():
        assert reserve_ids(Programme, 1) > max(later.pk, first)


def test_bulk_writes_refuse_to_run_outside_a_transaction(monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with pytest.raises(RuntimeError):
        reserve_ids(Programme, 1)
    with pytest.raises(RuntimeError):
        bulk_insert(Programme, ["code"], [("outside",)])


def test_seeding_writes_each_person_with_their_records():
    counts = seed(n=1_500)
    assert counts["beneficiaries"] == Beneficiary.objects.count() == 1_500
    assert counts["revisions"] == BeneficiaryRevision.objects.count() == 1_500
    assert counts["enrolments"] == Enrolment.objects.count() >= 1_500
    assert counts["payees"] == Payee.objects.count() >= 1_500
    assert counts["registrations"] == PaymentMethodRegistration.objects.count() == 1_500
    assert counts["accounts"] == ReceivingAccount.objects.count() > 400
    for person in Beneficiary.objects.prefetch_related("method_registrations")[:300]:
        assert person.name_folded == fold(person.full_name)
        assert phone_problems(person.phone) == []  # old 11-digit numbers were converted
        assert person.method_registrations.get().method == person.payment_method
    assert not Enrolment.objects.filter(beneficiary__isnull=True).exists()


def test_revision_one_holds_the_snapshot_the_registry_would_write():
    seed(n=300)
    for revision in BeneficiaryRevision.objects.select_related("beneficiary__commune")[:300]:
        assert revision.version == 1 and revision.reason == "Dữ liệu mô phỏng"
        assert revision.changed_by is None
        assert revision.data == revision_data(revision.beneficiary)


def test_accounts_belong_to_the_payee_in_force():
    seed(n=1_000)
    for account in ReceivingAccount.objects.select_related("payee", "institution")[:300]:
        assert account.payee.beneficiary_id == account.beneficiary_id
        assert account.payee.kind != "authorised"
        assert account.institution.bin == account.institution.bin.strip()


def test_same_seed_gives_same_people():
    seed(n=800, seed=42, defect_rate=0.05)
    first = person_rows()
    ids = set(Beneficiary.objects.values_list("id", flat=True))
    seed(n=800, seed=42, defect_rate=0.05)
    again = person_rows(set(Beneficiary.objects.values_list("id", flat=True)) - ids)
    assert again == first


def test_seeding_twice_with_different_seeds_adds_rows_without_id_clashes():
    seed(n=700, seed=1)
    seed(n=700, seed=2)
    assert Beneficiary.objects.count() == 1_400
    assert Payee.objects.values("id").distinct().count() == Payee.objects.count()
    # every child row points at a person of its own run: payees and people were paired up
    mismatched = PaymentMethodRegistration.objects.exclude(
        payee__beneficiary_id=F("beneficiary_id")
    )
    assert not mismatched.exists()


def test_people_are_spread_unevenly_over_the_chosen_communes():
    chosen = communes(5)
    seed(n=2_000, commune_codes=chosen)
    sizes = Counter(Beneficiary.objects.values_list("commune__code", flat=True))
    assert set(sizes) == set(chosen)
    assert max(sizes.values()) > 1.3 * min(sizes.values())


def test_defects_are_recorded_with_their_kind_and_really_present():
    seed(n=3_000, seed=9, defect_rate=0.05)
    defects = list(SeedDefect.objects.select_related("beneficiary"))
    assert 100 < len(defects) < 200
    kinds = Counter(d.kind for d in defects)
    assert len(kinds) == 6
    for defect in defects:
        person = defect.beneficiary
        assert person.birth_date is not None  # every seeded person has one
        year = person.birth_date.year
        problems = id_number_problems(person.id_number, sex=person.sex, birth_year=year)
        assert defect.seed == 9
        if defect.kind in ("id_birth_year", "id_sex"):
            assert problems
        elif defect.kind == "duplicate_person":
            original = Beneficiary.objects.get(pk=defect.detail["original"])
            assert original.pk < person.pk and original.commune_id != person.commune_id
            assert (original.full_name, original.birth_date, original.id_number) == (
                person.full_name,
                person.birth_date,
                person.id_number,
            )
        elif defect.kind == "dead_but_active":
            assert person.death_date and person.status == "active"
        elif defect.kind == "decomposed_unicode":
            assert unicodedata.normalize("NFC", person.full_name) != person.full_name
        else:
            assert person.full_name != defect.detail["unicode"]


def test_one_audit_event_per_run_with_the_counts():
    before = AuditEvent.objects.filter(action="synthetic.seed").count()
    counts = seed(n=500, defect_rate=0.02)
    events = AuditEvent.objects.filter(action="synthetic.seed")
    assert events.count() == before + 1
    event = events.latest("id")
    assert event.actor is None and event.object_id == PROVINCE
    after = event.after
    assert after is not None
    assert after["beneficiaries"] == counts["beneficiaries"] == 500
    assert after["defects"] == counts["defects"]


def test_progress_is_reported_per_chunk(monkeypatch):
    monkeypatch.setattr("asxh.synthetic.services.CHUNK", 200)
    seen: list[int] = []
    seed(n=500, progress=seen.append)
    assert seen == [200, 400, 500]


def test_seed_command_prints_json_counts(capsys):
    call_command(
        "seed", "--province", PROVINCE, "--beneficiaries", "300", "--seed", "3",
        "--defect-rate", "0.05", "--commune", *communes(3), "--json",
    )  # fmt: skip
    out = capsys.readouterr()
    summary = json.loads(out.out)
    assert summary["beneficiaries"] == 300 and "seconds" in summary
    assert "300/300" in out.err
    assert set(Beneficiary.objects.values_list("commune__code", flat=True)) <= set(communes(3))


def test_seed_command_refuses_an_unknown_province_or_commune():
    with pytest.raises(CommandError, match="99"):
        call_command("seed", "--province", "99", "--beneficiaries", "10", "--seed", "1")
    with pytest.raises(CommandError, match="00001"):
        call_command(
            "seed", "--province", PROVINCE, "--beneficiaries", "10", "--seed", "1",
            "--commune", "00001",
        )  # fmt: skip
    assert not Beneficiary.objects.exists()
