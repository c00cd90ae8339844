"""What the data-quality scan finds wrong with a record: pure functions over plain records.

No ORM and no I/O: `asxh.quality.scan` streams the registry into these functions and
`asxh.quality.services` stores what they return as findings. Every problem carries a key that
names the problem and the values it was found in ("scan:<id>:<digest>"), so a rescan that
meets the same problem touches the open finding, and one whose values changed is a new problem.
"""

import datetime as dt
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from rapidfuzz import fuzz

from asxh.beneficiaries.logic import ID_PROVINCE_CODES, id_number_century_digit, id_number_problems
from asxh.core.formatting import date_vn, month_vn
from asxh.core.text import fold_upper
from asxh.core.vietnamese import legacy_encoding_detect, name_clean
from asxh.results.outcomes import HOLDER_DECEASED, LABELS, Outcome

# The values of asxh.quality.models.FindingKind (kept here so this module needs no Django).
DUPLICATE_ID = "duplicate_id"
DUPLICATE_PERSON = "duplicate_person"
ID_BIRTH_YEAR = "id_birth_year"
ID_SEX = "id_sex"
ID_INVALID = "id_invalid"
ID_LEGACY = "id_legacy"
NAME_ENCODING = "name_encoding"
HOLDER_MISMATCH = "holder_mismatch"
DEAD_BUT_ENROLLED = "dead_but_enrolled"
MISSING_FIELD = "missing_field"
PAYMENT_FAILED = "payment_failed"
# The kinds the scan raises, and so the kinds a rescan may close. Findings of other sources
# (police, provider) have other kinds or keys without the scan's prefix.
SCAN_KINDS = frozenset(
    {
        DUPLICATE_ID,
        DUPLICATE_PERSON,
        ID_BIRTH_YEAR,
        ID_SEX,
        ID_INVALID,
        ID_LEGACY,
        NAME_ENCODING,
        HOLDER_MISMATCH,
        DEAD_BUT_ENROLLED,
        MISSING_FIELD,
    }
)
SCAN_PREFIX = "scan:"
FIXED_REASON = "Quét lại không còn thấy lỗi"

# Beneficiary statuses (asxh.beneficiaries.models.Status values).
ACTIVE, SUSPENDED, STOPPED, DECEASED = "active", "suspended", "stopped", "deceased"
ACCOUNT = "account"

# A fuzzy match needs names at least this similar (rapidfuzz ratio on folded names, 0–100);
# a name whose words are all in the other (a middle name left out) also matches.
NAME_SIMILARITY_MIN = 90


@dataclass(frozen=True)
class Problem:
    """A problem found with one record, before it is stored as a finding."""

    kind: str
    beneficiary_id: int
    commune_id: int
    key: str
    detail: dict[str, Any] = field(default_factory=dict)
    related_id: int | None = None


class PersonRecord(NamedTuple):
    """The columns of a beneficiary the scan reads, in this order."""

    id: int
    commune_id: int
    full_name: str
    name_folded: str
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str
    id_number: str
    phone: str
    status: str
    status_since: dt.date | None
    death_date: dt.date | None
    payment_method: str


class AccountRecord(NamedTuple):
    """An account in use with the name of the payee it belongs to."""

    beneficiary_id: int
    commune_id: int
    account_id: int
    holder_name: str
    payee_name: str
    account_number: str = ""


def digest(*values: object) -> str:
    """A short fingerprint of the values a problem was found in (no personal data in keys)."""
    text = "\x1f".join(str(v) for v in values)
    return hashlib.blake2s(text.encode(), digest_size=5).hexdigest()


def _problem(kind: str, p: PersonRecord, suffix: str, detail: dict[str, Any]) -> Problem:
    return Problem(kind, p.id, p.commune_id, f"{SCAN_PREFIX}{p.id}:{suffix}", detail)


# --- Identity ------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _century_digit(sex: str, year: int) -> int:
    return int(id_number_century_digit(sex, year))


@lru_cache(maxsize=1024)
def _expected_digits(sex: str, year: int) -> str:
    """Digits 4–6 of a number for this sex and birth year: '155' for a woman born 1955."""
    return f"{_century_digit(sex, year)}{year % 100:02d}"


