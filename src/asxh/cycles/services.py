"""Building, approving (locking) and exporting a month's payment list."""

import datetime as dt
import hashlib
import io
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.audit.services import audit_record
from asxh.core.bulk import bulk_insert, whole_table_reads
from asxh.core.formatting import month_vn
from asxh.cycles import build, exports, parallel, selectors
from asxh.cycles.models import (
    PAYMENTS_WRITE,
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
from asxh.providers.selectors import provider_for
from asxh.reports.coverage import coverage_record
from asxh.units.models import Commune, Province


def _province(actor: User, code: str) -> Province:
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise ValidationError(f"Không có tỉnh mã '{code}'.")
    if selectors.user_communes(actor, province) is not None:
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
        whole_table_reads()  # the streams sort a province, read to the end
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
        _payments_write(cycle)
        coverage_record(cycle)
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


def _payments_write(cycle: Cycle) -> None:
    """Store what the locked list sends each person (cycles.models.Payment)."""
    whole_table_reads()
    with connection.cursor() as cursor:
        cursor.execute(PAYMENTS_WRITE, [cycle.pk])
        if connection.vendor == "postgresql":  # a million new rows: plan the results on them
            cursor.execute("ANALYZE cycles_payment")


SUFFIX: dict[str, str] = {ExportFormat.XLSX: "xlsx", ExportFormat.CSV: "csv",
                          ExportFormat.PAIN001: "xml", ExportFormat.PDF: "pdf"}  # fmt: skip


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


@dataclass(frozen=True)
class _Export:
    """What one export asks for."""

    cycle: Cycle
    provider: Provider
    fmt: str
    commune: Commune | None

    def find(self) -> ExportFile | None:
        return ExportFile.objects.filter(
            cycle=self.cycle, provider=self.provider, format=self.fmt, commune=self.commune
        ).first()

    def stored_name(self) -> str:
        """Where the file is kept, relative to DATA_DIR."""
        commune = f"-{self.commune.code}" if self.commune else ""
        name = f"ky-{self.cycle.pk}-{self.provider.code}{commune}.{SUFFIX[self.fmt]}"
        return f"exports/{self.cycle.pk}/{name}"


@dataclass(frozen=True)
class _Written:
    """A new file, written beside its stored place and checked, not yet recorded."""

    path: Path
    sha256: str
    rows: int
    total: int
    created_at: dt.datetime
    message_id: str


def cycle_export(
    *, actor: User, cycle_id: int, provider_code: str, fmt: str, path: Path | None = None,
    commune_code: str = "",
) -> ExportFile:  # fmt: skip
    """Give out a provider's file of a locked list. The first request writes it (it must add
    up to the list's figures for that provider), keeps it under DATA_DIR and records its
    SHA-256; every later request gives out that same stored file once its checksum is
    verified, or is refused: a file given out is never replaced by another. The file is
    copied to `path`; without one the caller reads `ExportFile.stored_path`."""
    wanted = _export_wanted(actor, cycle_id, provider_code, fmt, commune_code)
    earlier = wanted.find()
    if earlier is not None:
        return _export_give(actor, wanted, earlier, path, again=True)
    written = _export_files(wanted)
    try:
        with transaction.atomic():
            kept = {fmt: _export_keep(actor, replace(wanted, fmt=fmt), file)
                    for fmt, file in written.items()}  # fmt: skip
            export, new = kept[wanted.fmt]
            return _export_give(actor, wanted, export, path, again=not new)
    finally:
        for file in written.values():
            file.path.unlink(missing_ok=True)  # left over when it was not kept


def _export_wanted(
    actor: User, cycle_id: int, provider_code: str, fmt: str, commune_code: str
) -> _Export:
    require(actor, Capability.EXPORT_CYCLE)
    cycle = selectors.cycle_get(actor, cycle_id)
    if cycle.state == CycleState.DRAFT:
        raise ValidationError(
            "Danh sách chưa được duyệt: chỉ xuất tệp cho tổ chức chi trả khi đã khóa."
        )
    provider = provider_for(actor, provider_code)
    if fmt not in SUFFIX:
        raise ValidationError(f"Định dạng '{fmt}' không có; chọn xlsx, csv, pain001 hoặc pdf.")
    commune = Commune.objects.filter(code=commune_code).first() if commune_code else None
    if commune_code and commune is None:
        raise ValidationError(f"Không có xã mã '{commune_code}'.")
    if fmt == ExportFormat.PDF and commune is None:
        raise ValidationError("Danh sách chi tiền mặt in theo từng xã: ghi mã xã.")
    return _Export(cycle, provider, fmt, commune)


# The provider's whole-list files: the first request for one writes those not made yet, in
# one pass over the list (exports.provider_files).
TOGETHER = (ExportFormat.XLSX, ExportFormat.CSV, ExportFormat.PAIN001)


def _export_files(wanted: _Export) -> dict[str, _Written]:
    if wanted.commune is not None or wanted.fmt not in TOGETHER:
        return {wanted.fmt: _export_file(wanted)}
    cycle, provider = wanted.cycle, wanted.provider
    created_at = timezone.now().replace(microsecond=0)
    header = selectors.header_for(cycle, provider, created_at=created_at)
    accounts = selectors.header_for(cycle, provider, created_at=created_at, method="account")
    formats = [fmt for fmt in TOGETHER if fmt == wanted.fmt or (
        replace(wanted, fmt=fmt).find() is None and (fmt != ExportFormat.PAIN001 or accounts.rows)
    )]  # fmt: skip
    scratch = {fmt: _scratch(replace(wanted, fmt=fmt)) for fmt in formats}
    try:
        counted = exports.provider_files(selectors.payment_rows(cycle, provider), header,
                                         accounts, {str(f): p for f, p in scratch.items()},
                                         _message_id(wanted, "pain001"))  # fmt: skip
        written: dict[str, _Written] = {}
        for fmt, path in scratch.items():
            expected = accounts if fmt == ExportFormat.PAIN001 else header
            _export_check(counted[fmt], expected)
            written[fmt] = _Written(path, _sha256(path, None), expected.rows, expected.total,
                                    created_at, _message_id(wanted, fmt))  # fmt: skip
        return written
    except (ValueError, OSError) as error:
        _unlink(scratch.values())
        raise ValidationError(f"Không xuất được tệp: {error}") from None
    except BaseException:
        _unlink(scratch.values())
        raise


def _message_id(wanted: _Export, fmt: str) -> str:
    return f"ASXH-{wanted.cycle.pk}-{wanted.provider.code}-{fmt}"[:35]


def _scratch(wanted: _Export) -> Path:
    """A file of its own beside the stored place, so that two first requests at once never
    write the same file."""
    stored = Path(settings.DATA_DIR) / wanted.stored_name()
    stored.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=stored.name + ".", suffix=".tmp", dir=stored.parent)
    os.close(handle)
    return Path(name)


