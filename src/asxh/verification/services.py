"""Writes of verification: exporting lists (audited), staging and storing the answers received.

An answers file is checked as a whole: if any row is wrong, nothing of it is stored and every
error is reported with its row and column. A file already stored is recognised by its digest
and changes nothing the second time; a police answer already stored for the same person, date
and values is not stored twice either.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.accounts.services import HolderAnswer, account_verifications_record
from asxh.audit.services import audit_record
from asxh.quality.models import FindingKind
from asxh.quality.services import Problem, findings_fix, findings_raise
from asxh.units.models import Commune
from asxh.verification import selectors
from asxh.verification.adapters import (
    AccountNameInquiry,
    FileIdentityExchange,
    IdentityVerifier,
    ProviderFileInquiry,
    account_answers_read,
    account_list_write,
    lookup_all,
)
from asxh.verification.logic import (
    ABSENT,
    FOUND,
    MATCH,
    MISMATCH,
    AccountAnswer,
    Checked,
    IdentityAnswer,
    PersonFacts,
    account_answers_check,
    identity_answers_check,
    mismatch_fields,
    reference_parse,
)
from asxh.verification.models import (
    Direction,
    Exchange,
    ExchangeKind,
    ExchangeState,
    IdentityCheck,
)
from asxh.verification.sheets import FileUnusable, ListHeader, SheetRead

IDENTITY_TITLE = (
    "Danh sách đối tượng hưởng chính sách đề nghị xác minh thông tin "
    "với Cơ sở dữ liệu quốc gia về dân cư"
)
ACCOUNT_TITLE = "Danh sách tài khoản nhận trợ cấp đề nghị tra cứu tên chủ tài khoản"


def _today() -> dt.date:
    return timezone.localdate()


def _header(commune: Commune, exchange: Exchange, title: str, subtitle: str) -> ListHeader:
    return ListHeader(
        agency=f"UBND {commune.name}",
        place=commune.short_name or commune.name,
        title=title,
        subtitle=f"{commune.name}, {commune.province.name}. {subtitle}",
        list_id=exchange.pk,
        made_on=_today(),
        ask_checked_on=exchange.kind == ExchangeKind.IDENTITY,
    )


@transaction.atomic
def identity_list_export(
    *,
    actor: User,
    commune_code: str,
    out: str | Path,
    unverified_since: dt.date | None = None,
    verifier: IdentityVerifier | None = None,
) -> Exchange:
    """The list the commune police check against the population database. Full ID numbers
    leave the system here, so the export is limited to the police and officer of the commune
    and audited (one event, with the count)."""
    selectors.require_identity_export(actor)
    commune = selectors.area_commune(actor, commune_code)
    exchange = Exchange.objects.create(
        kind=ExchangeKind.IDENTITY,
        direction=Direction.OUT,
        state=ExchangeState.SENT,
        commune=commune,
        file_name=Path(out).name,
        created_by=actor,
    )
    header = _header(
        commune,
        exchange,
        IDENTITY_TITLE,
        "Công an xã ghi kết quả vào các cột tô màu; giữ nguyên cột Mã đối tượng.",
    )
    requests = selectors.identity_requests(actor, commune, unverified_since=unverified_since)
    exchange.rows = (verifier or FileIdentityExchange(out=out)).send(requests, header)
    exchange.summary = {"unverified_since": unverified_since and unverified_since.isoformat()}
    exchange.save(update_fields=["rows", "summary"])
    audit_record(
        actor=actor,
        action="identity.export",
        object_type="exchange",
        object_id=exchange.pk,
        area_code=commune.code,
        after={"count": exchange.rows, "file": exchange.file_name, **exchange.summary},
        reason="Danh sách gửi Công an xã xác minh với CSDL quốc gia về dân cư",
    )
    return exchange


@transaction.atomic
def account_list_export(
    *, actor: User, commune_code: str, out: str | Path, unverified_since: dt.date | None = None
) -> Exchange:
    """The accounts of one commune for the provider's name inquiry (full numbers, audited)."""
    selectors.require_account_export(actor)
    commune = selectors.area_commune(actor, commune_code)
    exchange = Exchange.objects.create(
        kind=ExchangeKind.ACCOUNT,
        direction=Direction.OUT,
        state=ExchangeState.SENT,
        commune=commune,
        file_name=Path(out).name,
        created_by=actor,
    )
    header = _header(
        commune,
        exchange,
        ACCOUNT_TITLE,
        "Tổ chức chi trả ghi tên chủ tài khoản theo ngân hàng (chữ in hoa, không dấu) "
        "hoặc 'Không tìm thấy'; giữ nguyên cột Mã tài khoản.",
    )
    requests = selectors.account_requests(actor, commune, unverified_since=unverified_since)
    exchange.rows = account_list_write(out, requests, header)
    exchange.save(update_fields=["rows"])
    audit_record(
        actor=actor,
        action="account.export",
        object_type="exchange",
        object_id=exchange.pk,
        area_code=commune.code,
        after={"count": exchange.rows, "file": exchange.file_name},
        reason="Danh sách gửi tổ chức chi trả tra cứu tên chủ tài khoản",
    )
    return exchange