def identity_kinds(id_number: str, *, sex: str, birth_year: int | None) -> set[str]:
    """Which kinds of ID problem a 12-digit number has: invalid structure, a century/sex digit
    that says the other sex, or a year (century digit or digits 5–6) that is not the birth
    year. The messages come from `id_number_problems`; this only sorts them into kinds."""
    kinds = set()
    if (
        len(id_number) != 12
        or not id_number.isdigit()
        or id_number[:3] not in ID_PROVINCE_CODES
        or id_number[3] not in "012345"
    ):
        kinds.add(ID_INVALID)
    if birth_year is None or not id_number[3:4].isdigit() or id_number[3] not in "012345":
        return kinds
    digit, expected = int(id_number[3]), _century_digit(sex, birth_year)
    if digit % 2 != expected % 2:
        kinds.add(ID_SEX)
    if digit // 2 != expected // 2 or id_number[4:6] != f"{birth_year % 100:02d}":
        kinds.add(ID_BIRTH_YEAR)
    return kinds


def identity_problems(p: PersonRecord) -> list[Problem]:
    """A legacy 9-digit CMND, or a 12-digit number that is malformed or disagrees with the
    person's sex or birth year. A blank number is a missing field, not an identity problem."""
    number = p.id_number
    if not number:
        return []
    if len(number) == 9 and number.isdigit():
        return [_problem(ID_LEGACY, p, digest(number), {})]
    year = p.birth_date.year if p.birth_date else None
    if (
        year is not None
        and number[3:6] == _expected_digits(p.sex, year)
        and number[:3] in ID_PROVINCE_CODES
        and len(number) == 12
        and number.isdigit()
    ):
        return []  # the common case, decided without sorting kinds
    kinds = identity_kinds(number, sex=p.sex, birth_year=year)
    # The kinds are the checks of id_number_problems, sorted: a number with none has no
    # message either, so the (slower) messages are only worked out for the few with one.
    messages = id_number_problems(number, sex=p.sex, birth_year=year) if kinds else []
    if not messages:
        return []
    suffix = digest(number, p.sex, year)
    return [_problem(kind, p, suffix, {"problems": messages}) for kind in sorted(kinds)]


def id_reliable(p: PersonRecord, identity: list[Problem]) -> bool:
    """A 12-digit number with no problem identifies the person; anything else does not."""
    return len(p.id_number) == 12 and not identity


# --- Names ---------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 17)
def name_encoding(name: str) -> str | None:
    """ "tcvn3" or "vni" for a name typed in a legacy font, "nfd" for decomposed Unicode."""
    if unicodedata.is_normalized("NFC", name):
        return legacy_encoding_detect(name)
    return legacy_encoding_detect(unicodedata.normalize("NFC", name)) or "nfd"


def name_problem(p: PersonRecord) -> Problem | None:
    encoding = name_encoding(p.full_name)
    if encoding is None:
        return None
    suggested, _ = name_clean(p.full_name)
    detail = {"encoding": encoding, "suggested": suggested}
    return _problem(NAME_ENCODING, p, digest(p.full_name), detail)


# --- What the monthly cycle needs ----------------------------------------------------------


def missing_fields(p: PersonRecord, *, has_payee: bool, has_account: bool) -> list[str]:
    """Fields a person still paid each month lacks: the list cannot be made without them."""
    if p.status != ACTIVE:
        return []
    complete = p.birth_date and p.id_number and has_payee and p.payment_method
    if complete and (p.payment_method != ACCOUNT or has_account):
        return []  # the common case
    missing = []
    if p.birth_date is None:
        missing.append("birth_date")
    if not p.id_number:
        missing.append("id_number")
    if not has_payee:
        missing.append("payee")
    if not p.payment_method:
        missing.append("payment_method")
    elif p.payment_method == ACCOUNT and not has_account:
        missing.append("account")
    return missing


def missing_problems(p: PersonRecord, *, has_payee: bool, has_account: bool) -> list[Problem]:
    return [
        _problem(MISSING_FIELD, p, name, {"field": name})
        for name in missing_fields(p, has_payee=has_payee, has_account=has_account)
    ]


