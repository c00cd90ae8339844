"""Reading payment lists: what blocks a lock, the totals, the rows each provider receives."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import Institution
from asxh.beneficiaries.models import Beneficiary, Payee
from asxh.changes.selectors import changes_pending_count
from asxh.core.formatting import month_vn
from asxh.cycles import logic
from asxh.cycles.build import sql_stream
from asxh.cycles.models import Cycle, CycleState, PaymentLine
from asxh.cycles.rows import ListHeader, PaymentRow
from asxh.entitlement.months import month_first_day, month_of
from asxh.providers.models import Contract, Provider
from asxh.units.models import Commune, Province

NO_PROVIDER = "Chưa có tổ chức chi trả cho xã, hình thức này"


def cycles_for(user: User) -> QuerySet[Cycle]:
    """Cycles of the provinces the user works in (whole provinces or one of their communes)."""
    require(user, Capability.VIEW_CYCLE)
    provinces = communes_for(user).values("province_id")
    return Cycle.objects.filter(province_id__in=provinces).select_related("province")


def cycle_get(user: User, cycle_id: int) -> Cycle:
    cycle = cycles_for(user).filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404("Không tìm thấy kỳ chi trong địa bàn của bạn.")
    return cycle


def lines_for(user: User, cycle: Cycle) -> QuerySet[PaymentLine]:
    """A cycle's lines the user may see: a commune officer only their communes'."""
    return PaymentLine.objects.filter(cycle=cycle, commune_id__in=communes_for(user).values("pk"))


def user_communes(user: User, province: Province) -> list[int] | None:
    """The province's communes the user works in; None when that is the whole province."""
    mine = list(communes_for(user).filter(province=province).values_list("pk", flat=True))
    whole = province.communes.count()  # type: ignore[attr-defined]
    return None if len(mine) == whole else mine


@dataclass(frozen=True)
class Figures:
    people: int
    total: int
    held: int
    held_total: int


def figures_for(cycle: Cycle, communes: list[int] | None) -> Figures:
    """The list's headline figures: stored with the build for the whole province, summed
    over the lines of `communes` otherwise (an officer sees their communes' only)."""
    if communes is None:
        return Figures(cycle.people, cycle.total, cycle.held, cycle.held_total)
    lines = PaymentLine.objects.filter(cycle=cycle, commune_id__in=communes)
    people = lines.aggregate(n=Count("beneficiary_id", distinct=True))["n"]
    sent = lines.filter(held_reason="").aggregate(total=Sum("amount"))["total"] or 0
    held = lines.exclude(held_reason="").aggregate(n=Count("pk"), total=Sum("amount"))
    return Figures(people, sent, held["n"], held["total"] or 0)


