"""The generator alone: pure, no database."""

import unicodedata
from collections import Counter
from itertools import chain

import pytest

from asxh.beneficiaries.logic import (
    ID_PROVINCE_CODES,
    id_number_problems,
    phone_normalise,
    phone_problems,
)
from asxh.beneficiaries.reference import GROUPS
from asxh.core.text import fold_upper
from asxh.synthetic.generator import (
    BANKS,
    DEFECT_KINDS,
    TCVN3,
    VIETNAMESE_LETTERS,
    CommuneSpec,
    Person,
    ProvinceSpec,
    generate,
    to_tcvn3,
)
from asxh.synthetic.models import DefectKind

AN_GIANG = ProvinceSpec(
    "91",
    tuple(
        CommuneSpec(f"3{i:04d}", "Phường" if i % 5 == 0 else "Xã", "89" if i < 30 else "91")
        for i in range(50)
    ),
)
HA_NOI = ProvinceSpec("01", tuple(CommuneSpec(f"0{i:04d}", "Xã", "01") for i in range(40)))
ID_DEFECTS = {"id_birth_year", "id_sex"}
NAME_DEFECTS = {"legacy_encoding", "decomposed_unicode"}


def people(spec=AN_GIANG, n=20_000, seed=7, defect_rate=0.0, batch_size=5_000):
    batches = list(
        generate(spec, count=n, seed=seed, defect_rate=defect_rate, batch_size=batch_size)
    )
    found = list(chain.from_iterable(b.people for b in batches))
    defects = {d.index: d for d in chain.from_iterable(b.defects for b in batches)}
    return found, defects


@pytest.fixture(scope="module")
def crowd() -> list[Person]:
    return people()[0]


@pytest.fixture(scope="module")
def flawed():
    return people(n=20_000, seed=11, defect_rate=0.05)


def test_same_seed_gives_same_people():
    first, _ = people(n=3_000, seed=5, defect_rate=0.05, batch_size=1_000)
    again, _ = people(n=3_000, seed=5, defect_rate=0.05, batch_size=700)
    assert first == again


def test_another_seed_gives_other_people():
    first, _ = people(n=200, seed=5)
    other, _ = people(n=200, seed=6)
    assert [p.full_name for p in first] != [p.full_name for p in other]


def test_ids_agree_with_sex_and_birth_year_except_planted_defects(flawed):
    crowd, defects = flawed
    for person in crowd:
        problems = id_number_problems(
            person.id_number, sex=person.sex, birth_year=person.birth_date.year
        )
        planted = person.index in defects and defects[person.index].kind in ID_DEFECTS
        assert bool(problems) == planted, (person, problems)


def test_ids_are_mostly_12_digits_of_the_birth_province(crowd):
    kinds = Counter(len(p.id_number) for p in crowd)
    assert 0.85 < kinds[12] / len(crowd) < 0.97
    assert 0.02 < kinds[9] / len(crowd) < 0.08  # legacy CMND
    assert 0.01 < kinds[0] / len(crowd) < 0.08  # blank
    twelve = [p.id_number for p in crowd if len(p.id_number) == 12]
    assert all(n[:3] in ID_PROVINCE_CODES for n in twelve)
    home = sum(n[:3] in ("089", "091") for n in twelve) / len(twelve)
    assert 0.85 < home < 0.97  # some were born in other provinces
    assert len(set(twelve)) == len(twelve)


def test_nguyen_is_about_38_percent_of_surnames():
    crowd, _ = people(spec=HA_NOI, n=20_000, seed=3)
    share = sum(p.full_name.split()[0] == "Nguyễn" for p in crowd) / len(crowd)
    assert 0.33 <= share <= 0.43


def test_south_writes_huynh_and_vo_north_hoang_and_vu(crowd):
    south = Counter(p.full_name.split()[0] for p in crowd)
    north = Counter(p.full_name.split()[0] for p in people(spec=HA_NOI, n=5_000)[0])
    assert south["Huỳnh"] > south["Hoàng"] and south["Võ"] > south["Vũ"]
    assert north["Hoàng"] > north["Huỳnh"] and north["Vũ"] > north["Võ"]


