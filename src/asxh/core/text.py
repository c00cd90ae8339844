"""Pure text helpers for Vietnamese names: NFC storage, accent folding for search and matching."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Unicode NFC with single spaces: the one form names are stored in."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Lower case without diacritics (đ→d): 'Nguyễn Thị Đào' → 'nguyen thi dao'."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare).strip().lower()


def fold_upper(value: str) -> str:
    """The form a NAPAS account-name inquiry returns: 'NGUYEN THI DAO'."""
    return fold(value).upper()
