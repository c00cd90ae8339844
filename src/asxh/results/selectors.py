"""The books of a locked list, per provider: what was advanced and where every đồng went.

Per payment (a person's lines sent to one provider) the events give the net amount paid and
the latest outcome. What was not paid of an account payment came back to the payer's account
(returned); what was not paid of a cash payment stays with the provider for the next round
(carried over). A payment with no result yet, or one to review, keeps the books open.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import QuerySet

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.core.bulk import whole_table_reads
from asxh.cycles.models import Cycle
from asxh.cycles.selectors import user_communes
from asxh.providers.logic import fee_amount
from asxh.providers.models import Contract, Provider
from asxh.results.models import PAYMENT_STATE, ResultFile
from asxh.results.outcomes import LABELS, Outcome

# The cycle's payments (stored when the list was locked) with what their events say.
PAYMENTS = f"""
SELECT k.provider_id, e.method, e.at_home, e.amount, COALESCE(v.net, 0) AS net, v.outcome
FROM cycles_payment e JOIN providers_contract k ON k.id = e.contract_id
LEFT JOIN ({PAYMENT_STATE}) v ON v.beneficiary_id = e.beneficiary_id
WHERE e.cycle_id = %(cycle)s
"""

# The payments grouped by everything the books and the outcome table tell apart: one read of
# the list and its events serves both.
STANDING = f"""
SELECT provider_id, method, at_home, COALESCE(outcome, ''), COUNT(*), SUM(amount), SUM(net),
       SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN net < amount THEN 1 ELSE 0 END)
FROM ({PAYMENTS}) p GROUP BY provider_id, method, at_home, COALESCE(outcome, '')
ORDER BY provider_id, COALESCE(outcome, ''), method, at_home
"""
HOME = frozenset({Outcome.PAID_HOME, Outcome.PAID_REPRESENTATIVE})


@dataclass(frozen=True)
class Standing:
    """Payments of one provider alike in method, cash at home and latest outcome."""

    provider_id: int
    method: str
    at_home: bool
    outcome: str  # '' while there is no result
    payments: int
    amount: int
    net: int  # paid, net of returns
    paid_people: int  # payments with something paid
    short_people: int  # payments with less paid than listed

    @property
    def reported(self) -> bool:
        """A final result: not missing, not waiting for a person to look at it."""
        return self.outcome not in ("", Outcome.REVIEW)

    @property
    def home(self) -> bool:
        """Cash at home or through a guardian / authorised person."""
        return self.method != "account" and (self.at_home or self.outcome in HOME)


def standing(cycle: Cycle) -> list[Standing]:
    with transaction.atomic(), connection.cursor() as cursor:
        whole_table_reads()
        cursor.execute(STANDING, {"cycle": cycle.pk})
        rows = cursor.fetchall()
    return [Standing(provider, method, bool(home), outcome, *(int(v or 0) for v in figures))
            for provider, method, home, outcome, *figures in rows]  # fmt: skip


@dataclass(frozen=True)
class Books:
    """One provider's books for the cycle, in VND."""

    provider_code: str
    provider_name: str
    payments: int
    advanced: int  # the lines sent to it (the advance, before the fee)
    paid_account: int
    paid_home: int  # cash at home or through a guardian / authorised person
    paid_cash: int  # cash at the pay point
    people_paid: int
    returned: int  # account payments not made: back on the payer's account
    carried: int  # cash not paid out: kept for the next round
    unpaid_people: int
    pending_people: int  # no result yet
    pending: int
    review_people: int  # a result someone must look at
    review: int
    fee: int  # the contract's fee on what was paid

    @property
    def paid(self) -> int:
        return self.paid_account + self.paid_home + self.paid_cash

    @property
    def accounted(self) -> int:
        return self.paid + self.returned + self.carried

    @property
    def balanced(self) -> bool:
        """Every đồng advanced ends as paid, returned or carried over."""
        return (
            self.pending_people == 0
            and self.review_people == 0
            and (self.accounted == self.advanced)
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"paid": self.paid, "balanced": self.balanced}


def books(cycle: Cycle, found: list[Standing] | None = None) -> list[Books]:
    """The cycle's books, one per provider it sent lines to (from `found`, its standing, when
    the caller has read it already)."""
    per_provider: dict[int, list[Standing]] = {}
    for group in standing(cycle) if found is None else found:
        per_provider.setdefault(group.provider_id, []).append(group)
    providers = Provider.objects.in_bulk(list(per_provider))
    return [_books(cycle, providers[pk], groups) for pk, groups in sorted(per_provider.items())]


