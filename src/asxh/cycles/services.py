"""Building, approving (locking) and exporting a month's payment list."""

import datetime as dt
import hashlib
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.audit.services import audit_record
from asxh.core.bulk import bulk_insert
from asxh.core.formatting import month_vn
from asxh.cycles import build, exports, parallel, selectors
from asxh.cycles.models import (
    Cycle,
    CycleState,
    ExportFile,
    ExportFormat,
    PaymentLine,
    Transfer,
)
from asxh.cycles.rows import ListHeader, PaymentRow
from asxh.cycles.selectors import blocking
from asxh.entitlement.selectors import one_offs, ratebook
from asxh.notifications.services import sms_queue_for_payments
from asxh.providers.models import Provider
from asxh.units.models import Commune, Province


def _province(actor: User, code: str) -> Province:
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise ValidationError(f"Không có tỉnh mã '{code}'.")
    communes = communes_for(actor).filter(province=province)
    if communes.count() != province.communes.count():  # type: ignore[attr-defined]
        raise PermissionDenied("Lập danh sách chi trả cần quyền trên cả tỉnh.")
    return province


@dataclass(frozen=True)
class BuildResult:
    cycle: Cycle
    tally: build.Tally
    seconds: float


def cycle_build(*, actor: User, month: dt.date, province_code: str) -> BuildResult:
    """Build (or rebuild) the draft list of a month: all lines replaced in one transaction,
    so that an interrupted build leaves the previous draft whole."""
    require(actor, Capability.BUILD_CYCLE)
    province = _province(actor, province_code)
    month = month.replace(day=1)
    started = time.perf_counter()
    book, extra = ratebook(), one_offs(province.code)
    with transaction.atomic():
        cycle, _ = Cycle.objects.get_or_create(province=province, month=month)
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.state != CycleState.DRAFT:
            raise ValidationError(
                f"Danh sách tháng {month_vn(month)} đã duyệt và khóa: không lập lại được."
            )
        PaymentLine.objects.filter(cycle=cycle).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The streams sort a province in memory; JIT only slows these plain scans.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL jit = off")
                # The streams are read to the end: plan them for all rows, not the first 10 %.
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
        tally = build.Tally()
        ctx = build.context_for(cycle, book, extra)
        _lines_write(ctx, tally)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a million new rows: plan the exports on them
                cursor.execute("ANALYZE cycles_paymentline")
        seconds = round(time.perf_counter() - started, 3)
        Cycle.objects.filter(pk=cycle.pk).update(
            version=cycle.version + 1,
            built_by=actor,
            built_at=timezone.now(),
            build_seconds=seconds,
            people=tally.people,
            lines=tally.lines,
            total=tally.total,
            held=tally.held,
            held_total=tally.held_total,
        )
        audit_record(
            actor=actor,
            action="cycle.build",
            object_type="cycle",
            object_id=cycle.pk,
            area_code=province.code,
            after={
                "month": month,
                "version": cycle.version + 1,
                "people": tally.people,
                "lines": tally.lines,
                "total": tally.total,
                "held": tally.by_reason,
            },
        )
    cycle.refresh_from_db()
    return BuildResult(cycle, tally, seconds)


def _lines_write(ctx: build.Context, tally: build.Tally) -> None:
    """Price every person and write the lines: a large province on PostgreSQL in several
    processes, else in this one, in chunks (the reads that feed the rows cannot run while
    a COPY is open on the same connection, but they can between two)."""
    if parallel.worth_it(ctx, settings.BUILD_WORKERS):
        columns = ", ".join(build.LINE_COLUMNS)
        sql = f"COPY {PaymentLine._meta.db_table} ({columns}) FROM STDIN"
        with (
            parallel.workers_started(ctx, settings.BUILD_WORKERS) as workers,
            connection.cursor() as cursor,
            cursor.cursor.copy(sql) as copy,
        ):
            for block in workers.copy_data(tally):
                copy.write(block)
        return
    rows = build.line_rows(ctx, tally)
    while chunk := list(islice(rows, build.CHUNK)):
        bulk_insert(PaymentLine, build.LINE_COLUMNS, chunk)


