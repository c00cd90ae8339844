"""The scan's pure checks, on plain records."""

import datetime as dt
import unicodedata
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from asxh.beneficiaries.logic import ID_PROVINCE_CODES, id_number_century_digit, id_number_problems
from asxh.core.vietnamese import legacy_encode
from asxh.quality import logic
from asxh.quality.logic import (
    AccountRecord,
    Candidate,
    DupRecord,
    Found,
    IdHolder,
    PersonRecord,
    Planted,
)
from asxh.quality.models import FindingKind

BIRTH = dt.date(1955, 3, 5)


def person(**changes) -> PersonRecord:
    base = PersonRecord(
        id=1,
        commune_id=10,
        full_name="Nguyễn Thị Hoà",
        name_folded="nguyen thi hoa",
        birth_date=BIRTH,
        birth_date_precision="day",
        sex="F",
        id_number="091155012345",
        phone="0912345678",
        status="active",
        status_since=dt.date(2025, 7, 1),
        death_date=None,
        payment_method="account",
    )
    return base._replace(**changes)


def kinds(problems) -> list[str]:
    return sorted(p.kind for p in problems)


def test_kind_constants_are_the_models_choices():
    assert set(FindingKind.values) > logic.SCAN_KINDS
    assert set(logic.DEFECT_OF_KIND) <= logic.SCAN_KINDS


# --- Identity --------------------------------------------------------------------------------


def test_a_consistent_number_has_no_problem():
    assert logic.identity_problems(person()) == []


def test_a_number_for_the_other_sex_is_an_id_sex_problem():
    found = logic.identity_problems(person(id_number="091055012345"))
    assert kinds(found) == [logic.ID_SEX]
    assert "giới tính" in found[0].detail["problems"][0]


def test_a_number_for_another_year_is_an_id_birth_year_problem():
    assert kinds(logic.identity_problems(person(id_number="091157012345"))) == [logic.ID_BIRTH_YEAR]


def test_a_number_of_another_century_is_a_birth_year_problem():
    assert kinds(logic.identity_problems(person(id_number="091355012345"))) == [logic.ID_BIRTH_YEAR]


def test_an_unknown_province_code_is_invalid():
    assert kinds(logic.identity_problems(person(id_number="099155012345"))) == [logic.ID_INVALID]


def test_a_nine_digit_cmnd_is_legacy_and_unreliable():
    p = person(id_number="123456789")
    found = logic.identity_problems(p)
    assert kinds(found) == [logic.ID_LEGACY]
    assert not logic.id_reliable(p, found)
    assert logic.id_reliable(person(), [])


def test_the_key_changes_with_the_number_and_not_between_scans():
    a = logic.identity_problems(person(id_number="091055012345"))[0]
    b = logic.identity_problems(person(id_number="091055012345"))[0]
    c = logic.identity_problems(person(id_number="091055099999"))[0]
    assert a.key == b.key != c.key
    assert a.key.startswith("scan:1:") and "091055012345" not in a.key


sexes = st.sampled_from("MF")
years = st.integers(1900, 2099)
serials = st.integers(0, 999_999)
provinces = st.sampled_from(sorted(ID_PROVINCE_CODES))


@given(provinces, sexes, years, serials)
def test_a_number_made_for_the_person_never_has_a_problem(code, sex, year, serial):
    number = f"{code}{id_number_century_digit(sex, year)}{year % 100:02d}{serial:06d}"
    p = person(id_number=number, sex=sex, birth_date=dt.date(year, 1, 1))
    assert logic.identity_problems(p) == []


@given(provinces, sexes, years, serials)
def test_flipping_the_sex_digit_is_exactly_an_id_sex_problem(code, sex, year, serial):
    digit = int(id_number_century_digit(sex, year)) ^ 1
    number = f"{code}{digit}{year % 100:02d}{serial:06d}"
    p = person(id_number=number, sex=sex, birth_date=dt.date(year, 6, 1))
    assert kinds(logic.identity_problems(p)) == [logic.ID_SEX]


@given(provinces, sexes, years, st.integers(1, 99), serials)
def test_shifting_the_year_digits_is_exactly_a_birth_year_problem(code, sex, year, shift, serial):
    yy = (year + shift) % 100
    number = f"{code}{id_number_century_digit(sex, year)}{yy:02d}{serial:06d}"
    p = person(id_number=number, sex=sex, birth_date=dt.date(year, 6, 1))
    assert kinds(logic.identity_problems(p)) == [logic.ID_BIRTH_YEAR]