def dead_problem(p: PersonRecord, end_months: Iterable[dt.date | None]) -> Problem | None:
    """Dead or stopped, yet an enrolment runs past the month of the death or the stop (an
    enrolment ends with the month it is paid for, so the month itself is still in order)."""
    ended: dt.date | None
    if p.death_date is not None:
        ended, why = p.death_date, DECEASED
    elif p.status in (DECEASED, STOPPED):
        ended, why = p.status_since, p.status
    else:
        return None
    last = ended.replace(day=1) if ended else None
    still_open = [m for m in end_months if m is None or (last is not None and m > last)]
    if not still_open:
        return None
    detail = {
        "status": why,
        "date": ended.isoformat() if ended else None,
        "open_enrolments": len(still_open),
    }
    return _problem(DEAD_BUT_ENROLLED, p, digest(why, ended), detail)


def person_problems(
    p: PersonRecord,
    identity: list[Problem],
    *,
    has_payee: bool,
    has_account: bool,
    end_months: Iterable[dt.date | None] = (),
) -> list[Problem]:
    """Everything wrong with one record on its own (duplicates need other records)."""
    found = list(identity)
    if named := name_problem(p):
        found.append(named)
    found.extend(missing_problems(p, has_payee=has_payee, has_account=has_account))
    if dead := dead_problem(p, end_months):
        found.append(dead)
    return found


@lru_cache(maxsize=1 << 17)
def _fold_upper(name: str) -> str:
    return fold_upper(name)  # holder names repeat: fold each once


def holder_problem(a: AccountRecord) -> Problem | None:
    """The bank's holder name against the payee's, both folded as NAPAS returns names."""
    if _fold_upper(a.holder_name) == _fold_upper(a.payee_name):
        return None
    detail = {"account_id": a.account_id, "holder_name": a.holder_name, "payee_name": a.payee_name}
    key = f"{SCAN_PREFIX}{a.beneficiary_id}:{a.account_id}:{digest(a.holder_name, a.payee_name)}"
    return Problem(HOLDER_MISMATCH, a.beneficiary_id, a.commune_id, key, detail)


# --- Duplicates ----------------------------------------------------------------------------


class IdHolder(NamedTuple):
    id: int
    commune_id: int
    id_number: str
    in_scope: bool


def _pair_problem(
    kind: str, a_id: int, a_commune: int, b_id: int, b_commune: int, detail: dict[str, Any]
) -> Problem:
    key = f"{SCAN_PREFIX}{a_id}:{b_id}"
    return Problem(kind, a_id, a_commune, key, {**detail, "related_commune_id": b_commune}, b_id)


def exact_id_duplicates(holders: Iterable[IdHolder]) -> list[Problem]:
    """Records sharing an ID number: one problem per record in scope and per other record."""
    groups: dict[str, list[IdHolder]] = defaultdict(list)
    for h in holders:
        if h.id_number:
            groups[h.id_number].append(h)
    found = []
    for group in groups.values():
        for a in group:
            if not a.in_scope:
                continue
            for b in group:
                if b.id != a.id:
                    found.append(
                        _pair_problem(DUPLICATE_ID, a.id, a.commune_id, b.id, b.commune_id, {})
                    )
    return found


class DupRecord(NamedTuple):
    """What fuzzy matching reads of a record with a birth date."""

    id: int
    commune_id: int
    name_folded: str
    birth_date: dt.date
    birth_date_precision: str
    sex: str
    id_number: str
    phone: str
    reliable_id: bool
    in_scope: bool


class Candidate(NamedTuple):
    """Two records alike in name, sex and birth date, at least one without a reliable ID."""

    a: DupRecord
    b: DupRecord
    score: int


def block_key(r: DupRecord) -> tuple[int, str, str, str]:
    """Birth year, sex, first and last word of the folded name: only records sharing all four
    are compared, so a province of a million people makes a few million comparisons."""
    name = r.name_folded
    return r.birth_date.year, r.sex, name.partition(" ")[0], name.rpartition(" ")[2]


_PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


def births_compatible(a: DupRecord, b: DupRecord) -> bool:
    """Equal as far as the less precise of the two dates is known (1950 fits 05/03/1950)."""
    rank = min(
        _PRECISION_RANK.get(a.birth_date_precision, 2),
        _PRECISION_RANK.get(b.birth_date_precision, 2),
    )
    x, y = a.birth_date, b.birth_date
    if x.year != y.year:
        return False
    return rank == 0 or (x.month == y.month and (rank == 1 or x.day == y.day))


def name_similarity(a: str, b: str) -> int:
    """0–100 on folded names; 100 when every word of one name is in the other."""
    if a == b:
        return 100
    if fuzz.token_set_ratio(a, b) == 100:
        return 100
    return int(fuzz.ratio(a, b))


