"""Figures kept for the reports: a few rows per commune and month instead of a million lines."""

from django.conf import settings
from django.db import models

from asxh.cycles.models import Cycle
from asxh.units.models import Commune, Province


class CycleCoverage(models.Model):
    """What a locked payment list sent in one commune: people and amounts, and the part paid
    without cash. Written once when the list is locked (`reports.coverage.coverage_record`).

    Three levels per commune, so that nobody is counted twice when rows are added up:
    `programme` and `benefit` set (one benefit), `programme` set and `benefit` '' (everyone
    of the programme, a person with two of its benefits once), both '' (everyone, once).
    """

    # The unique key below starts with the cycle and serves every read: no other index.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    programme = models.CharField(max_length=32, blank=True)  # '' = every programme
    benefit = models.CharField(max_length=48, blank=True)  # '' = every benefit of `programme`
    people = models.PositiveIntegerField()  # distinct people with a line sent
    people_non_cash = models.PositiveIntegerField()  # … all of whose lines went to an account
    amount = models.BigIntegerField()  # VND sent (recoveries netted)
    amount_non_cash = models.BigIntegerField()  # … of it to an account

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "commune", "programme", "benefit"], name="coverage_once_per_level"
            ),
            models.CheckConstraint(
                condition=models.Q(people_non_cash__lte=models.F("people")),
                name="coverage_non_cash_within_people",
            ),
            models.CheckConstraint(
                condition=models.Q(benefit="") | ~models.Q(programme=""),
                name="coverage_benefit_has_programme",
            ),
        ]


class BudgetEstimate(models.Model):
    """A province's budget estimate (dự toán) for a year, as last computed (`reports.budget`):
    who computed it, when, on the registry of which day, and the assumptions it used.
    Pricing a province's year takes tens of seconds, so the page reads this, never prices.
    Computing again replaces it; the audit trail keeps every run."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    # The registry of this day: who is active, and the deaths of the 12 months before it.
    as_of = models.DateField()
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    people = models.PositiveIntegerField()  # active people priced
    seconds = models.FloatField()
    # Mortality by age band, how fees were found, months left without a fee (budget.Assumptions).
    assumptions = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="budget_once_per_year")
        ]


class BudgetLine(models.Model):
    """One commune × target group of an estimate: people expected to be paid during the year,
    and the money of the 12 months (integer VND)."""

    # The unique key below starts with the estimate and serves every read: no other index.
    estimate = models.ForeignKey(
        BudgetEstimate, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    group = models.CharField(max_length=48)  # a TargetGroup code
    people = models.PositiveIntegerField()
    person_months = models.PositiveIntegerField()
    monthly = models.BigIntegerField()  # the monthly amounts of the 12 months
    funeral = models.BigIntegerField()  # expected funeral support
    fees = models.BigIntegerField()  # the providers' fees

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["estimate", "commune", "group"], name="budget_line_once_per_group"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly__gte=0, funeral__gte=0, fees__gte=0),
                name="budget_line_amounts_not_negative",
            ),
        ]


class ProgressCount(models.Model):
    """A commune's daily-progress figures (`reports.progress.figures_by_commune`) as of the
    end of `on`, counted at `taken_at`. Counting a province reads its whole registry (seconds),
    so the report page, its Excel file and the dashboard read these rows and count again only
    on request, for a day never counted, or for a past day counted before it ended
    (`reports.progress`). One row per commune and day, replaced only by those counts."""

    # The unique key below starts with the commune and serves every read: no other index.
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+", db_index=False)
    on = models.DateField()
    taken_at = models.DateTimeField()
    figures = models.JSONField()  # reports.logic.Figures.as_dict()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "on"], name="progress_once_per_day")
        ]