def _books(cycle: Cycle, provider: Provider, groups: list[Standing]) -> Books:
    def total(figure: str, where: Callable[[Standing], bool]) -> int:
        return sum(getattr(g, figure) for g in groups if where(g))

    def unpaid(where: Callable[[Standing], bool]) -> int:
        return sum(g.amount - g.net for g in groups if where(g))

    account = total("net", lambda g: g.method == "account")
    home = total("net", lambda g: g.home)
    cash = total("net", lambda g: g.method != "account" and not g.home)
    people_paid = total("paid_people", lambda g: True)
    fee = _fee(cycle, provider.pk, people=people_paid, amount=account + home + cash)
    return Books(
        provider.code, provider.name,
        payments=total("payments", lambda g: True), advanced=total("amount", lambda g: True),
        paid_account=account, paid_home=home, paid_cash=cash, people_paid=people_paid,
        returned=unpaid(lambda g: g.reported and g.method == "account"),
        carried=unpaid(lambda g: g.reported and g.method != "account"),
        unpaid_people=total("short_people", lambda g: g.reported),
        pending_people=total("payments", lambda g: g.outcome == ""),
        pending=unpaid(lambda g: g.outcome == ""),
        review_people=total("payments", lambda g: g.outcome == Outcome.REVIEW),
        review=unpaid(lambda g: g.outcome == Outcome.REVIEW),
        fee=fee,
    )  # fmt: skip


def _fee(cycle: Cycle, provider_id: int, *, people: int, amount: int) -> int:
    """The fee of the provider's contract for the province, on what it paid."""
    contract = (
        Contract.objects.filter(provider_id=provider_id, province=cycle.province)
        .order_by("-valid_from")
        .first()
    )
    if contract is None:
        return 0
    return fee_amount(contract.fee_kind, contract.fee_value, people, amount)


@dataclass(frozen=True)
class OutcomeRow:
    provider_name: str
    outcome: str  # '' for payments without a result yet
    label: str
    people: int
    paid: int
    unpaid: int


def outcomes(cycle: Cycle, found: list[Standing] | None = None) -> list[OutcomeRow]:
    """How many payments stand at each latest outcome, per provider, and their money: what a
    commune reviews (not paid, not collected, refused by the bank)."""
    rows: dict[tuple[int, str], list[int]] = {}
    for g in standing(cycle) if found is None else found:
        figures = rows.setdefault((g.provider_id, g.outcome), [0, 0, 0])
        figures[0] += g.payments
        figures[1] += g.net
        figures[2] += g.amount - g.net
    names = dict(Provider.objects.filter(pk__in={pk for pk, _ in rows}).values_list("pk", "name"))
    return [
        OutcomeRow(names[pk], outcome, LABELS[Outcome(outcome)] if outcome else "Chưa có kết quả",
                   *figures)
        for (pk, outcome), figures in sorted(rows.items())
    ]  # fmt: skip




@dataclass(frozen=True)
class Recovery:
    commune_name: str
    people: int
    amount: int  # VND overpaid in earlier months (positive)
    netted: int  # taken off this month's payments
    outstanding: int  # more than this month's due: held, carried to the next list


RECOVERIES = """
SELECT c.name, COUNT(DISTINCT l.beneficiary_id), -SUM(l.amount),
       -SUM(CASE WHEN l.held_reason = '' THEN l.amount ELSE 0 END),
       -SUM(CASE WHEN l.held_reason <> '' THEN l.amount ELSE 0 END)
FROM cycles_paymentline l JOIN units_commune c ON c.id = l.commune_id
WHERE l.cycle_id = %s AND l.kind = 'recovery'
GROUP BY c.code, c.name ORDER BY c.code
"""


def recoveries(cycle: Cycle) -> list[Recovery]:
    """Money paid wrongly in earlier months (recovery lines, from the arrears recomputation),
    per commune: what this month's payments absorb, and what stays owed (a person owing more
    than this month's due, e.g. after a death: the commune collects it or it nets later)."""
    with connection.cursor() as cursor:
        cursor.execute(RECOVERIES, [cycle.pk])
        rows = cursor.fetchall()
    return [Recovery(name, *(int(v) for v in values)) for name, *values in rows]


def provider_codes_for(user: User, cycle: Cycle) -> frozenset[str] | None:
    """Whose books the user may see on the cycle: a provider's own staff their provider's
    only; a whole-province user every provider's (None); anyone else is refused."""
    if user.role == Role.PROVIDER:
        return frozenset(Provider.objects.filter(staff=user).values_list("code", flat=True))
    if user_communes(user, cycle.province) is not None:
        raise PermissionDenied("Kết quả và quyết toán là của cả tỉnh: chỉ người cấp tỉnh xem.")
    return None


def standing_for(user: User, cycle: Cycle) -> list[Standing]:
    """The cycle's standing the user may see: their provider's only, for a provider's staff."""
    codes = provider_codes_for(user, cycle)
    found = standing(cycle)
    if codes is None:
        return found
    mine = set(Provider.objects.filter(code__in=codes).values_list("pk", flat=True))
    return [g for g in found if g.provider_id in mine]


def result_files_for(user: User, cycle: Cycle) -> QuerySet[ResultFile]:
    codes = provider_codes_for(user, cycle)
    found = ResultFile.objects.filter(cycle=cycle).select_related("provider", "imported_by")
    if codes is not None:
        found = found.filter(provider__code__in=codes)
    return found.order_by("-imported_at")
