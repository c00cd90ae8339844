"""What the providers reported for a locked payment list, and its settlement.

A result file is kept as a record (who imported it, its checksum) and as events, one per
thing it reported for one payment (one person's row of the list). Events are never edited:
a later report adds events, and a payment's state is the sum of its events' amounts and the
outcome of its latest event. Importing the same file twice finds its checksum and adds
nothing.
"""

from django.conf import settings
from django.db import models

from asxh.cycles.models import Cycle
from asxh.providers.models import Provider
from asxh.results.outcomes import LABELS

# What the events say of each payment of a cycle: the net amount paid and the latest outcome.
PAYMENT_STATE = """
SELECT beneficiary_id, CAST(SUM(amount) AS bigint) AS net,
       MAX(CASE WHEN latest = 1 THEN outcome END) AS outcome
FROM (SELECT beneficiary_id, amount, outcome, ROW_NUMBER() OVER (
        PARTITION BY beneficiary_id ORDER BY file_id DESC, position DESC) AS latest
      FROM results_paymentevent WHERE cycle_id = %(cycle)s) x
GROUP BY beneficiary_id
"""


class ResultFile(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="result_files")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    format = models.CharField(max_length=8)  # csv | xlsx | pain002 | camt053 | camt054
    sha256 = models.CharField(max_length=64)
    message_id = models.CharField(max_length=35, blank=True)  # the report's own MsgId
    rows = models.PositiveIntegerField()  # events read from the file
    events = models.PositiveIntegerField()  # events recorded (the rest changed nothing)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "sha256"], name="result_file_once_per_cycle")
        ]


class PaymentEvent(models.Model):
    """One outcome reported for one payment: the cycle and person its reference names."""

    # Written a million at a time from rows checked in the same transaction against the
    # cycle's lines and file; foreign keys would be checked row by row at commit, and reads
    # select one cycle (then a file within it) through event_payment.
    file = models.ForeignKey(ResultFile, on_delete=models.PROTECT, related_name="+",
                             db_index=False, db_constraint=False)  # fmt: skip
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+", db_index=False,
                              db_constraint=False)  # fmt: skip
    beneficiary_id = models.BigIntegerField()
    position = models.PositiveIntegerField()  # order within the file
    outcome = models.CharField(max_length=24, choices=list(LABELS.items()))
    # VND moved to the person by this event: > 0 paid, < 0 returned or reversed, 0 nothing.
    amount = models.BigIntegerField()
    code = models.CharField(max_length=8, blank=True)
    text = models.CharField(max_length=300, blank=True)
    provider_ref = models.CharField(max_length=35, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cycle", "beneficiary_id"], name="event_payment")]
        constraints = [
            # A booking reported twice (end-of-day and intraday statements) counts once.
            models.UniqueConstraint(
                fields=["cycle", "beneficiary_id", "provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="event_booking_once",
            )
        ]


class Settlement(models.Model):
    """The cycle's settlement (quyết toán): prepared when the books balance, then approved by
    someone else, which closes the cycle. Preparing again (after more results) adds a new
    record; the figures are kept as they were prepared."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="settlements")
    figures = models.JSONField()
    prepared_at = models.DateTimeField()
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("prepared_by")),
                name="settlement_approver_is_not_preparer",
            ),
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(approved_at__isnull=False),
                name="one_approved_settlement",
            ),
        ]
