"""Importing a provider's results into a locked list (docs/ket-qua-chi-tra.md).

The file's events are streamed into a temporary table, checked against the list in a few
set-based statements (unknown references, duplicates, amounts over the row's amount), and
recorded in one INSERT … SELECT; any problem rolls the whole file back. Spreadsheets and
pain.002 state where each payment stands, so they are recorded as the difference from what
is already known (a report sent again changes nothing); camt statements report bookings,
recorded once each by the bank's booking reference.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.audit.services import audit_record
from asxh.core.bulk import table_insert, whole_table_reads
from asxh.core.checksums import file_sha256
from asxh.core.formatting import number_vn
from asxh.cycles.models import Cycle, CycleState
from asxh.cycles.selectors import user_communes
from asxh.providers.models import Provider
from asxh.providers.selectors import provider_for
from asxh.quality.models import FindingKind
from asxh.results import readers, selectors
from asxh.results.models import PAYMENT_STATE, ResultFile, Settlement
from asxh.results.outcomes import (
    FAILED_OUTCOMES,
    HOLDER_DECEASED,
    Outcome,
    Reported,
    ResultFileError,
)

REFERENCE = re.compile(r"ASXH(\d{6})(\d{10})")
STATEMENTS = frozenset({"csv", "xlsx", "pain002"})  # where a payment stands, not bookings
MAX_PROBLEMS = 50
TEMP = "results_reported"  # the file's events
EXPECTED_T = "results_expected"  # the cycle's payments (a view: EXPECTED)
KNOWN_T = "results_known"  # what the cycle's events say so far (KNOWN)
TEMP_COLUMNS = ["position", "place", "beneficiary_id", "outcome", "amount", "code", "text",
                "provider_ref"]  # fmt: skip


@dataclass
class ImportSummary:
    file: ResultFile | None  # None when the same file was imported before
    rows: int
    events: int
    by_outcome: dict[str, int] = field(default_factory=dict)
    already: bool = False


def results_import(*, actor: User, cycle_id: int, path: Path, name: str) -> ImportSummary:
    """Check and record a result file of a locked list; nothing is recorded if any row is
    wrong (ResultFileError lists where and why)."""
    require(actor, Capability.IMPORT_RESULTS)
    digest = file_sha256(path)
    with transaction.atomic():
        cycle = _cycle(actor, cycle_id)
        earlier = ResultFile.objects.filter(cycle=cycle, sha256=digest).first()
        if earlier is not None:
            return ImportSummary(None, earlier.rows, 0, already=True)
        read = readers.read_results(path, name)
        whole_table_reads()
        # Temporary tables, created in the transaction: a refused file rolls them back too.
        _temp_create()
        rows = table_insert(TEMP, TEMP_COLUMNS, _temp_rows(cycle.pk, read.rows))
        _temp_fill(cycle)
        overview = _overview()
        provider = _provider(actor, overview)
        _check(cycle, overview, statements=read.format in STATEMENTS)
        file = ResultFile.objects.create(
            cycle=cycle, provider=provider, name=name[:255], format=read.format,
            sha256=digest, message_id=read.message_id[:35], rows=rows, events=0,
            imported_at=timezone.now(), imported_by=actor,
        )  # fmt: skip
        events = _record(cycle, file, statements=read.format in STATEMENTS)
        by_outcome = _counts(file)
        work = _failures_to_work(cycle, file)
        _temp_drop()
        ResultFile.objects.filter(pk=file.pk).update(events=events)
        file.events = events
        audit_record(
            actor=actor, action="results.import", object_type="cycle", object_id=cycle.pk,
            area_code=cycle.province.code,
            after={"file": name, "sha256": digest, "format": read.format, "rows": rows,
                   "events": events, "outcomes": by_outcome, "provider": provider.code,
                   "work": work},
        )  # fmt: skip
    return ImportSummary(file, rows, events, by_outcome)


def _cycle(actor: User, cycle_id: int) -> Cycle:
    cycle = Cycle.objects.select_for_update().select_related("province").filter(pk=cycle_id)
    found = cycle.first()
    if found is None:
        raise ValidationError(f"Không có kỳ chi số {cycle_id}.")
    if actor.role != "provider" and user_communes(actor, found.province) is not None:
        raise PermissionDenied("Nhập kết quả chi trả cần quyền trên cả tỉnh.")
    if found.state == CycleState.DRAFT:
        raise ValidationError("Danh sách chưa được duyệt và khóa: chưa có kết quả để nhập.")
    if found.state == CycleState.CLOSED:
        raise ValidationError("Kỳ chi đã quyết toán: không nhập thêm kết quả được.")
    return found


def _temp_create() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {TEMP} (position integer, place varchar(60), "
            "beneficiary_id bigint, outcome varchar(24), amount bigint, code varchar(8), "
            "text varchar(300), provider_ref varchar(35))"
        )


def _temp_fill(cycle: Cycle) -> None:
    """The payments (a view of the stored ones) and what is known of them (once, for the
    checks and the insert)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY VIEW {EXPECTED_T} AS {EXPECTED.format(cycle=int(cycle.pk))}"
        )
        cursor.execute(f"CREATE TEMPORARY TABLE {KNOWN_T} AS {KNOWN}", {"cycle": cycle.pk})
        cursor.execute(f"CREATE UNIQUE INDEX {KNOWN_T}_person ON {KNOWN_T} (beneficiary_id)")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {KNOWN_T}")
        cursor.execute(f"CREATE INDEX {TEMP}_person ON {TEMP} (beneficiary_id, position)")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {TEMP}")


