"""Synthetic beneficiaries of one province: pure, deterministic from the seed, and fast.

No ORM here: `asxh.synthetic.services` turns the rows into database writes. Every draw comes
from one `random.Random(seed)` in a fixed order, so the same (province, count, seed) gives the
same people whatever the batch size. Weighted draws bisect precomputed cumulative weights (what
`rng.choices(cum_weights=...)` does, without its per-call overhead): about a dozen draws and
five small objects per person keep generation above 100,000 people a second.

Shares are approximations from public statistics (surnames, 2019 census ethnic shares, the mix
of social-assistance groups), good enough to make lists, searches and reports look real.
"""

import datetime as dt
import gc
import unicodedata
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import accumulate
from math import gcd
from random import Random
from typing import Any, Generic, NamedTuple, TypeVar

from asxh.beneficiaries.logic import ID_PROVINCE_CODES, id_number_century_digit
from asxh.core.text import fold_upper, nfc
from asxh.core.vietnamese import TCVN3 as TCVN3  # re-exported: the one TCVN3 table
from asxh.core.vietnamese import legacy_encode

T = TypeVar("T")

# The date the data describes: fixed, so that a seed gives the same people on any day.
AS_OF = dt.date(2026, 11, 1)


class Table(Generic[T]):
    """Values with weights; `pick(u)` maps a uniform u in [0, 1) to a value."""

    __slots__ = ("cum", "values")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [v for v, _ in pairs]
        total = sum(w for _, w in pairs)
        self.cum = [c / total for c in accumulate(w for _, w in pairs)]
        self.cum[-1] = 1.0  # u < 1.0 always lands inside the table despite rounding

    def pick(self, u: float) -> T:
        # Hot loops inline this expression: a Python call per draw costs more than the draw.
        return self.values[bisect(self.cum, u)]


def _words(text: str, weight: float = 1.0) -> list[tuple[str, float]]:
    return [(nfc(w.replace("_", " ")), weight) for w in text.split()]


# --- Names --------------------------------------------------------------------------------

# Kinh surnames, per cent of people. Hoàng/Huỳnh and Vũ/Võ are one name each, written the
# southern way from Đà Nẵng southwards (legacy code 48 and above).
_SURNAMES_COMMON = [
    ("Nguyễn", 39.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Phan", 4.5),
    ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0),
    ("Lý", 0.5), ("Đào", 0.45), ("Đoàn", 0.45), ("Trương", 0.45), ("Đinh", 0.4), ("Hà", 0.35),
    ("Lâm", 0.35), ("Phùng", 0.3), ("Mai", 0.3), ("Trịnh", 0.3), ("Lương", 0.3), ("Cao", 0.3),
    ("Tô", 0.25), ("Lưu", 0.25), ("Châu", 0.25), ("Thái", 0.2), ("Tạ", 0.2), ("Quách", 0.15),
    ("Vương", 0.15), ("Chu", 0.15), ("Triệu", 0.15), ("Kiều", 0.1), ("Từ", 0.1), ("La", 0.1),
    ("Tăng", 0.1), ("Lại", 0.1), ("Giang", 0.1), ("Tống", 0.1), ("Đàm", 0.1), ("Văn", 0.08),
    ("Khúc", 0.05), ("Âu", 0.05), ("Mạc", 0.05), ("Thân", 0.05), ("Khổng", 0.05),
    ("Diệp", 0.05), ("Nghiêm", 0.05), ("Ninh", 0.05), ("Lục", 0.04), ("Tôn", 0.04),
]  # fmt: skip
_SURNAMES_NORTH = [("Hoàng", 4.6), ("Huỳnh", 0.4), ("Vũ", 3.5), ("Võ", 0.4)]
_SURNAMES_SOUTH = [("Huỳnh", 4.2), ("Hoàng", 0.8), ("Võ", 3.4), ("Vũ", 0.5)]
_SOUTH_FROM = 48  # legacy province code of Đà Nẵng

# Middle names: older generations are mostly Văn/Thị; the young have a wider choice.
_MIDDLE = {
    ("M", True): [("Văn", 62.0), *_words("Minh Hữu Đức Quốc Thanh Công Xuân Ngọc Đình", 3.0),
                  *_words("Quang Trọng Tấn Thành Kim Bá Duy Chí Hoàng Thế", 1.2)],
    ("F", True): [("Thị", 80.0), *_words("Ngọc Thanh Kim Thu Xuân Hồng Mỹ Bích", 2.0),
                  *_words("Minh Hoàng Phương Thúy Tuyết Lệ", 0.8)],
    ("M", False): [("Văn", 22.0), *_words("Minh Gia Hoàng Quốc Đức Anh Thành Tuấn Bảo", 5.0),
                   *_words("Nhật Hữu Thanh Trung Đăng Khánh Ngọc Công Duy Phúc", 2.5)],
    ("F", False): [("Thị", 30.0), *_words("Ngọc Thanh Thu Kim Mỹ Bảo Khánh Phương Minh", 5.0),
                   *_words("Hoài Thảo Như Quỳnh Diệu Gia Hồng Tường Yến Thùy", 2.5)],
}  # fmt: skip
_GIVEN = {
    ("M", True): _words(
        "Hùng Dũng Tuấn Minh Hải Long Nam Sơn Thắng Quang Bình Cường Hòa Phúc Tài Thành "
        "Trung Vinh Hưng Khánh Lâm Lộc Phong Tâm Thanh Tiến Toàn Tú Đông Nghĩa Hiếu Đạt "
        "Lợi Sang Tùng Chiến Thạnh Thuận Tấn Hoàng Lương Kiệt Mạnh Sinh Thọ Trí Nhân Bảo "
        "Xuân Hòa Hoà Khải Quý Út Ba Tư Năm Sáu Bảy Tám Chín Mười Kha Chánh Phước"
    ),
    ("F", True): _words(
        "Lan Hoa Hồng Hương Mai Cúc Đào Hạnh Hằng Hiền Huệ Liên Loan Lý Nga Ngọc Nhung Oanh "
        "Phượng Sen Thảo Thu Thủy Thuỷ Trang Tuyết Vân Xuân Yến Bích Diệp Dung Gấm Lệ Linh "
        "Nguyệt Nhàn Quyên Tâm Thoa Thúy Tươi Hoà Hòa Lài Lựu Đẹp Út Ba Tư Năm Sáu Bảy Tám "
        "Chín Mười Hai Lụa Tám Nở Mận Bông Ngân Phấn Sương"
    ),
    ("M", False): _words(
        "Huy Khang Khôi Bảo Phát Khoa Duy Nam Long Minh Quân Tuấn Hiếu Đạt Phúc Vinh Thịnh "
        "Kiệt Nhân Hưng Tín Hào Sơn Tài An Thái Hoàng Lâm Trọng Khánh Luân Tùng Trí Việt "
        "Nguyên Kiên Thiện Hải Hòa Quý Tú Thắng Lộc Toàn Thành"
    ),
    ("F", False): _words(
        "Anh Chi Hân Vy Nhi My Ngân Như Quỳnh Thư Trâm Uyên Linh Trang Hương Hà Lan Mai Ngọc "
        "Thảo Tiên Tâm Yến Hạnh Nhung Phương Thùy Thu Hoa Diễm Giang Hằng Huyền Loan Ly "
        "Nhàn Oanh Vân Xuân Hiền Duyên Kiều Trinh Hồng Hòa"
    ),
}

