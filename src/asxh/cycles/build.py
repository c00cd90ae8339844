"""Building a month's payment lines for a province, streaming.

Each table is read once, ordered by beneficiary, and merged person by person (no per-person
query); every person goes through the entitlement engine; the lines stream straight into
COPY. Past months are recomputed (arrears, recoveries) only for people whose record changed
since the last locked list, or for everyone when a rate was added with a past start date.
"""

import datetime as dt
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Max, Min, Q

from asxh.accounts.models import ReceivingAccount
from asxh.beneficiaries.models import (
    Beneficiary,
    Enrolment,
    PaymentMethodRegistration,
    Status,
    TargetGroup,
)
from asxh.changes.models import ChangeKind, ChangeRequest, ChangeState
from asxh.cycles.models import Cycle, CycleState, LineKind, PaymentLine
from asxh.entitlement import engine
from asxh.entitlement.models import OneOffListEntry, RateEntry
from asxh.entitlement.months import month_first_day, month_of
from asxh.entitlement.rates import RateBook
from asxh.providers.selectors import Routing
from asxh.quality.models import Finding, FindingKind, FindingState
from asxh.results.models import PAYMENT_STATE, PaymentEvent
from asxh.results.outcomes import Outcome

# Open findings that stop money from being sent until someone looks at them.
HOLDING_FINDINGS = {
    FindingKind.HOLDER_MISMATCH: "Tên chủ tài khoản không khớp",
    FindingKind.POLICE_MISMATCH: "Công an xác minh: sai lệch",
    FindingKind.POLICE_NOT_FOUND: "Công an xác minh: không có trong CSDL dân cư",
    FindingKind.DUPLICATE_ID: "Trùng số định danh",
    FindingKind.PAYMENT_FAILED: "Chuyển khoản kỳ trước không thành công: sửa tài khoản hoặc "
    "chuyển sang chi tiền mặt",
}
PAID_KINDS = [LineKind.MONTHLY, LineKind.FUNERAL, LineKind.ARREARS, LineKind.RECOVERY]
CHUNK = 20_000

LINE_COLUMNS = [
    "cycle_id", "beneficiary_id", "commune_id", "payee_id", "contract_id", "method",
    "cash_at_home", "benefit", "kind", "for_month", "amount", "title", "bank_bin",
    "account_number", "held_reason",
]  # fmt: skip