def _temp_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP VIEW IF EXISTS {EXPECTED_T}")
        for table in (TEMP, KNOWN_T):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _temp_rows(cycle_id: int, rows: Iterator[Reported]) -> Iterator[tuple[Any, ...]]:
    """The events as rows of the temporary table; references of another cycle, or not ours,
    are collected and refused together with the reader's own problems."""
    problems: list[str] = []
    for position, row in enumerate(rows, start=1):
        found = REFERENCE.fullmatch(row.reference)
        if found is None or int(found[1]) != cycle_id:
            if len(problems) < MAX_PROBLEMS:
                problems.append(_wrong_reference(row, found, cycle_id))
            continue
        yield (position, row.where[:60], int(found[2]), row.outcome, row.amount, row.code[:8],
               row.text[:300], row.provider_ref[:35])  # fmt: skip
    if problems:
        raise ResultFileError(problems)


def _wrong_reference(row: Reported, found: re.Match[str] | None, cycle_id: int) -> str:
    if found is None:
        return (f"{_cap(row.where)}: mã tham chiếu «{row.reference}» không đúng dạng "
                "ASXH + 16 chữ số như trong danh sách đã gửi.")  # fmt: skip
    return (f"{_cap(row.where)}: mã tham chiếu {row.reference} thuộc kỳ chi số "
            f"{int(found[1])}, không phải kỳ {cycle_id}: nhập tệp vào đúng kỳ chi.")  # fmt: skip


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# The cycle's payments (stored when the list was locked) and their providers.
EXPECTED = """
SELECT p.beneficiary_id, k.provider_id, p.amount, p.method, p.at_home, p.commune_id
FROM cycles_payment p JOIN providers_contract k ON k.id = p.contract_id
WHERE p.cycle_id = {cycle}
"""
# What is known of each payment so far: its net amount paid and its latest outcome.
KNOWN = PAYMENT_STATE


@dataclass(frozen=True)
class Overview:
    """One pass over the file's events against the list: enough to accept a clean statement
    without the detailed checks, which then only run to say what is wrong."""

    unknown: int  # references not in the list sent
    over: int  # amounts over the payment's
    repeated: int  # more than one row for a person
    providers: tuple[int | None, int | None]  # the lowest and highest provider id named