# Other naming traditions, by ethnic group (simplified; enough to look right on a list).
_KINH_LIKE = {"Kinh", "Hoa", "Tày", "Nùng", "Mường", "Sán Chay", "Sán Dìu", "Giáy"}


@dataclass(frozen=True)
class NameStyle:
    """Surname and middle/given tables for one naming tradition."""

    surnames: Table[str]
    middle: dict[tuple[str, bool], Table[str]]
    given: dict[tuple[str, bool], Table[str]]


_STYLE_WORDS: dict[str, tuple[str, str, str, str, str]] = {
    # style: surnames, male middles, female middles, male given, female given
    "khmer": (
        "Thạch:22 Danh:18 Sơn:12 Kim:10 Lâm:8 Chau:6 Châu:6 Lý:5 Trần:4 Huỳnh:3 Dương:3 Néang:3",
        "_:60 Văn:20 Sóc:6 Sa:6 Kim:4",
        "Thị:55 _:35 Sa:6 Sóc:4",
        "Sóc Sa_Rươn Phol Ra Sơn_Na Sô_Phal Kha Khơl Sang Rê Vy Bô Thon Chanh_Đa Sa_Ri Ni "
        "Sà_Phon Sây Thum Mết Khen Dương Sóc_Kha Pha_Ly",
        "Sa_Rây Sô_Phi Ra_Ny Thi Sóc_Kha Sa_Vên Phol_Ly Sà_Pha Mây Sa_Ri Thơ Na_Ry Sa_Phia "
        "Mây_Ly Chanh Thu Sóc_Phia Ni_Ta Sà_Ly",
    ),
    "cham": (
        "Đàng:20 Thành:14 Lưu:10 Trượng:8 Thiên:6 Quảng:8 Châu:6 Bá:6 Phú:6 Hán:4 Báo:3 "
        "Từ:3 Sa:4 Ha:4 Mohamad:3",
        "Văn:70 _:30",
        "Thị:75 _:25",
        "Sanh Ha_Sanh Mách Sa_Ly Mu_Sa Ka_Sim Ali Tèo Bình Sơn Thuận Đức Phú Minh Tài Sa_Ri",
        "Ka_Ri_Ma Ma_Ri_Dah Sa_Ri_Da Ru_Ki_Dah Phiên Hoa Lan Thị Nga Sa_Ly Ma_Ri Ha_Wa Ni_Ma",
    ),
    "hmong": (
        "Giàng:18 Vàng:16 Sùng:14 Thào:14 Lý:10 Hầu:6 Mùa:6 Lầu:5 Hạng:5 Vừ:4 Tráng:2",
        "A:55 Seo:15 Mí:10 Văn:20",
        "Thị:70 Mí:20 Mỷ:10",
        "Páo Sình Chứ Dính Lử Tủa Pó Khua Sếnh Chá Súa Chở Sua Pà Say Tủa Lầu Giàng Chu Nhè",
        "Dợ Mỷ Mai Dế Chở Sua Pà Say Pằng Mỷ Sính Và Chia Mua Sùng Dúa Dình Mẩy",
    ),
    "dao": (
        "Triệu:24 Bàn:22 Đặng:18 Lý:14 Chảo:8 Phùng:6 Tẩn:4 Hoàng:4",
        "Văn:50 Phù:15 Kiềm:10 Tà:10 Quẩy:15",
        "Thị:70 Mùi:20 Tả:10",
        "Chàn Phin Sinh Tả Ván Lở Xuân Quý Kiềm Phúc Tòn Vần Chản Lìn Thắng Sơn",
        "Mẩy Nhất Xuân Phây Chòi Sinh Dần Mùi Liên Hoa Tiên Hồng Quyên Nguyệt",
    ),
    "thai": (
        "Lò:20 Lường:14 Cầm:12 Quàng:10 Tòng:8 Vì:8 Hà:8 Lộc:6 Điêu:5 Lù:4 Mè:3 Sầm:2",
        "Văn:85 _:15",
        "Thị:85 _:15",
        "Xôm Ún Pánh Ín Chiến Muôn Biên Thoản Phong Hặc Ón Xuân Thanh Hùng Sơn Đôi Tiến Lả",
        "Mai Xuân Ngọc Phương Ón Lả Ín Mẩy Hoa Hương Thoa Ban Pọm Xiêng Dung Ánh Chăm",
    ),
    "tay_nguyen": (
        "Ksor:12 Rơ_Châm:8 Siu:8 Rah_Lan:6 Kpă:6 Nay:6 Rơ_Mah:6 Puih:5 Niê:8 Ayun:5 "
        "Mlô:4 Êban:4 Byă:4 Kbuôr:4 Ktla:3 A:7",
        "Y:70 _:30",
        "H':75 _:25",
        "Blin Hen Ngơn Thút Bhin Sinh Blơm Đen Uê Ju Nơm Rin Yơng Kưu Djơ Wăn Mlô Krông",
        "Lim Ngơn Hen Blơm Đen Nhi Nơm Rin Juin Bla Ớt Duôn Yơn Ni Hlin Dăm Phương",
    ),
}


def _pairs(spec: str) -> list[tuple[str, float]]:
    """'Thạch:22 Danh:18' → weighted words; '_' is a space, a bare '_' an empty word."""
    out = []
    for item in spec.split():
        word, _, weight = item.partition(":")
        out.append((nfc("" if word == "_" else word.replace("_", " ")), float(weight or 1)))
    return out


def _kinh_style(south: bool, surnames: list[tuple[str, float]] | None = None) -> NameStyle:
    regional = _SURNAMES_SOUTH if south else _SURNAMES_NORTH
    pairs = surnames or [(nfc(s), w) for s, w in [*_SURNAMES_COMMON, *regional]]
    return NameStyle(
        surnames=Table(pairs),
        middle={k: Table(v) for k, v in _MIDDLE.items()},
        given={k: Table(v) for k, v in _GIVEN.items()},
    )


def _other_style(words: tuple[str, str, str, str, str]) -> NameStyle:
    surnames, middle_m, middle_f, given_m, given_f = words
    middle = {("M", True): Table(_pairs(middle_m)), ("F", True): Table(_pairs(middle_f))}
    given = {("M", True): Table(_words(given_m)), ("F", True): Table(_words(given_f))}
    for sex in "MF":  # these traditions change little between generations
        middle[(sex, False)] = middle[(sex, True)]
        given[(sex, False)] = given[(sex, True)]
    return NameStyle(Table(_pairs(surnames)), middle, given)


_HOA_SURNAMES = _pairs(
    "Lý:12 Trương:10 Lâm:10 Quách:8 Hứa:7 Tăng:6 Lưu:6 Mã:5 Thái:5 Huỳnh:6 Trần:6 "
    "Dương:4 Châu:4 Hồng:3 La:3 Diệp:3 Trịnh:2"
)
_TAY_NUNG_SURNAMES = _pairs(
    "Hoàng:18 Nông:14 Lộc:8 Lương:8 Bế:7 Hà:7 Ma:5 Chu:4 Triệu:5 Hứa:3 Mông:3 Lục:3 "
    "Sầm:2 Đàm:3 Lăng:2 Vi:3 Linh:2 Nguyễn:3"
)
_MUONG_SURNAMES = _pairs("Bùi:40 Đinh:25 Quách:12 Hà:10 Xa:5 Cao:4 Bạch:4")