def test_about_15_percent_of_the_elderly_have_only_a_birth_year(crowd):
    elderly = [p for p in crowd if 2026 - p.birth_date.year >= 61]
    year_only = [p for p in elderly if p.birth_date_precision == "year"]
    assert 0.12 < len(year_only) / len(elderly) < 0.18
    assert all((p.birth_date.month, p.birth_date.day) == (1, 1) for p in year_only)
    month_only = [p for p in crowd if p.birth_date_precision == "month"]
    assert month_only and all(p.birth_date.day == 1 for p in month_only)


def test_ages_fit_social_assistance(crowd):
    ages = [2026 - p.birth_date.year for p in crowd]
    assert sum(a >= 80 for a in ages) / len(ages) > 0.3
    assert sum(a < 16 for a in ages) / len(ages) > 0.05
    assert max(ages) <= 107


def test_names_are_nfc_unless_a_defect_says_otherwise(flawed):
    crowd, defects = flawed
    for person in crowd:
        if person.index in defects and defects[person.index].kind in NAME_DEFECTS:
            continue
        assert unicodedata.is_normalized("NFC", person.full_name)
        assert all(unicodedata.is_normalized("NFC", p.full_name) for p in person.payees)


def test_group_mix_is_led_by_the_oldest_and_the_disabled(crowd):
    groups = Counter(e.group for p in crowd for e in p.enrolments)
    assert {g for g, _ in groups.most_common(2)} == {"btxh_nct_80", "btxh_khuyet_tat"}
    ncc = sum(n for g, n in groups.items() if g.startswith("ncc_")) / len(crowd)
    assert 0.2 < ncc < 0.3
    assert set(groups) <= {code for _, code, *_ in GROUPS}
    two = sum(len(p.enrolments) == 2 for p in crowd) / len(crowd)
    assert 0.01 < two < 0.06


def test_enrolment_attributes_fit_the_group(crowd):
    for person in crowd:
        age = 2026 - person.birth_date.year
        for e in person.enrolments:
            if e.group == "ncc_thuong_binh":
                assert 21 <= e.impairment_percent <= 100
            if e.group == "ncc_than_nhan_liet_si":
                assert e.martyr_count >= 1
            if e.group == "btxh_16_22_dang_hoc":
                assert e.in_education and 15 <= age <= 23
            if e.group == "btxh_khuyet_tat":
                assert e.disability_level in ("severe", "very_severe")
            if e.group == "btxh_hiv_ngheo":
                assert e.hiv_positive and e.household_poverty == "poor"
            if e.end_month is not None:
                assert e.end_month >= e.start_month and person.status in ("stopped", "deceased")


def test_payees_fit_the_person(crowd):
    for person in crowd:
        kinds = [p.kind for p in person.payees]
        groups = {e.group for e in person.enrolments}
        if "btxh_ho_cham_soc" in groups:
            assert kinds == ["caregiver"]
        elif 2026 - person.birth_date.year < 15:
            assert kinds == ["guardian"]
        if "authorised" in kinds:
            authorised = person.payees[-1]
            assert kinds == ["self", "authorised"] and authorised.valid_to > authorised.valid_from
    assert Counter(k for p in crowd for k in (q.kind for q in p.payees))["authorised"] > 100


def test_payment_methods_are_about_45_45_10(crowd):
    methods = Counter(p.payment_method for p in crowd)
    assert 0.40 < methods["cash"] / len(crowd) < 0.52
    assert 0.38 < methods["account"] / len(crowd) < 0.52
    assert 0.07 < methods["no_account"] / len(crowd) < 0.13
    at_home = [p for p in crowd if p.registration.cash_at_home]
    assert at_home and all(p.payment_method == "cash" for p in at_home)
    assert all((p.account is not None) == (p.payment_method == "account") for p in crowd)


def test_accounts_look_like_their_banks(crowd):
    accounts = [p.account for p in crowd if p.account]
    lengths = {bank.bin: bank.length for bank in BANKS.values()}
    for person in (p for p in crowd if p.account):
        account = person.account
        holder = person.payees[account.payee]
        assert account.holder_name in (holder.full_name.upper(), fold_upper(holder.full_name))
        if account.kind == "mobile_money":
            assert account.bin in ("971005", "971011") and len(account.account_number) == 10
        else:
            assert len(account.account_number) == lengths[account.bin]
    bins = Counter(a.bin for a in accounts)
    assert {b for b, _ in bins.most_common(2)} == {"970405", "999888"}  # Agribank, VBSP