def _export_check(written: tuple[int, int], header: ListHeader) -> None:
    if written != (header.rows, header.total):
        raise ValidationError(
            f"Tệp không khớp danh sách ({written[0]} người, {written[1]} đồng so với "
            f"{header.rows} người, {header.total} đồng): không xuất."
        )


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _export_file(wanted: _Export) -> _Written:
    """Write one file (a commune's, or the PDF cash list) beside its stored place; refused
    unless it adds up to the list."""
    method = {ExportFormat.PAIN001: "account", ExportFormat.PDF: "cash"}.get(wanted.fmt, "")  # type: ignore[call-overload]
    commune_id = wanted.commune.pk if wanted.commune else None
    created_at = timezone.now().replace(microsecond=0)
    message_id = _message_id(wanted, wanted.fmt)
    header = selectors.header_for(wanted.cycle, wanted.provider, created_at=created_at,
                                  method=method, commune_id=commune_id)  # fmt: skip
    rows = selectors.payment_rows(wanted.cycle, wanted.provider, method=method,
                                  commune_id=commune_id)  # fmt: skip
    partial = _scratch(wanted)
    try:
        with partial.open("wb") as out:
            written = _export_write(wanted.fmt, header, rows, out, message_id, wanted.commune)
        _export_check(written, header)
        sha = _sha256(partial, None)
    except (ValueError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise ValidationError(f"Không xuất được tệp: {error}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return _Written(partial, sha, header.rows, header.total, created_at, message_id)


def _export_keep(actor: User, wanted: _Export, written: _Written) -> tuple[ExportFile, bool]:
    """Record the new file and move it to its stored place; when another request recorded
    the same file first (both wrote it at once), that one is given out instead."""
    try:
        with transaction.atomic():
            export = ExportFile.objects.create(
                cycle=wanted.cycle, provider=wanted.provider, format=wanted.fmt,
                commune=wanted.commune, sha256=written.sha256, stored_name=wanted.stored_name(),
                rows=written.rows, total=written.total, message_id=written.message_id,
                created_at=written.created_at, created_by=actor,
            )  # fmt: skip
    except IntegrityError:
        return ExportFile.objects.get(cycle=wanted.cycle, provider=wanted.provider,
                                      format=wanted.fmt, commune=wanted.commune), False  # fmt: skip
    written.path.replace(export.stored_path)  # atomic: the stored file is whole or absent
    return export, True


def _export_give(
    actor: User, wanted: _Export, export: ExportFile, path: Path | None, *, again: bool
) -> ExportFile:
    """Hand out the stored file, and say so in the audit trail (in one transaction)."""
    with transaction.atomic():
        _export_hand_out(export, path)
        audit_record(
            actor=actor,
            action="cycle.export",
            object_type="cycle",
            object_id=wanted.cycle.pk,
            area_code=wanted.cycle.province.code,
            after={"provider": wanted.provider.code, "format": wanted.fmt,
                   "commune": wanted.commune.code if wanted.commune else "",
                   "sha256": export.sha256, "rows": export.rows, "total": export.total,
                   "again": again},
        )  # fmt: skip
    return export


def _export_hand_out(export: ExportFile, path: Path | None) -> None:
    """Check the stored file against its recorded SHA-256, copying it to `path` on the way
    (through a scratch file, renamed once the checksum matches): nothing else is written."""
    stored = export.stored_path
    if not export.stored_name or not stored.is_file():
        raise ValidationError(
            f"Không còn tệp đã xuất lần đầu ({export.stored_name or 'không được lưu'}): không "
            "xuất tệp khác thay cho tệp đã gửi. Báo quản trị hệ thống khôi phục tệp đã lưu."
        )
    partial = None if path is None else path.with_name(path.name + ".tmp")
    try:
        sha = _sha256(stored, partial)
    except OSError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise ValidationError(f"Không giao được tệp: {error}") from None
    if sha != export.sha256:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise ValidationError(
            f"Tệp đã lưu {export.stored_name} đã bị thay đổi (mã kiểm tra SHA-256 khác với lúc "
            "xuất lần đầu): không giao tệp này. Báo quản trị hệ thống."
        )
    if partial is not None and path is not None:
        partial.replace(path)


def _sha256(source: Path, copy_to: Path | None) -> str:
    """The file's SHA-256, read in blocks and, with `copy_to`, copied there on the way."""
    digest = hashlib.sha256()
    with source.open("rb") as data, (copy_to or Path(os.devnull)).open("wb") as copy:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
            copy.write(block)
    return digest.hexdigest()


def cycle_transfer_confirm(*, actor: User, cycle_id: int, provider_code: str) -> Transfer:
    """The provider confirms it has transferred its account payments: the SMS to each person
    paid (or their guardian / authorised person) are queued, once."""
    require(actor, Capability.EXPORT_CYCLE)
    cycle = selectors.cycle_get(actor, cycle_id)
    if cycle.state == CycleState.DRAFT:
        raise ValidationError("Danh sách chưa được duyệt.")
    provider = provider_for(actor, provider_code)
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