# ethnic group → naming tradition (groups not listed name like the Kinh)
_STYLE_OF = {
    "Khmer": "khmer", "Chăm": "cham", "H'Mông": "hmong", "Dao": "dao", "Thái": "thai",
    "Khơ Mú": "thai", "Hà Nhì": "hmong", "Gia Rai": "tay_nguyen", "Ê Đê": "tay_nguyen",
    "Ba Na": "tay_nguyen", "Xơ Đăng": "tay_nguyen", "M'Nông": "tay_nguyen",
    "Cơ Ho": "tay_nguyen", "Mạ": "tay_nguyen", "Giẻ Triêng": "tay_nguyen",
    "Raglai": "tay_nguyen", "Xtiêng": "tay_nguyen", "Hrê": "tay_nguyen",
    "Cơ Tu": "tay_nguyen", "Bru-Vân Kiều": "tay_nguyen", "Tà Ôi": "tay_nguyen",
    "Chu Ru": "tay_nguyen",
}  # fmt: skip

# Ethnic shares (%) by legacy province (birth-registration code), 2019 census, rounded.
_ETHNICITY = {
    "01": "Kinh:98.6 Mường:0.8 Tày:0.3 Thái:0.1 Dao:0.1 Nùng:0.1",
    "02": "H'Mông:33 Tày:23 Dao:15 Kinh:12.5 Nùng:10 Giáy:2",
    "04": "Tày:41 Nùng:31.5 H'Mông:10.5 Dao:10 Kinh:5.5",
    "06": "Tày:54 Dao:17 Kinh:13 Nùng:9.5 H'Mông:6",
    "08": "Kinh:46 Tày:25 Dao:12 Sán_Chay:8 H'Mông:2.5 Nùng:2",
    "10": "Kinh:35 H'Mông:25 Tày:15 Dao:14 Giáy:5 Nùng:4",
    "11": "Thái:37.5 H'Mông:35 Kinh:19 Khơ_Mú:3.5 Dao:1",
    "12": "Thái:32 H'Mông:24 Dao:14 Kinh:14 Hà_Nhì:6 Giáy:5",
    "14": "Thái:53 Kinh:17 H'Mông:17 Mường:8 Dao:2 Khơ_Mú:1",
    "15": "Kinh:52 Tày:19 Dao:11 H'Mông:11 Thái:6",
    "17": "Mường:63 Kinh:28 Thái:4 Dao:2 Tày:2.5",
    "19": "Kinh:73 Tày:11 Nùng:6 Sán_Dìu:4 Dao:2.5 Sán_Chay:2",
    "20": "Nùng:42 Tày:35 Kinh:16 Dao:3.5 Sán_Chay:1",
    "22": "Kinh:88 Dao:5 Tày:3 Sán_Dìu:2 Sán_Chay:1 Hoa:0.5",
    "24": "Kinh:86.5 Nùng:5 Tày:3 Sán_Chay:2.5 Sán_Dìu:2 Hoa:1",
    "25": "Kinh:85 Mường:14 Dao:1",
    "38": "Kinh:85 Mường:9 Thái:5.5",
    "40": "Kinh:86 Thái:10 Khơ_Mú:1.3 H'Mông:1",
    "44": "Kinh:98 Bru-Vân_Kiều:1.5",
    "45": "Kinh:90 Bru-Vân_Kiều:9 Tà_Ôi:1",
    "46": "Kinh:96 Tà_Ôi:2.5 Cơ_Tu:1",
    "49": "Kinh:93 Cơ_Tu:3.2 Xơ_Đăng:1.2 Giẻ_Triêng:1",
    "51": "Kinh:87 Hrê:9 Xơ_Đăng:1",
    "52": "Kinh:98 Ba_Na:1.3 Chăm:0.3",
    "54": "Kinh:94 Ê_Đê:4 Chăm:1.5 Ba_Na:0.5",
    "56": "Kinh:95 Raglai:4",
    "58": "Kinh:77 Chăm:12 Raglai:10",
    "60": "Kinh:93.5 Chăm:3.1 Raglai:1.4 Hoa:1.2 Cơ_Ho:0.5",
    "62": "Kinh:46 Xơ_Đăng:25 Ba_Na:13 Giẻ_Triêng:7 Gia_Rai:5",
    "64": "Kinh:52 Gia_Rai:30 Ba_Na:13 Tày:1 Nùng:1",
    "66": "Kinh:65 Ê_Đê:17 Nùng:4 Tày:3.5 M'Nông:2.5 H'Mông:1.5 Thái:1",
    "67": "Kinh:65 M'Nông:10 Nùng:6 Tày:5 H'Mông:5 Dao:2 Ê_Đê:1",
    "68": "Kinh:77 Cơ_Ho:12 Mạ:2.5 Nùng:2.5 Tày:2 Chu_Ru:1",
    "70": "Kinh:80 Xtiêng:8.5 Nùng:2.5 Tày:2 Khmer:1.7 Hoa:1",
    "72": "Kinh:98 Khmer:0.7 Chăm:0.5 Hoa:0.5",
    "75": "Kinh:91 Hoa:3.3 Nùng:1.2 Tày:1",
    "79": "Kinh:95 Hoa:4.4 Khmer:0.3 Chăm:0.1",
    "84": "Kinh:67.6 Khmer:31.5 Hoa:0.9",
    "86": "Kinh:97.5 Khmer:2.1 Hoa:0.4",
    "89": "Kinh:94.5 Khmer:4.5 Chăm:0.6 Hoa:0.4",
    "91": "Kinh:85.5 Khmer:12.5 Hoa:2",
    "92": "Kinh:97 Khmer:2 Hoa:1",
    "93": "Kinh:97.4 Khmer:2.3 Hoa:0.3",
    "94": "Kinh:64 Khmer:30 Hoa:6",
    "95": "Kinh:89.6 Khmer:7.8 Hoa:2.6",
    "96": "Kinh:97.5 Khmer:2 Hoa:0.5",
}
_ETHNICITY_DEFAULT = "Kinh:99 Hoa:0.3 Tày:0.2 Mường:0.2 Khmer:0.1 Thái:0.1 Nùng:0.1"

# --- Groups ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupProfile:
    """Who is in a group: age bands (from, to, weight), share of women, when enrolments start."""

    weight: float
    ages: tuple[tuple[int, int, float], ...]
    female: float
    min_start_age: int = 0
    start_from: dt.date = dt.date(2010, 1, 1)


