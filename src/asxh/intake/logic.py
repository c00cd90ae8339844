"""One imported row → a validated record or the list of what is wrong with it (pure)."""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asxh.core.text import fold
from asxh.intake import normalise as n
from asxh.intake.columns import FIELD_LABELS, Layout


@dataclass(frozen=True)
class Issue:
    """An error or warning about one cell (or the whole row when column is '')."""

    row: int
    column: str
    value: str
    message: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
        }


@dataclass
class Row:
    """A valid row in stored form; optional parts are empty when the file has no such column."""

    number: int
    full_name: str
    name_folded: str
    sex: str
    birth_date: dt.date | None = None
    birth_date_precision: str = "day"
    id_number: str = ""
    ethnicity: str = ""
    village: str = ""
    phone: str = ""
    group: str = ""
    start_month: dt.date | None = None
    decision_number: str = ""
    method: str = ""
    cash_at_home: bool = False
    account_number: str = ""
    bank_bin: str = ""
    holder_name: str = ""
    note: str = ""
    # The row's cells as read, for the error report and duplicate detection.
    raw: tuple[Any, ...] = field(default=(), compare=False)

    def identity(self) -> tuple[str, ...]:
        """Who this row is: the ID when there is one, else name + birth date."""
        if self.id_number:
            return ("id", self.id_number)
        return ("name", self.name_folded, str(self.birth_date or ""))


@dataclass(frozen=True)
class References:
    """What the rows are checked against: institutions and target groups, by every name."""

    banks: Mapping[str, str]  # bank_key(name) → BIN
    groups: Mapping[str, str]  # code or folded name → code
    today: dt.date


def row_parse(
    number: int,
    cells: list[Any],
    layout: Layout,
    refs: References,
    font: Callable[[int, int], str] = lambda row, column: "",
) -> tuple[Row | None, list[Issue], list[Issue]]:
    """(the row or None, errors, warnings). An empty row gives (None, [], [])."""
    raw = tuple(cells)
    if not any(raw):
        return None, [], []
    errors: list[Issue] = []
    warnings: list[Issue] = []
    values: dict[str, Any] = {}
    column_of: dict[str, int] = {}
    for index, name in layout.columns.items():
        if name != "ignore" and index < len(cells) and name not in values:
            values[name], column_of[name] = cells[index], index

    def parse(name: str, parser: Callable[..., Any], *args: Any) -> Any:
        try:
            return parser(values.get(name), *args)
        except n.CellError as error:
            label = FIELD_LABELS.get(name, name)
            value = n.cell_text(values.get(name))
            errors.append(Issue(number, label, value, error.message, error.fix))
            return None

    def warn(name: str, messages: list[str]) -> None:
        for message in messages:
            warnings.append(
                Issue(number, FIELD_LABELS[name], n.cell_text(values.get(name)), message)
            )

    name_font = font(number, column_of["full_name"]) if "full_name" in column_of else ""
    name = parse("full_name", n.full_name, name_font)
    if name and name[1]:
        warn("full_name", [f"Đã chuyển từ mã {name[1].upper()} sang Unicode: '{name[0]}'."])
    born, sex = _birth_and_sex(number, cells, layout, refs, values, parse, errors)
    id_found = parse("id_number", n.id_number)
    id_number = ""
    if id_found:
        id_number, id_warnings = id_found
        warn("id_number", id_warnings)
    if sex is None and len(id_number) == 12 and id_number[3] in "012345":
        sex = "M" if int(id_number[3]) % 2 == 0 else "F"
        warnings.append(
            Issue(number, "Giới tính", "", "Không ghi giới tính; lấy theo số định danh.")
        )
    if sex is None and not any(e.column == "Giới tính" for e in errors):
        errors.append(Issue(number, "Giới tính", "", "Thiếu giới tính.", "Ghi 'Nam' hoặc 'Nữ'."))
    if id_number and sex and not errors:
        parse("id_number", lambda _: n.id_consistency(id_number, sex, born))
    phone_found = parse("phone", n.phone)
    if phone_found:
        warn("phone", phone_found[1])
    account = parse("account_number", n.account_number) or ""
    bank_bin = _bank(number, values, account, refs, parse, errors)
    method_found = parse("method", n.method) or ("", False)
    method, cash_at_home = method_found
    if not method and account:
        method = "account"
    group = parse("group", n.group, refs.groups) if n.cell_text(values.get("group")) else ""
    start = parse("start_month", n.month)
    if group and start is None and not errors:
        errors.append(
            Issue(number, "Hưởng từ tháng", "", "Có nhóm đối tượng nhưng thiếu tháng bắt đầu hưởng.",
                  "Ghi tháng bắt đầu hưởng theo quyết định (mm/yyyy).")
        )  # fmt: skip
    if born is None and not any(e.column == "Ngày sinh" for e in errors):
        warnings.append(
            Issue(number, "Ngày sinh", "", "Thiếu ngày sinh: cần để tính mức hưởng theo tuổi.")
        )
    if errors or name is None or sex is None:
        return None, errors, warnings
    holder = parse("holder_name", n.full_name) if n.cell_text(values.get("holder_name")) else None
    return (
        Row(
            number=number,
            full_name=name[0],
            name_folded=fold(name[0]),
            sex=sex,
            birth_date=born.value if born else None,
            birth_date_precision=born.precision if born else "day",
            id_number=id_number,
            ethnicity=n.plain_text(values.get("ethnicity")),
            village=n.plain_text(values.get("village")),
            phone=phone_found[0] if phone_found else "",
            group=group or "",
            start_month=start,
            decision_number=n.plain_text(values.get("decision_number")),
            method=method,
            cash_at_home=cash_at_home,
            account_number=account,
            bank_bin=bank_bin,
            holder_name=holder[0] if holder else (name[0] if account else ""),
            note=n.plain_text(values.get("note")),
            raw=raw,
        ),
        errors,
        warnings,
    )


