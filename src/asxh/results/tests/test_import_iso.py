"""Bank files: camt statements count each booking once whichever statement reports it, a
reversal takes the money back, and pain.002 statuses become outcomes."""

import pytest

from asxh.access.selectors import communes_for
from asxh.cycles.models import PaymentLine
from asxh.cycles.services import cycle_approve, cycle_build
from asxh.cycles.tests.conftest import MONTH
from asxh.quality.models import Finding, FindingKind
from asxh.results import selectors
from asxh.results.models import PaymentEvent
from asxh.results.outcomes import ResultFileError
from asxh.results.services import results_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def payments(setting):  # type: ignore[no-untyped-def]
    """The locked list and its payments: (reference, amount) per person."""
    built = cycle_build(actor=setting.preparer, month=MONTH,
                        province_code=setting.areas.province.code).cycle  # fmt: skip
    locked = cycle_approve(actor=setting.approver, cycle_id=built.pk)
    people = sorted(set(PaymentLine.objects.filter(cycle=locked, held_reason="")
                        .values_list("beneficiary_id", flat=True)))  # fmt: skip
    amounts = {p: sum(PaymentLine.objects.filter(cycle=locked, beneficiary_id=p)
                      .values_list("amount", flat=True)) for p in people}  # fmt: skip
    return locked, [(f"ASXH{locked.pk:06d}{p:010d}", amounts[p]) for p in people]


def _tx(reference: str, amount: int, booking: str) -> str:
    return (f"<TxDtls><Refs><AcctSvcrRef>{booking}</AcctSvcrRef><EndToEndId>{reference}"
            f'</EndToEndId></Refs><Amt Ccy="VND">{amount}</Amt></TxDtls>')  # fmt: skip


def _entry(direction: str, amount: int, ref: str, txs: str, reversal: bool = False) -> str:
    flag = "<RvslInd>true</RvslInd>" if reversal else ""
    return (f'<Ntry><Amt Ccy="VND">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>{flag}'
            f"<Sts><Cd>BOOK</Cd></Sts><AcctSvcrRef>{ref}</AcctSvcrRef>"
            f"<NtryDtls>{txs}</NtryDtls></Ntry>")  # fmt: skip


def _camt(tmp_path, name: str, message: str, entries: str, kind: str = "054"):  # type: ignore[no-untyped-def]
    root, block = (
        ("BkToCstmrDbtCdtNtfctn", "Ntfctn") if kind == "054" else ("BkToCstmrStmt", "Stmt")
    )
    path = tmp_path / name
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        f'camt.{kind}.001.08"><{root}><GrpHdr><MsgId>{message}</MsgId><CreDtTm>'
        f"2026-11-10T11:00:00+07:00</CreDtTm></GrpHdr><{block}><Id>{message}</Id><Acct><Id>"
        f"<Othr><Id>9527123456789</Id></Othr></Id></Acct>{entries}</{block}></{root}></Document>",
        encoding="utf-8",
    )  # fmt: skip
    return path


def _import(setting, cycle, path):  # type: ignore[no-untyped-def]
    return results_import(actor=setting.preparer, cycle_id=cycle.pk, path=path, name=path.name)


def test_a_booking_in_both_statements_counts_once_and_a_reversal_takes_it_back(
    setting, payments, tmp_path
):  # type: ignore[no-untyped-def]
    cycle, [(first, a), (second, b)] = payments
    paid = _entry("DBIT", a + b, "FT1", _tx(first, a, "FT1-1") + _tx(second, b, "FT1-2"))
    _import(setting, cycle, _camt(tmp_path, "ntf.xml", "NTF-1", paid))
    assert selectors.books(cycle)[0].paid == a + b
    # The end-of-day statement reports the same bookings, and a reversal of the second.
    back = _entry("CRDT", b, "FT2", _tx(second, b, "FT2-1"), reversal=True)
    summary = _import(setting, cycle, _camt(tmp_path, "stmt.xml", "STM-1", paid + back, "053"))
    assert summary.events == 1  # only the reversal is new
    [books] = selectors.books(cycle)
    assert books.paid == a and books.returned == b and books.balanced
    assert PaymentEvent.objects.filter(amount__lt=0).count() == 1


