"""Which column of an official's sheet holds which field, found from its Vietnamese title.

Titles are compared folded (no diacritics, lower case, punctuation and "(1)" numbering
removed), so "Họ và tên", "HỌ VÀ TÊN" and "Ho va ten (2)" are the same title. The mapping is
documented in docs/nhap-lieu.md; a user can add titles with a JSON file
({"Tên cột trong tệp": "field"}) passed as --mapping or on the upload page.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from asxh.core.text import fold

# field → the titles officials use for it (folded).
TITLES: dict[str, tuple[str, ...]] = {
    "full_name": (
        "ho va ten", "ho ten", "ho va ten doi tuong", "ho ten doi tuong", "ten doi tuong",
        "ho va ten nguoi huong", "ho ten nguoi huong", "ho va ten doi tuong huong",
    ),
    "birth_date": (
        "ngay sinh", "ngay thang nam sinh", "ngay, thang, nam sinh", "nam sinh", "ngay/thang/nam sinh",
    ),
    "sex": ("gioi tinh", "gioi", "nam/nu"),
    "id_number": (
        "so cccd", "cccd", "so dinh danh", "so dinh danh ca nhan", "ma dinh danh", "so cmnd",
        "cmnd", "so cmnd/cccd", "so cccd/cmnd", "cmnd/cccd", "cccd/cmnd", "so can cuoc",
        "so the can cuoc", "so can cuoc cong dan", "so dinh danh/cccd", "so cccd/dinh danh",
    ),
    "ethnicity": ("dan toc",),
    "village": (
        "thon", "ap", "thon/ap", "to dan pho", "thon/to dan pho", "thon, ap", "khu pho", "ban",
        "dia chi", "noi thuong tru", "noi o hien nay", "thon/ap/to dan pho",
    ),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so dt", "dt"),
    "group": ("nhom doi tuong", "dien doi tuong", "ma nhom", "dien huong", "nhom", "ma doi tuong"),
    "start_month": ("huong tu thang", "thang bat dau huong", "tu thang", "thoi diem huong"),
    "decision_number": ("so quyet dinh", "quyet dinh", "so qd"),
    "method": ("hinh thuc nhan", "hinh thuc chi tra", "hinh thuc", "hinh thuc nhan tro cap"),
    "account_number": (
        "so tai khoan", "so tk", "tai khoan", "so tai khoan/vi", "so tai khoan nhan",
        "so tai khoan ngan hang",
    ),
    "bank": (
        "ngan hang", "ten ngan hang", "ngan hang mo tai khoan", "ma bin", "ngan hang/vi dien tu",
        "noi mo tai khoan", "to chuc mo tai khoan", "ngan hang/to chuc",
    ),
    "holder_name": ("chu tai khoan", "ten chu tai khoan", "ho ten chu tai khoan"),
    "note": ("ghi chu",),
    # Columns that are read and deliberately not stored.
    "ignore": ("stt", "tt", "so thu tu", "ngay cap", "noi cap", "ky nhan", "ky ten"),
}  # fmt: skip

FIELD_LABELS = {
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "id_number": "Số CCCD",
    "ethnicity": "Dân tộc",
    "village": "Thôn/ấp",
    "phone": "Số điện thoại",
    "group": "Nhóm đối tượng",
    "start_month": "Hưởng từ tháng",
    "decision_number": "Số quyết định",
    "method": "Hình thức nhận",
    "account_number": "Số tài khoản",
    "bank": "Ngân hàng",
    "holder_name": "Chủ tài khoản",
    "note": "Ghi chú",
}
FIELDS = tuple(FIELD_LABELS)
# Under a merged "Ngày sinh" title, the birth date is written in the column of the sex.
SEX_SUBCOLUMNS = {"nam": "M", "nu": "F"}

_NUMBERING = re.compile(r"\(\s*\d+\s*\)|\*")
_PUNCT = re.compile(r"[\s:;.\-_]+")


def title_key(title: object) -> str:
    """'Họ và tên (2)*' → 'ho va ten'."""
    text = _NUMBERING.sub(" ", str(title or ""))
    return _PUNCT.sub(" ", fold(text)).strip()


@dataclass(frozen=True)
class Layout:
    """Where the data starts and which column holds which field."""

    header_row: int  # 0-based index of the (last) header row
    columns: dict[int, str]  # column index → field
    birth_sex_columns: dict[int, str]  # column index → sex, for "Ngày sinh" split into Nam/Nữ
    unknown_titles: tuple[str, ...]


def aliases(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """title key → field, the built-in titles with the user's additions on top."""
    table = {title: name for name, titles in TITLES.items() for title in titles}
    for title, name in (extra or {}).items():
        if name not in FIELDS and name != "ignore":
            raise ValueError(
                f"Cột '{title}' được gán cho trường '{name}' không có; các trường: "
                f"{', '.join(FIELDS)}, ignore."
            )
        table[title_key(title)] = name
    return table


def _match(key: str, table: Mapping[str, str]) -> str | None:
    if key in table:
        return table[key]
    # "Họ và tên đối tượng hưởng chính sách": the longest known title it starts with.
    starts = [t for t in table if key.startswith(t + " ") and len(t) > 3]
    return table[max(starts, key=len)] if starts else None


def layout_find(
    rows: Sequence[Sequence[object]], extra: Mapping[str, str] | None = None
) -> Layout | None:
    """The header among the first rows: the row naming most known fields, with a name column.

    Title rows above it and merged header cells (a title over two sub-columns "Nam" / "Nữ")
    are handled; None when no row names the name column.
    """
    table = aliases(extra)
    best: tuple[int, int, dict[int, str]] | None = None
    for index, row in enumerate(rows):
        found = {i: f for i, cell in enumerate(row) if (f := _match(title_key(cell), table))}
        named = [f for f in found.values() if f != "ignore"]
        if "full_name" in named and (best is None or len(named) > best[0]):
            best = (len(named), index, found)
    if best is None:
        return None
    _, header, columns = best
    birth_sex: dict[int, str] = {}
    below = rows[header + 1] if header + 1 < len(rows) else []
    for i, cell in enumerate(below):
        sex = SEX_SUBCOLUMNS.get(title_key(cell))
        if sex and _merged_title(rows[header], i, table) == "birth_date":
            birth_sex[i] = sex
    if birth_sex:
        header += 1
        columns = {i: f for i, f in columns.items() if f != "birth_date"}
    unknown = tuple(
        str(cell).strip()
        for i, cell in enumerate(rows[best[1]])
        if str(cell or "").strip() and i not in columns and i not in birth_sex
    )
    return Layout(header, columns, birth_sex, unknown)


def _merged_title(row: Sequence[object], column: int, table: Mapping[str, str]) -> str | None:
    """The title over `column`: a merged cell's text sits in its first column, blanks follow."""
    for i in range(min(column, len(row) - 1), -1, -1):
        if str(row[i] or "").strip():
            return _match(title_key(row[i]), table)
    return None


def is_numbering_row(row: Sequence[object]) -> bool:
    """The "(1) (2) (3)…" or "1 2 3…" row printed under the titles of official forms."""
    cells = [str(c).strip() for c in row if str(c or "").strip()]
    if len(cells) < 3:
        return False
    numbers = [re.sub(r"[()]", "", c).removesuffix(".0") for c in cells]
    return all(n.isdigit() for n in numbers) and numbers == sorted(numbers, key=int)
