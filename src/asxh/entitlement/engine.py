"""The entitlement rules as pure functions: a person, their enrolments and a month in, the
amount of each benefit line out, with the facts that explain it.

Conventions (docs/chinh-sach.md says why):
- Age in a month is the age reached by the end of that month: the birthday month counts at
  the new age. A birth date known only by year counts from 1 January, only by month from
  the 1st of that month.
- "Từ đủ N tuổi" pays from the month N is reached; "dưới N tuổi" pays through the month N is
  reached (eligibility is lost during that month, payment stops from the next).
- Payment starts in the enrolment's start month (the decision month) and stops after its
  end month, after the month of death, and while suspended for money not collected.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from asxh.beneficiaries.reference import GROUPS
from asxh.core.formatting import date_vn, number_vn, partial_date_vn
from asxh.entitlement.months import month_first_day, month_label, month_of, month_span_label
from asxh.entitlement.rates import Rate, RateBook, RateMissing
from asxh.providers.logic import fee_amount

ND20 = "NĐ 20/2021/NĐ-CP"
START_BASIS = f"{ND20} Điều 8 khoản 1 điểm đ"
STOP_BASIS = f"{ND20} Điều 8 khoản 2"
MOVE_BASIS = f"{ND20} Điều 8 khoản 4 điểm d"
HIGHEST_BASIS = f"{ND20} Điều 6 khoản 2"
SUSPEND_BASIS = "TT 02/2021/TT-BLĐTBXH Điều 2 khoản 3 điểm a"
FUNERAL_BASIS = f"{ND20} Điều 11"
FUNERAL = "btxh_mai_tang"
BENEFIT_NAMES = {code: name for _, code, name, _ in GROUPS} | {
    FUNERAL: "Hỗ trợ chi phí mai táng",
    "ncc_ba_me_vnah_phu_cap": "Bà mẹ Việt Nam anh hùng: phụ cấp hằng tháng",
    "ncc_thuong_binh_phu_cap": "Thương binh từ 81%: phụ cấp hằng tháng",
    "ncc_benh_binh_phu_cap": "Bệnh binh từ 81%: phụ cấp hằng tháng",
    "ncc_chat_doc_hoa_hoc_phu_cap": "Nhiễm chất độc hóa học từ 81%: phụ cấp hằng tháng",
    "btxh": "Mức chuẩn trợ giúp xã hội, mai táng phí",
    "ncc": "Mức chuẩn trợ cấp ưu đãi người có công",
    "fee": "Chi phí chi trả cho tổ chức dịch vụ",
    "oneoff": "Chi một lần",
}


class Kind:
    MONTHLY = "monthly"
    FUNERAL = "funeral"
    ONE_OFF = "one_off"
    ARREARS = "arrears"
    RECOVERY = "recovery"


KIND_LABELS = {
    Kind.MONTHLY: "Trợ cấp hằng tháng",
    Kind.FUNERAL: "Hỗ trợ chi phí mai táng",
    Kind.ONE_OFF: "Chi một lần",
    Kind.ARREARS: "Truy lĩnh",
    Kind.RECOVERY: "Thu hồi",
}


class Person(NamedTuple):
    birth_date: dt.date | None = None
    birth_precision: str = "day"  # day | month | year
    death_date: dt.date | None = None
    province: str = ""
    commune: str = ""
    # (last month paid by the old commune, new commune), in order.
    moves: tuple[tuple[int, str], ...] = ()
    # Months whose money was paid out but not collected (provider results).
    uncollected: frozenset[int] = frozenset()
    # The month payment resumes after a suspension was resolved.
    resumed: int | None = None
    # Target lists of one-off payments the person is on.
    lists: frozenset[str] = frozenset()


class Enrolment(NamedTuple):
    group: str
    start: int
    end: int | None = None
    disability_level: str = ""  # "", severe, very_severe
    household_poverty: str = ""  # "", poor, near_poor
    in_education: bool = False
    hiv_positive: bool = False
    impairment_percent: int | None = None
    martyr_count: int | None = None
    # Single parent: children being raised; Điều 20: children under 36 months.
    children: int | None = None
    pregnant: bool = False
    care_kind: str = ""  # Điều 20: ho_nkt_dac_biet_nang | nkt_nuoi_con | nhan_nuoi_tre_em
    cared_birth_date: dt.date | None = None


class Line(NamedTuple):
    """One amount payable for a benefit and month, and the facts behind it (a tuple: a
    cycle builds a million of these)."""

    benefit: str
    month: int
    amount: int
    kind: str
    commune: str = ""
    rates: tuple[Rate, ...] = ()
    band: str = ""
    age: int | None = None
    times: int = 1  # × children for a single parent
    notes: tuple[str, ...] = ()
    # Arrears and recoveries: (month, due, paid) for each month they correct.
    corrects: tuple[tuple[int, int, int], ...] = ()

    def explain(self) -> list[str]:
        return line_explain(self)


class MonthResult(NamedTuple):
    month: int
    lines: tuple[Line, ...]
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True, slots=True)
class OneOff:
    """A one-off payment: a month, who (active beneficiaries of some groups, or a target
    list) and an amount from the rate `oneoff.<code>` in force on the first of that month."""

    code: str
    name: str
    month: int
    target: str  # "beneficiaries" | "list"
    groups: frozenset[str] = frozenset()  # empty: every monthly benefit
    source: str = ""


# --- ages and bands ---------------------------------------------------------------------


def birth_month(person: Person) -> int | None:
    """The month a birthday falls in; January for a year-only birth date."""
    born = person.birth_date
    if born is None:
        return None
    return born.year * 12 if person.birth_precision == "year" else born.year * 12 + born.month - 1


def age_in(person: Person, month: int) -> int | None:
    born = birth_month(person)
    if born is None:
        return None
    years = month // 12 - born // 12
    return years - 1 if month % 12 < born % 12 else years


def month_age_reached(person: Person, age: int) -> int | None:
    born = birth_month(person)
    return None if born is None else born + age * 12


class Band(NamedTuple):
    """Which rate key applies, or why none does."""

    key: str = ""
    label: str = ""
    times: int = 1
    refused: str = ""


def _young_old(age: int) -> bool:
    return age < 16 or age >= 60


def _band_orphan(e: Enrolment, age: int) -> Band:
    return Band("duoi_4", "dưới 4 tuổi") if age < 4 else Band("tu_4", "từ đủ 4 tuổi")


def _band_single(e: Enrolment, age: int) -> Band:
    if not e.children:
        return Band(refused="chưa ghi số con đang nuôi")
    return Band("moi_con", f"{e.children} con đang nuôi", times=e.children)


def _band_elderly_poor(e: Enrolment, age: int) -> Band:
    return (
        Band("60_80", "từ đủ 60 đến dưới 80 tuổi") if age < 80 else Band("tu_80", "từ đủ 80 tuổi")
    )


def _band_disability(e: Enrolment, age: int) -> Band:
    young_old = " là trẻ em hoặc người cao tuổi" if _young_old(age) else ""
    suffix = "_tre_em_nct" if young_old else ""
    if e.disability_level == "very_severe":
        return Band("dac_biet_nang" + suffix, "khuyết tật đặc biệt nặng" + young_old)
    if e.disability_level == "severe":
        return Band("nang" + suffix, "khuyết tật nặng" + young_old)
    return Band(refused="chưa ghi mức độ khuyết tật nặng hoặc đặc biệt nặng")


def _band_studying(e: Enrolment, age: int) -> Band:
    return Band("mac_dinh", "đang đi học") if e.in_education else Band(refused="không còn đi học")


def _band_one(e: Enrolment, age: int) -> Band:
    return Band("mac_dinh")


def _band_social_pension(e: Enrolment, age: int) -> Band:
    if age >= 75:
        return Band("amount", "từ đủ 75 tuổi")
    if e.household_poverty in ("poor", "near_poor"):
        return Band("amount", "từ đủ 70 tuổi, thuộc hộ nghèo/cận nghèo")
    return Band(refused="dưới 75 tuổi và không thuộc hộ nghèo, cận nghèo")


def _band_ncc_percent(e: Enrolment, age: int) -> Band:
    pct = e.impairment_percent
    if pct is None:
        return Band(refused="chưa ghi tỷ lệ tổn thương cơ thể")
    return Band(str(pct), f"tỷ lệ tổn thương {pct}%")


def _bands_of(edges: Sequence[int]) -> Callable[[Enrolment, int], Band]:
    """NCC tables by impairment band, e.g. edges 41, 51, … → '41-50', …, '91-100'."""

    def band(e: Enrolment, age: int) -> Band:
        pct = e.impairment_percent
        if pct is None or pct < edges[0]:
            return Band(refused=f"tỷ lệ tổn thương phải từ {edges[0]}% (đang ghi: {pct})")
        low = max(edge for edge in edges if edge <= pct)
        following = [edge for edge in edges if edge > low]
        high = following[0] - 1 if following else 100
        return Band(f"{low}-{high}", f"tỷ lệ tổn thương {pct}% (mức {low}–{high}%)")

    return band


def _band_martyrs(e: Enrolment, age: int) -> Band:
    count = e.martyr_count or 0
    if count < 1:
        return Band(refused="chưa ghi số liệt sĩ")
    return Band(str(min(count, 3)), f"thân nhân của {count} liệt sĩ")


def _always(e: Enrolment) -> bool:
    return True


def _from_81(e: Enrolment) -> bool:
    """NĐ 75/2021 Phụ lục I mục 6.1, 7.1, 8.1: a monthly phụ cấp from 81 % impairment."""
    return (e.impairment_percent or 0) >= 81


@dataclass(frozen=True, slots=True)
class GroupRule:
    programme: str
    basis: str
    band: Callable[[Enrolment, int], Band]
    age_from: int | None = None  # "từ đủ N tuổi"
    age_below: int | None = None  # "dưới N tuổi" (paid through the month N is reached)
    # Coefficients × base; otherwise fixed VND amounts.
    coefficient: bool = True
    # Part of NĐ 20/2021 Điều 6 khoản 2's "one highest amount".
    allowance: bool = True
    # When a second fixed monthly amount, `<group>.phu_cap`, is paid with the first (Bà mẹ
    # VNAH; invalids and Agent Orange victims from 81 %), as a line `<group>_phu_cap`.
    supplement: Callable[[Enrolment], bool] | None = None
    needs_age: bool = True
    # The first month the law pays this benefit at all (a new programme), if it is recent.
    since: int | None = None


A = "Điều 5 khoản"
RULES: dict[str, GroupRule] = {
    "btxh_tre_em_mo_coi": GroupRule("btxh", f"{ND20} {A} 1; Điều 6", _band_orphan, age_below=16),
    "btxh_16_22_dang_hoc": GroupRule(
        "btxh", f"{ND20} {A} 2; Điều 6", _band_studying, age_from=16, age_below=22
    ),
    "btxh_tre_em_hiv": GroupRule("btxh", f"{ND20} {A} 3; Điều 6", _band_orphan, age_below=16),
    "btxh_don_than_nuoi_con": GroupRule(
        "btxh", f"{ND20} {A} 4; Điều 6", _band_single, needs_age=False
    ),
    "btxh_nct_ngheo_khong_nguoi_phung_duong": GroupRule(
        "btxh", f"{ND20} {A} 5 điểm a; Điều 6", _band_elderly_poor, age_from=60
    ),
    "btxh_nct_75_80_ngheo": GroupRule(
        "btxh", f"{ND20} {A} 5 điểm b; Điều 6", _band_one, age_from=75, age_below=80
    ),
    "btxh_nct_80": GroupRule("btxh", f"{ND20} {A} 5 điểm c; Điều 6", _band_one, age_from=80),
    "btxh_nct_cham_soc_tai_cong_dong": GroupRule(
        "btxh", f"{ND20} {A} 5 điểm d; Điều 6", _band_one, age_from=60
    ),
    "btxh_khuyet_tat": GroupRule("btxh", f"{ND20} {A} 6; Điều 6", _band_disability),
    "btxh_tre_em_duoi_3_ngheo": GroupRule("btxh", f"{ND20} {A} 7; Điều 6", _band_one, age_below=3),
    "btxh_hiv_ngheo": GroupRule("btxh", f"{ND20} {A} 8; Điều 6", _band_one, needs_age=False),
    "btxh_ho_cham_soc": GroupRule("btxh", f"{ND20} Điều 20", _band_one, allowance=False),
    # Also one of the "mức … tại các văn bản khác nhau" of NĐ 20/2021 Điều 6 khoản 2.
    "huu_tri_xa_hoi": GroupRule(
        "huu_tri_xa_hoi",
        "Luật Bảo hiểm xã hội 2024; NĐ 176/2025/NĐ-CP",
        _band_social_pension,
        age_from=70,
        coefficient=False,
        since=2025 * 12 + 6,  # 07/2025: Luật Bảo hiểm xã hội 2024 takes effect
    ),
    "ncc_thuong_binh": GroupRule(
        "ncc",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 23",
        _band_ncc_percent,
        coefficient=False,
        allowance=False,
        needs_age=False,
        supplement=_from_81,
    ),
    "ncc_benh_binh": GroupRule(
        "ncc",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 26",
        _bands_of((41, 51, 61, 71, 81, 91)),
        coefficient=False,
        allowance=False,
        needs_age=False,
        supplement=_from_81,
    ),
    "ncc_chat_doc_hoa_hoc": GroupRule(
        "ncc",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 29",
        _bands_of((21, 41, 61, 81)),
        coefficient=False,
        allowance=False,
        needs_age=False,
        supplement=_from_81,
    ),
    "ncc_than_nhan_liet_si": GroupRule(
        "ncc",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 16",
        _band_martyrs,
        coefficient=False,
        allowance=False,
        needs_age=False,
    ),
    "ncc_ba_me_vnah": GroupRule(
        "ncc",
        "Pháp lệnh 02/2020/UBTVQH14 Điều 19",
        _band_one,
        coefficient=False,
        allowance=False,
        needs_age=False,
        supplement=_always,
    ),
}

# Groups whose member may also be a single poor parent and get both (NĐ 20/2021 Điều 6).
SINGLE_PARENT_ALSO = frozenset(
    {
        "btxh_nct_ngheo_khong_nguoi_phung_duong",
        "btxh_nct_75_80_ngheo",
        "btxh_nct_80",
        "btxh_nct_cham_soc_tai_cong_dong",
        "btxh_khuyet_tat",
        "btxh_hiv_ngheo",
    }
)
SINGLE_PARENT = "btxh_don_than_nuoi_con"
FOSTER_AGE_LIMIT = 16


# --- one month ----------------------------------------------------------------------------


def commune_in(person: Person, month: int) -> str:
    """The commune paying a month: the old one through the move month, the new one after."""
    commune = person.commune
    for last_month_old, new_commune in person.moves:
        if month > last_month_old:
            commune = new_commune
    return commune


def suspension_note(person: Person, month: int) -> str:
    """Why a month is held for money left uncollected, or ''.

    Money not collected for 3 consecutive months suspends payment from the next month until
    the suspension is lifted (`resumed`); the months held are then owed as arrears ("truy
    lĩnh (nếu có)", TT 02/2021/TT-BLĐTBXH Điều 6 khoản 1 điểm b). A later run of 3 months
    not collected suspends again.
    """
    held = person.uncollected
    lifted = person.resumed
    for first in sorted(held):
        if first + 1 not in held or first + 2 not in held:
            continue
        suspended = first + 3
        if month < suspended:
            return ""
        if lifted is not None and lifted >= suspended:
            continue  # this suspension was lifted; look for a later one
        return (
            f"Tạm dừng từ {month_label(suspended)}: không nhận tiền 3 tháng liên tiếp "
            f"({month_span_label(first, first + 2)}; {SUSPEND_BASIS})."
        )
    return ""


def enrolment_line(
    person: Person, e: Enrolment, month: int, book: RateBook
) -> tuple[Line | None, str]:
    """The line an enrolment pays in a month, or None and why not."""
    rule = RULES.get(e.group)
    if rule is None:
        return None, f"Chưa có quy tắc tính tiền cho nhóm '{benefit_name(e.group)}'."
    if month < e.start:
        return None, f"{benefit_name(e.group)}: hưởng từ {month_label(e.start)} ({START_BASIS})."
    if rule.since is not None and month < rule.since:
        return None, f"{benefit_name(e.group)}: chế độ áp dụng từ {month_label(rule.since)}."
    if e.end is not None and month > e.end:
        return None, f"{benefit_name(e.group)}: thôi hưởng sau {month_label(e.end)}."
    if e.group == CARE:
        return _care_line(person, e, month, book)
    age = age_in(person, month)
    if age is None:
        if rule.needs_age:
            return None, f"{benefit_name(e.group)}: chưa có ngày sinh để xác định độ tuổi."
    else:
        if rule.age_from is not None and age < rule.age_from:
            return None, (
                f"{benefit_name(e.group)}: chưa đủ {rule.age_from} tuổi trong {month_label(month)}."
            )
        if rule.age_below is not None and age >= rule.age_below:
            reached = (birth_month(person) or 0) + rule.age_below * 12
            if month > reached:
                return None, (
                    f"{benefit_name(e.group)}: đủ {rule.age_below} tuổi trong "
                    f"{month_label(reached)}, thôi hưởng từ tháng sau ({STOP_BASIS})."
                )
            # Eligibility ends during the month the limit is reached: that month is the
            # last one paid, at the band before it.
            age = rule.age_below - 1
    band = rule.band(e, age if age is not None else 0)
    if band.refused:
        return None, f"{benefit_name(e.group)}: {band.refused}."
    return _priced(person, e.group, rule, band, month, age, book)


CARE = "btxh_ho_cham_soc"
CARE_KINDS = {
    "ho_nkt_dac_biet_nang": "Hộ gia đình chăm sóc người khuyết tật đặc biệt nặng (Điều 20 khoản 2 điểm c)",
    "nkt_nuoi_con": "Người khuyết tật mang thai, nuôi con dưới 36 tháng (Điều 20 khoản 2 điểm a)",
    "nhan_nuoi_tre_em": "Nhận chăm sóc, nuôi dưỡng trẻ em (Điều 20 khoản 1)",
    "nhan_nuoi_nct": "Nhận chăm sóc, nuôi dưỡng người cao tuổi (Điều 20 khoản 1 điểm b)",
    "nhan_nuoi_nkt": "Nhận chăm sóc, nuôi dưỡng người khuyết tật đặc biệt nặng (Điều 20 khoản 2 điểm d)",
}


def _care_band(e: Enrolment, month: int) -> Band:
    """NĐ 20/2021 Điều 20: support to whoever cares for a beneficiary, by kind of care."""
    kind = e.care_kind
    if kind == "ho_nkt_dac_biet_nang":
        return Band(kind, "hộ gia đình chăm sóc người khuyết tật đặc biệt nặng")
    if kind == "nkt_nuoi_con":
        count = (e.children or 0) + (1 if e.pregnant else 0)
        if count == 0:
            return Band(refused="không mang thai, không nuôi con dưới 36 tháng")
        if count == 1:
            return Band(kind, "người khuyết tật mang thai hoặc nuôi một con dưới 36 tháng")
        return Band(
            kind + "_2", "người khuyết tật mang thai và nuôi con, hoặc nuôi hai con dưới 36 tháng"
        )
    if kind == "nhan_nuoi_nct":
        return Band(kind, "nhận chăm sóc người cao tuổi")
    if kind not in ("nhan_nuoi_tre_em", "nhan_nuoi_nkt"):
        return Band(refused="chưa ghi loại hỗ trợ chăm sóc, nuôi dưỡng")
    if e.cared_birth_date is None:
        return Band(refused="chưa ghi ngày sinh của người được nhận nuôi")
    child = Person(birth_date=e.cared_birth_date)
    cared = age_in(child, month) or 0
    if kind == "nhan_nuoi_nkt":
        if cared < 16:
            return Band(
                "nhan_nuoi_nkt_tre_em", f"nhận nuôi trẻ em khuyết tật đặc biệt nặng ({cared} tuổi)"
            )
        return Band("nhan_nuoi_nkt", "nhận nuôi người khuyết tật đặc biệt nặng")
    if month > (birth_month(child) or 0) + FOSTER_AGE_LIMIT * 12:
        return Band(refused=f"trẻ được nhận nuôi đã đủ {FOSTER_AGE_LIMIT} tuổi")
    if cared < 4:
        return Band("nhan_nuoi_duoi_4", f"nhận nuôi trẻ em dưới 4 tuổi ({cared} tuổi)")
    return Band("nhan_nuoi_tu_4", f"nhận nuôi trẻ em từ đủ 4 tuổi ({min(cared, 15)} tuổi)")


def _care_line(person: Person, e: Enrolment, month: int, book: RateBook) -> tuple[Line | None, str]:
    band = _care_band(e, month)
    if band.refused:
        return None, f"{benefit_name(e.group)}: {band.refused}."
    return _priced(person, e.group, RULES[e.group], band, month, None, book)


def _priced(
    person: Person,
    group: str,
    rule: GroupRule,
    band: Band,
    month: int,
    age: int | None,
    book: RateBook,
) -> tuple[Line | None, str]:
    memo = (group, band.key, band.times, month, person.province)
    priced = book.memo.get(memo)
    if priced is None:
        priced = book.memo[memo] = _price(person.province, group, rule, band, month, book)
    amount, rates = priced
    if not rates:
        return None, f"{benefit_name(group)}: chưa có hoặc không còn mức cho {month_label(month)}."
    commune = commune_in(person, month) if person.moves else person.commune
    return Line(group, month, amount, Kind.MONTHLY, commune, rates, band.label, age, band.times), ""


def _price(
    province: str, group: str, rule: GroupRule, band: Band, month: int, book: RateBook
) -> tuple[int, tuple[Rate, ...]]:
    """The amount for a group, band and month, and the rates it comes from; (0, ()) when the
    rate has lapsed or has not started."""
    key = f"{group}.{band.key}"
    rate = book.in_month(key, month, province)
    if rate is None:
        if book.started(key, month_first_day(month), province):
            return 0, ()  # lapsed: the group's amount was abolished
        raise RateMissing(key, month_first_day(month), province)
    if not rule.coefficient:
        return rate.vnd, (rate,)
    base = book.in_month("btxh.base", month, province)
    if base is None:
        raise RateMissing("btxh.base", month_first_day(month), province)
    return (base.vnd * rate.hundredths * band.times + 50) // 100, (base, rate)


def _is_allowance(benefit: str) -> bool:
    rule = RULES.get(benefit)
    return rule is not None and rule.allowance


def _by_amount(line: Line) -> tuple[int, str]:
    """Highest amount first; between equal amounts the group code decides, so that the
    order of enrolments never changes the answer."""
    return line.amount, line.benefit


def _highest(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """NĐ 20/2021 Điều 6 khoản 2: one highest allowance; a single poor parent who is also
    elderly, disabled or living with HIV gets the single-parent allowance as well (when the
    two together are more than the highest alone)."""
    allowances = [line for line in lines if _is_allowance(line.benefit)]
    if len(allowances) < 2:
        return lines, []
    others = [line for line in lines if not _is_allowance(line.benefit)]
    kept = [max(allowances, key=_by_amount)]
    single = [line for line in allowances if line.benefit == SINGLE_PARENT]
    also = [line for line in allowances if line.benefit in SINGLE_PARENT_ALSO]
    if single and also:
        both = [single[0], max(also, key=_by_amount)]
        if sum(line.amount for line in both) > kept[0].amount:
            kept = both
    notes = [
        f"Không hưởng thêm {benefit_name(line.benefit)} ({number_vn(line.amount)} đ): đối "
        f"tượng thuộc nhiều diện chỉ hưởng một mức cao nhất ({HIGHEST_BASIS})."
        for line in allowances
        if line not in kept
    ]
    return kept + others, notes


def month_evaluate(
    person: Person,
    enrolments: Iterable[Enrolment],
    month: int,
    book: RateBook,
    one_offs: Sequence[OneOff] = (),
) -> MonthResult:
    """Every line payable to a person for a month, and notes on what is not paid."""
    if person.death_date is not None and month > month_of(person.death_date):
        note = f"Đã chết ngày {date_vn(person.death_date)}: thôi hưởng từ tháng sau tháng chết."
        return MonthResult(month, (), (note,))
    lines: list[Line] = []
    notes: list[str] = []
    for enrolment in enrolments:
        line, why = enrolment_line(person, enrolment, month, book)
        if line is not None:
            lines.append(line)
            extra = RULES[line.benefit].supplement
            if extra is not None and extra(enrolment):
                lines.append(_supplement(person, line, book))
        elif why:
            notes.append(why)
    if len(lines) > 1:
        lines, set_aside = _highest(lines)
        notes.extend(set_aside)
    # A suspension holds the money, but the person is still a beneficiary (for funeral
    # support) until a decision ends the benefit.
    funeral = _funeral(person, lines, month, book)
    held = suspension_note(person, month) if person.uncollected else ""
    if held:
        lines, notes = [], [held]
    if funeral is not None:
        lines.append(funeral)
    for one_off in one_offs:
        line = _one_off(person, one_off, lines, month, book)
        if line is not None:
            lines.append(line)
    return MonthResult(month, tuple(lines), tuple(notes))


def _supplement(person: Person, line: Line, book: RateBook) -> Line:
    key = f"{line.benefit}.phu_cap"
    rate = book.in_month(key, line.month, person.province)
    if rate is None:
        raise RateMissing(key, month_first_day(line.month), person.province)
    return Line(
        f"{line.benefit}_phu_cap", line.month, rate.vnd, Kind.MONTHLY, line.commune, (rate,)
    )


def _funeral(person: Person, lines: list[Line], month: int, book: RateBook) -> Line | None:
    """A monthly social-assistance beneficiary who dies → funeral support, once, at the
    level in force on the day of death (NĐ 20/2021 Điều 11)."""
    died = person.death_date
    if died is None or month != month_of(died):
        return None
    if not any(line.benefit.startswith("btxh_") and _is_allowance(line.benefit) for line in lines):
        return None
    # Điều 11 khoản 2: a multiple of the national base (Điều 4 khoản 2), which a province
    # may raise by setting its own multiple.
    multiple = book.require("btxh.mai_tang", died, person.province)
    base = book.require("btxh.base", died)
    amount = (base.vnd * multiple.hundredths + 50) // 100
    note = f"Chết ngày {date_vn(died)}."
    return Line(
        FUNERAL,
        month,
        amount,
        Kind.FUNERAL,
        commune_in(person, month),
        (base, multiple),
        notes=(note,),
    )


def _one_off(
    person: Person, one_off: OneOff, lines: list[Line], month: int, book: RateBook
) -> Line | None:
    if one_off.month != month:
        return None
    if one_off.target == "list":
        if one_off.code not in person.lists:
            return None
        why = f"Có trong danh sách {one_off.name}."
    else:
        monthly = [line for line in lines if line.kind == Kind.MONTHLY]
        if one_off.groups:
            monthly = [line for line in monthly if line.benefit in one_off.groups]
        if not monthly:
            return None
        why = f"Đang hưởng {benefit_name(monthly[0].benefit)} trong {month_label(month)}."
    rate = book.require(f"oneoff.{one_off.code}", month_first_day(month), person.province)
    commune = commune_in(person, month)
    return Line(
        one_off.code, month, rate.vnd, Kind.ONE_OFF, commune, (rate,), one_off.name, notes=(why,)
    )


def months_evaluate(
    person: Person,
    enrolments: Sequence[Enrolment],
    months: Iterable[int],
    book: RateBook,
    one_offs: Sequence[OneOff] = (),
) -> list[MonthResult]:
    return [month_evaluate(person, enrolments, m, book, one_offs) for m in months]


# --- arrears and recoveries ------------------------------------------------------------------


def arrears(
    person: Person,
    enrolments: Sequence[Enrolment],
    paid: Mapping[tuple[str, int], int],
    pay_month: int,
    book: RateBook,
    since: int | None = None,
) -> list[Line]:
    """What past months still owe (truy lĩnh) or overpaid (thu hồi), as lines of pay_month.

    `paid` holds everything paid per (benefit, month) from `since` (default: the first month
    paid, or the first enrolment month if nothing was paid) to before pay_month; a month
    missing from it was not paid. Each month's due is recomputed with today's rates and data;
    consecutive months of one benefit and sign become one line, and the lines add up to the
    sum of the differences.
    """
    if since is None:
        starts = [m for _, m in paid] or [e.start for e in enrolments]
        if not starts:
            return []
        since = min(starts)
    due: dict[tuple[str, int], int] = {}
    for result in months_evaluate(person, enrolments, range(since, pay_month), book):
        for line in result.lines:
            if line.kind in (Kind.MONTHLY, Kind.FUNERAL):
                due[(line.benefit, line.month)] = (
                    due.get((line.benefit, line.month), 0) + line.amount
                )
    diffs: dict[str, list[tuple[int, int, int]]] = {}
    for benefit, month in sorted(set(due) | set(paid), key=lambda k: (k[0], k[1])):
        if month >= pay_month or month < since:
            continue
        owed, got = due.get((benefit, month), 0), paid.get((benefit, month), 0)
        if owed != got:
            diffs.setdefault(benefit, []).append((month, owed, got))
    lines: list[Line] = []
    for benefit, rows in diffs.items():
        for run in _runs(rows):
            amount = sum(owed - got for _, owed, got in run)
            kind = Kind.ARREARS if amount > 0 else Kind.RECOVERY
            if benefit == FUNERAL and kind == Kind.ARREARS:
                kind = Kind.FUNERAL  # a death reported after its month was paid
            commune = commune_in(person, pay_month)
            lines.append(
                Line(
                    benefit,
                    pay_month,
                    amount,
                    kind,
                    commune,
                    band=month_span_label(run[0][0], run[-1][0]),
                    corrects=tuple(run),
                )
            )
    return lines


def _runs(rows: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
    """Split (month, due, paid) rows into runs of consecutive months with the same sign."""
    runs: list[list[tuple[int, int, int]]] = []
    for row in rows:
        sign = row[1] > row[2]
        if runs and runs[-1][-1][0] + 1 == row[0] and (runs[-1][-1][1] > runs[-1][-1][2]) == sign:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


# --- explanations -------------------------------------------------------------------------


def _rate_text(rate: Rate) -> str:
    scope = f", tỉnh {rate.scope}" if rate.scope else ""
    return f"{rate.shown()} từ {date_vn(rate.effective_from)} ({rate.source}{scope})"


def benefit_name(code: str) -> str:
    return BENEFIT_NAMES.get(code, code)


def line_title(line: Line) -> str:
    """'Truy lĩnh tháng 7–9/2024: Người khuyết tật nặng, đặc biệt nặng', as on a payment list."""
    if line.corrects:
        verb = {Kind.RECOVERY: "Thu hồi", Kind.FUNERAL: "Hỗ trợ mai táng"}.get(
            line.kind, "Truy lĩnh"
        )
        return f"{verb} {line.band}: {benefit_name(line.benefit)}"
    if line.kind == Kind.ONE_OFF:
        return f"{line.band} ({month_label(line.month)})"
    if line.kind == Kind.FUNERAL:
        return f"{KIND_LABELS[line.kind]} ({' '.join(line.notes)})"
    return f"{KIND_LABELS[line.kind]} {month_label(line.month)}: {benefit_name(line.benefit)}"


def line_explain(line: Line) -> list[str]:
    """The line in words: which rule, which rate, which coefficient, which age or date."""
    rule = RULES.get(line.benefit)
    said = [line_title(line)]
    if line.corrects:
        said.append(f"Chi cùng kỳ {month_label(line.month)}")
        for month, owed, got in line.corrects:
            said.append(
                f"{month_label(month)}: được hưởng {number_vn(owed)} đ, đã chi {number_vn(got)} đ, "
                f"chênh lệch {number_vn(owed - got)} đ"
            )
        return said
    if rule is not None and line.kind == Kind.MONTHLY:
        said.append(f"Căn cứ: {rule.basis}")
    if line.age is not None and line.kind == Kind.MONTHLY:
        said.append(f"Tuổi tính trong {month_label(line.month)}: {line.age}")
    if line.band:
        said.append(f"Mức áp dụng: {line.band}")
    if line.kind == Kind.FUNERAL:
        base, multiple = line.rates
        said.append(f"Mức chuẩn: {_rate_text(base)}")
        said.append(f"Hệ số mai táng: {_rate_text(multiple)}")
        said.append(f"{number_vn(base.vnd)} đ × {multiple.shown()} = {number_vn(line.amount)} đ")
    elif len(line.rates) == 2:
        base, coefficient = line.rates
        said.append(f"Mức chuẩn: {_rate_text(base)}")
        said.append(f"Hệ số: {_rate_text(coefficient)}")
        times = f" × {line.times}" if line.times != 1 else ""
        said.append(
            f"{number_vn(base.vnd)} đ × {coefficient.shown()}{times} = {number_vn(line.amount)} đ"
        )
    elif line.rates:
        said.append(f"Mức: {_rate_text(line.rates[0])}")
    if line.commune:
        said.append(f"Xã chi trả: {line.commune}")
    said.extend(line.notes)
    return said


def birth_text(person: Person) -> str:
    return partial_date_vn(person.birth_date, person.birth_precision)


__all__ = [
    "Enrolment",
    "Kind",
    "Line",
    "MonthResult",
    "OneOff",
    "Person",
    "age_in",
    "arrears",
    "month_evaluate",
    "months_evaluate",
]


# --- provider fee ---------------------------------------------------------------------------


def provider_fee(
    book: RateBook, month: int, province: str, people: int, amount: int
) -> tuple[int, Rate]:
    """The fee a province's rates set for a payment provider (NĐ 20/2021 Điều 34 khoản 3): a
    flat amount per person paid where the province set one (An Giang: 5.000 đ), else a
    percentage of the amount paid. Contracts take their fee from here by default."""
    rate = book.in_month("fee.per_head", month, province)
    kind = "per_head"
    if rate is None:
        rate, kind = book.in_month("fee.percent", month, province), "percent"
    if rate is None:
        raise RateMissing("fee.percent", month_first_day(month), province)
    return fee_amount(kind, rate.value, people, amount), rate