def _overview() -> Overview:
    sql = f"""SELECT COUNT(*) - COUNT(e.beneficiary_id),
                     SUM(CASE WHEN r.amount > e.amount THEN 1 ELSE 0 END),
                     COUNT(*) - COUNT(DISTINCT r.beneficiary_id),
                     MIN(e.provider_id), MAX(e.provider_id)
              FROM {TEMP} r LEFT JOIN {EXPECTED_T} e ON e.beneficiary_id = r.beneficiary_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        unknown, over, repeated, lowest, highest = cursor.fetchone()
    return Overview(int(unknown or 0), int(over or 0), int(repeated or 0), (lowest, highest))


def _provider(actor: User, overview: Overview) -> Provider:
    """The provider whose list the file reports on: every reference must be one of its."""
    lowest, highest = overview.providers
    if lowest != highest:
        sql = f"""SELECT DISTINCT e.provider_id FROM {TEMP} r
                  JOIN {EXPECTED_T} e ON e.beneficiary_id = r.beneficiary_id"""
        with connection.cursor() as cursor:
            cursor.execute(sql)
            ids = [row[0] for row in cursor.fetchall()]
        names = ", ".join(Provider.objects.filter(pk__in=ids).values_list("name", flat=True))
        raise ResultFileError(
            [f"Tệp có kết quả của nhiều tổ chức chi trả ({names}): mỗi tổ chức gửi tệp riêng."]
        )
    if lowest is None:
        _check_unknown()  # raises: no reference of the file is in the list
        raise ResultFileError(["Tệp không có dòng kết quả nào."])
    provider = Provider.objects.get(pk=lowest)
    return provider_for(actor, provider.code)


def _problems(sql: str, message: str) -> list[str]:
    """The first rows `sql` finds (in file order), each told by `message`."""
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {MAX_PROBLEMS}")
        return [message.format(*row) for row in cursor.fetchall()]


def _check_unknown() -> None:
    problems = _problems(
        f"""SELECT r.place, r.beneficiary_id FROM {TEMP} r
            LEFT JOIN {EXPECTED_T} e ON e.beneficiary_id = r.beneficiary_id
            WHERE e.beneficiary_id IS NULL ORDER BY r.position""",
        "{0}: mã tham chiếu của người hưởng số {1} không có trong danh sách đã gửi của kỳ "
        "này (hoặc dòng đang tạm giữ, không được gửi): kiểm tra lại mã.",
    )
    if problems:
        raise ResultFileError([_cap(p) for p in problems])


def _check(cycle: Cycle, overview: Overview, *, statements: bool) -> None:
    """Every event names a payment of this provider's list, once (a statement) or once per
    booking (camt), for no more than the payment's amount."""
    if statements and not (overview.unknown or overview.over or overview.repeated):
        return
    _check_unknown()
    booked = _BOOKED.format(cycle=int(cycle.pk))
    expected = f"{EXPECTED_T} e ON e.beneficiary_id = r.beneficiary_id"
    problems = _problems(
        f"""SELECT r.place, r.amount, e.amount FROM {TEMP} r JOIN {expected}
            WHERE r.amount > e.amount ORDER BY r.position""",
        "{0}: số tiền đã chi {1} đồng lớn hơn số tiền trong danh sách ({2} đồng).",
    )
    if statements:
        problems += _problems(
            f"""SELECT place, beneficiary_id FROM (
                  SELECT place, beneficiary_id, position, ROW_NUMBER() OVER (
                    PARTITION BY beneficiary_id ORDER BY position) AS n FROM {TEMP}) r
                WHERE n > 1 ORDER BY position""",
            "{0}: người hưởng số {1} đã có kết quả ở dòng trên của tệp: mỗi người một dòng.",
        )
    else:
        problems += _problems(
            f"""SELECT place, provider_ref FROM (
                  SELECT place, provider_ref, position, ROW_NUMBER() OVER (
                    PARTITION BY beneficiary_id, provider_ref ORDER BY position) AS n
                  FROM {TEMP} WHERE provider_ref <> '') r
                WHERE n > 1 ORDER BY position""",
            "{0}: bút toán {1} lặp lại trong tệp.",
        )
        problems += _problems(
            f"""SELECT MIN(r.place), SUM(r.amount) + COALESCE(MAX(k.net), 0), MAX(e.amount)
                FROM {TEMP} r JOIN {expected}
                LEFT JOIN {KNOWN_T} k ON k.beneficiary_id = r.beneficiary_id
                WHERE NOT EXISTS ({booked})
                GROUP BY r.beneficiary_id
                HAVING SUM(r.amount) + COALESCE(MAX(k.net), 0) NOT BETWEEN 0 AND MAX(e.amount)
                ORDER BY MIN(r.position)""",
            "{0}: sau các bút toán, số đã chi thành {1} đồng, ngoài khoảng 0 đến {2} đồng "
            "của dòng.",
        )
    if problems:
        raise ResultFileError([_cap(p) for p in problems])


# A booking the cycle already has (the same statement imported twice, or end-of-day and
# intraday statements reporting it both).
_BOOKED = """SELECT 1 FROM results_paymentevent b WHERE b.cycle_id = {cycle}
             AND b.beneficiary_id = r.beneficiary_id AND b.provider_ref = r.provider_ref
             AND r.provider_ref <> ''"""


