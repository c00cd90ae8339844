"""Importing a commune's list: check every row, then store every valid row in one transaction.

A check (dry run) writes nothing. A real run stores all valid rows or, if anything fails or
the process is killed, nothing: one transaction. A row whose person is already registered
(same ID, or same name and birth date when the file has no ID) updates that person as a new
version with a revision; a row that changes nothing writes nothing, so importing the same file
twice changes nothing the second time. New people are written set-based (COPY on PostgreSQL).
"""

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import AccountKind, AccountStatus, Institution, ReceivingAccount
from asxh.audit.logic import jsonable
from asxh.audit.services import audit_record
from asxh.beneficiaries.bulk import (
    ACCOUNT_COLUMNS,
    BENEFICIARY_COLUMNS,
    ENROLMENT_COLUMNS,
    PAYEE_COLUMNS,
    REGISTRATION_COLUMNS,
    REVISION_COLUMNS,
)
from asxh.beneficiaries.models import (
    Beneficiary,
    BeneficiaryRevision,
    Enrolment,
    Payee,
    PaymentMethodRegistration,
    TargetGroup,
)
from asxh.beneficiaries.services import PERSON_FIELDS
from asxh.core.bulk import bulk_insert, reserve_ids
from asxh.core.checksums import file_sha256
from asxh.core.text import fold
from asxh.intake.columns import FIELD_LABELS
from asxh.intake.logic import Issue, References, Row, is_footer, row_parse
from asxh.intake.models import BatchStatus, ImportBatch
from asxh.intake.normalise import bank_key, cell_text
from asxh.intake.reader import FileUnusable, table_open
from asxh.units.models import Commune

# The person's own fields an import may set (the rest have their own procedures).
IMPORTED_FIELDS = (
    "full_name", "sex", "birth_date", "birth_date_precision", "id_number", "ethnicity",
    "village", "phone",
)  # fmt: skip
CHUNK = 5_000


@dataclass
class ImportReport:
    file_name: str
    dry_run: bool
    sha256: str = ""
    sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # title in the file → field label
    unknown_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    stored: int = 0
    skipped: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    converted: int = 0  # name cells repaired from a legacy encoding
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    fatal: str = ""  # the file as a whole could not be used
    batch_id: int | None = None
    # For the error workbook: the file's column titles and the rejected rows as read.
    titles: list[str] = field(default_factory=list)
    rejected: dict[int, list[str]] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return not self.fatal

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            "sheet": self.sheet,
            "columns": self.columns,
            "unknown_columns": self.unknown_columns,
            "rows_read": self.rows_read,
            "stored": self.stored,
            "skipped": self.skipped,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "converted_names": self.converted,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "fatal": self.fatal,
            "batch": self.batch_id,
        }


def import_commune(actor: User, commune_code: str) -> Commune:
    require(actor, Capability.IMPORT_BENEFICIARIES)
    commune = communes_for(actor).filter(code=commune_code).first()
    if commune is None:
        raise PermissionDenied(f"Xã/phường mã {commune_code} không thuộc địa bàn của bạn.")
    return commune


def references_load(today: dt.date) -> References:
    banks: dict[str, str] = {}
    for bin_, code, short, name, aliases in Institution.objects.values_list(
        "bin", "code", "short_name", "name", "aliases"
    ):
        for label in [code, short, name, *aliases.split(";")]:
            if label.strip():
                banks.setdefault(bank_key(label), bin_)
        banks[bin_] = bin_
    groups: dict[str, str] = {}
    for code, name in TargetGroup.objects.values_list("code", "name"):
        groups[code] = groups[fold(code)] = groups[fold(name)] = code
    return References(banks=banks, groups=groups, today=today)


def import_beneficiaries(
    *,
    actor: User,
    commune_code: str,
    path: Path,
    dry_run: bool,
    file_name: str = "",
    sheet: str = "",
    extra_titles: Mapping[str, str] | None = None,
) -> ImportReport:
    """Check the file and, unless dry_run, store its valid rows; returns what happened."""
    commune = import_commune(actor, commune_code)
    report = ImportReport(file_name=file_name or path.name, dry_run=dry_run)
    report.sha256 = file_sha256(path)
    rows = _read(path, sheet, extra_titles, report)
    if report.fatal:
        return report
    plan = _plan(rows, commune, report)
    report.created, report.updated = len(plan.new), len(plan.updates)
    report.unchanged = plan.unchanged
    report.stored = report.created + report.updated + report.unchanged
    report.skipped = report.rows_read - report.stored
    if not dry_run:
        _store(actor, commune, plan, report)
    return report