@given(st.from_regex(r"\A[0-9]{12}\Z"), sexes, years)
def test_kinds_are_found_exactly_when_id_number_problems_has_messages(number, sex, year):
    messages = id_number_problems(number, sex=sex, birth_year=year)
    found = logic.identity_kinds(number, sex=sex, birth_year=year)
    assert bool(messages) == bool(found)


# --- Names -----------------------------------------------------------------------------------


def test_a_tcvn3_name_is_found_with_its_repair():
    p = person(full_name=legacy_encode("Nguyễn Văn Đức", "tcvn3"))
    found = logic.name_problem(p)
    assert found is not None and found.kind == logic.NAME_ENCODING
    assert found.detail == {"encoding": "tcvn3", "suggested": "Nguyễn Văn Đức"}


def test_a_vni_name_is_found():
    found = logic.name_problem(person(full_name=legacy_encode("Trần Thị Hương", "vni")))
    assert found is not None and found.detail["encoding"] == "vni"


def test_a_decomposed_name_is_found():
    found = logic.name_problem(person(full_name=unicodedata.normalize("NFD", "Lê Thị Ánh")))
    assert found is not None
    assert found.detail == {"encoding": "nfd", "suggested": "Lê Thị Ánh"}


@given(
    st.sampled_from(["Nguyễn Thị Hoà", "Thạch Sóc Kha", "José Müller", "Lò Văn Xôm", "Ksor H'Blin"])
)
def test_correct_names_are_left_alone(name):
    assert logic.name_problem(person(full_name=name)) is None


# --- What the cycle needs --------------------------------------------------------------------


def test_missing_fields_of_a_person_still_paid():
    p = person(birth_date=None, id_number="", payment_method="account")
    assert logic.missing_fields(p, has_payee=False, has_account=False) == [
        "birth_date",
        "id_number",
        "payee",
        "account",
    ]
    assert logic.missing_fields(person(payment_method=""), has_payee=True, has_account=False) == [
        "payment_method"
    ]
    assert logic.missing_fields(person(), has_payee=True, has_account=True) == []


def test_nothing_is_missing_for_someone_no_longer_paid():
    p = person(status="stopped", birth_date=None, id_number="")
    assert logic.missing_fields(p, has_payee=False, has_account=False) == []


def test_death_with_the_enrolment_ended_that_month_is_in_order():
    p = person(
        status="deceased", death_date=dt.date(2026, 5, 17), status_since=dt.date(2026, 5, 17)
    )
    assert logic.dead_problem(p, [dt.date(2026, 5, 1)]) is None
    assert logic.dead_problem(p, []) is None


def test_dead_with_an_open_or_later_enrolment_is_a_problem():
    p = person(death_date=dt.date(2026, 5, 17))  # recorded as dead, status still active
    found = logic.dead_problem(p, [None, dt.date(2026, 8, 1), dt.date(2026, 5, 1)])
    assert found is not None and found.kind == logic.DEAD_BUT_ENROLLED
    assert found.detail == {"status": "deceased", "date": "2026-05-17", "open_enrolments": 2}


def test_stopped_with_an_open_enrolment_is_a_problem():
    p = person(status="stopped", status_since=dt.date(2026, 2, 3))
    found = logic.dead_problem(p, [None])
    assert found is not None and found.detail["status"] == "stopped"
    assert logic.dead_problem(person(status="suspended"), [None]) is None


def test_holder_name_is_compared_folded():
    account = AccountRecord(1, 10, 7, "NGUYEN THI DAO", "Nguyễn Thị Đào")
    assert logic.holder_problem(account) is None
    assert logic.holder_problem(account._replace(holder_name="NGUYỄN THỊ ĐÀO")) is None
    wrong = logic.holder_problem(account._replace(holder_name="NGUYEN THI DAT"))
    assert wrong is not None and wrong.kind == logic.HOLDER_MISMATCH
    assert wrong.detail["account_id"] == 7


def test_person_problems_gathers_every_check():
    p = person(
        full_name=unicodedata.normalize("NFD", "Lê Thị Ánh"),
        id_number="091055012345",
        death_date=dt.date(2026, 1, 2),
    )
    identity = logic.identity_problems(p)
    found = logic.person_problems(p, identity, has_payee=False, has_account=True, end_months=[None])
    assert kinds(found) == sorted(
        [logic.ID_SEX, logic.NAME_ENCODING, logic.MISSING_FIELD, logic.DEAD_BUT_ENROLLED]
    )