def _pending_changes(cycle: Cycle, communes: list[int] | None) -> int:
    """Changes still awaiting a decision that apply by the cycle's month."""
    if communes is None:
        communes = list(cycle.province.communes.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return changes_pending_count(communes, cycle.month)


@dataclass
class Blocking:
    """What stops the approval, and what is only held back (carried to the next list)."""

    stops: list[str] = field(default_factory=list)
    held: list[tuple[str, int, int]] = field(default_factory=list)  # reason, lines, amount


def blocking(cycle: Cycle, communes: list[int] | None = None) -> Blocking:
    """What stops the approval and what is held, in the whole province or in `communes`."""
    found = Blocking()
    pending = _pending_changes(cycle, communes)
    if pending:
        found.stops.append(f"{pending} biến động (tăng, giảm, điều chỉnh) chưa được duyệt.")
    lines = PaymentLine.objects.filter(cycle=cycle)
    if communes is not None:
        lines = lines.filter(commune_id__in=communes)
    held = (
        lines.exclude(held_reason="")
        .values("held_reason")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("-n")
    )
    for row in held:
        found.held.append((row["held_reason"], row["n"], row["amount"]))
        if row["held_reason"] == NO_PROVIDER:
            found.stops.append(f"{row['n']} dòng chưa có tổ chức chi trả (thêm hợp đồng).")
    return found


@dataclass(frozen=True)
class Totals:
    by_commune: list[dict[str, Any]]
    by_benefit: list[dict[str, Any]]
    by_provider: list[dict[str, Any]]
    by_method: list[dict[str, Any]]


def totals(lines: QuerySet[PaymentLine]) -> Totals:
    """Sums of the lines to be sent (held lines excluded), four ways."""
    sent = lines.filter(held_reason="")

    def by(*fields: str) -> list[dict[str, Any]]:
        return list(
            sent.values(*fields)
            .annotate(
                people=Count("beneficiary_id", distinct=True),
                lines=Count("pk"),
                amount=Sum("amount"),
            )
            .order_by(*fields)
        )

    return Totals(
        by_commune=by("commune__code", "commune__name"),
        by_benefit=by("benefit", "kind"),
        by_provider=by("contract_id", "contract__provider__name"),
        by_method=by("method", "cash_at_home"),
    )


def _provider_lines(
    cycle: Cycle, provider: Provider, method: str, commune_id: int | None
) -> QuerySet[PaymentLine]:
    lines = PaymentLine.objects.filter(cycle=cycle, contract__provider=provider, held_reason="")
    if method:
        lines = lines.filter(method=method)
    if commune_id is not None:
        lines = lines.filter(commune_id=commune_id)
    return lines


def header_for(
    cycle: Cycle,
    provider: Provider,
    *,
    created_at: dt.datetime,
    method: str = "",
    commune_id: int | None = None,
) -> ListHeader:
    """The list a provider receives (all its lines, or one method, or one commune)."""
    lines = _provider_lines(cycle, provider, method, commune_id)
    figures = lines.aggregate(people=Count("beneficiary_id", distinct=True), total=Sum("amount"))
    contract = Contract.objects.filter(pk__in=lines.values("contract_id")[:1]).first()
    return ListHeader(
        cycle_id=cycle.pk,
        month=cycle.month,
        area_code=cycle.province.code,
        area_name=cycle.province.name,
        provider_code=provider.code,
        provider_name=provider.name,
        payer_name=contract.payer_name if contract else "",
        payer_account=contract.payer_account if contract else "",
        payer_bank_bin=contract.payer_bank_bin if contract else "",
        execution_date=cycle.month.replace(day=8),
        created_at=created_at,
        rows=figures["people"] or 0,
        total=figures["total"] or 0,
    )


TITLE_SEPARATOR = chr(31)  # the unit separator: never part of a line's title

# One row per person: their unheld lines summed in a subquery (commune, payee, method and
# account are the same on all of a person's lines in one cycle), then the names joined.
# PostgreSQL plans a cursor's query for its first tenth of rows (cursor_tuple_fraction);
# on tables not yet analysed that chose nested loops through the communes in code order
# (352 s for 640,000 people). MATERIALIZED has the joins planned for the whole list, which
# is read whole anyway, and leaves the sort as the only step after them.
PEOPLE_SQL = """
WITH people AS MATERIALIZED (
  SELECT l.beneficiary_id, b.full_name, b.birth_date, p.full_name AS payee_name,
         p.kind AS payee_kind, p.phone AS payee_phone, b.phone, c.code AS commune_code,
         c.name AS commune_name, b.village, l.method, l.cash_at_home, l.bank_bin,
         l.account_number, l.amount, l.titles, b.name_folded
  FROM (SELECT beneficiary_id, commune_id, payee_id, method, cash_at_home, bank_bin,
               account_number, CAST(SUM(amount) AS bigint) AS amount, {titles} AS titles
        FROM {lines} WHERE {where}
        GROUP BY beneficiary_id, commune_id, payee_id, method, cash_at_home, bank_bin,
                 account_number) l
  JOIN {beneficiaries} b ON b.id = l.beneficiary_id
  JOIN {communes} c ON c.id = l.commune_id
  LEFT JOIN {payees} p ON p.id = l.payee_id
)
SELECT beneficiary_id, full_name, birth_date, payee_name, payee_kind, payee_phone, phone,
       commune_code, commune_name, village, method, cash_at_home, bank_bin, account_number,
       amount, titles
FROM people ORDER BY commune_code, name_folded, beneficiary_id
"""


def _titles_sql() -> str:
    """The person's line titles in line order, joined by TITLE_SEPARATOR."""
    if connection.vendor == "postgresql":
        return "string_agg(title, %s ORDER BY id)"
    # SQLite (3.40) has no ORDER BY in aggregates. Its GROUP BY sort keeps the order in which
    # the cycle's index hands the lines over (id order): not documented, so a test checks it.
    return "group_concat(title, %s)"


def _lines_where(
    cycle: Cycle, contract_ids: list[int], method: str, commune_id: int | None
) -> tuple[str, list[Any]]:
    marks = ", ".join(["%s"] * len(contract_ids))
    where = [f"cycle_id = %s AND held_reason = '' AND contract_id IN ({marks})"]
    params: list[Any] = [cycle.pk, *contract_ids]
    if method:
        where.append("method = %s")
        params.append(method)
    if commune_id is not None:
        where.append("commune_id = %s")
        params.append(commune_id)
    return " AND ".join(where), params


def payment_rows(
    cycle: Cycle, provider: Provider, *, method: str = "", commune_id: int | None = None
) -> Iterator[PaymentRow]:
    """One row per person of the provider's list (their lines summed), in commune and name
    order, streamed."""
    contract_ids = list(Contract.objects.filter(provider=provider).values_list("pk", flat=True))
    if not contract_ids:
        return
    where, params = _lines_where(cycle, contract_ids, method, commune_id)
    sql = PEOPLE_SQL.format(
        titles=_titles_sql(), lines=PaymentLine._meta.db_table, where=where,
        beneficiaries=Beneficiary._meta.db_table, communes=Commune._meta.db_table,
        payees=Payee._meta.db_table,
    )  # fmt: skip
    banks = _bank_names()
    for found in sql_stream(sql, [TITLE_SEPARATOR, *params]):
        yield _row(cycle.pk, found, banks)


def _bank_names() -> dict[str, str]:
    return dict(Institution.objects.values_list("bin", "short_name"))


def _row(cycle_id: int, found: tuple[Any, ...], banks: dict[str, str]) -> PaymentRow:
    (person_id, name, born, payee_name, payee_kind, payee_phone, phone, commune_code,
     commune_name, village, method, at_home, bank_bin, account, amount, titles) = found  # fmt: skip
    if TITLE_SEPARATOR in titles:
        titles = "; ".join(dict.fromkeys(titles.split(TITLE_SEPARATOR)))
    return PaymentRow(
        reference=f"ASXH{cycle_id:06d}{person_id:010d}",
        beneficiary_id=person_id,
        full_name=name,
        birth_year=_year(born),
        payee_name=payee_name or name,
        payee_kind=payee_kind or "self",
        payee_phone=payee_phone or phone or "",
        commune_code=commune_code,
        commune_name=commune_name,
        village=village,
        method=method,
        cash_at_home=bool(at_home),  # SQLite gives 0 or 1
        bank_bin=bank_bin,
        bank_name=banks.get(bank_bin, "") if bank_bin else "",
        account_number=account,
        amount=amount,
        details=titles,
    )


def _year(born: dt.date | str | None) -> int | None:
    """The year of a date column, which SQLite hands over as text through a subquery."""
    if not born:
        return None
    return born.year if isinstance(born, dt.date) else int(born[:4])


@dataclass(frozen=True)
class HeldOver:
    """Cash the providers still hold from last month's list (carried over: those people's money is
    listed again this month), by provider code, as last month's approved settlement says."""

    month: dt.date | None  # last month's list, if it was locked
    settled: bool
    cash: dict[str, int]

    @property
    def note(self) -> str:
        """Why nothing is deducted although last month had a list, or ''."""
        if self.month is None or self.settled:
            return ""
        return (f"Danh sách tháng {month_vn(self.month)} chưa được duyệt quyết toán: tiền mặt tổ "
                "chức chi trả còn giữ của tháng đó chưa được trừ vào đề nghị tạm ứng này.")  # fmt: skip


def held_over(cycle: Cycle) -> HeldOver:
    last = (
        Cycle.objects.filter(
            province=cycle.province, month=month_first_day(month_of(cycle.month) - 1)
        )
        .exclude(state=CycleState.DRAFT)
        .first()
    )
    if last is None:
        return HeldOver(None, False, {})
    settlement = last.settlements.filter(approved_at__isnull=False).first()  # type: ignore[attr-defined]
    if settlement is None:
        return HeldOver(last.month, False, {})
    cash = {b["provider_code"]: int(b["carried"]) for b in settlement.figures if b["carried"]}
    return HeldOver(last.month, True, cash)


def advances(cycle: Cycle) -> list[logic.Advance]:
    """The treasury advance per contract: the lines to send and the contract's fee, less the
    cash the provider still holds from last month (on its first contract)."""
    sent = PaymentLine.objects.filter(cycle=cycle, held_reason="").exclude(contract=None)
    rows = (
        sent.values("contract_id")
        .annotate(people=Count("beneficiary_id", distinct=True), amount=Sum("amount"))
        .order_by("contract_id")
    )
    contracts = Contract.objects.select_related("provider").in_bulk(
        [r["contract_id"] for r in rows]
    )
    return advances_of(
        cycle, [(contracts[r["contract_id"]], r["people"], r["amount"]) for r in rows]
    )


def advances_of(cycle: Cycle, sent: list[tuple[Contract, int, int]]) -> list[logic.Advance]:
    """The advance of each (contract, people, amount) the cycle sends: the money, the contract's
    fee, less the cash the provider still holds from last month (on its first contract)."""
    cash = dict(held_over(cycle).cash)
    return [
        logic.advance(f"{contract.provider.name} (HĐ {contract.number})", int(people),
                      int(amount), contract.fee_kind, contract.fee_value,
                      cash.pop(contract.provider.code, 0))
        for contract, people, amount in sent
    ]  # fmt: skip


def _transfers_step(cycle: Cycle) -> tuple[dt.date | None, str]:
    """Done when every provider with account payments has confirmed its transfer."""
    paying = set(
        PaymentLine.objects.filter(cycle=cycle, method="account", held_reason="")
        .exclude(contract=None)
        .values_list("contract__provider_id", flat=True)
        .distinct()
    )
    confirmed = {t.provider_id: t.confirmed_at for t in cycle.transfers.all()}
    note = f"{len(paying & set(confirmed))}/{len(paying)} tổ chức đã xác nhận chuyển tiền"
    if paying and paying <= set(confirmed):
        return max(confirmed[p] for p in paying).date(), note
    return None, note


def calendar(cycle: Cycle, today: dt.date, communes: list[int] | None = None) -> list[logic.Step]:
    """The cycle's steps: what the system has recorded as done, and what is late; the pending
    changes are counted in `communes` (a commune officer's) or in the whole province."""
    pending = _pending_changes(cycle, communes)
    first_export = cycle.exports.order_by("created_at").values_list("created_at", flat=True).first()
    done: dict[int, tuple[dt.date | None, str]] = {
        2: (None, f"còn {pending} biến động chưa duyệt") if pending else (cycle.month, "không còn biến động chờ duyệt"),
        4: (first_export.date() if first_export else None,
            "đã gửi tệp cho tổ chức chi trả" if first_export else
            ("đã duyệt, chưa gửi tệp" if cycle.locked_at else "chưa duyệt danh sách")),
        8: _transfers_step(cycle),
        20: (None, "chờ báo cáo kết quả chi trả"),
        25: (None, "chờ quyết toán"),
    }  # fmt: skip
    return logic.steps(cycle.month, today, done)