def _read(
    path: Path, sheet: str, extra: Mapping[str, str] | None, report: ImportReport
) -> list[Row]:
    """Every valid row; errors, warnings and duplicates within the file go into the report."""
    try:
        table = table_open(path, sheet=sheet, extra_titles=extra)
        report.sheet = table.sheet_name
        report.columns = {
            table.titles.get(i, f"cột {i + 1}"): FIELD_LABELS.get(f, "(bỏ qua)")
            for i, f in sorted(table.layout.columns.items())
        }
        report.unknown_columns = list(table.layout.unknown_titles)
        width = max(table.titles, default=-1) + 1
        report.titles = [table.titles.get(i, "") for i in range(width)]
        refs = references_load(timezone.localdate())
        rows: list[Row] = []
        seen: dict[tuple[str, ...], Row] = {}
        for number, cells in table.rows:
            if is_footer(cells, table.layout):
                break
            row, errors, warnings = row_parse(number, cells, table.layout, refs, table.font)
            if row is None and not errors:
                continue  # an empty row
            report.rows_read += 1
            report.errors.extend(errors)
            report.warnings.extend(warnings)
            report.converted += sum(1 for w in warnings if w.message.startswith("Đã chuyển từ mã"))
            if row is not None and _unique_in_file(row, seen, report):
                rows.append(row)
            elif errors or (row is not None and row.raw != seen[row.identity()].raw):
                report.rejected[number] = [cell_text(c) for c in cells]
    except FileUnusable as error:
        report.fatal = str(error)
        return []
    if report.rows_read == 0:
        report.fatal = "Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào. Kiểm tra đúng tệp."
    return rows


def _unique_in_file(row: Row, seen: dict[tuple[str, ...], Row], report: ImportReport) -> bool:
    first = seen.get(row.identity())
    if first is None:
        seen[row.identity()] = row
        return True
    if first.raw == row.raw:
        report.warnings.append(
            Issue(row.number, "", "", f"Dòng trùng hệt dòng {first.number}; đã bỏ qua.")
        )
    else:
        what = "số định danh" if row.id_number else "họ tên và ngày sinh"
        report.errors.append(
            Issue(
                row.number,
                FIELD_LABELS["id_number" if row.id_number else "full_name"],
                row.id_number or row.full_name,
                f"Trùng {what} với dòng {first.number} nhưng khác nội dung.",
                "Giữ một dòng đúng cho mỗi người, xoá dòng còn lại.",
            )
        )
    return False


@dataclass
class _Update:
    row: Row
    person: dict[str, Any]  # as stored, with its payee, account, registration and groups
    changes: dict[str, Any]  # the person's own fields that change (may be empty)


@dataclass
class _Plan:
    new: list[Row] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    unchanged: int = 0


def _plan(rows: list[Row], commune: Commune, report: ImportReport) -> _Plan:
    """Match rows with registered people; rows whose ID belongs to another commune are refused."""
    by_id = _registered_by_id([r.id_number for r in rows if r.id_number], commune)
    by_name = _registered_by_name(commune)
    plan = _Plan()
    pairs: list[tuple[Row, dict[str, Any]]] = []
    taken: dict[int, int] = {}  # person → the row that matched them
    for row in rows:
        person = by_id.get(row.id_number) if row.id_number else None
        person = person or by_name.get((row.name_folded, row.birth_date))
        if person is None:
            plan.new.append(row)
        elif person["id"] in taken:
            report.rejected[row.number] = [cell_text(c) for c in row.raw]
            report.errors.append(
                Issue(row.number, FIELD_LABELS["full_name"], row.full_name,
                      f"Dòng này và dòng {taken[person['id']]} là cùng một người đã có trong danh sách.",
                      "Giữ một dòng cho mỗi người.")
            )  # fmt: skip
        elif person["commune_id"] != commune.pk:
            report.rejected[row.number] = [cell_text(c) for c in row.raw]
            report.errors.append(
                Issue(row.number, FIELD_LABELS["id_number"], row.id_number,
                      "Số định danh này đã có trong danh sách của một xã/phường khác.",
                      "Nếu người này chuyển đến, làm thủ tục chuyển nơi hưởng thay vì nhập mới.")
            )  # fmt: skip
        else:
            taken[person["id"]] = row.number
            pairs.append((row, person))
    extras = _matched_extras(commune, [person["id"] for _, person in pairs])
    for row, person in pairs:
        person = {**person, **extras[person["id"]]}
        changes = _changes(row, person)
        if changes or _extras_needed(row, person):
            plan.updates.append(_Update(row, person, changes))
        else:
            plan.unchanged += 1
    return plan