_NCC_FROM = dt.date(1995, 1, 1)
# Codes of asxh.beneficiaries.reference.GROUPS; weights are shares of people (%): BTXH elderly
# 80+ and disability dominate, people with meritorious service (NCC) are a quarter.
GROUP_PROFILES = {
    "btxh_nct_80": GroupProfile(27, ((80, 84, 40), (85, 89, 32), (90, 94, 20), (95, 104, 8)), 0.62, 80),
    "btxh_khuyet_tat": GroupProfile(
        24, ((0, 5, 4), (6, 15, 10), (16, 29, 14), (30, 59, 32), (60, 79, 25), (80, 95, 15)), 0.48
    ),
    "huu_tri_xa_hoi": GroupProfile(
        7, ((70, 74, 15), (75, 79, 45), (80, 84, 25), (85, 100, 15)), 0.6, 70, dt.date(2025, 7, 1)
    ),
    "btxh_nct_ngheo_khong_nguoi_phung_duong": GroupProfile(
        3, ((60, 69, 30), (70, 79, 35), (80, 99, 35)), 0.6, 60
    ),
    "btxh_nct_75_80_ngheo": GroupProfile(2, ((75, 79, 1),), 0.58, 75),
    "btxh_nct_cham_soc_tai_cong_dong": GroupProfile(0.5, ((60, 79, 40), (80, 100, 60)), 0.6, 60),
    "btxh_tre_em_mo_coi": GroupProfile(3, ((0, 15, 1),), 0.48),
    "btxh_16_22_dang_hoc": GroupProfile(1.5, ((16, 22, 1),), 0.5, 16),
    "btxh_tre_em_hiv": GroupProfile(0.2, ((1, 15, 1),), 0.5),
    "btxh_hiv_ngheo": GroupProfile(0.8, ((18, 29, 20), (30, 49, 60), (50, 65, 20)), 0.35, 18),
    "btxh_don_than_nuoi_con": GroupProfile(2.5, ((18, 29, 35), (30, 44, 50), (45, 55, 15)), 0.9, 18),
    "btxh_tre_em_duoi_3_ngheo": GroupProfile(1.5, ((0, 2, 1),), 0.49),
    "btxh_ho_cham_soc": GroupProfile(2, ((0, 15, 50), (16, 59, 30), (60, 90, 20)), 0.5),
    "ncc_than_nhan_liet_si": GroupProfile(
        12, ((45, 59, 25), (60, 74, 45), (75, 99, 30)), 0.6, 0, _NCC_FROM
    ),
    "ncc_thuong_binh": GroupProfile(
        6.5, ((58, 69, 25), (70, 79, 55), (80, 95, 20)), 0.04, 18, _NCC_FROM
    ),
    "ncc_benh_binh": GroupProfile(2, ((60, 69, 20), (70, 79, 55), (80, 95, 25)), 0.05, 18, _NCC_FROM),
    "ncc_chat_doc_hoa_hoc": GroupProfile(
        4, ((25, 55, 20), (62, 79, 60), (80, 92, 20)), 0.15, 18, _NCC_FROM
    ),
    "ncc_ba_me_vnah": GroupProfile(0.3, ((95, 106, 1),), 1.0, 60, _NCC_FROM),
    "ncc_nguoi_hd_cach_mang": GroupProfile(0.2, ((94, 105, 1),), 0.15, 50, _NCC_FROM),
}  # fmt: skip
# Groups whose rules require a poor (or near-poor) household.
_POOR_ONLY = {"btxh_nct_ngheo_khong_nguoi_phung_duong", "btxh_tre_em_hiv", "btxh_hiv_ngheo"}
_POOR_OR_NEAR = {"btxh_nct_75_80_ngheo", "btxh_don_than_nuoi_con", "btxh_tre_em_duoi_3_ngheo"}
_SECOND_ENROLMENT = 0.04  # "a few" people are in two groups


# --- Identity, phones, banks -------------------------------------------------------------

# 10-digit mobile prefixes by network share (Viettel about half).
_MOBILE = Table(
    [(p, 5.0) for p in ("032", "033", "034", "035", "036", "037", "038", "039")]
    + [(p, 3.0) for p in ("086", "096", "097", "098")]
    + [(p, 2.5) for p in ("081", "082", "083", "084", "085", "088", "091", "094")]
    + [(p, 2.0) for p in ("070", "076", "077", "078", "079", "089", "090", "093")]
    + [(p, 0.8) for p in ("052", "056", "058", "092", "059", "099")]
)
# 11-digit numbers from before the 2018 conversion, still in old records.
_MOBILE_OLD = Table(
    [(p, 4.0) for p in ("0162", "0163", "0164", "0165", "0166", "0167", "0168", "0169")]
    + [(p, 1.5) for p in ("0120", "0121", "0122", "0126", "0128", "0123", "0124", "0125")]
    + [(p, 1.0) for p in ("0127", "0129", "0186", "0188", "0199")]
)


@dataclass(frozen=True)
class Bank:
    bin: str
    kind: str
    length: int
    prefixes: tuple[str, ...]  # account numbers of the bank start with one of these


_PHONE_AS_ACCOUNT = -1  # mobile money: the account is the phone number
BANKS = {
    "agribank": Bank("970405", "bank", 13, ("1", "2", "3", "4", "5", "6", "7", "8")),
    "vbsp": Bank("999888", "bank", 14, ("6", "7")),
    "vietinbank": Bank("970415", "bank", 12, ("10", "100", "108", "109")),
    "bidv": Bank("970418", "bank", 14, ("1", "2", "3", "4", "5", "6", "7", "8")),
    "vietcombank": Bank("970436", "bank", 13, ("0", "00", "007", "049")),
    "mb": Bank("970422", "bank", 13, ("0", "9", "8")),
    "acb": Bank("970416", "bank", 8, ("1", "2", "3", "4")),
    "sacombank": Bank("970403", "bank", 12, ("0", "06")),
    "lpbank": Bank("970449", "bank", 12, ("0", "1")),
    "viettel_money": Bank("971005", "mobile_money", _PHONE_AS_ACCOUNT, ()),
    "vnpt_money": Bank("971011", "mobile_money", _PHONE_AS_ACCOUNT, ()),
}
# Rural communes bank with Agribank and the Bank for Social Policies; towns more widely.
_BANK_MIX_RURAL = Table(
    [("agribank", 36.0), ("vbsp", 20.0), ("vietinbank", 11.0), ("bidv", 9.0),
     ("vietcombank", 7.0), ("viettel_money", 8.0), ("vnpt_money", 3.0), ("mb", 2.0),
     ("lpbank", 2.0), ("sacombank", 1.0), ("acb", 1.0)]
)  # fmt: skip
_BANK_MIX_URBAN = Table(
    [("agribank", 18.0), ("vbsp", 8.0), ("vietinbank", 18.0), ("bidv", 15.0),
     ("vietcombank", 16.0), ("viettel_money", 7.0), ("vnpt_money", 2.0), ("mb", 6.0),
     ("lpbank", 3.0), ("sacombank", 3.0), ("acb", 4.0)]
)  # fmt: skip

_REGISTRATION_SOURCES = Table(
    [("Phiếu đăng ký", 60.0), ("Danh sách rà soát của xã", 25.0), ("Hồ sơ hưởng", 15.0)]
)
_MONTH_FIRSTS_FROM = dt.date(1990, 1, 1)


# --- Output rows -------------------------------------------------------------------------


# Builds a NamedTuple from a tuple without the Python-level __new__: a third of the cost.
_new = tuple.__new__


class EnrolmentRow(NamedTuple):
    group: str
    start_month: dt.date
    end_month: dt.date | None
    decision_number: str
    decision_date: dt.date | None
    disability_level: str
    household_poverty: str
    in_education: bool
    impairment_percent: int | None
    martyr_count: int | None
    hiv_positive: bool
    ended_reason: str


class PayeeRow(NamedTuple):
    kind: str
    full_name: str
    id_number: str
    phone: str
    relationship: str
    valid_from: dt.date
    valid_to: dt.date | None


class RegistrationRow(NamedTuple):
    payee: int  # index into Person.payees
    method: str
    registered_on: dt.date
    source: str
    cash_at_home: bool


class AccountRow(NamedTuple):
    payee: int  # index into Person.payees
    kind: str
    bin: str
    account_number: str
    holder_name: str
    verification: str
    verified_on: dt.date | None
    opened_on: dt.date


@dataclass(slots=True)
class Person:
    index: int  # 0..count-1, the position in the stream
    full_name: str
    birth_date: dt.date
    birth_date_precision: str
    sex: str
    id_number: str
    commune: str
    village: str
    phone: str  # as recorded: may be an old 11-digit number
    ethnicity: str
    status: str
    status_since: dt.date | None
    death_date: dt.date | None
    payment_method: str
    enrolments: list[EnrolmentRow]
    payees: list[PayeeRow]
    registration: RegistrationRow
    account: AccountRow | None


