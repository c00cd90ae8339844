"""Writing the dashboard's summaries: a locked list's payments per commune, contract and
channel with what the providers reported of them. (The communes' progress figures are kept
by `reports.progress`.)

Counting a province's list (up to a million lines and as many result events) takes seconds;
the dashboard must answer in under one. So the counting happens when the figures change — a
list is locked, a result file is imported — and the pages read a few hundred rows: the first
reader that finds rows missing or behind the result files rewrites them (`summaries_current`),
so the figures are never older than the data, only sometimes slower to come.
"""

import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from asxh.cycles.models import Cycle, Payment, PaymentLine
from asxh.dashboard.logic import FIGURES, Payments
from asxh.dashboard.models import PaymentSummary, SummaryState
from asxh.providers.models import Contract
from asxh.reports.coverage import LOCKED_STATES
from asxh.results.models import PAYMENT_STATE, ResultFile
from asxh.results.outcomes import Outcome
from asxh.results.selectors import books
from asxh.results.services import ACCOUNT_FAILURES

NO_RESULTS = "0:0"


def _codes(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# A payment is a person's sent lines to one contract (cycles.models.Payment); its state is the sum of its events and
# the outcome of the latest one (`results.models.PAYMENT_STATE`, as in its `books`, which
# a test holds these rows to). Grouped here by commune, contract and channel instead of by provider.
_REPORTED = f"(v.outcome IS NOT NULL AND v.outcome <> '{Outcome.REVIEW}')"
_SENT = f"""
SELECT p.commune_id, p.contract_id,
  CASE WHEN p.method = 'account' THEN 'account'
       WHEN p.at_home OR v.outcome IN ({_codes([Outcome.PAID_HOME, Outcome.PAID_REPRESENTATIVE])})
       THEN 'home' ELSE 'cash' END AS channel,
  COUNT(*), SUM(p.amount),
  SUM(CASE WHEN COALESCE(v.net, 0) > 0 THEN 1 ELSE 0 END), SUM(COALESCE(v.net, 0)),
  SUM(CASE WHEN {_REPORTED} AND COALESCE(v.net, 0) < p.amount THEN 1 ELSE 0 END),
  SUM(CASE WHEN {_REPORTED} THEN p.amount - COALESCE(v.net, 0) ELSE 0 END),
  SUM(CASE WHEN {_REPORTED} THEN 0 ELSE 1 END),
  SUM(CASE WHEN {_REPORTED} THEN 0 ELSE p.amount - COALESCE(v.net, 0) END),
  SUM(CASE WHEN v.outcome IN ({_codes(ACCOUNT_FAILURES)}) THEN 1 ELSE 0 END)
FROM {Payment._meta.db_table} p
LEFT JOIN ({PAYMENT_STATE}) v ON v.beneficiary_id = p.beneficiary_id
WHERE p.cycle_id = %(cycle)s
GROUP BY p.commune_id, p.contract_id, 3
"""
_SENT_FIGURES = FIGURES[:9]  # people … refused_people, in the SELECT's order

_HELD = f"""
SELECT commune_id, contract_id,
  CASE WHEN method = 'account' THEN 'account' WHEN cash_at_home THEN 'home' ELSE 'cash' END,
  COUNT(*), SUM(amount)
FROM {PaymentLine._meta.db_table} WHERE cycle_id = %(cycle)s AND held_reason <> ''
GROUP BY commune_id, contract_id, 3
"""

_Key = tuple[int, int | None, str]  # commune id, contract id, channel


def _counted(cycle: Cycle) -> dict[_Key, Payments]:
    found: dict[_Key, Payments] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling these aggregates costs more than it saves (half a second a million).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_SENT, {"cycle": cycle.pk})
        for commune_id, contract_id, channel, *values in cursor.fetchall():
            figures = dict(zip(_SENT_FIGURES, (int(v or 0) for v in values), strict=True))
            found[(commune_id, contract_id, channel)] = Payments(**figures)
        cursor.execute(_HELD, {"cycle": cycle.pk})
        for commune_id, contract_id, channel, lines, amount in cursor.fetchall():
            key = (commune_id, contract_id, channel)
            found[key] = found.get(key, Payments()) + Payments(
                held_lines=int(lines), held_amount=int(amount or 0)
            )
    return found


def results_keys(cycle_ids: Iterable[int]) -> dict[int, str]:
    """Per cycle, which result files it has ("count:last id"): summary rows written for
    another key are behind."""
    keys = dict.fromkeys(cycle_ids, NO_RESULTS)
    files = (
        ResultFile.objects.filter(cycle_id__in=list(keys))
        .values("cycle_id")
        .annotate(n=Count("pk"), last=Max("pk"))
        .values_list("cycle_id", "n", "last")
    )
    for cycle_id, n, last in files:
        keys[cycle_id] = f"{n}:{last}"
    return keys


def summary_write(cycle_id: int) -> int:
    """(Re)write the summary rows of a locked list and the books as the results now say;
    returns the number of rows. Nothing for a list that is not locked."""
    started = time.perf_counter()
    with transaction.atomic():
        # One writer per list: a second one waits here, then rewrites the same figures.
        cycle = (
            Cycle.objects.select_for_update()
            .filter(pk=cycle_id, state__in=LOCKED_STATES)
            .select_related("province")
            .first()
        )
        if cycle is None:
            return 0
        key = results_keys([cycle.pk])[cycle.pk]
        rows = [
            PaymentSummary(cycle=cycle, commune_id=commune_id, contract_id=contract_id,
                           channel=channel, **payments.as_dict())
            for (commune_id, contract_id, channel), payments in _counted(cycle).items()
        ]  # fmt: skip
        PaymentSummary.objects.filter(cycle=cycle).delete()
        PaymentSummary.objects.bulk_create(rows)
        # Before any result the books say only "everything pending": not worth a count.
        found = [b.as_dict() for b in books(cycle)] if key != NO_RESULTS else []
        SummaryState.objects.update_or_create(
            cycle=cycle,
            defaults={
                "results_key": key,
                "books": found,
                "written_at": timezone.now(),
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
    return len(rows)


def summaries_current(cycle_ids: Iterable[int]) -> list[int]:
    """Rewrite the summaries of the locked lists among `cycle_ids` that are missing or
    behind their result files; returns the ids rewritten."""
    locked = list(Cycle.objects.filter(pk__in=list(cycle_ids), state__in=LOCKED_STATES)
                  .values_list("pk", flat=True))  # fmt: skip
    if not locked:
        return []
    keys = results_keys(locked)
    written = dict(
        SummaryState.objects.filter(cycle_id__in=locked).values_list("cycle_id", "results_key")
    )
    behind = [pk for pk in locked if written.get(pk) != keys[pk]]
    for pk in behind:
        summary_write(pk)
    return behind


def contract_providers(contract_ids: Iterable[int | None]) -> dict[int, tuple[int, str, str]]:
    """contract id → (provider id, provider name, contract number)."""
    rows = Contract.objects.filter(pk__in=[c for c in contract_ids if c is not None]).values_list(
        "pk", "provider_id", "provider__name", "number"
    )
    return {pk: (provider_id, name, number) for pk, provider_id, name, number in rows}