# --- Duplicates ------------------------------------------------------------------------------


def test_exact_id_duplicates_name_each_other_for_records_in_scope():
    holders = [
        IdHolder(1, 10, "091155012345", True),
        IdHolder(2, 20, "091155012345", False),
        IdHolder(3, 10, "091155012345", True),
        IdHolder(4, 10, "091155099999", True),
    ]
    found = logic.exact_id_duplicates(holders)
    assert sorted((p.beneficiary_id, p.related_id) for p in found) == [
        (1, 2),
        (1, 3),
        (3, 1),
        (3, 2),
    ]
    assert {p.key for p in found if p.beneficiary_id == 1} == {"scan:1:2", "scan:1:3"}


def dup(pk, name="nguyen van hung", birth=BIRTH, precision="day", **kw) -> DupRecord:
    values = dict(
        id=pk,
        commune_id=10 + pk,
        name_folded=name,
        birth_date=birth,
        birth_date_precision=precision,
        sex="M",
        id_number="",
        phone="",
        reliable_id=False,
        in_scope=True,
    )
    values.update(kw)
    return DupRecord(**values)


def test_two_reliable_numbers_are_two_people():
    a = dup(1, id_number="091055012345", reliable_id=True)
    b = dup(2, id_number="091055012346", reliable_id=True)
    assert logic.possible_duplicates([a, b]) == []
    assert len(logic.possible_duplicates([a, b._replace(reliable_id=False)])) == 1


def test_a_left_out_middle_name_and_a_year_only_birth_still_match():
    a = dup(1, name="nguyen van hung")
    b = dup(2, name="nguyen hung", birth=dt.date(1955, 1, 1), precision="year")
    [found] = logic.possible_duplicates([a, b])
    assert found.score == 100


def test_different_birth_dates_or_middle_names_do_not_match():
    a = dup(1)
    assert logic.possible_duplicates([a, dup(2, birth=dt.date(1955, 3, 6))]) == []
    assert logic.possible_duplicates([a, dup(2, name="nguyen huu hung")]) == []
    assert logic.possible_duplicates([a, dup(2, sex="F")]) == []
    assert len(logic.possible_duplicates([a, dup(2, in_scope=False)])) == 1  # one side is enough
    both_outside = [dup(1, in_scope=False), dup(2, in_scope=False)]
    assert logic.possible_duplicates(both_outside) == []


def test_same_number_is_left_to_the_exact_check():
    a = dup(1, id_number="123456789")
    assert logic.possible_duplicates([a, dup(2, id_number="123456789")]) == []


dates = st.dates(dt.date(1950, 1, 1), dt.date(1951, 12, 31))
precisions = st.sampled_from(["day", "month", "year"])
records = st.lists(
    st.tuples(dates, precisions, st.booleans(), st.sampled_from(["nguyen van an", "nguyen an"])),
    max_size=12,
)


def _normalised(birth: dt.date, precision: str) -> dt.date:
    """What the registry stores for a partial date: the first of the month or year."""
    if precision == "year":
        return birth.replace(month=1, day=1)
    return birth.replace(day=1) if precision == "month" else birth


@given(records)
def test_blocking_finds_exactly_the_pairs_a_comparison_of_all_pairs_finds(rows):
    block = [
        dup(i, name=name, birth=_normalised(b, p), precision=p, reliable_id=r,
            id_number=f"0910550{i:05d}" if r else "")
        for i, (b, p, r, name) in enumerate(rows)
    ]  # fmt: skip
    found = {frozenset((c.a.id, c.b.id)) for c in logic.possible_duplicates(block)}
    expected = {
        frozenset((a.id, b.id))
        for i, a in enumerate(block)
        for b in block[i + 1 :]
        if not (a.reliable_id and b.reliable_id)
        and a.birth_date.year == b.birth_date.year
        and logic.births_compatible(a, b)
    }
    assert found == expected
    assert len(logic.possible_duplicates(block)) == len(found)  # each pair once