_PERSON_VALUES = (
    "id",
    "commune_id",
    "version",
    "status",
    "status_since",
    "death_date",
    "payment_method",
    *IMPORTED_FIELDS,
)


def _registered_by_id(numbers: list[str], commune: Commune) -> dict[str, dict[str, Any]]:
    """ID → the registered person; one in this commune wins over one elsewhere."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        for person in Beneficiary.objects.filter(id_number__in=chunk).values(*_PERSON_VALUES):
            current = found.get(person["id_number"])
            if current is None or person["commune_id"] == commune.pk:
                found[person["id_number"]] = person
    return found


def _registered_by_name(commune: Commune) -> dict[tuple[str, dt.date | None], dict[str, Any]]:
    """(folded name, birth date) → the commune's person recorded without an ID number.

    Only people without an ID: one with an ID is matched by it, so a row without an ID is never
    taken for them (two rows, one with and one without an ID, stay two records for the scan).
    """
    found: dict[tuple[str, dt.date | None], dict[str, Any]] = {}
    values = Beneficiary.objects.filter(commune=commune, id_number="").values(
        "name_folded", *_PERSON_VALUES
    )
    for person in values.iterator(chunk_size=CHUNK):
        found.setdefault((person.pop("name_folded"), person["birth_date"]), person)
    return found


def _matched_extras(commune: Commune, ids: list[int]) -> dict[int, dict[str, Any]]:
    """For registered people: active payee, active account, latest registration, open groups.

    Read for the whole commune (one indexed query per table) rather than with long id lists:
    the matched people are the commune's people.
    """
    extras: dict[int, dict[str, Any]] = {i: {"groups": set()} for i in ids}
    if not ids:
        return extras
    mine = {"beneficiary__commune": commune}
    payees = Payee.objects.filter(**mine, valid_to__isnull=True)
    accounts = ReceivingAccount.objects.filter(**mine, status=AccountStatus.ACTIVE)
    registrations = PaymentMethodRegistration.objects.filter(**mine).order_by("registered_on", "id")
    enrolments = Enrolment.objects.filter(**mine, end_month__isnull=True)
    for b, payee in payees.values_list("beneficiary_id", "id").iterator(CHUNK):
        if b in extras:
            extras[b]["payee_id"] = payee
    for b, bin_, number in accounts.values_list(
        "beneficiary_id", "institution__bin", "account_number"
    ).iterator(CHUNK):
        if b in extras:
            extras[b]["account"] = (bin_, number)
    for b, at_home in registrations.values_list("beneficiary_id", "cash_at_home").iterator(CHUNK):
        if b in extras:
            extras[b]["cash_at_home"] = at_home
    for b, code in enrolments.values_list("beneficiary_id", "group__code").iterator(CHUNK):
        if b in extras:
            extras[b]["groups"].add(code)
    return extras


def _changes(row: Row, person: dict[str, Any]) -> dict[str, Any]:
    """The person's fields this row changes; an empty cell never erases a stored value."""
    changes = {}
    for name in IMPORTED_FIELDS:
        value = getattr(row, name)
        if name == "birth_date_precision" and row.birth_date is None:
            continue
        if value not in ("", None) and value != person[name]:
            changes[name] = value
    if row.method and row.method != person["payment_method"]:
        changes["payment_method"] = row.method
    return changes


def _extras_needed(row: Row, person: dict[str, Any]) -> bool:
    return bool(
        (row.account_number and person.get("account") != (row.bank_bin, row.account_number))
        or (row.method and row.cash_at_home != person.get("cash_at_home", False))
        or (row.group and row.group not in person["groups"])
    )


