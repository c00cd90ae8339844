"""`asxh verify …`: identity lists for the commune police and account-name inquiry.

Every command names the person acting (`--user`); exports of full ID or account numbers and
every stored answer are audited.
"""

import datetime as dt
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.beneficiaries.logic import partial_date_parse
from asxh.core.commands import refusals_reported
from asxh.core.formatting import date_vn, partial_date_vn
from asxh.core.masking import mask_account_number, mask_id_number
from asxh.verification import selectors, services
from asxh.verification.adapters import vietqr_from_settings
from asxh.verification.logic import RESULT_LABELS
from asxh.verification.models import ExchangeKind


def _date(text: str) -> dt.date:
    value, precision = partial_date_parse(text)
    if precision != "day":
        raise ValueError(f"Cần ngày đầy đủ dd/mm/yyyy, không phải '{text}'.")
    return value


def _optional_date(text: str | None) -> dt.date | None:
    return _date(text) if text else None


class Command(BaseCommand):
    help = (
        "Xác minh danh tính với Công an xã và tra cứu tên chủ tài khoản: export, import, "
        "accounts, accounts-import, unverified (luôn ghi --user người thực hiện)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def common(p: ArgumentParser) -> ArgumentParser:
            p.add_argument("--user", required=True, help="Tên đăng nhập của người thực hiện.")
            p.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")
            return p

        export = common(sub.add_parser("export", help="Danh sách gửi Công an xã (ghi nhật ký)."))
        export.add_argument("--commune", required=True, help="Mã xã/phường.")
        export.add_argument("-o", "--output", required=True, help="Tệp .xlsx sẽ ghi.")
        export.add_argument("--unverified-since", help="Chỉ người chưa xác minh Khớp từ ngày này.")
        imp = common(sub.add_parser("import", help="Nhập kết quả xác minh của Công an xã."))
        imp.add_argument("file")
        imp.add_argument("--checked-on", help="Ngày xác minh nếu tệp chưa ghi (dd/mm/yyyy).")
        imp.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")
        accounts = common(sub.add_parser("accounts", help="Tra cứu tên chủ tài khoản của một xã."))
        accounts.add_argument("--commune", required=True)
        accounts.add_argument("--via", choices=["file", "http"], default="file")
        accounts.add_argument("-o", "--output", help="Tệp .xlsx gửi tổ chức chi trả (--via file).")
        accounts.add_argument("--unverified-since", help="Chỉ tài khoản chưa xác thực từ ngày này.")
        accounts.add_argument("--checked-on", help="Ngày tra cứu ghi vào tài khoản (--via http).")
        accounts.add_argument("--limit", type=int, default=None)
        answers = common(sub.add_parser("accounts-import", help="Nhập kết quả tra cứu tài khoản."))
        answers.add_argument("file")
        answers.add_argument("--checked-on", help="Ngày tra cứu nếu tệp chưa ghi (dd/mm/yyyy).")
        answers.add_argument("--dry-run", action="store_true")
        unverified = common(sub.add_parser("unverified", help="Ai chưa được xác minh từ ngày D."))
        unverified.add_argument("--since", required=True, help="dd/mm/yyyy")
        unverified.add_argument("--kind", choices=["identity", "account"], default="identity")
        unverified.add_argument("--commune", default="")
        unverified.add_argument("--limit", type=int, default=100)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            with refusals_reported():
                user = user_by_username(options["user"])
                result = getattr(self, f"_{action}")(user, options)
        except (ImproperlyConfigured, ValueError) as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Không đọc/ghi được tệp: {error}") from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        if isinstance(result, dict) and result.get("errors"):
            raise CommandError(f"Tệp có {len(result['errors'])} lỗi; không ghi gì.")

    def _say(self, options: dict[str, Any], text: str) -> None:
        if not options["json"]:
            self.stdout.write(text)

    def _export(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        exchange = services.identity_list_export(
            actor=user,
            commune_code=o["commune"],
            out=o["output"],
            unverified_since=_optional_date(o["unverified_since"]),
        )
        self._say(
            o,
            f"Đã xuất {exchange.rows} người vào {o['output']} (mã danh sách {exchange.pk}); "
            "việc xuất số định danh đầy đủ đã được ghi nhật ký.",
        )
        return {"exchange": exchange.pk, "rows": exchange.rows, "file": o["output"]}

    def _import(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        return self._answers(user, o, ExchangeKind.IDENTITY)

    def _accounts_import(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        return self._answers(user, o, ExchangeKind.ACCOUNT)

    def _answers(self, user: Any, o: dict[str, Any], kind: str) -> dict[str, Any]:
        path = Path(o["file"])
        outcome = services.answers_import(
            actor=user,
            kind=kind,
            file_name=path.name,
            data=path.read_bytes(),
            checked_on=_optional_date(o["checked_on"]),
            dry_run=o["dry_run"],
        )
        self._report(o, outcome)
        return outcome.as_dict()

    def _report(self, o: dict[str, Any], outcome: services.Outcome) -> None:
        if outcome.already:
            self._say(
                o,
                f"Tệp này đã được nhập lúc {date_vn(outcome.already.stored_at)} "
                f"(lần nhập số {outcome.already.pk}): không ghi gì thêm.",
            )
            return
        for error in outcome.errors:
            self._say(o, error)
        if outcome.errors:
            return
        counts = ", ".join(
            f"{RESULT_LABELS.get(k, k)}: {v}" for k, v in sorted(outcome.by_result.items())
        )
        self._say(
            o,
            f"Ngày xác minh {date_vn(outcome.checked_on)}. {outcome.answered} dòng có kết quả "
            f"({counts}); {outcome.unanswered} dòng chưa có kết quả. Đã ghi {outcome.stored}, "
            f"trùng lần nhập trước {outcome.repeated}; việc cần làm sạch mới: "
            f"{outcome.findings_raised}." + (" (Chỉ kiểm tra, chưa ghi.)" if o["dry_run"] else ""),
        )

    def _accounts(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        since = _optional_date(o["unverified_since"])
        if o["via"] == "file":
            if not o["output"]:
                raise ValueError("Với --via file, ghi -o TỆP.xlsx để xuất danh sách tài khoản.")
            exchange = services.account_list_export(
                actor=user, commune_code=o["commune"], out=o["output"], unverified_since=since
            )
            self._say(
                o,
                f"Đã xuất {exchange.rows} tài khoản vào {o['output']} (mã danh sách "
                f"{exchange.pk}); nhập tệp trả lời bằng: asxh verify accounts-import TỆP.",
            )
            return {"exchange": exchange.pk, "rows": exchange.rows, "file": o["output"]}
        outcome = services.accounts_verify_online(
            actor=user,
            commune_code=o["commune"],
            inquiry=vietqr_from_settings(),
            unverified_since=since,
            checked_on=_optional_date(o["checked_on"]),
            limit=o["limit"],
        )
        self._say(
            o,
            f"Đã tra cứu {outcome.asked} tài khoản: {outcome.by_verification}; "
            f"không có trả lời {len(outcome.unavailable)}; việc cần làm sạch mới "
            f"{outcome.findings_raised}.",
        )
        return outcome.__dict__

    def _unverified(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        since = _date(o["since"])
        if o["kind"] == "identity":
            people = selectors.identity_unverified_since(user, since, commune_code=o["commune"])
            total = people.count()
            rows = [
                {
                    "id": p.pk,
                    "full_name": p.full_name,
                    "birth_date": partial_date_vn(p.birth_date, p.birth_date_precision),
                    "id_number": mask_id_number(p.id_number),
                    "commune": p.commune.code,
                }
                for p in people.select_related("commune").order_by("name_folded", "id")[
                    : o["limit"]
                ]
            ]
        else:
            accounts = selectors.accounts_unverified_since(user, since, commune_code=o["commune"])
            total = accounts.count()
            rows = [
                {
                    "account": a.pk,
                    "beneficiary": a.beneficiary_id,
                    "account_number": mask_account_number(a.account_number),
                    "verification": a.verification,
                    "verified_on": date_vn(a.verified_on),
                }
                for a in accounts.order_by("pk")[: o["limit"]]
            ]
        kind = "người chưa xác minh danh tính" if o["kind"] == "identity" else "tài khoản"
        self._say(o, f"{total} {kind} chưa được xác minh từ ngày {date_vn(since)}.")
        for row in rows:
            self._say(o, "  " + " · ".join(str(v) for v in row.values()))
        return {"since": since, "total": total, "rows": rows}