@dataclass
class Tally:
    """What the build wrote, counted as it streams."""

    people: int = 0
    lines: int = 0
    total: int = 0
    held: int = 0
    held_total: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, amount: int, held_reason: str) -> None:
        self.lines += 1
        if held_reason:
            self.held += 1
            self.held_total += amount
            self.by_reason[held_reason] = self.by_reason.get(held_reason, 0) + 1
        else:
            self.total += amount

    def merge(self, other: "Tally") -> None:
        """Add what another part of the build counted."""
        for name in ("people", "lines", "total", "held", "held_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, lines in other.by_reason.items():
            self.by_reason[reason] = self.by_reason.get(reason, 0) + lines


class Stream:
    """Rows of one query grouped by beneficiary id (the first column), read in order."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self._groups = groupby(rows, key=itemgetter(0))
        self._next = -1  # the id of the next group; NO_MORE once read to the end
        self._rows: list[tuple[Any, ...]] = []
        self._advance()

    def _advance(self) -> None:
        found = next(self._groups, None)
        self._next, self._rows = (found[0], list(found[1])) if found else (NO_MORE, [])

    def take(self, person_id: int) -> list[tuple[Any, ...]]:
        if self._next > person_id:  # nothing for this person (most people, in sparse tables)
            return []
        while self._next < person_id:
            self._advance()
        if self._next == person_id:
            rows = self._rows
            self._advance()
            return rows
        return []


NO_MORE = sys.maxsize  # larger than any id
# The people of a build (or of one of its workers): first and last beneficiary id.
Part = tuple[int, int]
EVERYONE: Part = (0, NO_MORE)


def stream(qs: Any) -> Iterator[tuple[Any, ...]]:
    """The query's rows, streamed. On PostgreSQL the ORM builds the SQL but a server-side
    cursor hands the rows over as they come (psycopg already gives dates and booleans; the
    ORM's row-by-row conversion would double the read time)."""
    if connection.vendor != "postgresql":
        yield from qs.iterator(chunk_size=CHUNK)
        return
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a .none() query
        return
    yield from sql_stream(sql, params)


def sql_stream(sql: str, params: Sequence[Any] | dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of SQL, streamed (a server-side cursor on PostgreSQL)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


@dataclass(frozen=True)
class Context:
    cycle: Cycle
    month: int
    commune_ids: list[int]
    book: RateBook
    one_offs: list[engine.OneOff]
    routing: Routing
    # Past months are recomputed from `since` (the province's first locked list; None before
    # any), for everyone when a rate was added with a past start date since the last lock,
    # else for people whose record changed after it.
    since: int | None
    recompute_all: bool
    changed_after: dt.datetime | None

    def recomputes(self, changed: bool) -> bool:
        return self.since is not None and (self.recompute_all or changed)


def context_for(cycle: Cycle, book: RateBook, one_offs: list[engine.OneOff]) -> Context:
    month = month_of(cycle.month)
    commune_ids = list(cycle.province.communes.values_list("pk", flat=True))  # type: ignore[attr-defined]
    locked = Cycle.objects.filter(province=cycle.province, month__lt=cycle.month).exclude(
        state=CycleState.DRAFT
    )
    span = locked.aggregate(first=Min("month"), last_lock=Max("locked_at"))
    last_lock = span["last_lock"]
    retroactive = (
        last_lock is not None
        and RateEntry.objects.filter(
            created_at__gt=last_lock, effective_from__lt=cycle.month
        ).exists()
    )
    return Context(
        cycle=cycle,
        month=month,
        commune_ids=commune_ids,
        book=book,
        one_offs=one_offs,
        routing=Routing(cycle.province, month),
        since=month_of(span["first"]) if span["first"] else None,
        recompute_all=retroactive,
        changed_after=last_lock,
    )


def _people(ctx: Context, part: Part) -> Iterator[tuple[Any, ...]]:
    """The people to price: those being paid, and those whose past is recomputed (a death
    or a stop recorded since the last list may still owe or be owed)."""
    who = Q(status__in=[Status.ACTIVE, Status.SUSPENDED])
    if ctx.since is not None and ctx.recompute_all:
        who = Q()
    elif ctx.since is not None and ctx.changed_after is not None:
        who |= Q(updated_at__gt=ctx.changed_after)
    qs = Beneficiary.objects.filter(who, commune_id__in=ctx.commune_ids, pk__range=part)
    qs = qs.order_by("pk")
    # Whether the record changed since the last list, decided by the database (parsing a
    # million timestamps in Python costs seconds).
    changed = Q(updated_at__gt=ctx.changed_after) if ctx.changed_after else Q(pk__gt=0)
    qs = qs.annotate(changed=ExpressionWrapper(changed, output_field=BooleanField()))
    return stream(
        qs.values_list(
            "pk", "commune_id", "birth_date", "birth_date_precision", "death_date", "changed"
        )
    )


def _streams(ctx: Context, part: Part) -> dict[str, Stream]:
    of_area = Q(
        beneficiary__commune_id__in=ctx.commune_ids,
        beneficiary_id__gte=part[0],
        beneficiary_id__lte=part[1],
    )
    enrolments = Enrolment.objects.filter(of_area).order_by("beneficiary_id", "pk")
    registrations = PaymentMethodRegistration.objects.filter(of_area).order_by(
        "beneficiary_id", "registered_on", "pk"
    )
    accounts = ReceivingAccount.objects.filter(of_area, status="active").order_by(
        "beneficiary_id", "pk"
    )
    holds = Finding.objects.filter(
        of_area, state=FindingState.OPEN, kind__in=list(HOLDING_FINDINGS)
    ).order_by("beneficiary_id")
    lists = OneOffListEntry.objects.filter(of_area, payment__month=ctx.cycle.month)
    resumed = ChangeRequest.objects.filter(
        of_area, kind=ChangeKind.RESUME_PAYMENT, state=ChangeState.APPROVED
    )
    streams = {
        "enrolments": enrolments.values_list(
            "beneficiary_id", "group_id", "start_month", "end_month", "disability_level",
            "household_poverty", "in_education", "hiv_positive", "impairment_percent",
            "martyr_count", "children", "pregnant", "care_kind", "cared_birth_date",
        ),
        "registrations": registrations.values_list(
            "beneficiary_id", "method", "payee_id", "cash_at_home"
        ),
        "accounts": accounts.values_list(
            "beneficiary_id", "payee_id", "institution__bin", "account_number", "verification"
        ),
        "holds": holds.values_list("beneficiary_id", "kind"),
        "lists": lists.order_by("beneficiary_id").values_list("beneficiary_id", "payment__code"),
        "uncollected": _uncollected(ctx, part),
        "resumed": resumed.order_by("beneficiary_id", "effective_month").values_list(
            "beneficiary_id", "effective_month"
        ),
        "paid": _paid_history(ctx, part),
    }  # fmt: skip
    found = {name: Stream(stream(qs)) for name, qs in streams.items()}
    return found | {"carried": Stream(_carried(ctx, part))}


# Last month's money still owed, line by line: the lines held then, and what a payment
# reported final (not one to review) left unpaid. What was paid, plus the recoveries the payment
# netted, is set against the person's positive lines in month order; the rest of each line is
# carried (all of it when nothing was paid), and recoveries count as netted.
CARRIED = f"""
SELECT beneficiary_id, benefit, for_month, unpaid, title FROM (
  SELECT l.id, l.beneficiary_id, l.benefit, l.for_month, l.title,
         CASE WHEN l.held_reason <> '' THEN l.amount
              WHEN l.amount <= 0 OR l.upto <= v.net + l.netted THEN 0
              WHEN l.upto - l.amount >= v.net + l.netted THEN l.amount
              ELSE l.upto - v.net - l.netted END AS unpaid
  FROM (SELECT id, beneficiary_id, benefit, for_month, title, held_reason, amount,
               SUM(CASE WHEN amount > 0 AND held_reason = '' THEN amount ELSE 0 END) OVER (
                 PARTITION BY beneficiary_id ORDER BY for_month, benefit, id
                 ROWS UNBOUNDED PRECEDING) AS upto,
               -SUM(CASE WHEN amount < 0 AND held_reason = '' THEN amount ELSE 0 END) OVER (
                 PARTITION BY beneficiary_id) AS netted
        FROM cycles_paymentline
        WHERE cycle_id = %(cycle)s AND beneficiary_id BETWEEN %(first)s AND %(last)s) l
  LEFT JOIN ({PAYMENT_STATE}) v
    ON v.beneficiary_id = l.beneficiary_id AND v.beneficiary_id BETWEEN %(first)s AND %(last)s
  WHERE l.held_reason <> '' OR v.outcome <> '{Outcome.REVIEW}'
) c WHERE unpaid <> 0 ORDER BY beneficiary_id, id
"""


def _carried(ctx: Context, part: Part) -> Iterator[tuple[Any, ...]]:
    """Last month's money to list again (CARRIED), if last month's list was locked."""
    last = (
        Cycle.objects.filter(
            province=ctx.cycle.province,
            month=month_first_day(ctx.month - 1),
            state__in=[CycleState.LOCKED, CycleState.CLOSED],
        )
        .values_list("pk", flat=True)
        .first()
    )
    if last is None:
        return iter(())
    return sql_stream(CARRIED, {"cycle": last, "first": part[0], "last": part[1]})


def _uncollected(ctx: Context, part: Part) -> Any:
    """The months whose money each person left uncollected (results of locked lists): three
    in a row suspend payment (engine.suspension_note)."""
    return (
        PaymentEvent.objects.filter(
            cycle__province=ctx.cycle.province,
            cycle__state__in=[CycleState.LOCKED, CycleState.CLOSED],
            outcome=Outcome.NOT_COLLECTED,
            beneficiary_id__gte=part[0],
            beneficiary_id__lte=part[1],
        )
        .order_by("beneficiary_id")
        .values_list("beneficiary_id", "cycle__month")
        .distinct()
    )


def _paid_history(ctx: Context, part: Part) -> Any:
    """What locked lists paid, per person, benefit and month, for those whose past is
    recomputed."""
    lines = PaymentLine.objects.filter(
        cycle__province=ctx.cycle.province,
        cycle__state__in=[CycleState.LOCKED, CycleState.CLOSED],
        kind__in=PAID_KINDS,
        beneficiary_id__gte=part[0],
        beneficiary_id__lte=part[1],
    )
    if ctx.since is None:
        lines = lines.none()
    elif not ctx.recompute_all and ctx.changed_after is not None:
        lines = lines.filter(beneficiary__updated_at__gt=ctx.changed_after)
    return lines.order_by("beneficiary_id").values_list(
        "beneficiary_id", "benefit", "for_month", "amount"
    )


@dataclass(frozen=True, slots=True)
class Payment:
    """How a person is paid this month: method, payee, account, and why it is held."""

    method: str
    payee_id: int | None
    cash_at_home: bool
    bank_bin: str
    account_number: str
    held: str


def payment_for(registrations: list[tuple[Any, ...]], accounts: list[tuple[Any, ...]],
                holds: list[tuple[Any, ...]]) -> Payment:  # fmt: skip
    """The latest registration decides. An account line is held while the account is not
    verified; a person with an open mismatch is held whatever the method."""
    held = "; ".join(HOLDING_FINDINGS[FindingKind(kind)] for _, kind in holds)
    if not registrations:
        return Payment("cash", None, False, "", "", held or "Chưa đăng ký hình thức nhận")
    _, method, payee_id, at_home = registrations[-1]
    if method != "account":  # cash, or non-cash wanted but no account yet: paid in cash
        return Payment("cash", payee_id, at_home, "", "", held)
    # The registered payee's own account; never another payee's (a guardian's, say).
    mine = [a for a in accounts if payee_id is None or a[1] == payee_id]
    account = mine[-1] if mine else None
    if account is None:
        return Payment("account", payee_id, False, "", "", held or "Chưa có tài khoản")
    _, _, bank_bin, number, verification = account
    if verification != "verified":
        held = held or "Tài khoản chưa xác thực"
    return Payment("account", payee_id, False, bank_bin, number, held)


def enrolment_row(row: tuple[Any, ...], groups: dict[int, str]) -> engine.Enrolment:
    (_, group_id, start, end, disability, poverty, education, hiv, impairment, martyrs,
     children, pregnant, care_kind, cared) = row  # fmt: skip
    return engine.Enrolment(
        groups[group_id], month_of(start), month_of(end) if end else None, disability, poverty,
        education, hiv, impairment, martyrs, children, pregnant, care_kind, cared,
    )  # fmt: skip


def line_rows(ctx: Context, tally: Tally, part: Part = EVERYONE) -> Iterator[tuple[Any, ...]]:
    """The payment lines of the cycle (of the people in `part`), as COPY rows, counted into
    `tally`."""
    groups = dict(TargetGroup.objects.values_list("pk", "code"))
    streams = _streams(ctx, part)
    cycle_id, province = ctx.cycle.pk, ctx.cycle.province.code
    titles: dict[tuple[Any, ...], str] = {}
    for pid, commune_id, born, precision, died, changed in _people(ctx, part):
        enrolled = [enrolment_row(r, groups) for r in streams["enrolments"].take(pid)]
        lists = frozenset(code for _, code in streams["lists"].take(pid))
        uncollected = frozenset(month_of(m) for _, m in streams["uncollected"].take(pid))
        # The latest approved resumption lifts the suspensions before it.
        resumed = max((month_of(m) for _, m in streams["resumed"].take(pid)), default=None)
        person = engine.Person(born, precision, died, province, "", (), uncollected, resumed,
                               lists)  # fmt: skip
        lines = list(
            engine.month_evaluate(person, enrolled, ctx.month, ctx.book, ctx.one_offs).lines
        )
        paid_rows = streams["paid"].take(pid)
        if ctx.recomputes(changed):
            lines += _arrears(ctx, person, enrolled, paid_rows)
        carried = streams["carried"].take(pid)
        payment = payment_for(
            streams["registrations"].take(pid),
            streams["accounts"].take(pid),
            streams["holds"].take(pid),
        )
        if not lines and not carried:
            continue
        tally.people += 1
        contract = ctx.routing.contract_for(commune_id, payment.method)
        held = payment.held if contract else "Chưa có tổ chức chi trả cho xã, hình thức này"
        if not held and _owes(lines, carried):
            held = OWES
        fixed = (cycle_id, pid, commune_id, payment.payee_id, contract, payment.method,
                 payment.cash_at_home)  # fmt: skip
        account = (payment.bank_bin, payment.account_number, held)
        for line in lines:
            key = (line.benefit, line.kind, line.month, line.band, line.notes)
            title = titles.get(key) or titles.setdefault(key, engine.line_title(line)[:200])
            for kind, for_month, amount in _months_of(line):
                tally.add(amount, held)
                yield (*fixed, line.benefit, kind, for_month, amount, title, *account)
        for _, benefit, for_month, amount, title in carried:
            tally.add(amount, held)
            yield (*fixed, benefit, LineKind.CARRY_OVER, for_month, amount, title, *account)


# A recovery larger than what is due this month: nothing is sent (a transfer cannot be
# negative); the lines stay listed, held, and are carried to net against the next month.
OWES = "Số thu hồi lớn hơn số được chi tháng này: chuyển kỳ sau hoặc thu hồi trực tiếp"


def _owes(lines: list[engine.Line], carried: list[tuple[Any, ...]]) -> bool:
    due = sum(amount for line in lines for _, _, amount in _months_of(line))
    return due + sum(row[3] for row in carried) <= 0


def _arrears(ctx: Context, person: engine.Person, enrolled: list[engine.Enrolment],
             paid_rows: list[tuple[Any, ...]]) -> list[engine.Line]:  # fmt: skip
    """What past months owe or overpaid, from the first locked month of the province."""
    paid: dict[tuple[str, int], int] = {}
    for _, benefit, for_month, amount in paid_rows:
        key = (benefit, month_of(for_month))
        paid[key] = paid.get(key, 0) + amount
    assert ctx.since is not None
    owed = engine.arrears(person, enrolled, paid, ctx.month, ctx.book, since=ctx.since)
    died = month_of(person.death_date) if person.death_date else None
    if died is not None and died < ctx.since and (engine.FUNERAL, died) not in paid:
        # A death before the first list still owes its funeral support (not its months).
        result = engine.month_evaluate(person, enrolled, died, ctx.book)
        owed += [line for line in result.lines if line.kind == engine.Kind.FUNERAL]
    return owed


def _months_of(line: engine.Line) -> list[tuple[str, dt.date, int]]:
    """A line as stored: arrears and recoveries one row per month they correct."""
    if not line.corrects:
        return [(line.kind, month_first_day(line.month), line.amount)]
    kind = line.kind
    return [(kind, month_first_day(m), due - paid) for m, due, paid in line.corrects]