def _store(actor: User, commune: Commune, plan: _Plan, report: ImportReport) -> None:
    """All valid rows in one transaction, with the batch record and one audit event."""
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            commune=commune,
            uploaded_by=actor,
            file_name=report.file_name,
            sha256=report.sha256,
            status=BatchStatus.STORED,
        )
        report.batch_id = batch.pk
        writer = _Writer(actor, commune, report)
        writer.new_people(plan.new)
        writer.updates(plan.updates)
        batch.rows_read, batch.rows_stored = report.rows_read, report.stored
        batch.rows_skipped, batch.created = report.skipped, report.created
        batch.updated, batch.unchanged = report.updated, report.unchanged
        batch.report = report.as_json()
        batch.finished_at = timezone.now()
        batch.save()
        audit_record(
            actor=actor,
            action="intake.import",
            object_type="import_batch",
            object_id=batch.pk,
            area_code=commune.code,
            after={
                "file": report.file_name,
                "sha256": report.sha256,
                "rows_read": report.rows_read,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.skipped,
            },
            reason=f"Nhập danh sách từ tệp {report.file_name}",
        )


def _snapshot(values: Mapping[str, Any], commune_code: str) -> dict[str, Any]:
    """What a revision stores, as beneficiaries.services.revision_data records it."""
    return dict(jsonable({**{n: values[n] for n in PERSON_FIELDS}, "commune": commune_code}))


