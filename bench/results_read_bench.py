"""Result-file reading speed (asxh.results.readers), in process and without a database.

Writes, in a temporary directory, a CSV of --rows rows in the provider list's layout with the
three result columns filled in, a camt.054 with one batch entry of --rows TxDtls, a pain.002
with --rows TxInfAndSts and an Excel list (our exporter's file, result columns added as
inline cells) of --xlsx-rows rows; then reads each with `read_results` in a fresh process, so
that `peak_rss_mb` is that read's own. Prints one JSON line per format.
"""

import argparse
import csv
import datetime as dt
import json
import multiprocessing
import resource
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from asxh.cycles.exports import COLUMNS, xlsx_write
from asxh.cycles.rows import ListHeader, PaymentRow
from asxh.results.readers import PAID_AMOUNT_TITLE, REASON_TITLE, RESULT_TITLE, read_results

RESULTS = (("Đã chi trả vào tài khoản", "", ""), ("đã chi", "1.500.000", ""),
           ("Sai số tài khoản", "", "AC01"), ("Không nhận", "", "Đi làm ăn xa"))  # fmt: skip
ISO_NS = "urn:iso:std:iso:20022:tech:xsd:"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,camt054,pain002,xlsx")
    return parser.parse_args()


def _reference(n: int) -> str:
    return f"ASXH000042{n:010d}"


def _list_cells(n: int) -> list[str | int]:
    return [n, _reference(n), "30280", "Xã Mỹ Hòa Hưng", "Ấp 1", f"Nguyễn Văn Ất {n}", 1950,
            f"Nguyễn Văn Ất {n}", "Bản thân", "0912345678", "Tài khoản", "", "970436",
            "Vietcombank", f"{n:013d}", 1_500_000, "TC tháng 11/2026"]  # fmt: skip


def _csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            [title for title, _ in COLUMNS] + [RESULT_TITLE, PAID_AMOUNT_TITLE, REASON_TITLE]
        )
        for n in range(1, rows + 1):
            writer.writerow(_list_cells(n) + list(RESULTS[n % len(RESULTS)]))


def _camt054(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ISO_NS}camt.054.001.08">'
            "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>BENCH-NTF</MsgId>"
            "<CreDtTm>2026-11-10T11:00:00</CreDtTm></GrpHdr><Ntfctn><Id>1</Id>"
            "<Acct><Id><Othr><Id>3713.0.1234567</Id></Othr></Id></Acct>"
            f'<Ntry><Amt Ccy="VND">{rows * 1_500_000}</Amt><CdtDbtInd>DBIT</CdtDbtInd>'
            "<Sts><Cd>BOOK</Cd></Sts><AcctSvcrRef>FT-BENCH</AcctSvcrRef><BkTxCd><Domn>"
            "<Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
            "<NtryDtls>\n"
        )
        for n in range(1, rows + 1):
            out.write(
                f"<TxDtls><Refs><MsgId>ASXH-42-vcb-pain001</MsgId><AcctSvcrRef>FT-{n}"
                f"</AcctSvcrRef><EndToEndId>{_reference(n)}</EndToEndId></Refs>"
                '<Amt Ccy="VND">1500000</Amt><CdtDbtInd>DBIT</CdtDbtInd><RltdPties><Cdtr><Pty>'
                f"<Nm>Nguyễn Văn Ất {n}</Nm></Pty></Cdtr><CdtrAcct><Id><Othr><Id>{n:013d}"
                "</Id></Othr></Id></CdtrAcct></RltdPties></TxDtls>\n"
            )
        out.write("</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n")


def _pain002(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ISO_NS}pain.002.001.10">'
            "<CstmrPmtStsRpt><GrpHdr><MsgId>BENCH-PSR</MsgId><CreDtTm>2026-11-09T16:00:00"
            "</CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>ASXH-42-vcb-pain001</OrgnlMsgId>"
            "<OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>PART</GrpSts>"
            "</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>ASXH-42-vcb-pain001"
            "</OrgnlPmtInfId>\n"
        )
        for n in range(1, rows + 1):
            status = (
                "<TxSts>ACCC</TxSts>" if n % 10 else
                "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>"
            )  # fmt: skip
            out.write(
                f"<TxInfAndSts><OrgnlInstrId>{_reference(n)}</OrgnlInstrId><OrgnlEndToEndId>"
                f"{_reference(n)}</OrgnlEndToEndId>{status}<AcctSvcrRef>FT-{n}</AcctSvcrRef>"
                "</TxInfAndSts>\n"
            )
        out.write("</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n")


