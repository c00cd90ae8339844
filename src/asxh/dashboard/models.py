"""Figures kept for the dashboard: a few rows per commune and month instead of a million lines.

A locked list never changes (a trigger refuses it), but what the providers report about it
does, with each result file. So the rows of a list are written when it is locked and again
after each result file (`asxh.dashboard.summary`); `SummaryState.results_key` says which
result files they reflect, so a reader can tell rows that are behind.
"""

from django.db import models

from asxh.cycles.models import Cycle
from asxh.dashboard.logic import CHANNELS
from asxh.providers.models import Contract
from asxh.units.models import Commune


class PaymentSummary(models.Model):
    """What a locked list sent in one commune through one contract and one channel, and
    what the provider has reported of it so far. A payment is a person's lines sent to one
    contract: people below count payments, which is people (one contract per person a month).

    paid + unpaid + pending = amount, to the đồng.
    """

    # The unique key below starts with the cycle and serves every read: no other index.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    # None: lines held because no contract serves the commune and method.
    contract = models.ForeignKey(
        Contract, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=8, choices=CHANNELS)
    people = models.PositiveIntegerField(default=0)  # payments sent
    amount = models.BigIntegerField(default=0)  # VND sent (recoveries netted)
    paid_people = models.PositiveIntegerField(default=0)  # something paid
    paid_amount = models.BigIntegerField(default=0)
    # Reported as not (fully) paid: back on the payer's account (account) or kept by the
    # provider for the next round (cash).
    unpaid_people = models.PositiveIntegerField(default=0)
    unpaid_amount = models.BigIntegerField(default=0)
    # No result yet, or a result someone must review: what keeps the books open.
    pending_people = models.PositiveIntegerField(default=0)
    pending_amount = models.BigIntegerField(default=0)
    # The latest result: the bank refused the account (a finding for the commune to fix).
    refused_people = models.PositiveIntegerField(default=0)
    # Lines listed but not sent this month (carried to the next list).
    held_lines = models.PositiveIntegerField(default=0)
    held_amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "commune", "contract", "channel"], name="summary_once_per_channel"
            ),
        ]


class SummaryState(models.Model):
    """Which result files a list's summary rows reflect, and the books per provider as
    `results.selectors.books` gave them then (empty before the first result file)."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    results_key = models.CharField(max_length=40)
    books = models.JSONField(default=list)
    written_at = models.DateTimeField()
    seconds = models.FloatField()
