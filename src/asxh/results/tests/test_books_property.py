"""Property: whatever the provider reports, in whatever order and however often, the books
account for every đồng advanced and no payment is counted twice."""

import csv
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asxh.cycles.services import cycle_approve, cycle_build, cycle_export
from asxh.cycles.tests.conftest import MONTH
from asxh.results import selectors
from asxh.results.outcomes import ResultFileError
from asxh.results.services import results_import

pytestmark = pytest.mark.django_db

RESULTS = ["Đã chi", "Đã chi tại nhà", "Sai số tài khoản", "Tài khoản đã đóng", "Không nhận",
           "Cần kiểm tra"]  # fmt: skip
# One report: per payment, a result and the share of its amount paid (None: the amount
# column left empty, meaning paid in full; a paid row says more than 0 đồng).
report = st.lists(
    st.tuples(st.sampled_from(RESULTS), st.one_of(st.none(), st.integers(1, 100))),
    min_size=2, max_size=2,
)  # fmt: skip


@pytest.fixture
def sent(setting, tmp_path):  # type: ignore[no-untyped-def]
    built = cycle_build(actor=setting.preparer, month=MONTH,
                        province_code=setting.areas.province.code).cycle  # fmt: skip
    locked = cycle_approve(actor=setting.approver, cycle_id=built.pk)
    cycle_export(actor=setting.preparer, cycle_id=locked.pk, provider_code="buudien-ag",
                 fmt="csv", path=tmp_path / "ds.csv")  # fmt: skip
    with (tmp_path / "ds.csv").open(encoding="utf-8-sig", newline="") as f:
        return locked, [(r["Mã tham chiếu"], int(r["Số tiền (đồng)"])) for r in csv.DictReader(f)]


def _write(path: Path, rows: list[tuple[str, int]], results: list[tuple[str, int | None]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Mã tham chiếu", "Kết quả", "Số tiền đã chi (đồng)", "Lý do"])
        for (reference, amount), (result, share) in zip(rows, results, strict=True):
            paid = "" if share is None else str(amount * share // 100)
            writer.writerow([reference, result, paid if result.startswith("Đã chi") else "", ""])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(reports=st.lists(report, min_size=1, max_size=4))
def test_the_books_always_account_for_every_dong(setting, sent, tmp_path, reports):  # type: ignore[no-untyped-def]
    locked, rows = sent
    advanced = sum(amount for _, amount in rows)
    with transaction.atomic():
        for n, results in enumerate(reports):
            path = tmp_path / f"kq-{n}.csv"
            _write(path, rows, results)
            try:
                results_import(actor=setting.preparer, cycle_id=locked.pk, path=path,
                               name=path.name)  # fmt: skip
            except ResultFileError:
                pytest.fail("a report within the rows' amounts was refused")
            [books] = selectors.books(locked)
            assert books.advanced == advanced and books.payments == len(rows)
            assert books.paid + books.returned + books.carried + books.pending + books.review == (
                advanced
            )
            assert 0 <= books.paid <= advanced and books.people_paid <= len(rows)
            assert books.pending_people == 0  # every payment has a result
        transaction.set_rollback(True)