# Rows under the list: totals and signature blocks ("Người lập biểu", "TM. UBND xã"…).
_FOOTER = ("tong cong", "cong:", "nguoi lap", "thu truong", "tm.", "tm ", "xac nhan", "ke toan",
           "chu tich", "(ky", "ky ten", "can bo", "lanh dao")  # fmt: skip


def is_footer(cells: list[Any], layout: Layout) -> bool:
    """True for the first row after the data: a total or a signature block, not a person."""
    text = " ".join(t for c in cells[:6] if (t := n.cell_text(c)))
    if not text or text[0].isdigit():  # a numbered data row (STT)
        return False
    return n.fold_short(text[:20]).startswith(_FOOTER)


def _birth_and_sex(
    number: int,
    cells: list[Any],
    layout: Layout,
    refs: References,
    values: dict[str, Any],
    parse: Callable[..., Any],
    errors: list[Issue],
) -> tuple[n.BirthDate | None, str | None]:
    """Birth date and sex, from their own columns or from a 'Ngày sinh' split into Nam / Nữ."""
    sex = parse("sex", n.sex)
    filled = [
        (index, code)
        for index, code in layout.birth_sex_columns.items()
        if index < len(cells) and n.cell_text(cells[index])
    ]
    if len(filled) > 1:
        errors.append(
            Issue(number, "Ngày sinh", "", "Ghi ngày sinh ở cả cột Nam và cột Nữ.",
                  "Chỉ ghi ở cột đúng giới tính.")
        )  # fmt: skip
        return None, sex
    if filled:
        index, code = filled[0]
        values["birth_date"] = cells[index]
        sex = sex or code
    born = parse("birth_date", n.birth_date, refs.today)
    return born, sex


def _bank(
    number: int,
    values: dict[str, Any],
    account: str,
    refs: References,
    parse: Callable[..., Any],
    errors: list[Issue],
) -> str:
    has_bank = bool(n.cell_text(values.get("bank")))
    account_given = bool(account or n.cell_text(values.get("account_number")))
    if account_given and not has_bank:
        errors.append(
            Issue(number, "Ngân hàng", "", "Có số tài khoản nhưng thiếu ngân hàng.",
                  "Ghi tên ngân hàng/ví (ví dụ Agribank, Viettel Money) hoặc mã BIN.")
        )  # fmt: skip
        return ""
    if has_bank and not account_given:
        errors.append(
            Issue(number, "Số tài khoản", "", "Có ngân hàng nhưng thiếu số tài khoản.",
                  "Ghi số tài khoản, hoặc xoá tên ngân hàng nếu chưa có tài khoản.")
        )  # fmt: skip
        return ""
    return parse("bank", n.bank, refs.banks) or "" if has_bank else ""