# A plain "paid" (a spreadsheet's «Đã chi», an ISO ACCC) on a cash payment was paid in cash:
# at home when the list sent it to be paid at home, else at the pay point.
OUTCOME = (f"CASE WHEN r.outcome = '{Outcome.PAID}' AND e.method <> 'account' "
           f"THEN CASE WHEN e.at_home THEN '{Outcome.PAID_HOME}' ELSE '{Outcome.PAID_CASH}' END "
           "ELSE r.outcome END")  # fmt: skip


def _record(cycle: Cycle, file: ResultFile, *, statements: bool) -> int:
    """Record the file's events: for a statement, the change from what is known (nothing
    when it says the same again); for bookings, those not booked before."""
    if statements:
        failed = ", ".join(f"'{o}'" for o in (*FAILED_OUTCOMES, Outcome.REVERSED))
        # A paid row without an amount is paid in full; a failure leaves nothing paid; a row
        # to review changes no amount.
        target = (f"CASE WHEN r.outcome = '{Outcome.REVIEW}' THEN COALESCE(k.net, 0) "
                  f"WHEN r.outcome IN ({failed}) THEN 0 ELSE COALESCE(r.amount, e.amount) END")  # fmt: skip
        amount = f"{target} - COALESCE(k.net, 0)"
        keep = f"({amount}) <> 0 OR k.outcome IS NULL OR k.outcome <> {OUTCOME}"
    else:
        amount = "COALESCE(r.amount, 0)"
        keep = f"NOT EXISTS ({_BOOKED.format(cycle=int(cycle.pk))})"
    sql = f"""
        INSERT INTO results_paymentevent (file_id, cycle_id, beneficiary_id, position, outcome,
                                          amount, code, text, provider_ref)
        SELECT {int(file.pk)}, {int(cycle.pk)}, r.beneficiary_id, r.position, {OUTCOME},
               {amount}, r.code, r.text, r.provider_ref
        FROM {TEMP} r JOIN {EXPECTED_T} e ON e.beneficiary_id = r.beneficiary_id
        LEFT JOIN {KNOWN_T} k ON k.beneficiary_id = r.beneficiary_id
        WHERE {keep}
        ORDER BY r.beneficiary_id, r.position"""  # the index then grows at its end, not all over
    with connection.cursor() as cursor:
        cursor.execute(sql)
        recorded = int(cursor.rowcount)
        if connection.vendor == "postgresql":  # up to a million new rows: plan on them
            cursor.execute("ANALYZE results_paymentevent")
    return recorded


ACCOUNT_FAILURES = (Outcome.FAILED_INVALID_ACCOUNT, Outcome.FAILED_CLOSED_ACCOUNT,
                    Outcome.FAILED_NAME_MISMATCH)  # fmt: skip


