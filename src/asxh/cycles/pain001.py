"""A payment list as ISO 20022 pain.001.001.09 (CustomerCreditTransferInitiationV09), streamed.

One GrpHdr, one PmtInf (the payer's account is debited), one CdtTrfTxInf per account row.
The schema is the official one in xsd/pain.001.001.09.xsd; the tests validate against it.

Why it is written the way it is:
- Streaming: a province's list can reach a million rows. NbOfTxs and CtrlSum must come before
  the transactions, so they are taken from ListHeader; the rows are written as they arrive and
  counted, and a disagreement raises ValueError. The closing tags are written only when the
  figures agree, so a refused file is never well-formed XML: the caller deletes it.
- Text templates with xml.sax.saxutils.escape rather than lxml: the same file through lxml's
  incremental writer took ~7 s per 200,000 rows, the templates ~2.3 s. Every value goes
  through _text(), which escapes it and checks it against its XSD length.
- The output depends only on the arguments (CreDtTm is header.created_at), so exporting a list
  again gives the same bytes and the same checksum.
- VND has no minor unit (ISO 4217: 0 decimals): amounts are integers ("1500000"), which the XSD's
  ActiveOrHistoricCurrencyAndAmount (18 digits, at most 5 decimals) and DecimalNumber accept.
- Banks are identified by their NAPAS BIN as ClrSysMmbId/MmbId. The ISO external code list for
  clearing systems has no code for NAPAS, so ClrSysId is the proprietary "NAPAS" (Prtry), not
  an invented Cd.
- Names (Max140Text) are NFC-normalised and refused over 140 characters rather than cut: a cut
  payee name can make the receiving bank reject or hold the credit; it is a data error to fix.
- Remittance details (Ustrd, Max140Text) are only information: cut at a word boundary, with "…".
- References (MsgId, PmtInfId, InstrId, EndToEndId: Max35Text) are how the bank's returns are
  matched, so a longer one is refused, never cut. PmtInfId repeats MsgId (one PmtInf a file).
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import BinaryIO
from xml.sax.saxutils import escape

from asxh.cycles.rows import ListHeader, PaymentRow

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
CLEARING_SYSTEM = "NAPAS"
# Characters XML 1.0 cannot carry at all; escaping does not help, so they are refused.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def pain001_write(
    header: ListHeader, rows: Iterable[PaymentRow], out: BinaryIO, *, message_id: str
) -> str:
    """Write the transfer file of `rows` (account rows only) to `out`; return the SHA-256 hex
    of the bytes written. Raises ValueError (in Vietnamese) on a row that cannot be sent or when
    the rows do not add up to header.rows / header.total; what was written is then incomplete
    and the caller must discard it."""
    transfer = Pain001File(header, out, message_id=message_id)
    for row in rows:
        transfer.add(row)
    return transfer.close()


class Pain001File:
    """The same, one row at a time (for a writer that feeds several files in one pass)."""

    def __init__(self, header: ListHeader, out: BinaryIO, *, message_id: str) -> None:
        if header.rows < 1 or header.total < 1:
            raise ValueError("Danh sách không có dòng chuyển khoản nào: không lập tệp pain.001.")
        self._header, self._out = header, out
        self._digest = hashlib.sha256()
        self.rows = self.total = 0
        msg_id = _text(message_id, "Mã thông điệp (MsgId)", 35)
        payer = _text(header.payer_name, "Tên đơn vị chi trả", 140)
        self._write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NAMESPACE}">\n'
            f"<CstmrCdtTrfInitn>\n<GrpHdr>\n<MsgId>{msg_id}</MsgId>\n"
            f"<CreDtTm>{header.created_at.replace(microsecond=0).isoformat()}</CreDtTm>\n"
            f"<NbOfTxs>{header.rows}</NbOfTxs>\n<CtrlSum>{header.total}</CtrlSum>\n"
            f"<InitgPty><Nm>{payer}</Nm></InitgPty>\n</GrpHdr>\n"
            f"<PmtInf>\n<PmtInfId>{msg_id}</PmtInfId>\n<PmtMtd>TRF</PmtMtd>\n"
            f"<NbOfTxs>{header.rows}</NbOfTxs>\n<CtrlSum>{header.total}</CtrlSum>\n"
            f"<ReqdExctnDt><Dt>{header.execution_date.isoformat()}</Dt></ReqdExctnDt>\n"
            f"<Dbtr><Nm>{payer}</Nm></Dbtr>\n"
            f"<DbtrAcct>{_account(header.payer_account, 'Tài khoản đơn vị chi trả')}</DbtrAcct>\n"
            f"<DbtrAgt>{_agent(header.payer_bank_bin, 'Ngân hàng đơn vị chi trả')}</DbtrAgt>\n"
            f"<ChrgBr>SLEV</ChrgBr>\n"
        )

    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._digest.update(data)
        self._out.write(data)

    def add(self, row: PaymentRow) -> None:
        self._write(_transaction(row))
        self.rows += 1
        self.total += row.amount
        # Amounts are > 0, so passing either figure already means a mismatch: stop early.
        if self.rows > self._header.rows or self.total > self._header.total:
            raise _mismatch(self._header, self.rows, self.total)

    def close(self) -> str:
        """Close the document once the rows add up to the header; return its SHA-256 hex."""
        if (self.rows, self.total) != (self._header.rows, self._header.total):
            raise _mismatch(self._header, self.rows, self.total)
        self._write("</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n")
        return self._digest.hexdigest()


def _transaction(row: PaymentRow) -> str:
    """One CdtTrfTxInf on one line, after checking the row can be sent by transfer."""
    ref = _text(row.reference, f"Mã tham chiếu '{row.reference}'", 35)
    if row.method != "account":
        raise ValueError(
            f"Dòng {ref} chi bằng tiền mặt ('{row.method}'): tệp pain.001 chỉ gồm chuyển khoản."
        )
    if not isinstance(row.amount, int) or row.amount <= 0:
        raise ValueError(f"Dòng {ref}: số tiền '{row.amount}' không phải số đồng dương.")
    details = _details(row.details, ref)
    return (
        f"<CdtTrfTxInf><PmtId><InstrId>{ref}</InstrId><EndToEndId>{ref}</EndToEndId></PmtId>"
        f'<Amt><InstdAmt Ccy="VND">{row.amount}</InstdAmt></Amt>'
        f"<CdtrAgt>{_agent(row.bank_bin, f'Dòng {ref}: ngân hàng')}</CdtrAgt>"
        f"<Cdtr><Nm>{_text(row.payee_name, f'Dòng {ref}: tên người nhận', 140)}</Nm></Cdtr>"
        f"<CdtrAcct>{_account(row.account_number, f'Dòng {ref}: số tài khoản')}</CdtrAcct>"
        + (f"<RmtInf><Ustrd>{details}</Ustrd></RmtInf>" if details else "")
        + "</CdtTrfTxInf>\n"
    )


def _text(value: str, what: str, limit: int) -> str:
    """NFC, within the XSD's MaxNText (counted in characters), escaped for XML content."""
    value = unicodedata.normalize("NFC", value)
    if not value.strip():
        raise ValueError(f"{what}: để trống.")
    if len(value) > limit:
        raise ValueError(f"{what}: dài {len(value)} ký tự, tối đa {limit}.")
    if _NOT_XML.search(value):
        raise ValueError(f"{what}: có ký tự điều khiển không ghi được vào XML.")
    return escape(value)