@dataclass(frozen=True)
class Defect:
    index: int
    kind: str  # asxh.synthetic.models.DefectKind values
    detail: dict[str, Any]  # a duplicate names its original by "original_index"


@dataclass
class Batch:
    start: int  # index of people[0]; indices are consecutive
    people: list[Person] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)


@dataclass(frozen=True)
class CommuneSpec:
    code: str
    kind: str  # "Xã", "Phường", "Đặc khu"
    legacy_province: str  # 2-digit legacy code (its birth-registration code is "0" + it)


@dataclass(frozen=True)
class ProvinceSpec:
    code: str
    communes: tuple[CommuneSpec, ...]


# --- Legacy encodings --------------------------------------------------------------------

_VOWELS = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵ"
VIETNAMESE_LETTERS = frozenset(
    _VOWELS + _VOWELS.upper() + "bcdđghklmnpqrstvxfjwzBCDĐGHKLMNPQRSTVXFJWZ"
)


def to_tcvn3(name: str) -> str:
    """A Unicode name as it reads when a TCVN3 file is opened as Unicode: 'Lê' → 'Lª'."""
    return legacy_encode(name, "tcvn3")


def _tcvn3_visible(encoded: str) -> bool:
    """True when the encoded name has a character no Vietnamese name has (so it can be seen)."""
    return any(ch not in VIETNAMESE_LETTERS and ch not in " '-" for ch in encoded)


# --- The generator -----------------------------------------------------------------------

DEFECT_KINDS = (
    "duplicate_person",
    "id_birth_year",
    "id_sex",
    "legacy_encoding",
    "decomposed_unicode",
    "dead_but_active",
)
_DUPLICATE_POOL = 4096  # recent clean people a duplicate may copy


def _age_table(bands: tuple[tuple[int, int, float], ...]) -> Table[int]:
    pairs = [(a, w / (hi - lo + 1)) for lo, hi, w in bands for a in range(lo, hi + 1)]
    return Table(pairs)


def _month_firsts(until: dt.date) -> tuple[list[int], list[dt.date]]:
    months, day = [], _MONTH_FIRSTS_FROM
    while day <= until:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return [m.toordinal() for m in months], months


class _Draw:
    """The random source plus the tables; every method draws in a fixed order."""

    def __init__(self, spec: ProvinceSpec, seed: int, as_of: dt.date) -> None:
        if not spec.communes:
            raise ValueError("Tỉnh không có xã/phường nào để phân bổ đối tượng.")
        self.rng = Random(seed)
        self.u = self.rng.random
        self.as_of = as_of
        self.today = as_of.toordinal()
        self.adult_born_by = as_of.year - 14  # the age an ID card is issued
        self.month_ords, self.months = _month_firsts(as_of)
        self._communes(spec)
        self.groups = Table([(g, p.weight) for g, p in GROUP_PROFILES.items()])
        self.group_ages = {g: _age_table(p.ages) for g, p in GROUP_PROFILES.items()}
        self.female = {g: p.female for g, p in GROUP_PROFILES.items()}
        self.other_births = sorted(ID_PROVINCE_CODES)
        # ID serials: a counter per (province, century/sex, year) through a bijection of
        # 0..999999, so numbers never repeat within a run and differ between seeds.
        self.serial_mul = self._coprime(1_000_000)
        self.serial_add = self.rng.randrange(1_000_000)
        self.serials: dict[str, int] = {}
        self.century = {
            (sex, year): id_number_century_digit(sex, year)
            for sex in "MF"
            for year in range(1900, as_of.year + 1)
        }
        self.cmnd_mul = self._coprime(390_000_000)
        self.cmnd_count = 0

    def _coprime(self, modulus: int) -> int:
        m = self.rng.randrange(100_001, modulus)
        while gcd(m, modulus) != 1:
            m += 1
        return m

    def _communes(self, spec: ProvinceSpec) -> None:
        """Uneven commune sizes (log-normal), each commune's villages, and its people's mix."""
        rng = self.rng
        communes = sorted(spec.communes, key=lambda c: c.code)
        self.commune_specs = {c.code: c for c in communes}
        self.commune_codes = [c.code for c in communes]
        self.own_code = {c.code: "0" + c.legacy_province for c in communes}
        self.commune_table = Table([(c.code, rng.lognormvariate(0, 0.7)) for c in communes])
        self.villages = {c.code: _villages(rng, c) for c in communes}
        self.legacy = sorted({c.legacy_province for c in communes})
        ethnic = {
            code: Table(_pairs(_ETHNICITY.get(code, _ETHNICITY_DEFAULT))) for code in self.legacy
        }
        self.ethnic = {c.code: ethnic[c.legacy_province] for c in communes}
        self.styles = _styles()
        self.kinh = {
            c.code: self.styles["south" if int(c.legacy_province) >= _SOUTH_FROM else "north"]
            for c in communes
        }
        self.banks = {
            c.code: _BANK_MIX_URBAN if c.kind == "Phường" else _BANK_MIX_RURAL for c in communes
        }

    # -- people --

    def name(self, commune: str, ethnicity: str, sex: str, born: int) -> str:
        style = self.kinh[commune] if ethnicity == "Kinh" else self._style(ethnicity)
        u = self.u
        key = (sex, born < 1975)
        t = style.surnames
        surname = t.values[bisect(t.cum, u())]
        t = style.middle[key]
        middle = t.values[bisect(t.cum, u())]
        t = style.given[key]
        given = t.values[bisect(t.cum, u())]
        return f"{surname} {middle} {given}" if middle else f"{surname} {given}"

    def _style(self, ethnicity: str) -> NameStyle:
        if ethnicity in _KINH_LIKE:
            return self.styles[ethnicity]
        return self.styles[_STYLE_OF.get(ethnicity, "south")]

    def birth(self, age: int) -> tuple[dt.date, str]:
        """A birth date `age` years ago; old records often hold only the year or month."""
        u = self.u
        born = dt.date.fromordinal(self.today - int((age + u()) * 365.2425))
        r = u()
        if age >= 60 and r < 0.15:
            return born.replace(month=1, day=1), "year"
        if r < (0.18 if age >= 60 else 0.01):
            return born.replace(day=1), "month"
        return born, "day"

    def id_number(self, commune: str, sex: str, year: int) -> str:
        """Mostly a 12-digit number for the birth province; some legacy CMND, some blank."""
        r = self.u()
        if r < 0.03 or (year > self.adult_born_by and r < 0.10):
            return ""
        if r < 0.08 and year <= self.adult_born_by:
            return self.cmnd()
        return self.id12(self.birth_code(commune), sex, year)

    def birth_code(self, commune: str) -> str:
        """Birth registration mostly in the commune's own former province."""
        r = self.u()
        if r < 0.85:
            return self.own_code[commune]
        if r < 0.93 and len(self.legacy) > 1:
            return "0" + self.legacy[int(self.u() * len(self.legacy))]
        return self.other_births[int(self.u() * len(self.other_births))]

    def id12(self, code: str, sex: str, year: int) -> str:
        prefix = f"{code}{self.century[sex, year]}{year % 100:02d}"
        n = self.serials.get(prefix)
        if n is None:  # first of this prefix: start its counter somewhere of its own
            n = int(prefix) * self.serial_mul
        self.serials[prefix] = n + 1
        return f"{prefix}{(n * self.serial_mul + self.serial_add) % 1_000_000:06d}"

    def cmnd(self) -> str:
        self.cmnd_count += 1
        serial = (self.cmnd_count * self.cmnd_mul + self.serial_add) % 390_000_000
        return f"{10_000_000 + serial:09d}"  # 010000000–399999999

    def phone(self, blank: float) -> str:
        """Mostly a 10-digit mobile; 5% an 11-digit one from before 2018; some none."""
        u = self.u
        r = u()
        if r < blank:
            return ""
        t = _MOBILE_OLD if r < blank + 0.05 else _MOBILE
        return f"{t.values[bisect(t.cum, u())]}{int(u() * 10_000_000):07d}"

    def mobile(self) -> str:
        return self.phone(-0.05)

    def date_between(self, lo: int, hi: int) -> dt.date:
        """A day between two ordinals (inclusive of lo)."""
        return dt.date.fromordinal(lo + int(self.u() * max(hi - lo, 1)))

    def month_between(self, lo: int, hi: int) -> dt.date:
        day = lo + int(self.u() * max(hi - lo, 1))
        return self.months[bisect(self.month_ords, day) - 1]