def test_a_candidate_needs_evidence_beyond_name_and_birth():
    a, b = dup(1), dup(2)
    candidate = Candidate(a, b, 100)
    assert logic.fuzzy_duplicates([candidate], {}) == []
    with_payee = {
        1: frozenset({"payee:le thi lan:091160000001"}),
        2: frozenset({"payee:le thi lan:091160000001"}),
    }
    found = logic.fuzzy_duplicates([candidate], with_payee)
    assert [(p.beneficiary_id, p.related_id) for p in found] == [(1, 2), (2, 1)]
    assert found[0].detail["evidence"] == ["payee"]
    same_phone = Candidate(a._replace(phone="0912345678"), b._replace(phone="0912345678"), 95)
    [one, _] = logic.fuzzy_duplicates([same_phone], {})
    assert one.kind == logic.DUPLICATE_PERSON and one.detail["evidence"] == ["phone"]


def test_only_the_side_in_scope_gets_a_problem():
    candidate = Candidate(
        dup(1, phone="0912345678"), dup(2, phone="0912345678", in_scope=False), 100
    )
    found = logic.fuzzy_duplicates([candidate], {})
    assert [(p.beneficiary_id, p.related_id, p.commune_id) for p in found] == [(1, 2, 11)]
    assert found[0].detail["related_commune_id"] == 12


# --- Messages and measurement ----------------------------------------------------------------


def test_every_kind_has_a_vietnamese_message():
    details: dict[str, dict[str, Any]] = {
        logic.DUPLICATE_PERSON: {"score": 96, "evidence": ["phone"]},
        logic.ID_SEX: {"problems": ["Chữ số thứ tư '0' không khớp giới tính."]},
        logic.NAME_ENCODING: {"encoding": "tcvn3", "suggested": "Lê Văn An"},
        logic.HOLDER_MISMATCH: {"holder_name": "LE VAN A", "payee_name": "Lê Văn An"},
        logic.DEAD_BUT_ENROLLED: {"status": "deceased", "date": "2026-05-17", "open_enrolments": 1},
        logic.MISSING_FIELD: {"field": "payee"},
        "police_mismatch": {
            "fields": {"birth": ["1955-03-05", "1955-03-06"], "id_number": ["0911", "0912"]},
            "note": "Sai ngày sinh",
            "checked_on": "2026-11-02",
        },
    }
    for kind in FindingKind.values:
        message = logic.finding_message(kind, details.get(kind, {}))
        assert message and message[0].isupper(), kind
    assert "05/2026" in logic.finding_message(
        logic.DEAD_BUT_ENROLLED, details[logic.DEAD_BUT_ENROLLED]
    )
    assert "“Lê Văn An”" in logic.finding_message(logic.NAME_ENCODING, details[logic.NAME_ENCODING])
    bank = {"outcome": "mismatch", "bank_name": "LE VAN B", "holder_name": "LE VAN A"}
    assert "“LE VAN B”" in logic.finding_message(logic.HOLDER_MISMATCH, bank)
    failed = logic.finding_message(logic.HOLDER_MISMATCH, {"outcome": "failed"})
    assert "không tồn tại" in failed
    police = logic.finding_message("police_mismatch", details["police_mismatch"])
    assert "ngày sinh, số định danh" in police and "02/11/2026" in police and "0911" not in police


def test_scores_count_either_record_of_a_planted_duplicate():
    planted = [
        Planted("duplicate_person", 11, 10),
        Planted("duplicate_person", 12, 10),  # the same original copied twice
        Planted("duplicate_person", 21, 20),
        Planted("id_sex", 30),
        Planted("legacy_encoding", 31),
    ]
    found = [
        Found(logic.DUPLICATE_ID, 10, 11),  # the original carries it: still right
        Found(logic.DUPLICATE_ID, 11, 12),  # two copies of one person: right
        Found(logic.DUPLICATE_PERSON, 20, 99),  # wrong pair
        Found(logic.ID_SEX, 30),
        Found(logic.ID_SEX, 32),  # not planted
        Found(logic.NAME_ENCODING, 31, encoding="tcvn3"),
        Found(logic.NAME_ENCODING, 33, encoding="nfd"),
        Found(logic.MISSING_FIELD, 30),  # no planted counterpart: not scored
    ]
    scores = {s.kind: s for s in logic.detection_scores(planted, found)}
    duplicates = scores["duplicate_person"]
    assert (duplicates.planted, duplicates.found, duplicates.true_positives) == (3, 3, 2)
    assert duplicates.recalled == 2  # 11 and 12; 21 was not found
    assert (scores["id_sex"].precision, scores["id_sex"].recall) == (0.5, 1.0)
    assert scores["legacy_encoding"].precision == 1.0
    assert scores["decomposed_unicode"].precision == 0.0
    assert scores["dead_but_active"].recall == 1.0  # nothing planted, nothing missed
