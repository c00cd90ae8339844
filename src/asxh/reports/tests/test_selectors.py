import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from asxh.access.roles import Role
from asxh.accounts.models import AccountStatus, Verification
from asxh.beneficiaries.models import PaymentMethod, Status
from asxh.core.formatting import VIETNAM
from asxh.quality.models import Finding, FindingKind, FindingState
from asxh.reports.logic import Figures, figures_sum
from asxh.reports.progress import ACCOUNT_STATES, GONE, MISMATCH_KINDS, NON_CASH
from asxh.reports.selectors import daily_report, report_as_dict
from asxh.reports.tests.conftest import AFTER, BEFORE, EXPECTED_HOME, EXPECTED_NEIGHBOUR, ON
from asxh.units.models import Commune

pytestmark = pytest.mark.django_db


def _row(report, code):  # type: ignore[no-untyped-def]
    return next(r for b in report.provinces for r in b.rows if r.code == code)


@pytest.mark.parametrize("on", [BEFORE, ON, AFTER])
def test_officer_sees_own_commune_as_of_the_end_of_the_day(scenario, officer, areas, on):
    report = daily_report(officer, on=on)
    assert [b.code for b in report.provinces] == ["91"]
    (block,) = report.provinces
    assert [r.code for r in block.rows] == [areas.home.code]
    assert block.rows[0].figures == EXPECTED_HOME[on]
    assert block.total == EXPECTED_HOME[on]


def test_an_account_verified_after_the_day_is_not_counted_that_day(scenario, officer, areas):
    home = _row(daily_report(officer, on=ON), areas.home.code).figures
    later = _row(daily_report(officer, on=AFTER), areas.home.code).figures
    # P2's account was verified on 22/11: not on 20/11, yes on 23/11.
    assert (home.verified, home.ready) == (1, 1)
    assert (later.verified, later.ready) == (2, 2)


@pytest.mark.parametrize("on", [BEFORE, ON, AFTER])
def test_province_user_sees_every_commune_of_the_province_and_their_total(
    scenario, users, areas, on
):
    report = daily_report(users[Role.PROVINCE], on=on)
    (block,) = report.provinces
    communes = Commune.objects.filter(province=areas.province).order_by("code")
    assert [r.code for r in block.rows] == list(communes.values_list("code", flat=True))
    assert _row(report, areas.home.code).figures == EXPECTED_HOME[on]
    assert _row(report, areas.neighbour.code).figures == EXPECTED_NEIGHBOUR
    others = [
        r.figures for r in block.rows if r.code not in (areas.home.code, areas.neighbour.code)
    ]
    assert figures_sum(others) == Figures()
    assert block.total == figures_sum([EXPECTED_HOME[on], EXPECTED_NEIGHBOUR])
    assert areas.foreign.code not in {r.code for r in block.rows}


def test_area_narrows_to_a_commune_or_a_province_of_the_users_scope(scenario, users, areas):
    province_user = users[Role.PROVINCE]
    one = daily_report(province_user, on=ON, area=areas.neighbour.code)
    assert [r.code for b in one.provinces for r in b.rows] == [areas.neighbour.code]
    assert one.total == EXPECTED_NEIGHBOUR
    assert daily_report(province_user, on=ON, area="91").total.people == 9
    for outside in (areas.foreign.code, areas.foreign_province.code, "abc"):
        with pytest.raises(Http404):
            daily_report(province_user, on=ON, area=outside)
    with pytest.raises(Http404):
        daily_report(users[Role.COMMUNE_OFFICER], on=ON, area=areas.neighbour.code)


def test_roles_without_the_reports_capability_are_refused(users):
    for role in (Role.COMMUNE_POLICE, Role.PROVIDER, Role.ADMINISTRATOR):
        with pytest.raises(PermissionDenied):
            daily_report(users[role], on=ON)


def test_the_report_holds_counts_only(scenario, users):
    data = report_as_dict(daily_report(users[Role.PROVINCE], on=ON))
    text = repr(data)
    assert "Người Thử" not in text and "0911550120" not in text and "71002051" not in text
    assert data["provinces"][0]["total"]["people"] == 9


def test_the_number_of_queries_does_not_grow_with_the_people(
    scenario, users, django_assert_max_num_queries
):
    with django_assert_max_num_queries(11):  # communes, programmes, kept rows, one count, keep
        daily_report(users[Role.PROVINCE], on=ON)
    with django_assert_max_num_queries(3):  # the same day again: read, not counted
        daily_report(users[Role.PROVINCE], on=ON)


def _finding_at(pk, commune, kind, detected, fixed=None):  # type: ignore[no-untyped-def]
    Finding.objects.create(
        kind=kind,
        beneficiary_id=pk,
        commune=commune,
        key=f"{kind}:{pk}:edge",
        state="fixed" if fixed else "open",
        state_reason="Đã đối chiếu lại" if fixed else "",
        resolved_at=fixed,
        detected_at=detected,
        last_seen_at=detected,
    )


def test_findings_are_open_or_not_by_the_end_of_the_day_in_vietnam_time(scenario, officer, areas):
    def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, 11, day, hour, minute, tzinfo=VIETNAM)

    # 23:30 in Vietnam is still 20/11 (16:30 UTC): open at the end of the day.
    _finding_at(scenario.ids["P1"], areas.home, "police_mismatch", local(20, 23, 30))
    # Found on 19/11, settled at 08:00 on 20/11: open on 19/11 only.
    _finding_at(
        scenario.ids["P4"], areas.home, "police_not_found", local(19, 10), fixed=local(20, 8)
    )
    on_19 = _row(daily_report(officer, on=dt.date(2026, 11, 19)), areas.home.code).figures
    on_20 = _row(daily_report(officer, on=ON), areas.home.code).figures
    # 19/11: P2's holder mismatch, P9's account, P4's police finding.
    assert on_19.mismatches == 3
    # 20/11: P2, P9 and P1's police finding of 23:30; P4's was settled that morning.
    assert on_20.mismatches == EXPECTED_HOME[ON].mismatches + 1


def test_the_codes_the_query_names_are_the_registrys_choices():
    assert set(GONE) <= set(Status.values)
    assert set(NON_CASH) | {"cash"} == set(PaymentMethod.values)
    assert set(ACCOUNT_STATES) <= set(Verification.values) | set(AccountStatus.values)
    assert {"open"} <= set(FindingState.values)
    assert set(MISMATCH_KINDS) <= set(FindingKind.values)
