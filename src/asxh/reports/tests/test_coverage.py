"""The coverage summary written when a list is locked, and the figures the report reads from it."""

import datetime as dt

import pytest
from django.db.models import Sum

from asxh.access.roles import Role
from asxh.audit.models import AuditEvent
from asxh.cycles.models import Cycle, CycleState, PaymentLine
from asxh.entitlement.engine import FUNERAL
from asxh.entitlement.months import month_of
from asxh.reports import coverage as coverage_module
from asxh.reports.coverage import coverage_fill, coverage_record
from asxh.reports.coverage_logic import ONE_OFF, Coverage
from asxh.reports.models import CycleCoverage
from asxh.reports.selectors import coverage
from asxh.reports.tests.conftest import COVERAGE_MONTH

pytestmark = pytest.mark.django_db

NOVEMBER = month_of(COVERAGE_MONTH)


def _sent(cycle: Cycle, **where: object) -> tuple[int, int]:
    """Amount sent and amount sent to accounts, summed from the lines themselves."""
    lines = PaymentLine.objects.filter(cycle=cycle, held_reason="", **where)
    total = lines.aggregate(s=Sum("amount"))["s"] or 0
    account = lines.filter(method="account").aggregate(s=Sum("amount"))["s"] or 0
    return total, account


def _row(cycle: Cycle, commune_id: int, programme: str = "", benefit: str = "") -> Coverage:
    row = CycleCoverage.objects.get(
        cycle=cycle, commune_id=commune_id, programme=programme, benefit=benefit
    )
    return Coverage(row.people, row.people_non_cash, row.amount, row.amount_non_cash)


def test_locking_a_list_records_people_and_amounts_sent_without_cash(locked_list, areas):
    cycle = locked_list.cycle
    assert cycle.state == CycleState.LOCKED
    home = _row(cycle, areas.home.pk)
    # home, both: account; cash: cash; held: not sent
    assert (home.people, home.people_non_cash) == (3, 2)
    assert (home.amount, home.amount_non_cash) == _sent(cycle, commune=areas.home)
    neighbour = _row(cycle, areas.neighbour.pk)
    assert (neighbour.people, neighbour.people_non_cash) == (2, 1)
    assert (neighbour.amount, neighbour.amount_non_cash) == _sent(cycle, commune=areas.neighbour)
    assert not CycleCoverage.objects.filter(commune=areas.foreign).exists()


def test_a_person_with_two_programmes_counts_once_in_the_commune_and_once_in_each(
    locked_list, areas
):
    cycle, both = locked_list.cycle, locked_list.ids["both"]
    benefits = set(
        PaymentLine.objects.filter(cycle=cycle, beneficiary_id=both).values_list(
            "benefit", flat=True
        )
    )
    assert benefits == {"btxh_khuyet_tat", "ncc_thuong_binh", "ncc_thuong_binh_phu_cap"}
    home = areas.home.pk
    btxh, ncc = _row(cycle, home, "btxh"), _row(cycle, home, "ncc")
    assert (btxh.people, btxh.people_non_cash) == (3, 2)
    assert (ncc.people, ncc.people_non_cash) == (1, 1)  # two NCC benefits, one person
    assert btxh.people + ncc.people == 4 and _row(cycle, home).people == 3
    for benefit in ("ncc_thuong_binh", "ncc_thuong_binh_phu_cap"):
        assert _row(cycle, home, "ncc", benefit).people == 1
        assert _row(cycle, home, "ncc", benefit).amount == _sent(cycle, benefit=benefit)[0]
    assert ncc.amount == _sent(cycle, commune=areas.home, benefit__startswith="ncc_")[0]
    assert btxh.amount + ncc.amount == _row(cycle, home).amount


def test_the_selector_gives_province_group_and_commune_shares_with_a_ranking(
    locked_list, users, areas
):
    report = coverage(users[Role.PROVINCE], NOVEMBER - 2, NOVEMBER)
    assert [m.lists for m in report.months] == [0, 0, 1]
    month = report.latest
    assert month is not None and month.month == NOVEMBER
    assert (month.total.people, month.total.people_non_cash) == (5, 3)
    assert month.total.people_share == pytest.approx(0.6)
    total, account = _sent(locked_list.cycle)
    assert (month.total.amount, month.total.amount_non_cash) == (total, account)
    assert month.provinces == [(areas.province.code, areas.province.name, month.total)]
    groups = {g.code: g for g in month.groups}
    assert set(groups) == {"btxh", "ncc"}
    assert (groups["btxh"].figures.people, groups["btxh"].figures.people_non_cash) == (5, 3)
    assert [b for b, _, _ in groups["ncc"].benefits] == [
        "ncc_thuong_binh",
        "ncc_thuong_binh_phu_cap",
    ]
    assert groups["ncc"].benefits[1][1] == "Thương binh từ 81%: phụ cấp hằng tháng"
    ranked = [(r.rank, r.place.code) for r in month.communes if r.rank is not None]
    # home 2/3 ≈ 66,7 % ranks first, the neighbour's 1/2 second; lowest is listed first.
    assert ranked == [(2, areas.neighbour.code), (1, areas.home.code)]
    unpaid = [r for r in month.communes if r.rank is None]
    assert len(unpaid) == len(month.communes) - 2 and all(r.figures.people == 0 for r in unpaid)
    assert month.communes[-1].rank is None  # communes with nobody paid come last