def test_bookings_beyond_the_rows_amount_are_refused(setting, payments, tmp_path):  # type: ignore[no-untyped-def]
    cycle, [(first, a), _] = payments
    twice = _entry("DBIT", a, "FT1", _tx(first, a, "FT1-1")) + _entry(
        "DBIT", a, "FT3", _tx(first, a, "FT3-1")
    )
    with pytest.raises(ResultFileError, match="ngoài khoảng 0 đến"):
        _import(setting, cycle, _camt(tmp_path, "ntf.xml", "NTF-2", twice))
    assert not PaymentEvent.objects.exists()


def _status_report(tmp_path, cycle, name: str, transactions: list[tuple[str, str, str]]):  # type: ignore[no-untyped-def]
    """A pain.002 on the cycle's pain.001: (reference, status, reason) per transaction."""
    txs = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{reference}</OrgnlEndToEndId><TxSts>{status}</TxSts>"
        + (f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn></StsRsnInf>" if reason else "")
        + "</TxInfAndSts>"
        for reference, status, reason in transactions
    )
    message = f"ASXH-{cycle.pk}-buudien-ag-pain001"
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        f'pain.002.001.10"><CstmrPmtStsRpt><GrpHdr><MsgId>{name[:-4]}</MsgId><CreDtTm>'
        "2026-11-09T10:00:00+07:00</CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>"
        f"{message}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>PART"
        f"</GrpSts></OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>{message}"
        f"</OrgnlPmtInfId>{txs}</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>",
        encoding="utf-8",
    )
    return path


def test_a_status_report_pays_and_fails_and_refusals_become_work(setting, payments, tmp_path):  # type: ignore[no-untyped-def]
    cycle, [(first, a), (second, b)] = payments
    report = [(first, "ACCC", ""), (second, "RJCT", "AC04")]
    summary = _import(setting, cycle, _status_report(tmp_path, cycle, "STS-1.xml", report))
    assert summary.by_outcome == {"paid": 1, "failed_closed_account": 1}
    [books] = selectors.books(cycle)
    assert books.paid == a and books.returned == b and books.balanced
    # The bank then says the first holder has died: the payment is undone, and both people
    # are work for the commune (an account to fix, a death to check).
    _import(setting, cycle, _status_report(tmp_path, cycle, "STS-2.xml", [(first, "RJCT", "MD07")]))
    assert selectors.books(cycle)[0].paid == 0
    work = Finding.objects.filter(kind=FindingKind.PAYMENT_FAILED)
    assert sorted(f.detail["code"] for f in work) == ["AC04", "MD07"]


@pytest.mark.parametrize("codes", [("MD07", "AC04"), ("AC04", "MD07")])
def test_the_commune_sees_refused_transfers_with_the_change_that_resolves_them(  # type: ignore[no-untyped-def]
    setting, payments, tmp_path, client, codes
):
    """Each commune officer sees their person's refusal: a death reported by the bank (MD07)
    or a refused account, each with the proposal that resolves it, prefilled."""
    cycle, [(first, _), (second, _)] = payments
    report = [(first, "RJCT", codes[0]), (second, "RJCT", codes[1])]
    _import(setting, cycle, _status_report(tmp_path, cycle, "STS-1.xml", report))
    mine = Finding.objects.get(kind=FindingKind.PAYMENT_FAILED,
                               commune__in=communes_for(setting.officer))  # fmt: skip
    client.force_login(setting.officer)
    page = client.get("/lam-sach/?kind=payment_failed").content.decode()
    assert mine.detail["code"] in codes
    if mine.detail["code"] == "MD07":
        kind, told = "decrease_death", "Ngân hàng báo chủ tài khoản đã chết: xác minh"
    else:
        kind, told = "adjust_account", "Sửa tài khoản (đề nghị điều chỉnh tài khoản)"
    assert told in page and page.count('data-testid="propose-') == 1
    assert f"?kind={kind}&amp;beneficiary={mine.beneficiary_id}&amp;note=" in page
    form = client.get(f"/bien-dong/de-nghi/?kind={kind}&beneficiary={mine.beneficiary_id}"
                      "&note=Ng%C3%A2n%20h%C3%A0ng%20b%C3%A1o").content.decode()  # fmt: skip
    assert "Ngân hàng báo</textarea>" in form