@dataclass
class Outcome:
    """What an answers file did (or would do): counts, errors, and the exchange it is kept as."""

    exchange: Exchange | None = None
    already: Exchange | None = None
    errors: list[str] = field(default_factory=list)
    answered: int = 0
    unanswered: int = 0
    stored: int = 0
    repeated: int = 0
    by_result: dict[str, int] = field(default_factory=dict)
    findings_raised: int = 0
    checked_on: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "exchange": self.exchange.pk if self.exchange else None,
            "already_imported": self.already.pk if self.already else None,
            "checked_on": self.checked_on,
            "answered": self.answered,
            "unanswered": self.unanswered,
            "stored": self.stored,
            "repeated": self.repeated,
            "by_result": self.by_result,
            "findings_raised": self.findings_raised,
            "errors": self.errors,
        }


@dataclass
class Prepared:
    """An answers file read and checked against the user's area, ready to store."""

    checked: Checked
    checked_on: dt.date
    errors: list[str]
    people: dict[int, PersonFacts] = field(default_factory=dict)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored_before(kind: str, digest: str) -> Exchange | None:
    return Exchange.objects.filter(
        kind=kind, direction=Direction.IN, state=ExchangeState.STORED, sha256=digest
    ).first()


def _list_checks(read: SheetRead, kind: str, checked_on: dt.date) -> list[str]:
    """The file's own cells: its list id must be one of our exports of this kind."""
    errors = []
    if checked_on > _today():
        errors.append(f"Ngày xác minh {checked_on:%d/%m/%Y} sau ngày hôm nay: sửa ô Ngày xác minh.")
    if read.list_id is None:
        return errors
    sent = Exchange.objects.filter(pk=read.list_id, direction=Direction.OUT).first()
    if sent is None:
        return [
            *errors,
            f"Mã danh sách {read.list_id} không có trong hệ thống: dùng tệp đã tải về.",
        ]
    if sent.kind != kind:
        errors.append(
            f"Mã danh sách {read.list_id} là danh sách '{sent.get_kind_display()}', không phải "
            f"'{ExchangeKind(kind).label}': tải lên đúng mục."
        )
    elif checked_on < timezone.localtime(sent.created_at).date():
        errors.append(
            f"Ngày xác minh {checked_on:%d/%m/%Y} trước ngày lập danh sách "
            f"{timezone.localtime(sent.created_at):%d/%m/%Y}: sửa ô Ngày xác minh."
        )
    return errors


def _references(read: SheetRead) -> list[int]:
    ids = []
    for _, cells in read.rows:
        try:
            ids.append(reference_parse(cells.get("ref")))
        except ValueError:
            continue
    return ids


def _prepare_identity(actor: User, data: bytes, given: dt.date | None) -> Prepared:
    require(actor, Capability.VERIFY_IDENTITY)
    read = FileIdentityExchange(data=data).receive()
    people = selectors.people_facts(actor, _references(read))
    checked = identity_answers_check(read.rows, read.where, people)
    checked_on = read.checked_on or given or _today()
    errors = _list_checks(read, ExchangeKind.IDENTITY, checked_on)
    if not checked.answers and not checked.errors:
        errors.append("Tệp chưa có dòng nào ghi kết quả ở cột 'Kết quả': ghi rồi tải lên lại.")
    return Prepared(checked, checked_on, errors + [str(e) for e in checked.errors], people)