def test_a_commune_officer_sees_only_the_own_commune(locked_list, officer, areas):
    report = coverage(officer, NOVEMBER, NOVEMBER)
    month = report.latest
    assert month is not None
    assert [r.place.code for r in month.communes] == [areas.home.code]
    assert (month.total.people, month.total.people_non_cash) == (3, 2)
    assert report.area_name == areas.home.name


def test_a_draft_list_is_not_in_the_report(setting, users, areas):
    from asxh.cycles.services import cycle_build

    cycle = cycle_build(
        actor=setting.preparer, month=COVERAGE_MONTH, province_code=areas.province.code
    ).cycle
    coverage_record(cycle)  # even with rows, a draft's lines may still change
    report = coverage(users[Role.PROVINCE], NOVEMBER, NOVEMBER)
    assert report.latest is None and report.months[0].total == Coverage()


def _line(cycle: Cycle, person: int, commune: int, **fields: object) -> PaymentLine:
    values: dict[str, object] = {
        "cycle": cycle,
        "beneficiary_id": person,
        "commune_id": commune,
        "method": "account",
        "benefit": "btxh_khuyet_tat",
        "kind": "monthly",
        "for_month": COVERAGE_MONTH,
        "amount": 1_000_000,
        "title": "Trợ cấp",
        **fields,
    }
    return PaymentLine(**values)


def test_lines_are_summed_per_person_whatever_their_number_and_kind(areas, people):
    """Hand-made lines of a draft, so that every case of the SQL shows: arrears months of
    one benefit, a person with a cash line among account lines, a recovery, a held line,
    a one-off, a funeral support."""
    cycle = Cycle.objects.create(province=areas.province, month=COVERAGE_MONTH)
    home, a, b, c = areas.home.pk, people["home"], people["neighbour"], people["foreign"]
    october, september = dt.date(2026, 10, 1), dt.date(2026, 9, 1)
    PaymentLine.objects.bulk_create(
        [
            _line(cycle, a, home),
            _line(cycle, a, home, kind="arrears", for_month=october, amount=200_000),
            _line(cycle, a, home, kind="recovery", for_month=september, amount=-50_000),
            _line(cycle, a, home, benefit="qua_tet", kind="one_off", amount=300_000),
            _line(cycle, b, home),
            _line(cycle, b, home, benefit=FUNERAL, kind="funeral", method="cash", amount=10**7),
            _line(cycle, c, home, method="cash", held_reason="Tài khoản chưa xác thực"),
        ]
    )
    assert coverage_record(cycle) == 1 + 2 + 3  # everyone; btxh, one-offs; 3 benefits
    assert _row(cycle, home) == Coverage(2, 1, 12_450_000, 2_450_000)
    # b has a cash line in the programme: a cash person there, though one line went to an account.
    assert _row(cycle, home, "btxh") == Coverage(2, 1, 12_150_000, 2_150_000)
    assert _row(cycle, home, "btxh", "btxh_khuyet_tat") == Coverage(2, 2, 2_150_000, 2_150_000)
    assert _row(cycle, home, "btxh", FUNERAL) == Coverage(1, 0, 10_000_000, 0)
    assert _row(cycle, home, ONE_OFF) == Coverage(1, 1, 300_000, 300_000)
    assert _row(cycle, home, ONE_OFF, "qua_tet") == Coverage(1, 1, 300_000, 300_000)
    assert coverage_record(cycle) == 6  # again: the same rows, not twice as many
    assert CycleCoverage.objects.filter(cycle=cycle).count() == 6


def test_fill_records_lists_locked_before_the_summary_existed_once(locked_list):
    cycle = locked_list.cycle
    before = sorted(CycleCoverage.objects.filter(cycle=cycle).values_list())
    CycleCoverage.objects.filter(cycle=cycle).delete()
    done = coverage_fill()
    assert [(c.pk, n) for c, n in done] == [(cycle.pk, len(before))]
    after = sorted(CycleCoverage.objects.filter(cycle=cycle).values_list())
    assert [r[1:] for r in after] == [r[1:] for r in before]  # the same rows (new ids)
    assert coverage_fill() == []
    assert AuditEvent.objects.filter(action="report.coverage_record").count() == 1
    assert [n for _, n in coverage_fill(again=True)] == [len(before)]
    assert CycleCoverage.objects.filter(cycle=cycle).count() == len(before)


def test_the_portable_statement_gives_the_rows_of_the_postgresql_one(locked_list, monkeypatch):
    """PostgreSQL groups with ROLLUP, SQLite through a join to three levels: on PostgreSQL
    (where both run) the two must write the same rows."""
    cycle = locked_list.cycle

    def rows() -> list[tuple[object, ...]]:
        return sorted(
            CycleCoverage.objects.filter(cycle=cycle).values_list(
                "commune_id", "programme", "benefit", "people", "people_non_cash", "amount",
                "amount_non_cash",
            )
        )  # fmt: skip

    native = rows()
    monkeypatch.setattr(coverage_module, "_POSTGRES", coverage_module._PORTABLE)
    coverage_record(cycle)
    assert rows() == native and len(native) > 0
