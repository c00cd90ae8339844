"""The scan's reads: the registry of some communes, streamed set-based into `quality.logic`.

A handful of queries whatever the number of people: the people in one ordered stream (by
birth year and sex, so fuzzy-duplicate blocks are built one year at a time and memory stays
flat), plus the few facts each check needs, each read in one query for the whole scope. No
query per person. The caller (`services.quality_scan`) decides the communes from the user.
"""

import datetime as dt
import heapq
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat, ExtractYear, Left, Reverse, StrIndex

from asxh.accounts.models import ReceivingAccount
from asxh.beneficiaries.models import Beneficiary, Enrolment, Payee, PayeeKind, Status
from asxh.core.text import fold
from asxh.quality import logic
from asxh.quality.logic import (
    AccountRecord,
    Candidate,
    DupRecord,
    IdHolder,
    PersonRecord,
    Problem,
)

CHUNK = 20_000  # rows per fetch of a server-side cursor
IDS_CHUNK = 5_000  # ids per `IN (...)` list


@dataclass
class ScanOutcome:
    problems: list[Problem] = field(default_factory=list)
    scanned: int = 0


def scan_problems(commune_ids: list[int], *, today: dt.date) -> ScanOutcome:
    """Every problem of the people living in these communes (duplicates are looked for in
    the whole registry)."""
    outcome = ScanOutcome()
    candidates = _check_people(commune_ids, today, outcome)
    wanted = {r.id for c in candidates for r in (c.a, c.b)}
    facts: dict[int, set[str]] = defaultdict(set)
    _check_accounts(commune_ids, wanted, facts, outcome)
    _payee_facts(Payee.objects.filter(beneficiary__commune_id__in=commune_ids), wanted, facts)
    _outside_facts(wanted - _in_scope(candidates), facts)
    frozen = {pk: frozenset(f) for pk, f in facts.items()}
    outcome.problems.extend(logic.fuzzy_duplicates(candidates, frozen))
    outcome.problems.extend(logic.exact_id_duplicates(_id_holders(commune_ids)))
    return outcome


def _check_people(commune_ids: list[int], today: dt.date, outcome: ScanOutcome) -> list[Candidate]:
    """Each person's own problems into `outcome`; returns the possible duplicate pairs, found
    one birth year and sex at a time."""
    no_payee = _without_payee(commune_ids, today)
    no_account = _without_account(commune_ids)
    ends = _enrolment_ends(commune_ids)
    candidates: list[Candidate] = []
    for _, rows in groupby(_people_and_partners(commune_ids), key=_year_sex):
        block: list[DupRecord] = []
        for p, in_scope in rows:
            identity = logic.identity_problems(p)
            if in_scope:
                outcome.scanned += 1
                outcome.problems.extend(
                    logic.person_problems(
                        p,
                        identity,
                        has_payee=p.id not in no_payee,
                        has_account=p.id not in no_account,
                        end_months=ends.get(p.id, ()),
                    )
                )
            if p.birth_date is not None:
                block.append(_dup_record(p, logic.id_reliable(p, identity), in_scope))
        candidates.extend(logic.possible_duplicates(block))
    return candidates


def _check_accounts(
    commune_ids: list[int], wanted: set[int], facts: dict[int, set[str]], outcome: ScanOutcome
) -> None:
    """Holder names against payees; on the way, the account numbers of candidate pairs."""
    for account, still_enrolled in _accounts(commune_ids):
        if account.beneficiary_id in wanted:
            facts[account.beneficiary_id].add(f"account:{account.account_number}")
        if still_enrolled and (problem := logic.holder_problem(account)):
            outcome.problems.append(problem)


def _in_scope(candidates: list[Candidate]) -> set[int]:
    return {r.id for c in candidates for r in (c.a, c.b) if r.in_scope}


def _dup_record(p: PersonRecord, reliable: bool, in_scope: bool) -> DupRecord:
    assert p.birth_date is not None
    return DupRecord(
        p.id, p.commune_id, p.name_folded, p.birth_date, p.birth_date_precision, p.sex,
        p.id_number, p.phone, reliable, in_scope,
    )  # fmt: skip


# --- The people ----------------------------------------------------------------------------


def _year_sex(item: tuple[PersonRecord, bool]) -> tuple[bool, int, str]:
    """The stream's order: birth year (no birth date last), then sex."""
    birth = item[0].birth_date
    return birth is None, birth.year if birth else 0, item[0].sex