def _villages(rng: Random, commune: CommuneSpec) -> Table[str]:
    """Hamlets: 'Ấp …' in the south, 'Thôn …' elsewhere, numbered street groups in wards."""
    south = int(commune.legacy_province) >= 70
    count = rng.randint(4, 14)
    if commune.kind == "Phường":
        prefix = "Khu phố" if south else "Tổ dân phố"
        names = [f"{prefix} {i}" for i in range(1, count + 1)]
    elif rng.random() < 0.3:
        names = [f"{'Ấp' if south else 'Thôn'} {i}" for i in range(1, count + 1)]
    else:
        words = _VILLAGE_WORDS_SOUTH if south else _VILLAGE_WORDS_NORTH
        names = [f"{'Ấp' if south else 'Thôn'} {w}" for w in rng.sample(words, count)]
    return Table([(nfc(n), rng.uniform(0.5, 2.0)) for n in names])


_VILLAGES_SOUTH = (
    "Đông_Sơn Tây_Sơn Hòa_Thạnh Mỹ_Thạnh Phú_Hòa Tân_Lập Tân_Hiệp Bình_An Long_Hòa "
    "Vĩnh_Phước Thạnh_Lợi Phú_Lợi An_Thới Mỹ_Lợi Tân_Phú Hòa_Bình Long_Thạnh "
    "Trung_Bình Phước_Thạnh Vĩnh_Hòa Bình_Thành An_Hòa Tân_Thuận Mỹ_Hòa Phú_Thạnh "
    "Sóc_Tràm Kênh_Đào Cây_Gáo Rạch_Giá Giồng_Cát"
)
_VILLAGES_NORTH = (
    "Đông Đoài Thượng Hạ Trung Nam Bắc An_Lạc Phú_Xuân Yên_Thái Đại_Đồng Tân_Lập "
    "Hòa_Bình Thanh_Xuân Lạc_Long Phúc_Lâm Đồng_Tâm Kim_Sơn Vĩnh_Lộc Minh_Khai "
    "Quyết_Tiến Thống_Nhất Cầu_Đá Bến_Trại Làng_Mới Đồng_Chùa Xuân_Hòa Yên_Phú"
)
_VILLAGE_WORDS_SOUTH = [w for w, _ in _words(_VILLAGES_SOUTH)]
_VILLAGE_WORDS_NORTH = [w for w, _ in _words(_VILLAGES_NORTH)]


def _styles() -> dict[str, NameStyle]:
    styles = {name: _other_style(words) for name, words in _STYLE_WORDS.items()}
    styles["north"] = _kinh_style(False)
    styles["south"] = _kinh_style(True)
    styles["Hoa"] = _kinh_style(True, _HOA_SURNAMES)
    for group in ("Tày", "Nùng", "Giáy", "Sán Chay", "Sán Dìu"):
        styles[group] = _kinh_style(False, _TAY_NUNG_SURNAMES)
    styles["Mường"] = _kinh_style(False, _MUONG_SURNAMES)
    return styles


# --- Enrolments, payees, payment ---------------------------------------------------------

# Poverty-list enrolments only come as a second enrolment (the 2022–2025 lists).
_SECOND_PROFILE = GroupProfile(0, ((0, 110, 1),), 0.5, 0, dt.date(2022, 1, 1))
_ALL_PROFILES = {**GROUP_PROFILES, "ho_ngheo": _SECOND_PROFILE, "ho_can_ngheo": _SECOND_PROFILE}
# Impairment (tỷ lệ tổn thương cơ thể) for war invalids: lower bands are the more common.
_IMPAIRMENT_21 = _age_table(((21, 40, 40), (41, 60, 30), (61, 80, 20), (81, 100, 10)))
_IMPAIRMENT_41 = _age_table(((41, 60, 50), (61, 80, 35), (81, 100, 15)))
_REGISTRATION_FROM = dt.date(2024, 1, 1).toordinal()  # the non-cash drive (Chỉ thị 21)
_ENDED = {"stopped": "Thôi hưởng: không còn đủ điều kiện", "deceased": "Đã chết (giấy báo tử)"}

# relationship → (sex or "" for either, shares the beneficiary's surname, age from, age to)
# where the ages are relative to the beneficiary's.
_RELATIVES: dict[str, tuple[str, bool, int, int]] = {
    "Mẹ": ("F", False, 20, 40), "Cha": ("M", True, 22, 45), "Bà": ("F", False, 45, 65),
    "Ông": ("M", True, 45, 65), "Cô": ("F", True, 15, 35), "Dì": ("F", False, 15, 35),
    "Chú": ("M", True, 15, 35), "Anh": ("M", True, 1, 12), "Chị": ("F", True, 1, 12),
    "Em": ("", True, -12, -1), "Vợ": ("F", False, -8, 2), "Chồng": ("M", False, -2, 8),
    "Con": ("", True, -40, -20), "Cháu": ("", True, -60, -40), "Con dâu": ("F", False, -40, -20),
    "Con rể": ("M", False, -40, -20),
}  # fmt: skip
_GUARDIAN_OF_CHILD = Table(
    [("Mẹ", 45.0), ("Cha", 20.0), ("Bà", 15.0), ("Ông", 8.0), ("Cô", 3.0), ("Dì", 2.0),
     ("Chú", 2.0), ("Anh", 3.0), ("Chị", 2.0)]
)  # fmt: skip
_GUARDIAN_OF_ADULT = Table(
    [("Mẹ", 30.0), ("Cha", 12.0), ("Vợ", 12.0), ("Chồng", 8.0), ("Con", 18.0), ("Anh", 7.0),
     ("Chị", 8.0), ("Em", 5.0)]
)  # fmt: skip
_AUTHORISED = Table([("Con", 70.0), ("Cháu", 20.0), ("Con dâu", 6.0), ("Con rể", 4.0)])
_CAREGIVER = "Hộ nhận chăm sóc, nuôi dưỡng"


# group → (days from birth to eligibility, first day of the programme as an ordinal)
_START = {
    g: (int(p.min_start_age * 365.25), p.start_from.toordinal()) for g, p in _ALL_PROFILES.items()
}


