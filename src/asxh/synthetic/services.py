"""`asxh seed`: a province's synthetic beneficiaries, streamed into the registry in chunks."""

import datetime as dt
import gc
import json
import threading
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from queue import Empty, Queue
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from asxh.accounts.models import Institution, ReceivingAccount
from asxh.audit.services import audit_record
from asxh.beneficiaries.bulk import (
    ACCOUNT_COLUMNS,
    BENEFICIARY_COLUMNS,
    ENROLMENT_COLUMNS,
    PAYEE_COLUMNS,
    REGISTRATION_COLUMNS,
    REVISION_COLUMNS,
)
from asxh.beneficiaries.logic import phone_normalise
from asxh.beneficiaries.models import (
    Beneficiary,
    BeneficiaryRevision,
    Enrolment,
    Payee,
    PaymentMethodRegistration,
    TargetGroup,
)
from asxh.core.bulk import bulk_insert, reserve_ids
from asxh.core.text import fold
from asxh.synthetic.generator import BANKS, Batch, CommuneSpec, Person, ProvinceSpec, generate
from asxh.synthetic.models import SeedDefect
from asxh.units.models import Commune, CommuneSuccession, Province

CHUNK = 50_000
REASON = "Dữ liệu mô phỏng"

DEFECT_COLUMNS = ["beneficiary_id", "kind", "detail", "seed"]

# Names repeat a great deal, so folding each distinct one once is enough.
_fold = lru_cache(maxsize=262_144)(fold)


def _phone(raw: str) -> str:
    """The registry holds 10-digit phones: old 11-digit ones are converted as on input."""
    return phone_normalise(raw) if len(raw) == 11 else raw


@dataclass
class _Context:
    """What every chunk needs: reference ids, the run's timestamp and seed, id blocks so far."""

    seed: int
    stamp: Any
    commune_ids: dict[str, int]
    group_ids: dict[str, int]
    institution_ids: dict[str, int]
    starts: list[int] = field(default_factory=list)  # first stream index of each chunk
    first_ids: list[int] = field(default_factory=list)  # … and its first beneficiary id

    def beneficiary_id(self, index: int) -> int:
        chunk = bisect(self.starts, index) - 1
        return self.first_ids[chunk] + index - self.starts[chunk]


def province_spec(province_code: str, commune_codes: list[str] | None) -> ProvinceSpec:
    """The province's communes (or the chosen ones), each with its former province."""
    province = Province.objects.filter(code=province_code).first()
    if province is None:
        raise ValueError(f"Không có tỉnh/thành phố mã '{province_code}' (chạy `asxh setup`?).")
    communes = Commune.objects.filter(province=province)
    if commune_codes:
        communes = communes.filter(code__in=commune_codes)
        missing = set(commune_codes) - set(communes.values_list("code", flat=True))
        if missing:
            raise ValueError(
                f"Xã/phường không thuộc {province.name}: {', '.join(sorted(missing))}."
            )
    legacy = _legacy_provinces(province)
    fallback = legacy.get("", "")
    return ProvinceSpec(
        code=province_code,
        communes=tuple(
            CommuneSpec(code, kind, legacy.get(code, fallback))
            for code, kind in communes.order_by("code").values_list("code", "kind")
        ),
    )


def _legacy_provinces(province: Province) -> dict[str, str]:
    """commune code → the former province most of it came from ('' → any former province)."""
    votes: dict[str, Counter[str]] = {}
    rows = CommuneSuccession.objects.filter(commune__province=province).values_list(
        "commune__code", "legacy_commune__district__province__code"
    )
    for commune, legacy in rows:
        votes.setdefault(commune, Counter())[legacy] += 1
    chosen = {code: c.most_common(1)[0][0] for code, c in votes.items()}
    predecessor = province.predecessors.order_by("code").values_list("code", flat=True).first()
    chosen[""] = predecessor or province.code
    return chosen