def _comparable(a: DupRecord, b: DupRecord) -> int:
    """The name score of two records with compatible births, 0 when they are not a pair."""
    if not (a.in_scope or b.in_scope) or (a.id_number and a.id_number == b.id_number):
        return 0  # outside the scan, or an exact-ID duplicate (reported as such)
    score = name_similarity(a.name_folded, b.name_folded)
    return score if score >= NAME_SIMILARITY_MIN else 0


class _Births:
    """A block's records by how their birth dates are known, to list the compatible ones."""

    def __init__(self, block: list[DupRecord]) -> None:
        self.block = block
        self.years: list[DupRecord] = []
        self.by_month: dict[int, list[DupRecord]] = defaultdict(list)  # month precision
        self.in_month: dict[int, list[DupRecord]] = defaultdict(list)  # month or day
        self.by_day: dict[dt.date, list[DupRecord]] = defaultdict(list)
        for r in block:
            precision = r.birth_date_precision
            if precision == "year":
                self.years.append(r)
                continue
            self.in_month[r.birth_date.month].append(r)
            if precision == "month":
                self.by_month[r.birth_date.month].append(r)
            else:
                self.by_day[r.birth_date].append(r)

    def compatible(self, r: DupRecord) -> list[DupRecord]:
        """The records whose birth date fits r's (`births_compatible`), r included."""
        if r.birth_date_precision == "year":
            return self.block
        month = r.birth_date.month
        if r.birth_date_precision == "month":
            return [*self.in_month[month], *self.years]
        return [*self.by_day[r.birth_date], *self.by_month[month], *self.years]


def possible_duplicates(records: Iterable[DupRecord]) -> list[Candidate]:
    """Pairs alike in name and birth date where at least one record lacks a reliable ID (two
    different valid 12-digit numbers are two people)."""
    blocks: dict[tuple[int, str, str, str], list[DupRecord]] = defaultdict(list)
    for r in records:
        blocks[block_key(r)].append(r)
    found = []
    for block in blocks.values():
        unreliable = [r for r in block if not r.reliable_id]
        if len(block) < 2 or not unreliable:
            continue
        births = _Births(block)
        for a in unreliable:
            for b in births.compatible(a):
                # each pair once: an unreliable partner pairs from the lower id only
                if (b.reliable_id or b.id > a.id) and (score := _comparable(a, b)):
                    found.append(Candidate(a, b, score))
    return found


# Evidence beyond name and birth date: a fact string such as "phone:0912345678" shared by both.
EVIDENCE_LABELS = {
    "phone": "cùng số điện thoại",
    "payee": "cùng người nhận thay (họ tên và số định danh)",
    "account": "cùng số tài khoản",
}


def duplicate_evidence(c: Candidate, facts: Mapping[int, frozenset[str]]) -> list[str]:
    """What else the two records share. Name and birth date alone are not enough: in a
    province of a million people thousands of different people share both."""
    shared = set(facts.get(c.a.id, frozenset()) & facts.get(c.b.id, frozenset()))
    if c.a.phone and c.a.phone == c.b.phone:
        shared.add("phone:")
    return sorted({fact.partition(":")[0] for fact in shared})


def fuzzy_duplicates(
    candidates: Iterable[Candidate], facts: Mapping[int, frozenset[str]]
) -> list[Problem]:
    """The candidates with corroborating evidence, as a problem for each record in scope."""
    found = []
    for c in candidates:
        evidence = duplicate_evidence(c, facts)
        if not evidence:
            continue
        detail = {"score": c.score, "evidence": evidence}
        for a, b in ((c.a, c.b), (c.b, c.a)):
            if a.in_scope:
                found.append(
                    _pair_problem(DUPLICATE_PERSON, a.id, a.commune_id, b.id, b.commune_id, detail)
                )
    return found


# --- Words for the officer -----------------------------------------------------------------

FIELD_LABELS = {
    "birth_date": "ngày sinh",
    "id_number": "số định danh cá nhân/CCCD",
    "payee": "người nhận tiền còn hiệu lực",
    "payment_method": "hình thức nhận (chưa đăng ký)",
    "account": "tài khoản đang dùng (đã đăng ký nhận qua tài khoản)",
}
ENCODING_LABELS = {
    "tcvn3": "bảng mã TCVN3 (ABC, phông .Vn)",
    "vni": "bảng mã VNI-Windows",
    "nfd": "Unicode tổ hợp (dấu tách rời chữ)",
}