def cycle_approve(*, actor: User, cycle_id: int) -> Cycle:
    """Approve and lock a draft: by someone other than its preparer, with nothing blocking.
    Two approvers at once produce one lock (the row is locked, the state checked inside)."""
    require(actor, Capability.APPROVE_CYCLE)
    with transaction.atomic():
        cycle = (
            Cycle.objects.select_for_update().select_related("province").filter(pk=cycle_id).first()
        )
        if cycle is None:
            raise ValidationError(f"Không có kỳ chi số {cycle_id}.")
        _province(actor, cycle.province.code)
        if cycle.state != CycleState.DRAFT:
            raise ValidationError("Danh sách đã được duyệt và khóa trước đó.")
        if cycle.built_by_id is None:
            raise ValidationError("Danh sách chưa được lập.")
        if cycle.built_by_id == actor.pk:
            raise PermissionDenied("Người lập danh sách không được tự duyệt danh sách của mình.")
        problems = blocking(cycle)
        if problems.stops:
            raise ValidationError(["Chưa duyệt được: " + p for p in problems.stops])
        now = timezone.now()
        Cycle.objects.filter(pk=cycle.pk).update(
            state=CycleState.LOCKED, locked_by=actor, locked_at=now
        )
        audit_record(
            actor=actor,
            action="cycle.approve",
            object_type="cycle",
            object_id=cycle.pk,
            area_code=cycle.province.code,
            after={"state": CycleState.LOCKED, "lines": cycle.lines, "total": cycle.total},
        )
    cycle.refresh_from_db()
    return cycle


def _export_write(
    fmt: str,
    header: ListHeader,
    rows: Iterator[PaymentRow],
    out: BinaryIO,
    message_id: str,
    commune: Commune | None,
) -> tuple[int, int]:
    if fmt == ExportFormat.CSV:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        counted = exports.csv_write(header, rows, text)
        text.flush()
        text.detach()
        return counted
    if fmt == ExportFormat.XLSX:
        return exports.xlsx_write(header, rows, out)
    if fmt == ExportFormat.PAIN001:
        from asxh.cycles.pain001 import pain001_write

        counting = _Counting(rows)
        pain001_write(header, counting, out, message_id=message_id)
        return counting.rows, counting.total
    if fmt == ExportFormat.PDF:
        from asxh.cycles.cashlist import cash_list_pdf

        return cash_list_pdf(header, commune.name if commune else "", rows, out)
    raise ValidationError(f"Định dạng '{fmt}' không có; chọn xlsx, csv, pain001 hoặc pdf.")


class _Counting:
    """Passes rows through and counts them (for writers that return their own result)."""

    def __init__(self, rows: Iterator[PaymentRow]) -> None:
        self._rows, self.rows, self.total = rows, 0, 0

    def __iter__(self) -> Iterator[PaymentRow]:
        for row in self._rows:
            self.rows += 1
            self.total += row.amount
            yield row