def _details(value: str, ref: str) -> str:
    """Ustrd: whitespace folded to single spaces, cut at a word boundary past 140; '' if none."""
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if len(value) > 140:
        cut = value[:139]
        if value[139] != " " and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        value = cut.rstrip(" ;,") + "…"
    return _text(value, f"Dòng {ref}: nội dung", 140) if value else ""


def _account(number: str, what: str) -> str:
    """A domestic account number (no IBAN in Viet Nam): Id/Othr/Id, Max34Text."""
    return f"<Id><Othr><Id>{_text(number, what, 34)}</Id></Othr></Id>"


def _agent(bank_bin: str, what: str) -> str:
    """The bank as a NAPAS member: its BIN (6 digits) is the clearing-system member id."""
    if not (len(bank_bin) == 6 and bank_bin.isascii() and bank_bin.isdigit()):
        raise ValueError(f"{what}: mã BIN '{bank_bin}' không phải 6 chữ số của NAPAS.")
    return (
        f"<FinInstnId><ClrSysMmbId><ClrSysId><Prtry>{CLEARING_SYSTEM}</Prtry></ClrSysId>"
        f"<MmbId>{bank_bin}</MmbId></ClrSysMmbId></FinInstnId>"
    )


def _mismatch(header: ListHeader, count: int, total: int) -> ValueError:
    return ValueError(
        f"Tệp pain.001 không khớp đầu danh sách: đã ghi {count} dòng, {total} đồng, đầu danh "
        f"sách ghi {header.rows} dòng, {header.total} đồng. Tệp dở dang này phải bỏ đi."
    )