def _date_text(iso: str | None) -> str:
    return date_vn(dt.date.fromisoformat(iso)) if iso else "(không rõ ngày)"


def finding_message(kind: str, detail: Mapping[str, Any]) -> str:
    """What is wrong and how to fix it, in Vietnamese, from a finding's kind and detail."""
    if kind == DUPLICATE_ID:
        return "Cùng số định danh với một hồ sơ khác: đối chiếu CCCD, giữ một hồ sơ."
    if kind == DUPLICATE_PERSON:
        evidence = ", ".join(EVIDENCE_LABELS.get(e, e) for e in detail.get("evidence", []))
        return (
            f"Cùng họ tên (giống {detail.get('score', 100)}%), giới tính và ngày sinh với một hồ "
            f"sơ khác, {evidence}; một trong hai chưa có số định danh đúng. Đối chiếu giấy tờ."
        )
    if kind in (ID_BIRTH_YEAR, ID_SEX, ID_INVALID):
        return " ".join([*detail.get("problems", []), "Sửa theo CCCD."])
    if kind == ID_LEGACY:
        return "Đang ghi CMND 9 số: cập nhật số định danh cá nhân 12 số theo CCCD."
    if kind == NAME_ENCODING:
        label = ENCODING_LABELS.get(detail.get("encoding", ""), "bảng mã cũ")
        return f"Họ tên lưu ở {label}; đọc đúng là “{detail.get('suggested', '')}”. Sửa họ tên."
    if kind == HOLDER_MISMATCH and "outcome" in detail:
        return _bank_message(detail)
    if kind == HOLDER_MISMATCH:
        return (
            f"Tên chủ tài khoản “{detail.get('holder_name', '')}” không khớp tên người nhận "
            f"“{detail.get('payee_name', '')}” (đã so không dấu). Kiểm tra tài khoản."
        )
    if kind == DEAD_BUT_ENROLLED:
        return _dead_message(detail)
    if kind == MISSING_FIELD:
        return f"Thiếu {FIELD_LABELS.get(detail.get('field', ''), detail.get('field', ''))}."
    if kind == PAYMENT_FAILED:
        return _payment_message(detail)
    return _other_message(detail)


def _payment_message(detail: Mapping[str, Any]) -> str:
    """A transfer the provider reported as not made (results of a locked list)."""
    said = LABELS.get(Outcome(detail["outcome"]), "") if detail.get("outcome") in LABELS else ""
    reason = " ".join(str(detail.get(k) or "") for k in ("code", "text")).strip()
    told = f"Kỳ chi số {detail.get('cycle', '?')}: {said or 'không chi được'}" + (
        f" ({reason})" if reason else ""
    )
    if detail.get("code") == HOLDER_DECEASED:
        return (f"{told}. Ngân hàng báo chủ tài khoản đã chết: xác minh với gia đình, thôn; "
                "nếu đúng, lập đề nghị giảm do chết.")  # fmt: skip
    return (f"{told}. Sửa tài khoản (đề nghị điều chỉnh tài khoản) hoặc chuyển sang nhận tiền "
            "mặt; các dòng chi của người này được giữ lại đến khi xử lý xong.")  # fmt: skip


def _bank_message(detail: Mapping[str, Any]) -> str:
    """A holder-name inquiry's answer (recorded by the accounts app, key "acct:<id>")."""
    when = f" ngày {_date_text(detail['checked_on'])}" if detail.get("checked_on") else ""
    if detail.get("outcome") == "failed":
        return f"Ngân hàng trả lời{when}: tài khoản không tồn tại hoặc không hợp lệ."
    return (
        f"Ngân hàng trả lời{when}: chủ tài khoản là “{detail.get('bank_name', '')}”, khác tên "
        f"“{detail.get('holder_name', '')}” trong hồ sơ. Kiểm tra với người nhận."
    )


def _dead_message(detail: Mapping[str, Any]) -> str:
    when = _date_text(detail.get("date"))
    what = "Đã chết" if detail.get("status") == DECEASED else "Đã thôi hưởng"
    until = ""
    if detail.get("date"):
        until = f" (chỉ hưởng đến hết tháng {month_vn(dt.date.fromisoformat(detail['date']))})"
    return (
        f"{what} từ {when} nhưng còn {detail.get('open_enrolments', 1)} diện hưởng chưa kết "
        f"thúc{until}: kết thúc diện hưởng."
    )