def _xlsx(path: Path, rows: int) -> None:
    """Our exporter's list, then the result titles and cells added to its sheet's XML as it
    is copied (openpyxl would take many minutes to rewrite a million rows)."""
    plain = path.with_suffix(".plain.xlsx")
    header = ListHeader(
        cycle_id=42, month=dt.date(2026, 11, 1), area_code="89", area_name="Tỉnh An Giang",
        provider_code="vcb", provider_name="Vietcombank", payer_name="Sở Y tế",
        payer_account="3713.0.1234567", payer_bank_bin="970415",
        execution_date=dt.date(2026, 11, 8), created_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
        rows=rows, total=rows * 1_500_000,
    )  # fmt: skip
    with plain.open("wb") as out:
        xlsx_write(header, (_payment_row(n) for n in range(1, rows + 1)), out)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as to:
        for item in source.infolist():
            with source.open(item) as part, to.open(item.filename, "w") as copy:
                if item.filename == "xl/worksheets/sheet1.xml":
                    _with_results(part, copy, rows)
                else:
                    copy.write(part.read())
    plain.unlink()


def _payment_row(n: int) -> PaymentRow:
    return PaymentRow(
        reference=_reference(n), beneficiary_id=n, full_name=f"Nguyễn Văn Ất {n}",
        birth_year=1950, payee_name=f"Nguyễn Văn Ất {n}", payee_kind="self",
        payee_phone="0912345678", commune_code="30280", commune_name="Xã Mỹ Hòa Hưng",
        village="Ấp 1", method="account", cash_at_home=False, bank_bin="970436",
        bank_name="Vietcombank", account_number=f"{n:013d}", amount=1_500_000,
        details="TC tháng 11/2026",
    )  # fmt: skip


def _with_results(part: Any, copy: Any, rows: int) -> None:
    """Inline cells R, S, T at the end of the title row (7) and of each data row."""
    first, last, rest = 8, 7 + rows, b""
    while chunk := part.read(1 << 20):
        *done, rest = (rest + chunk).split(b"</row>")
        for line in done:
            start = line.rfind(b'<row r="')
            number = int(line[start + 8 : line.index(b'"', start + 8)])
            values: tuple[str, ...] = ()
            if number == first - 1:
                values = (RESULT_TITLE, PAID_AMOUNT_TITLE, REASON_TITLE)
            elif first <= number <= last:
                values = RESULTS[number % len(RESULTS)]
            cells = "".join(f'<c r="{col}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                            for col, value in zip("RST", values, strict=False) if value)  # fmt: skip
            copy.write(line + cells.encode() + b"</row>")
    copy.write(rest)


def _peak_rss_mb() -> float:
    """This process's peak RSS. ru_maxrss survives exec, so a spawned child would report its
    parent's peak if that was higher; Linux's VmHWM is the child's own."""
    try:
        status = Path("/proc/self/status").read_text()
        return round(int(status.split("VmHWM:")[1].split()[0]) / 1024, 1)
    except (OSError, IndexError):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _read(path: str, name: str, answer: Any) -> None:
    """In a fresh process: read every row, report the figures."""
    started = time.perf_counter()
    read = read_results(Path(path), name)
    rows = sum(1 for _ in read.rows)
    seconds = time.perf_counter() - started
    peak = _peak_rss_mb()
    answer.send({"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
                 "peak_rss_mb": peak})  # fmt: skip


def _measured(path: Path, name: str) -> dict[str, Any]:
    spawn = multiprocessing.get_context("spawn")
    mine, theirs = spawn.Pipe()
    process = spawn.Process(target=_read, args=(str(path), name, theirs))
    process.start()
    figures: dict[str, Any] = mine.recv()
    process.join()
    return figures


def main() -> None:
    args = _arguments()
    writers = {"csv": (_csv, "ket-qua.csv", args.rows), "camt054": (_camt054, "camt054.xml", args.rows),
               "pain002": (_pain002, "pain002.xml", args.rows),
               "xlsx": (_xlsx, "ket-qua.xlsx", args.xlsx_rows)}  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for fmt in args.formats.split(","):
            write, name, rows = writers[fmt]
            path = Path(folder) / name
            started = time.perf_counter()
            write(path, rows)
            written = time.perf_counter() - started
            figures = _measured(path, name)
            print(json.dumps({"name": f"results_read_{fmt}", "format": fmt, **figures,
                              "file_mb": round(path.stat().st_size / 2**20, 1),
                              "write_seconds": round(written, 2), "database": None},
                             ensure_ascii=False), flush=True)  # fmt: skip
            path.unlink()


if __name__ == "__main__":
    main()