def _prepare_account(actor: User, data: bytes, given: dt.date | None) -> Prepared:
    require(actor, Capability.VERIFY_ACCOUNT)
    read = account_answers_read(data)
    accounts = selectors.account_facts(actor, ids=_references(read))
    checked = account_answers_check(read.rows, read.where, accounts)
    checked_on = read.checked_on or given or _today()
    errors = _list_checks(read, ExchangeKind.ACCOUNT, checked_on)
    if not checked.answers and not checked.errors:
        errors.append(
            "Tệp chưa có dòng nào ghi tên chủ tài khoản theo ngân hàng hoặc 'Không tìm thấy'."
        )
    return Prepared(checked, checked_on, errors + [str(e) for e in checked.errors])


def _outcome(prepared: Prepared) -> Outcome:
    counts: dict[str, int] = defaultdict(int)
    for answer in prepared.checked.answers:
        key = answer.result if isinstance(answer, IdentityAnswer) else answer.answer.status
        counts[key] += 1
    return Outcome(
        errors=prepared.errors,
        answered=len(prepared.checked.answers),
        unanswered=prepared.checked.unanswered,
        by_result=dict(counts),
        checked_on=prepared.checked_on,
    )


def _prepare(actor: User, kind: str, data: bytes, given: dt.date | None) -> Prepared | Outcome:
    """The checked file, or an Outcome saying why there is nothing to store."""
    already = _stored_before(kind, _digest(data))
    if already:
        return Outcome(already=already)
    prepare = _prepare_identity if kind == ExchangeKind.IDENTITY else _prepare_account
    try:
        return prepare(actor, data, given)
    except FileUnusable as error:
        return Outcome(errors=[str(error)])


def _stage(actor: User, kind: str, file_name: str, data: bytes, outcome: Outcome) -> Exchange:
    """Keep a clean file until the user confirms; an older unconfirmed one is dropped."""
    Exchange.objects.filter(
        created_by=actor, kind=kind, direction=Direction.IN, state=ExchangeState.PREVIEW
    ).delete()
    exchange = Exchange.objects.create(
        kind=kind,
        direction=Direction.IN,
        state=ExchangeState.PREVIEW,
        file_name=file_name[:200],
        sha256=_digest(data),
        content=data,
        rows=outcome.answered + outcome.unanswered,
        summary={"by_result": outcome.by_result, "unanswered": outcome.unanswered},
        checked_on=outcome.checked_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=f"{kind}.upload",
        object_type="exchange",
        object_id=exchange.pk,
        after={"file": exchange.file_name, "rows": exchange.rows},
        reason="Tệp kết quả tải lên, chờ xác nhận",
    )
    return exchange


@transaction.atomic
def answers_preview(
    *, actor: User, kind: str, file_name: str, data: bytes, checked_on: dt.date | None = None
) -> Outcome:
    """Read and check an answers file without storing its answers.

    A file with errors is not kept: the outcome lists every error. A clean file waits as an
    exchange in preview until `answers_store`.
    """
    prepared = _prepare(actor, kind, data, checked_on)
    if isinstance(prepared, Outcome):
        return prepared
    outcome = _outcome(prepared)
    if not outcome.errors:
        outcome.exchange = _stage(actor, kind, file_name, data, outcome)
    return outcome


@transaction.atomic
def answers_store(
    *, actor: User, kind: str, exchange_id: int, checked_on: dt.date | None = None
) -> Outcome:
    """Store a previewed file, checked again first (the registry may have changed meanwhile)."""
    exchange = selectors.exchange_for(actor, exchange_id, kind=kind)
    prepared = _prepare(actor, kind, bytes(exchange.content or b""), checked_on)
    if isinstance(prepared, Outcome):
        return prepared
    if prepared.errors:
        return _outcome(prepared)
    return _store(actor, exchange, prepared)


