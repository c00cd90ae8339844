"""Figures kept for the reports: a few rows per commune and month instead of a million lines."""

from django.db import models

from asxh.cycles.models import Cycle
from asxh.units.models import Commune


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
