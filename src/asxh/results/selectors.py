"""The books of a locked list, per provider: what was advanced and where every đồng went.

Per payment (a person's lines sent to one provider) the events give the net amount paid and
the latest outcome. What was not paid of an account payment came back to the payer's account
(returned); what was not paid of a cash payment stays with the provider for the next round
(carried over). A payment with no result yet, or one to review, keeps the books open.
"""

from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.cycles.models import Cycle
from asxh.cycles.selectors import user_communes
from asxh.providers.logic import fee_amount
from asxh.providers.models import Contract, Provider
from asxh.results.models import ResultFile
from asxh.results.outcomes import LABELS, Outcome

# What the events say of each payment of a cycle: the net amount paid and the latest outcome.
PAYMENT_STATE = """
SELECT beneficiary_id, SUM(amount) AS net, MAX(CASE WHEN latest = 1 THEN outcome END) AS outcome
FROM (SELECT beneficiary_id, amount, outcome, ROW_NUMBER() OVER (
        PARTITION BY beneficiary_id ORDER BY file_id DESC, position DESC) AS latest
      FROM results_paymentevent WHERE cycle_id = %(cycle)s) x
GROUP BY beneficiary_id
"""

PAYMENTS = f"""
SELECT e.provider_id, e.method, e.at_home, e.amount, COALESCE(v.net, 0) AS net, v.outcome
FROM (SELECT l.beneficiary_id, k.provider_id, MAX(l.method) AS method,
             MAX(CASE WHEN l.cash_at_home THEN 1 ELSE 0 END) AS at_home, SUM(l.amount) AS amount
      FROM cycles_paymentline l JOIN providers_contract k ON k.id = l.contract_id
      WHERE l.cycle_id = %(cycle)s AND l.held_reason = ''
      GROUP BY l.beneficiary_id, k.provider_id) e
LEFT JOIN ({PAYMENT_STATE}) v ON v.beneficiary_id = e.beneficiary_id
"""

BOOKS = f"""
SELECT provider_id, COUNT(*), SUM(amount),
  SUM(CASE WHEN method = 'account' THEN net ELSE 0 END),
  SUM(CASE WHEN method <> 'account' AND (at_home = 1 OR outcome IN
        ('{Outcome.PAID_HOME}', '{Outcome.PAID_REPRESENTATIVE}')) THEN net ELSE 0 END),
  SUM(CASE WHEN method <> 'account' AND NOT (at_home = 1 OR outcome IN
        ('{Outcome.PAID_HOME}', '{Outcome.PAID_REPRESENTATIVE}')) THEN net ELSE 0 END),
  SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN outcome IS NOT NULL AND outcome <> '{Outcome.REVIEW}' AND method = 'account'
      THEN amount - net ELSE 0 END),
  SUM(CASE WHEN outcome IS NOT NULL AND outcome <> '{Outcome.REVIEW}' AND method <> 'account'
      THEN amount - net ELSE 0 END),
  SUM(CASE WHEN outcome IS NOT NULL AND outcome <> '{Outcome.REVIEW}' AND net < amount
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN outcome IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN outcome IS NULL THEN amount - net ELSE 0 END),
  SUM(CASE WHEN outcome = '{Outcome.REVIEW}' THEN 1 ELSE 0 END),
  SUM(CASE WHEN outcome = '{Outcome.REVIEW}' THEN amount - net ELSE 0 END)
FROM ({PAYMENTS}) p GROUP BY provider_id ORDER BY provider_id
"""


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


def books(cycle: Cycle) -> list[Books]:
    """The cycle's books, one per provider it sent lines to."""
    with connection.cursor() as cursor:
        cursor.execute(BOOKS, {"cycle": cycle.pk})
        rows = cursor.fetchall()
    providers = Provider.objects.in_bulk([row[0] for row in rows])
    found = []
    for provider_id, *figures in rows:
        values = [int(v or 0) for v in figures]
        provider = providers[provider_id]
        values.append(_fee(cycle, provider_id, people=values[5], amount=sum(values[2:5])))
        found.append(Books(provider.code, provider.name, *values))
    return found


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


def outcomes(cycle: Cycle) -> list[OutcomeRow]:
    """How many payments stand at each latest outcome, per provider, and their money: what a
    commune reviews (not paid, not collected, refused by the bank)."""
    sql = f"""SELECT provider_id, COALESCE(outcome, ''), COUNT(*), SUM(net), SUM(amount - net)
              FROM ({PAYMENTS}) p GROUP BY provider_id, COALESCE(outcome, '')
              ORDER BY provider_id, COALESCE(outcome, '')"""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"cycle": cycle.pk})
        rows = cursor.fetchall()
    names = dict(Provider.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "name"))
    return [
        OutcomeRow(names[provider_id], outcome,
                   LABELS[Outcome(outcome)] if outcome else "Chưa có kết quả",
                   int(people), int(paid or 0), int(unpaid or 0))
        for provider_id, outcome, people, paid, unpaid in rows
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


def books_for(user: User, cycle: Cycle) -> list[Books]:
    codes = provider_codes_for(user, cycle)
    return [b for b in books(cycle) if codes is None or b.provider_code in codes]


def outcomes_for(user: User, cycle: Cycle) -> list[OutcomeRow]:
    codes = provider_codes_for(user, cycle)
    names = None if codes is None else set(
        Provider.objects.filter(code__in=codes).values_list("name", flat=True)
    )  # fmt: skip
    return [o for o in outcomes(cycle) if names is None or o.provider_name in names]


def result_files_for(user: User, cycle: Cycle) -> QuerySet[ResultFile]:
    codes = provider_codes_for(user, cycle)
    found = ResultFile.objects.filter(cycle=cycle).select_related("provider", "imported_by")
    if codes is not None:
        found = found.filter(provider__code__in=codes)
    return found.order_by("-imported_at")