@transaction.atomic
def answers_import(
    *,
    actor: User,
    kind: str,
    file_name: str,
    data: bytes,
    checked_on: dt.date | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Check and store in one step (the command line); nothing is written on any error."""
    prepared = _prepare(actor, kind, data, checked_on)
    if isinstance(prepared, Outcome):
        return prepared
    outcome = _outcome(prepared)
    if outcome.errors or dry_run:
        return outcome
    exchange = _stage(actor, kind, file_name, data, outcome)
    return _store(actor, exchange, prepared)


def _store(actor: User, exchange: Exchange, prepared: Prepared) -> Outcome:
    outcome = _outcome(prepared)
    outcome.exchange = exchange
    if exchange.kind == ExchangeKind.IDENTITY:
        _store_identity(actor, exchange, prepared, outcome)
    else:
        _store_accounts(actor, exchange, prepared, outcome)
    exchange.state = ExchangeState.STORED
    exchange.stored_at = timezone.now()
    exchange.checked_on = outcome.checked_on
    exchange.content = None  # the stored rows keep what matters; no second copy of the file
    exchange.summary = {
        "by_result": outcome.by_result,
        "stored": outcome.stored,
        "repeated": outcome.repeated,
        "unanswered": outcome.unanswered,
        "findings_raised": outcome.findings_raised,
    }
    exchange.save()
    return outcome


def _store_identity(actor: User, exchange: Exchange, prepared: Prepared, outcome: Outcome) -> None:
    checked_on = prepared.checked_on
    new = _new_checks(prepared.checked.answers, checked_on)
    outcome.repeated = len(prepared.checked.answers) - len(new)
    IdentityCheck.objects.bulk_create(
        [_identity_row(a, checked_on, exchange, actor) for a in new], batch_size=2000
    )
    outcome.stored = len(new)
    problems = [_police_problem(a, prepared.people[a.beneficiary_id], checked_on) for a in new]
    outcome.findings_raised, _ = findings_raise(p for p in problems if p)
    findings_fix(
        actor=actor,
        beneficiary_ids=[a.beneficiary_id for a in new if a.result == MATCH],
        kinds=[FindingKind.POLICE_MISMATCH, FindingKind.POLICE_NOT_FOUND],
        reason=f"Công an xã xác minh khớp với CSDL dân cư ngày {checked_on:%d/%m/%Y}",
    )
    _audit_identity(actor, exchange, new, prepared.people, checked_on)


def _new_checks(answers: list[IdentityAnswer], checked_on: dt.date) -> list[IdentityAnswer]:
    """The answers not already stored for the same person, date and values."""
    ids = sorted({a.beneficiary_id for a in answers})
    stored: set[tuple[int, str]] = set()
    for start in range(0, len(ids), selectors.CHUNK):
        stored.update(
            IdentityCheck.objects.filter(
                beneficiary_id__in=ids[start : start + selectors.CHUNK], checked_on=checked_on
            ).values_list("beneficiary_id", "fingerprint")
        )
    return [a for a in answers if (a.beneficiary_id, a.fingerprint) not in stored]


def _identity_row(
    answer: IdentityAnswer, checked_on: dt.date, exchange: Exchange, actor: User
) -> IdentityCheck:
    return IdentityCheck(
        beneficiary_id=answer.beneficiary_id,
        checked_on=checked_on,
        result=answer.result,
        db_full_name=answer.db_full_name,
        db_birth_date=answer.db_birth,
        db_sex=answer.db_sex,
        db_id_number=answer.db_id_number,
        note=answer.note,
        fingerprint=answer.fingerprint,
        exchange=exchange,
        recorded_by=actor,
    )


def _police_problem(
    answer: IdentityAnswer, person: PersonFacts, checked_on: dt.date
) -> Problem | None:
    if answer.result == MATCH:
        return None
    kind = (
        FindingKind.POLICE_MISMATCH if answer.result == MISMATCH else FindingKind.POLICE_NOT_FOUND
    )
    return Problem(
        kind=kind,
        beneficiary_id=person.id,
        commune_id=person.commune_id,
        # The answer's values in the key: the same report again is the same finding (and stays
        # closed if it was dismissed); a different one on a later round is a new finding.
        key=f"{person.id}:{answer.fingerprint[:12]}",
        detail={
            "checked_on": checked_on.isoformat(),
            "fields": mismatch_fields(answer, person),
            "note": answer.note,
        },
    )


def _audit_identity(
    actor: User,
    exchange: Exchange,
    new: list[IdentityAnswer],
    people: dict[int, PersonFacts],
    checked_on: dt.date,
) -> None:
    """One event per commune: who was checked, with what result."""
    by_commune: dict[int, list[list[Any]]] = defaultdict(list)
    for answer in new:
        by_commune[people[answer.beneficiary_id].commune_id].append(
            [answer.beneficiary_id, answer.result]
        )
    codes = dict(Commune.objects.filter(pk__in=list(by_commune)).values_list("pk", "code"))
    for commune_id, checks in sorted(by_commune.items()):
        audit_record(
            actor=actor,
            action="identity.check.record",
            object_type="exchange",
            object_id=exchange.pk,
            area_code=codes[commune_id],
            after={"checked_on": checked_on, "checks": checks},
            reason=f"Kết quả xác minh của Công an xã ngày {checked_on:%d/%m/%Y}",
        )


def _store_accounts(actor: User, exchange: Exchange, prepared: Prepared, outcome: Outcome) -> None:
    # The file is one implementation of the inquiry: ask it about the accounts it answers.
    answers: list[AccountAnswer] = prepared.checked.answers
    inquiry = ProviderFileInquiry(answers)
    accounts = selectors.account_facts(actor, ids=[a.account_id for a in answers])
    asked = lookup_all(inquiry, list(accounts.values()), workers=1)
    counts = _record_answers(actor, asked, prepared.checked_on, source=f"tệp {exchange.pk}")
    outcome.stored = counts.pop("recorded")
    outcome.findings_raised = counts.pop("findings_raised")


def _record_answers(
    actor: User, answers: Iterable[AccountAnswer], checked_on: dt.date, *, source: str
) -> dict[str, int]:
    """Only real answers change an account: 'unavailable' leaves it as it was."""
    holder = [
        HolderAnswer(a.account_id, a.answer.bank_name if a.answer.status == FOUND else None)
        for a in answers
        if a.answer.status in (FOUND, ABSENT)
    ]
    if not holder:
        return {"recorded": 0, "findings_raised": 0}
    counts = account_verifications_record(
        actor=actor, answers=holder, checked_on=checked_on, source=source
    )
    return {**counts, "recorded": len(holder)}


@dataclass
class OnlineOutcome:
    asked: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_verification: dict[str, int] = field(default_factory=dict)
    unavailable: list[dict[str, Any]] = field(default_factory=list)
    findings_raised: int = 0


def accounts_verify_online(
    *,
    actor: User,
    commune_code: str,
    inquiry: AccountNameInquiry,
    unverified_since: dt.date | None = None,
    checked_on: dt.date | None = None,
    limit: int | None = None,
) -> OnlineOutcome:
    """Ask the inquiry service about the commune's accounts and record the answers.

    The network calls happen outside any transaction; the answers are recorded in one.
    """
    require(actor, Capability.VERIFY_ACCOUNT)
    commune = selectors.area_commune(actor, commune_code)
    accounts = list(selectors.account_facts(actor, commune=commune).values())
    if unverified_since:
        pending = set(
            selectors.accounts_unverified_since(
                actor, unverified_since, commune_code=commune.code
            ).values_list("pk", flat=True)
        )
        accounts = [a for a in accounts if a.id in pending]
    answers = lookup_all(inquiry, accounts[:limit] if limit else accounts)
    result = OnlineOutcome(asked=len(answers))
    for answer in answers:
        status = answer.answer.status
        result.by_status[status] = result.by_status.get(status, 0) + 1
        if status not in (FOUND, ABSENT):
            result.unavailable.append(
                {"account": answer.account_id, "detail": answer.answer.detail}
            )
    with transaction.atomic():
        counts = _record_answers(actor, answers, checked_on or _today(), source="vietqr")
    result.findings_raised = counts.pop("findings_raised", 0)
    counts.pop("recorded", None)
    result.by_verification = counts
    return result