def _context(spec: ProvinceSpec, seed: int) -> _Context:
    group_ids = dict(TargetGroup.objects.values_list("code", "pk"))
    bins = {bank.bin for bank in BANKS.values()}
    institution_ids = dict(Institution.objects.filter(bin__in=bins).values_list("bin", "pk"))
    if not group_ids or bins - set(institution_ids):
        raise ValueError("Thiếu nhóm đối tượng hoặc ngân hàng: chạy `asxh setup` trước.")
    codes = [c.code for c in spec.communes]
    return _Context(
        seed=seed,
        stamp=connection.ops.adapt_datetimefield_value(timezone.now()),
        commune_ids=dict(Commune.objects.filter(code__in=codes).values_list("code", "pk")),
        group_ids=group_ids,
        institution_ids=institution_ids,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The rows hold no reference cycles; letting the cyclic collector rescan each chunk's
    hundreds of thousands of live objects would cost a third of the run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _in_background(batches: Iterator[Batch]) -> Iterator[Batch]:
    """The batches, generated one ahead in a thread: the driver releases the GIL while the
    server ingests a chunk, so generating the next one overlaps with it (two cores)."""
    queue: Queue[Batch | BaseException | None] = Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                queue.put(batch)
            queue.put(None)
        except BaseException as error:  # handed to the consumer, raised there
            queue.put(error)

    thread = threading.Thread(target=produce, name="seed-generator", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a pending put, then let the thread see `stop`
            with suppress(Empty):
                queue.get(timeout=0.1)
        thread.join()


def seed_province(
    *,
    province_code: str,
    beneficiaries: int,
    seed: int,
    defect_rate: float = 0.0,
    commune_codes: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Generate and store `beneficiaries` people of the province; returns row counts.

    One transaction for the whole run: the registry never holds half a province, and the one
    audit event commits with exactly the rows it counts. The price is that other writers of
    these tables wait until the load ends (see reserve_ids), which is right for a load.
    """
    if beneficiaries < 0:
        raise ValueError("Số đối tượng phải không âm.")
    spec = province_spec(province_code, commune_codes)
    counts: Counter[str] = Counter()
    with transaction.atomic(), _collector_paused():
        context = _context(spec, seed)
        stream = generate(
            spec, count=beneficiaries, seed=seed, defect_rate=defect_rate, batch_size=CHUNK
        )
        for batch in _in_background(stream):
            _write(batch, context, counts)
            if progress:
                progress(counts["beneficiaries"])
        audit_record(
            actor=None,
            action="synthetic.seed",
            object_type="province",
            object_id=province_code,
            area_code=province_code,
            after={
                "seed": seed,
                "defect_rate": defect_rate,
                "communes": len(spec.communes),
                **counts,
            },
            reason=REASON,
        )
    return dict(counts)


def _write(batch: Batch, context: _Context, counts: Counter[str]) -> None:
    """One chunk: ids reserved first, so child rows can name their parents."""
    people = batch.people
    first = reserve_ids(Beneficiary, len(people))
    context.starts.append(batch.start)
    context.first_ids.append(first)
    # payee_first[i]: the id of person i's first payee
    offsets = accumulate((len(p.payees) for p in people), initial=0)
    payee_base = reserve_ids(Payee, sum(len(p.payees) for p in people))
    payee_first = [payee_base + o for o in offsets]
    c = context
    counts["beneficiaries"] += bulk_insert(
        Beneficiary, BENEFICIARY_COLUMNS, _beneficiary_rows(people, first, c)
    )
    counts["revisions"] += bulk_insert(
        BeneficiaryRevision, REVISION_COLUMNS, _revision_rows(people, first, c)
    )
    counts["enrolments"] += bulk_insert(
        Enrolment, ENROLMENT_COLUMNS, _enrolment_rows(people, first, c)
    )
    counts["payees"] += bulk_insert(
        Payee, PAYEE_COLUMNS, _payee_rows(people, first, payee_first, c)
    )
    counts["registrations"] += bulk_insert(
        PaymentMethodRegistration,
        REGISTRATION_COLUMNS,
        _registration_rows(people, first, payee_first, c),
    )
    counts["accounts"] += bulk_insert(
        ReceivingAccount, ACCOUNT_COLUMNS, _account_rows(people, first, payee_first, c)
    )
    counts["defects"] += bulk_insert(SeedDefect, DEFECT_COLUMNS, _defect_rows(batch, c))
    _check_foreign_keys()


def _check_foreign_keys() -> None:
    """Run this chunk's deferred foreign-key checks now rather than all at COMMIT: the server
    checks while the next chunk is generated, and its queue of pending checks stays small."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _beneficiary_rows(people: list[Person], first: int, c: _Context) -> Iterator[tuple[Any, ...]]:
    communes, stamp = c.commune_ids, c.stamp
    for i, p in enumerate(people, first):
        yield (
            i, p.full_name, _fold(p.full_name), p.birth_date, p.birth_date_precision, p.sex,
            p.id_number, communes[p.commune], p.village, _phone(p.phone), p.ethnicity, p.status,
            p.status_since, p.death_date, p.payment_method, 1, stamp, stamp,
        )  # fmt: skip


@lru_cache(maxsize=262_144)
def _js(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _js_date(value: dt.date | None) -> str:
    return f'"{value.isoformat()}"' if value else "null"


def _snapshot(p: Person) -> str:
    """Revision 1's data, as beneficiaries.services records it (PERSON_FIELDS + commune).

    Formatted directly: json.dumps of a dict per row was a tenth of the whole run. Codes,
    digits and dates need no escaping; free text goes through json.dumps (cached)."""
    return (
        f'{{"full_name": {_js(p.full_name)}, "birth_date": {_js_date(p.birth_date)}, '
        f'"birth_date_precision": "{p.birth_date_precision}", "sex": "{p.sex}", '
        f'"id_number": "{p.id_number}", "village": {_js(p.village)}, '
        f'"phone": "{_phone(p.phone)}", "ethnicity": {_js(p.ethnicity)}, '
        f'"status": "{p.status}", "status_since": {_js_date(p.status_since)}, '
        f'"death_date": {_js_date(p.death_date)}, "payment_method": "{p.payment_method}", '
        f'"commune": "{p.commune}"}}'
    )


def _revision_rows(people: list[Person], first: int, c: _Context) -> Iterator[tuple[Any, ...]]:
    stamp = c.stamp
    for i, p in enumerate(people, first):
        yield i, 1, _snapshot(p), stamp, None, REASON


def _enrolment_rows(people: list[Person], first: int, c: _Context) -> Iterator[tuple[Any, ...]]:
    groups, stamp = c.group_ids, c.stamp
    for i, p in enumerate(people, first):
        for e in p.enrolments:
            yield (
                i, groups[e.group], e.start_month, e.end_month, e.decision_number,
                e.decision_date, e.disability_level, e.household_poverty, e.in_education,
                e.impairment_percent, e.martyr_count, e.hiv_positive, e.ended_reason, stamp,
            )  # fmt: skip


def _payee_rows(
    people: list[Person], first: int, payee_first: list[int], c: _Context
) -> Iterator[tuple[Any, ...]]:
    stamp = c.stamp
    for n, p in enumerate(people):
        for k, e in enumerate(p.payees):
            yield (
                payee_first[n] + k, first + n, e.kind, e.full_name, e.id_number, _phone(e.phone),
                e.relationship, e.valid_from, e.valid_to, stamp,
            )  # fmt: skip


def _registration_rows(
    people: list[Person], first: int, payee_first: list[int], c: _Context
) -> Iterator[tuple[Any, ...]]:
    stamp = c.stamp
    for n, p in enumerate(people):
        r = p.registration
        yield (
            first + n, payee_first[n] + r.payee, r.method, r.registered_on, r.source, "",
            r.cash_at_home, stamp,
        )  # fmt: skip


def _account_rows(
    people: list[Person], first: int, payee_first: list[int], c: _Context
) -> Iterator[tuple[Any, ...]]:
    banks, stamp = c.institution_ids, c.stamp
    for n, p in enumerate(people):
        if a := p.account:
            yield (
                first + n, payee_first[n] + a.payee, a.kind, banks[a.bin], a.account_number,
                a.holder_name, a.verification, a.verified_on, "active", a.opened_on, stamp,
            )  # fmt: skip


def _defect_rows(batch: Batch, c: _Context) -> Iterator[tuple[Any, ...]]:
    for d in batch.defects:
        detail = dict(d.detail)
        if "original_index" in detail:
            detail = {"original": c.beneficiary_id(detail.pop("original_index")), **detail}
        yield c.beneficiary_id(d.index), d.kind, json.dumps(detail, ensure_ascii=False), c.seed