class _Writer:
    """Writes the plan: new people set-based, updated people as new versions."""

    def __init__(self, actor: User, commune: Commune, report: ImportReport) -> None:
        self.actor, self.commune, self.report = actor, commune, report
        self.now = timezone.now()
        self.stamp = connection.ops.adapt_datetimefield_value(self.now)
        self.today = timezone.localdate()
        self.groups = dict(TargetGroup.objects.values_list("code", "pk"))
        banks = Institution.objects.values_list("bin", "pk", "kind")
        self.banks = {b: (pk, kind) for b, pk, kind in banks}

    def reason(self, row: Row) -> str:
        return (
            f"Nhập từ tệp {self.report.file_name} (lô #{self.report.batch_id}), dòng {row.number}"
        )

    def new_people(self, rows: list[Row]) -> None:
        if not rows:
            return
        first = reserve_ids(Beneficiary, len(rows))
        payee_first = reserve_ids(Payee, len(rows))
        people = list(
            zip(
                range(first, first + len(rows)),
                range(payee_first, payee_first + len(rows)),
                rows,
                strict=True,
            )
        )
        bulk_insert(Beneficiary, BENEFICIARY_COLUMNS, self._beneficiary_rows(people))
        bulk_insert(BeneficiaryRevision, REVISION_COLUMNS, self._revision_rows(people))
        bulk_insert(Payee, PAYEE_COLUMNS, self._payee_rows(people))
        bulk_insert(
            PaymentMethodRegistration, REGISTRATION_COLUMNS, self._registration_rows(people)
        )
        bulk_insert(ReceivingAccount, ACCOUNT_COLUMNS, self._account_rows(people))
        bulk_insert(Enrolment, ENROLMENT_COLUMNS, self._enrolment_rows(people))

    def _values(self, row: Row) -> dict[str, Any]:
        return {
            **{name: getattr(row, name) for name in IMPORTED_FIELDS},
            "status": "active",
            "status_since": self.today,
            "death_date": None,
            "payment_method": row.method,
        }

    def _beneficiary_rows(self, people: list[tuple[int, int, Row]]) -> Iterator[tuple[Any, ...]]:
        for pk, _, r in people:
            yield (
                pk, r.full_name, r.name_folded, r.birth_date, r.birth_date_precision, r.sex,
                r.id_number, self.commune.pk, r.village, r.phone, r.ethnicity, "active",
                self.today, None, r.method, 1, self.stamp, self.stamp,
            )  # fmt: skip

    def _revision_rows(self, people: list[tuple[int, int, Row]]) -> Iterator[tuple[Any, ...]]:
        for pk, _, r in people:
            data = json.dumps(_snapshot(self._values(r), self.commune.code), ensure_ascii=False)
            yield pk, 1, data, self.stamp, self.actor.pk, self.reason(r)

    def _payee_rows(self, people: list[tuple[int, int, Row]]) -> Iterator[tuple[Any, ...]]:
        for pk, payee, r in people:
            yield (
                payee, pk, "self", r.full_name, r.id_number, r.phone, "", self.today, None,
                self.stamp,
            )  # fmt: skip

    def _registration_rows(self, people: list[tuple[int, int, Row]]) -> Iterator[tuple[Any, ...]]:
        for pk, payee, r in people:
            if r.method:
                yield (
                    pk,
                    payee,
                    r.method,
                    self.today,
                    self._source(),
                    r.note,
                    r.cash_at_home,
                    self.stamp,
                )

    def _source(self) -> str:
        return f"Tệp {self.report.file_name}"[:100]

    def _account_rows(self, people: list[tuple[int, int, Row]]) -> Iterator[tuple[Any, ...]]:
        for pk, payee, r in people:
            if r.account_number:
                yield self._account(pk, payee, r)

    def _account(self, pk: int, payee: int, r: Row) -> tuple[Any, ...]:
        institution, kind = self.banks[r.bank_bin]
        return (
            pk, payee, kind or AccountKind.BANK, institution, r.account_number, r.holder_name,
            "unverified", None, "active", self.today, self.stamp,
        )  # fmt: skip

    def _enrolment_rows(self, people: list[tuple[int, int, Row]]) -> Iterator[tuple[Any, ...]]:
        for pk, _, r in people:
            if r.group:
                yield self._enrolment(pk, r)

    def _enrolment(self, pk: int, r: Row) -> tuple[Any, ...]:
        return (
            pk, self.groups[r.group], r.start_month, None, r.decision_number, None, "", "",
            False, None, None, False, "", self.stamp,
        )  # fmt: skip

    def updates(self, updates: list["_Update"]) -> None:
        """Changed people: a new version and revision each; accounts, methods, groups added."""
        changed = [u for u in updates if u.changes]
        for start in range(0, len(changed), CHUNK):
            self._update_people(changed[start : start + CHUNK])
        new_payees = [u for u in updates if "payee_id" not in u.person]
        if new_payees:
            first = reserve_ids(Payee, len(new_payees))
            for offset, u in enumerate(new_payees):
                u.person["payee_id"] = first + offset
            bulk_insert(Payee, PAYEE_COLUMNS, (
                (u.person["payee_id"], u.person["id"], "self", u.row.full_name, u.row.id_number,
                 u.row.phone, "", self.today, None, self.stamp)
                for u in new_payees
            ))  # fmt: skip
        self._update_accounts(
            [
                u
                for u in updates
                if u.row.account_number
                and u.person.get("account") != (u.row.bank_bin, u.row.account_number)
            ]
        )
        self._update_methods(updates)
        enrol = [u for u in updates if u.row.group and u.row.group not in u.person["groups"]]
        bulk_insert(
            Enrolment, ENROLMENT_COLUMNS, (self._enrolment(u.person["id"], u.row) for u in enrol)
        )

    def _update_people(self, chunk: list["_Update"]) -> None:
        people = Beneficiary.objects.in_bulk([u.person["id"] for u in chunk])
        revisions = []
        for u in chunk:
            person = people[u.person["id"]]
            for name, value in u.changes.items():
                setattr(person, name, value)
            person.name_folded = fold(person.full_name)
            person.version += 1
            person.updated_at = self.now
            after = {name: getattr(person, name) for name in PERSON_FIELDS}
            revisions.append(
                BeneficiaryRevision(
                    beneficiary=person,
                    version=person.version,
                    data=_snapshot(after, self.commune.code),
                    changed_by=self.actor,
                    reason=self.reason(u.row),
                )
            )
        fields = [
            "full_name", "name_folded", *IMPORTED_FIELDS[1:], "payment_method", "version",
            "updated_at",
        ]  # fmt: skip
        Beneficiary.objects.bulk_update(people.values(), fields, batch_size=1000)
        BeneficiaryRevision.objects.bulk_create(revisions, batch_size=1000)

    def _update_accounts(self, updates: list["_Update"]) -> None:
        """A different account supersedes the active one, which is kept."""
        payees = [u.person["payee_id"] for u in updates]
        for start in range(0, len(payees), CHUNK):
            ReceivingAccount.objects.filter(
                payee_id__in=payees[start : start + CHUNK], status=AccountStatus.ACTIVE
            ).update(status=AccountStatus.SUPERSEDED)
        bulk_insert(
            ReceivingAccount,
            ACCOUNT_COLUMNS,
            (self._account(u.person["id"], u.person["payee_id"], u.row) for u in updates),
        )

    def _update_methods(self, updates: list["_Update"]) -> None:
        register = [
            u for u in updates
            if u.row.method and (u.row.method != u.person["payment_method"] or u.row.cash_at_home != u.person.get("cash_at_home", False))
        ]  # fmt: skip
        bulk_insert(PaymentMethodRegistration, REGISTRATION_COLUMNS, (
            (u.person["id"], u.person["payee_id"], u.row.method, self.today, self._source(),
             u.row.note, u.row.cash_at_home, self.stamp)
            for u in register
        ))  # fmt: skip