def _ordered(qs: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    return qs.order_by(ExtractYear("birth_date").asc(nulls_last=True), "sex")


def _records(qs: QuerySet[Beneficiary], in_scope: bool) -> Iterator[tuple[PersonRecord, bool]]:
    new = tuple.__new__  # a row is already a tuple in PersonRecord's order
    for row in qs.values_list(*PersonRecord._fields).iterator(chunk_size=CHUNK):
        yield new(PersonRecord, row), in_scope


def _people_and_partners(commune_ids: list[int]) -> Iterator[tuple[PersonRecord, bool]]:
    """The people of the scope, merged in order with the people elsewhere who could be one of
    them (same birth year, sex, first and last word of the name)."""
    people = _records(_ordered(Beneficiary.objects.filter(commune_id__in=commune_ids)), True)
    outside = Beneficiary.objects.exclude(commune_id__in=commune_ids)
    if not outside.exists():
        return people
    partners = _records(_ordered(_partners(outside, commune_ids)), False)
    return heapq.merge(people, partners, key=_year_sex)


def _block_annotated(qs: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """`logic.block_key` in SQL: birth year and the first and last word of the folded name."""
    name = F("name_folded")
    reversed_name = Reverse("name_folded")
    space = Value(" ")
    return qs.filter(birth_date__isnull=False).annotate(
        block_year=ExtractYear("birth_date"),
        block_first=Left(name, StrIndex(Concat(name, space), space) - 1),
        block_last=Reverse(Left(reversed_name, StrIndex(Concat(reversed_name, space), space) - 1)),
    )


def _partners(outside: QuerySet[Beneficiary], commune_ids: list[int]) -> QuerySet[Beneficiary]:
    same_block = {f: OuterRef(f) for f in ("block_year", "sex", "block_first", "block_last")}
    inside = _block_annotated(Beneficiary.objects.filter(commune_id__in=commune_ids)).filter(
        **same_block
    )
    return _block_annotated(outside).filter(Exists(inside))


# --- Facts for the checks of one record ------------------------------------------------------


def _without_payee(commune_ids: list[int], today: dt.date) -> set[int]:
    """People still paid who have no payee in force today."""
    in_force = Payee.objects.filter(beneficiary=OuterRef("pk"), valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    qs = Beneficiary.objects.filter(commune_id__in=commune_ids, status=Status.ACTIVE)
    return set(qs.exclude(Exists(in_force)).values_list("id", flat=True))


def _without_account(commune_ids: list[int]) -> set[int]:
    """People registered to be paid into an account who have no account in use."""
    in_use = ReceivingAccount.objects.filter(beneficiary=OuterRef("pk"), status="active")
    qs = Beneficiary.objects.filter(commune_id__in=commune_ids, payment_method=logic.ACCOUNT)
    return set(qs.exclude(Exists(in_use)).values_list("id", flat=True))


def _enrolment_ends(commune_ids: list[int]) -> dict[int, list[dt.date | None]]:
    """The end months of the enrolments of the dead and the stopped."""
    ended = Q(beneficiary__death_date__isnull=False) | Q(
        beneficiary__status__in=[Status.DECEASED, Status.STOPPED]
    )
    rows = Enrolment.objects.filter(ended, beneficiary__commune_id__in=commune_ids).values_list(
        "beneficiary_id", "end_month"
    )
    ends: dict[int, list[dt.date | None]] = defaultdict(list)
    for beneficiary_id, end_month in rows.iterator(chunk_size=CHUNK):
        ends[beneficiary_id].append(end_month)
    return ends


def _accounts(commune_ids: list[int]) -> Iterator[tuple[AccountRecord, bool]]:
    """Accounts in use with their payee's name, and whether their person is still enrolled
    (only then does a wrong holder name stop a payment)."""
    rows = ReceivingAccount.objects.filter(
        status="active", beneficiary__commune_id__in=commune_ids
    ).values_list(
        "beneficiary_id",
        "beneficiary__commune_id",
        "id",
        "holder_name",
        "payee__full_name",
        "account_number",
        "beneficiary__status",
    )
    enrolled = {Status.ACTIVE, Status.SUSPENDED}
    new = tuple.__new__
    for row in rows.iterator(chunk_size=CHUNK):
        yield new(AccountRecord, row[:6]), row[6] in enrolled


# --- Facts for duplicates -------------------------------------------------------------------


def _id_holders(commune_ids: list[int]) -> Iterator[IdHolder]:
    """Everyone whose ID number is also someone else's, for the numbers found in the scope."""
    in_scope = Beneficiary.objects.filter(commune_id__in=commune_ids).exclude(id_number="")
    shared = (
        Beneficiary.objects.filter(id_number__in=in_scope.values("id_number"))
        .values("id_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("id_number")
    )
    scope = set(commune_ids)
    rows = Beneficiary.objects.filter(id_number__in=shared).values_list(
        "id", "commune_id", "id_number"
    )
    for pk, commune_id, number in rows.iterator(chunk_size=CHUNK):
        yield IdHolder(pk, commune_id, number, commune_id in scope)


def _payee_facts(payees: QuerySet[Payee], wanted: set[int], facts: dict[int, set[str]]) -> None:
    """Who else receives for the records of candidate pairs (streamed: a long `IN` list of
    ids costs more than reading the scope's payees once)."""
    rows = payees.exclude(kind=PayeeKind.SELF).values_list(
        "beneficiary_id", "full_name", "id_number"
    )
    for pk, name, number in rows.iterator(chunk_size=CHUNK):
        # A relative's name alone is common (the same surname, a common given name): only
        # name and ID number together single out one payee.
        if number and pk in wanted:
            facts[pk].add(f"payee:{fold(name)}:{number}")


def _outside_facts(ids: set[int], facts: dict[int, set[str]]) -> None:
    """The same facts for candidates living outside the scope (few: read by id)."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), IDS_CHUNK):
        chunk = ordered[start : start + IDS_CHUNK]
        _payee_facts(Payee.objects.filter(beneficiary_id__in=chunk), ids, facts)
        accounts = ReceivingAccount.objects.filter(beneficiary_id__in=chunk, status="active")
        for pk, number in accounts.values_list("beneficiary_id", "account_number"):
            facts[pk].add(f"account:{number}")