def _enrolment(d: _Draw, group: str, birth: dt.date, age: int) -> EnrolmentRow:
    """An open enrolment that starts after the person became eligible."""
    u, today = d.u, d.today
    eligible, opened = _START[group]
    lo = birth.toordinal() + eligible
    lo = opened if lo < opened else today - 1 if lo >= today else lo
    i = bisect(d.month_ords, lo + int(u() * (today - lo))) - 1
    serial = 1 + int(u() * 2999)
    decided = dt.date.fromordinal(d.month_ords[i] - 5 - serial % 40)  # 5–44 days before
    number = f"{serial}/QĐ-UBND"
    disability, poverty, studying, impairment, martyrs, hiv = _attributes(d, group, age)
    row = (group, d.months[i], None, number, decided, disability, poverty, studying, impairment,
           martyrs, hiv, "")  # fmt: skip
    return _new(EnrolmentRow, row)


def _attributes(
    d: _Draw, group: str, age: int
) -> tuple[str, str, bool, int | None, int | None, bool]:
    """disability_level, household_poverty, in_education, impairment, martyrs, hiv_positive."""
    u = d.u
    disability = ""
    if group == "btxh_khuyet_tat":
        disability = "very_severe" if u() < 0.35 else "severe"
    elif group == "btxh_ho_cham_soc" and age >= 16:
        disability = "very_severe"
    r = u()
    if group in _POOR_ONLY or group == "ho_ngheo":
        poverty = "poor"
    elif group == "ho_can_ngheo":
        poverty = "near_poor"
    elif group in _POOR_OR_NEAR or (group == "huu_tri_xa_hoi" and age < 75):
        poverty = "poor" if r < 0.6 else "near_poor"
    else:
        poverty = "poor" if r < 0.06 else "near_poor" if r < 0.12 else ""
    impairment = None
    if group in ("ncc_thuong_binh", "ncc_chat_doc_hoa_hoc"):
        impairment = _IMPAIRMENT_21.pick(u())
    elif group == "ncc_benh_binh":
        impairment = _IMPAIRMENT_41.pick(u())
    martyrs = None
    if group == "ncc_than_nhan_liet_si":
        r = u()
        martyrs = 1 if r < 0.95 else 2 if r < 0.99 else 3
    studying = group == "btxh_16_22_dang_hoc" or (16 <= age <= 22 and u() < 0.5)
    hiv = group in ("btxh_tre_em_hiv", "btxh_hiv_ngheo")
    return disability, poverty, studying, impairment, martyrs, hiv


def _second_group(first: EnrolmentRow, age: int) -> str:
    """A second enrolment that fits the first: the poverty list, or another programme."""
    if first.household_poverty == "poor":
        return "ho_ngheo"
    if first.household_poverty == "near_poor":
        return "ho_can_ngheo"
    if age >= 45 and first.group != "ncc_than_nhan_liet_si":
        return "ncc_than_nhan_liet_si"
    return "btxh_khuyet_tat" if first.group != "btxh_khuyet_tat" else ""


def _status(
    d: _Draw, enrolments: list[EnrolmentRow]
) -> tuple[str, dt.date | None, dt.date | None, list[EnrolmentRow]]:
    """status, since, death date, and the enrolments (ended for the stopped and the dead)."""
    r = d.u()
    first = enrolments[0].start_month
    if r < 0.96:
        return "active", first, None, enrolments
    latest = max(e.start_month for e in enrolments).toordinal()
    since = d.date_between(latest, d.today)
    if r < 0.97:
        return "suspended", since, None, enrolments
    status = "stopped" if r < 0.98 else "deceased"
    end = since.replace(day=1)
    ended = [e._replace(end_month=end, ended_reason=_ENDED[status]) for e in enrolments]
    return status, since, since if status == "deceased" else None, ended


@dataclass(slots=True)
class _Who:
    """What the payee and payment draws need to know about the person."""

    name: str
    sex: str
    age: int
    commune: str
    ethnicity: str
    id_number: str
    phone: str
    start: dt.date
    group: str
    disability: str


def _relative(
    d: _Draw, who: _Who, relationship: str, valid_from: dt.date, age: int | None = None
) -> PayeeRow:
    """A relative (or, given an age, a caregiver) with a name and ID that fit them."""
    sex, same_surname, lo, hi = _RELATIVES.get(relationship, ("", False, 0, 0))
    sex = sex or ("F" if d.u() < 0.6 else "M")
    if age is None:
        age = min(max(who.age + lo + int(d.u() * (hi - lo + 1)), 18), 95)
    born = d.as_of.year - age
    name = d.name(who.commune, who.ethnicity, sex, born)
    if same_surname and (relationship not in ("Con", "Cháu") or who.sex == "M"):
        name = f"{who.name.split(' ', 1)[0]} {name.split(' ', 1)[-1]}"
    number = "" if d.u() < 0.05 else d.id12(d.birth_code(who.commune), sex, born)
    return PayeeRow("guardian", name, number, d.phone(0.1), relationship, valid_from, None)


def _payees(d: _Draw, who: _Who) -> list[PayeeRow]:
    """Mostly the person; a guardian for children and some very severely disabled people,
    an authorised relative (for a year) for some of the oldest, a household for those cared for.
    An authorisation overlays the person's own record, which stays in force."""
    u = d.u
    if who.group == "btxh_ho_cham_soc":
        carer = _relative(d, who, _CAREGIVER, who.start, age=30 + int(u() * 36))
        return [carer._replace(kind="caregiver")]
    if who.age < 16:
        return [_relative(d, who, _GUARDIAN_OF_CHILD.pick(u()), who.start)]
    if who.disability == "very_severe" and u() < 0.3:
        relationship = _GUARDIAN_OF_ADULT.pick(u())
        if who.age + _RELATIVES[relationship][2] > 90:
            relationship = "Con"
        return [_relative(d, who, relationship, who.start)]
    me = _new(PayeeRow, ("self", who.name, who.id_number, who.phone, "", who.start, None))
    if who.age >= 80 and u() < 0.10:
        since = d.date_between(d.today - 330, d.today)
        authorised = _relative(d, who, _AUTHORISED.pick(u()), since)
        until = since + dt.timedelta(days=365)
        return [me, authorised._replace(kind="authorised", valid_to=until)]
    return [me]


def _payment(
    d: _Draw, who: _Who, payees: list[PayeeRow]
) -> tuple[RegistrationRow, AccountRow | None]:
    """Cash / account / no account about 45/45/10 (the oldest prefer cash, the young accounts);
    cash at home for some of the frail."""
    u = d.u
    cash = 0.52 if who.age >= 80 else 0.35 if who.age < 23 else 0.45
    r = u()
    method = "cash" if r < cash else "no_account" if r < cash + 0.10 else "account"
    lo = max(_REGISTRATION_FROM, who.start.toordinal())
    registered_on = dt.date.fromordinal(lo + int(u() * max(d.today - lo, 1)))
    frail = who.age >= 85 or who.disability == "very_severe"
    at_home = method == "cash" and frail and u() < 0.5
    t = _REGISTRATION_SOURCES
    source = t.values[bisect(t.cum, u())]
    registration = _new(RegistrationRow, (len(payees) - 1, method, registered_on, source, at_home))
    if method != "account":
        return registration, None
    # An authorised person collects; the account stays the beneficiary's own.
    holder = 0 if payees[-1].kind == "authorised" else len(payees) - 1
    return registration, _account(d, who.commune, holder, payees[holder], registered_on)


@lru_cache(maxsize=65_536)
def _fold_upper(name: str) -> str:
    return fold_upper(name)  # names repeat a lot: cached