# Fields named by the police verification's findings.
POLICE_FIELD_LABELS = {
    "full_name": "họ tên",
    "birth": "ngày sinh",
    "sex": "giới tính",
    "id_number": "số định danh",
}


def _other_message(detail: Mapping[str, Any]) -> str:
    """Findings of other sources (police verification): which fields, never their values
    (they hold the full ID number)."""
    parts = []
    if fields := detail.get("fields"):
        labels = (POLICE_FIELD_LABELS.get(str(f), str(f)) for f in fields)
        parts.append("Sai lệch với CSDL dân cư ở: " + ", ".join(labels) + ".")
    if note := detail.get("note"):
        parts.append(str(note))
    if checked := detail.get("checked_on"):
        parts.append(f"Ngày xác minh {_date_text(checked)}.")
    return " ".join(parts) or "Xem hồ sơ."


# --- Measuring detection against planted defects -------------------------------------------

# Which finding stands for which planted defect kind (asxh.synthetic DefectKind values).
DEFECT_OF_KIND = {
    DUPLICATE_ID: "duplicate_person",
    DUPLICATE_PERSON: "duplicate_person",
    ID_BIRTH_YEAR: "id_birth_year",
    ID_SEX: "id_sex",
    DEAD_BUT_ENROLLED: "dead_but_active",
}
DEFECT_OF_ENCODING = {
    "tcvn3": "legacy_encoding",
    "vni": "legacy_encoding",
    "nfd": "decomposed_unicode",
}
DEFECT_KINDS = (
    "duplicate_person",
    "id_birth_year",
    "id_sex",
    "legacy_encoding",
    "decomposed_unicode",
    "dead_but_active",
)


class Planted(NamedTuple):
    kind: str
    beneficiary_id: int
    original_id: int | None = None  # the record a duplicate copies


class Found(NamedTuple):
    kind: str
    beneficiary_id: int
    related_id: int | None = None
    encoding: str | None = None


@dataclass
class Score:
    kind: str
    planted: int = 0
    found: int = 0
    true_positives: int = 0
    recalled: int = 0

    @property
    def precision(self) -> float:
        return self.true_positives / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.planted if self.planted else 1.0


def defect_kind(f: Found) -> str | None:
    if f.kind == NAME_ENCODING:
        return DEFECT_OF_ENCODING.get(f.encoding or "")
    return DEFECT_OF_KIND.get(f.kind)


def _clusters(planted: Iterable[Planted]) -> dict[int, int]:
    """Record id → the id of its person, over the planted copies (a copy may be copied again
    from the same original: all of them are one person)."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in planted:
        if p.original_id is not None:
            parent[root(p.beneficiary_id)] = root(p.original_id)
    return {x: root(x) for x in list(parent)}


def detection_scores(planted: list[Planted], found: Iterable[Found]) -> list[Score]:
    """Precision and recall per planted kind. A duplicate finding is right when both records
    are the same planted person (either one may carry it); a planted duplicate is recalled
    when some right finding names its record. Other kinds: the finding's record was planted
    with that kind."""
    scores = {kind: Score(kind) for kind in DEFECT_KINDS}
    by_kind: dict[str, set[int]] = defaultdict(set)
    for p in planted:
        scores[p.kind].planted += 1
        by_kind[p.kind].add(p.beneficiary_id)
    person = _clusters(p for p in planted if p.kind == "duplicate_person")
    recalled: dict[str, set[int]] = defaultdict(set)
    for f in found:
        kind = defect_kind(f)
        if kind is None:
            continue
        scores[kind].found += 1
        if kind == "duplicate_person":
            a, b = person.get(f.beneficiary_id), person.get(f.related_id or -1)
            right = a is not None and a == b
            ids = {f.beneficiary_id, f.related_id or -1} if right else set()
        else:
            right = f.beneficiary_id in by_kind[kind]
            ids = {f.beneficiary_id} if right else set()
        scores[kind].true_positives += right
        recalled[kind] |= ids & by_kind[kind]
    for kind, ids in recalled.items():
        scores[kind].recalled = len(ids)
    return [scores[kind] for kind in DEFECT_KINDS]