def _failures_to_work(cycle: Cycle, file: ResultFile) -> int:
    """A transfer the account refused (or a person the provider reports dead) becomes work for the
    commune: an open finding that holds the person's next lines until the account is
    corrected, the person is moved to cash at home, or the death is recorded (resolving it).
    Read from the file's rows: a person's last row in it, if it was recorded (a statement that
    says again what is known opens nothing). Returns how many were opened."""
    failures = ", ".join(f"'{o}'" for o in ACCOUNT_FAILURES)
    detail = "json_build_object" if connection.vendor == "postgresql" else "json_object"
    now = timezone.now()
    sql = f"""
        INSERT INTO quality_finding (kind, beneficiary_id, commune_id, key, detail, state,
                                     state_reason, detected_at, last_seen_at)
        SELECT '{FindingKind.PAYMENT_FAILED}', r.beneficiary_id, x.commune_id,
               CAST(r.beneficiary_id AS varchar(20)),
               {detail}('cycle', %s, 'outcome', r.outcome, 'code', r.code, 'text', r.text),
               'open', '', %s, %s
        FROM {TEMP} r JOIN {EXPECTED_T} x ON x.beneficiary_id = r.beneficiary_id
        LEFT JOIN {KNOWN_T} k ON k.beneficiary_id = r.beneficiary_id
        WHERE ((r.outcome IN ({failures}) AND x.method = 'account') OR r.code = '{HOLDER_DECEASED}')
          AND NOT EXISTS (SELECT 1 FROM {TEMP} later WHERE later.beneficiary_id = r.beneficiary_id
                            AND later.position > r.position)
          AND (k.beneficiary_id IS NULL  -- a first report of the payment is always recorded
               OR EXISTS (SELECT 1 FROM results_paymentevent e
                          WHERE e.cycle_id = %s AND e.beneficiary_id = r.beneficiary_id
                            AND e.file_id = %s AND e.position = r.position))
          AND NOT EXISTS (SELECT 1 FROM quality_finding f
                          WHERE f.kind = '{FindingKind.PAYMENT_FAILED}' AND f.state = 'open'
                            AND f.key = CAST(r.beneficiary_id AS varchar(20)))"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, now, now, cycle.pk, file.pk])
        return int(cursor.rowcount)


def _counts(file: ResultFile) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, COUNT(*) FROM results_paymentevent WHERE cycle_id = %s "
            "AND file_id = %s GROUP BY outcome ORDER BY outcome",
            [file.cycle_id, file.pk],
        )
        return {outcome: count for outcome, count in cursor.fetchall()}


def _settling(actor: User, cycle_id: int) -> Cycle:
    require(actor, Capability.SETTLE_CYCLE)
    cycle = Cycle.objects.select_for_update().select_related("province").filter(pk=cycle_id)
    found = cycle.first()
    if found is None:
        raise ValidationError(f"Không có kỳ chi số {cycle_id}.")
    if user_communes(actor, found.province) is not None:
        raise PermissionDenied("Quyết toán kỳ chi cần quyền trên cả tỉnh.")
    if found.state != CycleState.LOCKED:
        raise ValidationError(
            "Kỳ chi đã quyết toán." if found.state == CycleState.CLOSED
            else "Danh sách chưa được duyệt và khóa."
        )  # fmt: skip
    return found


def _unbalanced(found: list[selectors.Books]) -> list[str]:
    problems = []
    for books in found:
        if books.pending_people:
            problems.append(f"{books.provider_name}: {books.pending_people} người chưa có kết "
                            f"quả chi trả ({number_vn(books.pending)} đồng).")  # fmt: skip
        if books.review_people:
            problems.append(f"{books.provider_name}: {books.review_people} kết quả cần kiểm "
                            f"tra ({number_vn(books.review)} đồng).")  # fmt: skip
        if not books.pending_people and books.accounted != books.advanced:
            problems.append(f"{books.provider_name}: đã tạm ứng {number_vn(books.advanced)} "
                            f"đồng nhưng chỉ giải thích được {number_vn(books.accounted)} đồng.")  # fmt: skip
    return problems


def cycle_settle(*, actor: User, cycle_id: int) -> Settlement:
    """Prepare the settlement of a locked list whose books balance, provider by provider."""
    with transaction.atomic():
        cycle = _settling(actor, cycle_id)
        found = selectors.books(cycle)
        problems = _unbalanced(found)
        if problems:
            raise ValidationError(["Chưa quyết toán được: " + p for p in problems])
        figures = [b.as_dict() for b in found]
        settlement = Settlement.objects.create(
            cycle=cycle, figures=figures, prepared_at=timezone.now(), prepared_by=actor
        )
        audit_record(actor=actor, action="cycle.settle", object_type="cycle",
                     object_id=cycle.pk, area_code=cycle.province.code,
                     after={"settlement": settlement.pk, "books": figures})  # fmt: skip
    return settlement


def cycle_close(*, actor: User, cycle_id: int) -> Cycle:
    """Approve the latest prepared settlement, by someone other than who prepared it, while
    the books still say what it says; the cycle is then closed."""
    with transaction.atomic():
        cycle = _settling(actor, cycle_id)
        settlement = cycle.settlements.order_by("-prepared_at", "-pk").first()  # type: ignore[attr-defined]
        if settlement is None:
            raise ValidationError("Chưa lập quyết toán: lập quyết toán trước khi duyệt.")
        if settlement.prepared_by_id == actor.pk:
            raise PermissionDenied("Người lập quyết toán không được tự duyệt quyết toán của mình.")
        now = [b.as_dict() for b in selectors.books(cycle)]
        if now != settlement.figures:
            raise ValidationError("Kết quả chi trả đã thay đổi sau khi lập quyết toán: lập lại.")
        stamp = timezone.now()
        Settlement.objects.filter(pk=settlement.pk).update(approved_at=stamp, approved_by=actor)
        Cycle.objects.filter(pk=cycle.pk).update(state=CycleState.CLOSED)
        audit_record(actor=actor, action="cycle.close", object_type="cycle",
                     object_id=cycle.pk, area_code=cycle.province.code,
                     before={"state": CycleState.LOCKED},
                     after={"state": CycleState.CLOSED, "settlement": settlement.pk})  # fmt: skip
    cycle.refresh_from_db()
    return cycle