def _account(d: _Draw, commune: str, holder: int, payee: PayeeRow, opened: dt.date) -> AccountRow:
    u = d.u
    t = d.banks[commune]
    bank = BANKS[t.values[bisect(t.cum, u())]]
    if bank.length == _PHONE_AS_ACCOUNT:
        number = payee.phone if len(payee.phone) == 10 else d.mobile()
    else:
        prefix = bank.prefixes[int(u() * len(bank.prefixes))]
        digits = bank.length - len(prefix)
        number = prefix + str(int(u() * 10**digits)).zfill(digits)
    # The bank's record: upper case, often without diacritics (as NAPAS returns it).
    holder_name = payee.full_name.upper() if u() < 0.7 else _fold_upper(payee.full_name)
    if u() < 0.3:
        verified_on = d.date_between(opened.toordinal() + 10, d.today + 1)
        verification = "verified" if verified_on <= d.as_of else "unverified"
        verified = verified_on if verification == "verified" else None
    else:
        verification, verified = "unverified", None
    row = (holder, bank.kind, bank.bin, number, holder_name, verification, verified, opened)
    return _new(AccountRow, row)


def _person(d: _Draw, index: int) -> Person:
    u = d.u
    groups = d.groups
    group = groups.values[bisect(groups.cum, u())]
    ages = d.group_ages[group]
    age = ages.values[bisect(ages.cum, u())]
    sex = "F" if u() < d.female[group] else "M"
    communes = d.commune_table
    commune = communes.values[bisect(communes.cum, u())]
    ethnic = d.ethnic[commune]
    ethnicity = ethnic.values[bisect(ethnic.cum, u())]
    birth, precision = d.birth(age)
    name = d.name(commune, ethnicity, sex, birth.year)
    id_number = d.id_number(commune, sex, birth.year)
    phone = d.phone(0.7 if age < 16 else 0.4 if age >= 85 else 0.12)
    enrolments = [_enrolment(d, group, birth, age)]
    if u() < _SECOND_ENROLMENT and (second := _second_group(enrolments[0], age)):
        enrolments.append(_enrolment(d, second, birth, age))
    status, since, death, enrolments = _status(d, enrolments)
    who = _Who(
        name, sex, age, commune, ethnicity, id_number, phone, enrolments[0].start_month, group,
        enrolments[0].disability_level,
    )  # fmt: skip
    payees = _payees(d, who)
    registration, account = _payment(d, who, payees)
    return Person(
        index, name, birth, precision, sex, id_number, commune, d.villages[commune].pick(u()),
        phone, ethnicity, status, since, death, registration.method, enrolments, payees,
        registration, account,
    )  # fmt: skip


# --- Defects -----------------------------------------------------------------------------


# The person's own payee record copies their name and ID, errors included.
def _set_name(person: Person, name: str) -> None:
    person.full_name = name
    person.payees = [p._replace(full_name=name) if p.kind == "self" else p for p in person.payees]


def _set_id_number(person: Person, number: str) -> None:
    person.id_number = number
    person.payees = [p._replace(id_number=number) if p.kind == "self" else p for p in person.payees]


def _twelve_digits(d: _Draw, person: Person) -> str:
    if len(person.id_number) != 12:
        year = person.birth_date.year
        _set_id_number(person, d.id12(d.birth_code(person.commune), person.sex, year))
    return person.id_number


def _plant(d: _Draw, person: Person, kind: str) -> Defect | None:
    """Make one error in the person's record; None when it cannot apply to this person."""
    index, name = person.index, person.full_name
    if kind == "id_birth_year":
        number = _twelve_digits(d, person)
        shift = (1 + int(d.u() * 9)) * (1 if d.u() < 0.5 else -1)
        digits = f"{(int(number[4:6]) + shift) % 100:02d}"
        _set_id_number(person, number[:4] + digits + number[6:])
        detail = {"field": "id_number", "year_digits": digits, "birth_year": person.birth_date.year}
        return Defect(index, kind, detail)
    if kind == "id_sex":
        number = _twelve_digits(d, person)
        digit = str(int(number[3]) ^ 1)
        _set_id_number(person, number[:3] + digit + number[4:])
        return Defect(index, kind, {"field": "id_number", "sex_digit": digit, "sex": person.sex})
    if kind == "legacy_encoding":
        encoded = to_tcvn3(name)
        if not _tcvn3_visible(encoded):
            return None
        _set_name(person, encoded)
        return Defect(index, kind, {"field": "full_name", "unicode": name})
    if kind == "decomposed_unicode":
        decomposed = unicodedata.normalize("NFD", name)
        if decomposed == name:
            return None
        _set_name(person, decomposed)
        return Defect(index, kind, {"field": "full_name"})
    if kind == "dead_but_active" and person.status == "active":
        died = d.date_between(person.enrolments[0].start_month.toordinal(), d.today - 30)
        person.death_date = died
        return Defect(index, kind, {"death_date": died.isoformat()})
    return None


def _duplicate(d: _Draw, index: int, pool: list[Person]) -> tuple[Person, Defect] | None:
    """A copy of a recent person (same name, birth date, ID) registered in another commune."""
    codes = d.commune_codes
    if not pool or len(codes) < 2:
        return None
    original = pool[int(d.u() * len(pool))]
    other = int(d.u() * (len(codes) - 1))
    if other >= codes.index(original.commune):
        other += 1
    commune = codes[other]
    copy = replace(
        original,
        index=index,
        commune=commune,
        village=d.villages[commune].pick(d.u()),
        enrolments=list(original.enrolments),
        payees=list(original.payees),
    )
    return copy, Defect(index, "duplicate_person", {"original_index": original.index})


def _defective(d: _Draw, index: int, pool: list[Person]) -> tuple[Person, Defect | None]:
    """A person with a planted error: kinds are tried in turn from a random one, as a kind
    may not apply (no earlier person to duplicate, a name without diacritics…)."""
    first = int(d.u() * len(DEFECT_KINDS))
    person = None
    for k in range(len(DEFECT_KINDS)):
        kind = DEFECT_KINDS[(first + k) % len(DEFECT_KINDS)]
        if kind == "duplicate_person":
            if duplicated := _duplicate(d, index, pool):
                return duplicated
            continue
        person = person or _person(d, index)
        if defect := _plant(d, person, kind):
            return person, defect
    assert person is not None
    return person, None


def generate(
    spec: ProvinceSpec,
    *,
    count: int,
    seed: int,
    defect_rate: float = 0.0,
    batch_size: int = 50_000,
    as_of: dt.date = AS_OF,
) -> Iterator[Batch]:
    """`count` people of the province in batches; the stream does not depend on batch_size."""
    if not 0.0 <= defect_rate <= 1.0:
        raise ValueError("Tỷ lệ lỗi phải từ 0 đến 1.")
    d = _Draw(spec, seed, as_of)
    pool: list[Person] = []
    for start in range(0, count, batch_size):
        yield _batch(d, start, min(start + batch_size, count), defect_rate, pool)


def _batch(d: _Draw, start: int, stop: int, defect_rate: float, pool: list[Person]) -> Batch:
    """People start..stop-1. The cyclic garbage collector is paused meanwhile: the rows hold
    no cycles, and rescanning hundreds of thousands of new objects would halve the speed."""
    batch = Batch(start=start)
    people, u = batch.people, d.u
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index in range(start, stop):
            if defect_rate and u() < defect_rate:
                person, defect = _defective(d, index, pool)
                if defect:
                    batch.defects.append(defect)
            else:  # only clean people go into the pool that duplicates copy
                person = _person(d, index)
                if len(pool) < _DUPLICATE_POOL:
                    pool.append(person)
                else:
                    pool[index % _DUPLICATE_POOL] = person
            people.append(person)
    finally:
        if collecting:
            gc.enable()
    return batch