def test_phones_are_mostly_valid_mobiles_some_old_11_digit_some_blank(crowd):
    phones = Counter(len(p.phone) for p in crowd)
    assert 0.6 < phones[10] / len(crowd) < 0.9
    assert 0.02 < phones[11] / len(crowd) < 0.07
    assert phones[0] > 0 and set(phones) == {0, 10, 11}
    for phone in (p.phone for p in crowd if p.phone):
        assert phone_problems(phone_normalise(phone)) == []
        assert phone[:3] in ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096",
                             "097", "098", "081", "082", "083", "084", "085", "088", "091", "094",
                             "070", "076", "077", "078", "079", "089", "090", "093", "052", "056",
                             "058", "092", "059", "099") or phone[:3] in ("016", "012", "018", "019")  # fmt: skip


def test_ethnic_minorities_appear_where_they_live(crowd):
    ethnic = Counter(p.ethnicity for p in crowd)
    assert 0.8 < ethnic["Kinh"] / len(crowd) < 0.97
    assert ethnic["Khmer"] > ethnic["Hoa"] > 0
    assert ethnic["Chăm"] > 0  # An Giang's Chăm community


def test_villages_are_hamlets_and_street_groups(crowd):
    prefixes = Counter(p.village.split()[0] for p in crowd)
    assert set(prefixes) <= {"Ấp", "Khu"}  # southern: Ấp …, Khu phố …
    north = Counter(p.village.split()[0] for p in people(spec=HA_NOI, n=2_000)[0])
    assert set(north) == {"Thôn"}


def test_defects_come_at_about_the_requested_rate_with_every_kind(flawed):
    crowd, defects = flawed
    assert 0.04 < len(defects) / len(crowd) < 0.06
    kinds = Counter(d.kind for d in defects.values())
    assert set(kinds) == set(DEFECT_KINDS) == set(DefectKind.values)
    assert min(kinds.values()) > 0.5 * max(kinds.values())


def looks_like_vietnamese(name: str) -> bool:
    """Only Vietnamese letters, each word capitalised only at its start."""
    words = name.split()
    return all(ch in VIETNAMESE_LETTERS or ch in "'-" for w in words for ch in w) and all(
        w[1:] == w[1:].lower() for w in words
    )


def test_planted_defects_are_really_in_the_data(flawed):
    crowd, defects = flawed
    by_index = {p.index: p for p in crowd}
    for index, defect in defects.items():
        person = by_index[index]
        if defect.kind == "legacy_encoding":
            assert not looks_like_vietnamese(person.full_name)
            assert person.full_name == to_tcvn3(defect.detail["unicode"])
        elif defect.kind == "decomposed_unicode":
            assert person.full_name != unicodedata.normalize("NFC", person.full_name)
        elif defect.kind == "dead_but_active":
            assert person.death_date is not None and person.status == "active"
        elif defect.kind == "duplicate_person":
            original = by_index[defect.detail["original_index"]]
            assert original.index < index and original.commune != person.commune
            same = ("full_name", "birth_date", "id_number", "sex")
            assert all(getattr(original, f) == getattr(person, f) for f in same)
        else:
            year = person.birth_date.year
            assert id_number_problems(person.id_number, sex=person.sex, birth_year=year)
    clean = [p for p in crowd if p.index not in defects]
    assert all(looks_like_vietnamese(p.full_name) for p in clean if p.ethnicity == "Kinh")
    assert all(p.death_date is None for p in clean if p.status == "active")


@pytest.mark.parametrize(
    ("unicode", "tcvn3"),
    [
        ("Nguyễn", "NguyÔn"),
        ("Hà Nội", "Hµ Néi"),
        ("Đỗ Văn", "§ç V¨n"),
        ("Trần Thị Thủy", "TrÇn ThÞ Thñy"),
        ("Hồ Chí Minh", "Hå ChÝ Minh"),
        ("Đường", "§\xadêng"),
    ],
)
def test_tcvn3_matches_the_published_table(unicode, tcvn3):
    assert to_tcvn3(unicode) == tcvn3


def test_tcvn3_table_covers_every_vietnamese_letter():
    accented = {ch for ch in VIETNAMESE_LETTERS if ch.lower() not in "abcdefghijklmnopqrstuvwxyz"}
    assert accented <= set(TCVN3)
    assert all(0xA1 <= ord(code) <= 0xFE for code in TCVN3.values())