def cycle_export(
    *, actor: User, cycle_id: int, provider_code: str, fmt: str, path: Path,
    commune_code: str = "",
) -> ExportFile:  # fmt: skip
    """Write a provider's file of a locked list. The file must add up to the list's figures
    for that provider; exporting again must give the same bytes (checksum) or is refused."""
    require(actor, Capability.EXPORT_CYCLE)
    cycle = selectors.cycle_get(actor, cycle_id)
    if cycle.state == CycleState.DRAFT:
        raise ValidationError(
            "Danh sách chưa được duyệt: chỉ xuất tệp cho tổ chức chi trả khi đã khóa."
        )
    provider = Provider.objects.filter(code=provider_code).first()
    if provider is None:
        raise ValidationError(f"Không có tổ chức chi trả mã '{provider_code}'.")
    method = {ExportFormat.PAIN001: "account", ExportFormat.PDF: "cash"}.get(fmt, "")  # type: ignore[call-overload]
    commune = Commune.objects.filter(code=commune_code).first() if commune_code else None
    if fmt == ExportFormat.PDF and commune is None:
        raise ValidationError("Danh sách chi tiền mặt in theo từng xã: ghi mã xã.")
    earlier = ExportFile.objects.filter(
        cycle=cycle, provider=provider, format=fmt, commune=commune
    ).first()
    created_at = earlier.created_at if earlier else timezone.now().replace(microsecond=0)
    message_id = f"ASXH-{cycle.pk}-{provider.code}-{fmt}"[:35]
    header = selectors.header_for(cycle, provider, created_at=created_at, method=method,
                                  commune_id=commune.pk if commune else None)  # fmt: skip
    rows = selectors.payment_rows(cycle, provider, method=method,
                                  commune_id=commune.pk if commune else None)  # fmt: skip
    digest = hashlib.sha256()
    partial = path.with_name(path.name + ".tmp")
    try:
        with partial.open("wb") as out:
            written = _export_write(fmt, header, rows, out, message_id, commune)
    except (ValueError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise ValidationError(f"Không xuất được tệp: {error}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if written != (header.rows, header.total):
        partial.unlink()
        raise ValidationError(
            f"Tệp không khớp danh sách ({written[0]} người, {written[1]} đồng so với "
            f"{header.rows} người, {header.total} đồng): không xuất."
        )
    with partial.open("rb") as done:
        for block in iter(lambda: done.read(1 << 20), b""):
            digest.update(block)
    sha = digest.hexdigest()
    if earlier is not None and earlier.sha256 != sha:
        partial.unlink()
        raise ValidationError(
            "Tệp xuất lại khác tệp đã gửi trước đó (mã kiểm tra khác): không thay thế tệp đã gửi."
        )
    partial.replace(path)
    with transaction.atomic():
        export = earlier or ExportFile.objects.create(
            cycle=cycle, provider=provider, format=fmt, commune=commune, sha256=sha,
            rows=header.rows, total=header.total, message_id=message_id, created_at=created_at,
            created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="cycle.export",
            object_type="cycle",
            object_id=cycle.pk,
            area_code=cycle.province.code,
            after={
                "provider": provider.code,
                "format": fmt,
                "commune": commune_code,
                "sha256": sha,
                "rows": header.rows,
                "total": header.total,
                "again": earlier is not None,
            },
        )
    return export


def cycle_transfer_confirm(*, actor: User, cycle_id: int, provider_code: str) -> Transfer:
    """The provider confirms it has transferred its account payments: the SMS to each person
    paid (or their guardian / authorised person) are queued, once."""
    require(actor, Capability.EXPORT_CYCLE)
    cycle = selectors.cycle_get(actor, cycle_id)
    if cycle.state == CycleState.DRAFT:
        raise ValidationError("Danh sách chưa được duyệt.")
    provider = Provider.objects.filter(code=provider_code).first()
    if provider is None:
        raise ValidationError(f"Không có tổ chức chi trả mã '{provider_code}'.")
    with transaction.atomic():
        transfer, created = Transfer.objects.get_or_create(
            cycle=cycle,
            provider=provider,
            defaults={"confirmed_at": timezone.now(), "confirmed_by": actor},
        )
        if not created:
            raise ValidationError("Tổ chức này đã xác nhận chuyển tiền cho kỳ này.")
        rows = selectors.payment_rows(cycle, provider, method="account")
        transfer.messages = sms_queue_for_payments(
            actor=actor,
            rows=rows,
            cycle_id=cycle.pk,
            month=cycle.month,
            provider_name=provider.name,
        )
        transfer.save(update_fields=["messages"])
        audit_record(
            actor=actor,
            action="cycle.transfer",
            object_type="cycle",
            object_id=cycle.pk,
            area_code=cycle.province.code,
            after={"provider": provider.code, "messages": transfer.messages},
        )
    return transfer
