"""Legacy TCVN3 / VNI repair, NFC and tone-mark placement of names (pure, no database)."""

import time
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from asxh.core.text import fold
from asxh.core.vietnamese import (
    TCVN3,
    VNI,
    legacy_decode,
    legacy_encode,
    legacy_encoding_detect,
    legacy_font_encoding,
    name_clean,
    tone_marks_normalise,
)

# Syllables of Vietnamese names (both tone placements of hòa/thủy occur in real data).
SYLLABLE_TEXT = """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Trương Đinh
Hà Lâm Phùng Mai Trịnh Lương Cao Tô Lưu Châu Thái Tạ Quách Vương Chu Triệu Kiều Từ La Tăng
Lại Giang Tống Đàm Văn Khúc Âu Mạc Thân Khổng Diệp Nghiêm Ninh Lục Tôn Thị Minh Hữu Đức Quốc
Thanh Công Xuân Ngọc Đình Quang Trọng Tấn Thành Kim Bá Duy Chí Thế Thu Hồng Mỹ Bích Phương
Thúy Tuyết Lệ Gia Anh Tuấn Bảo Nhật Trung Đăng Khánh Phúc Hoài Thảo Như Quỳnh Diệu Tường Yến
Thùy Hùng Dũng Hải Long Nam Sơn Thắng Bình Cường Hòa Hoà Tài Vinh Hưng Lộc Phong Tâm Tiến
Toàn Tú Đông Nghĩa Hiếu Đạt Lợi Sang Tùng Chiến Thạnh Thuận Kiệt Mạnh Sinh Thọ Trí Nhân Khải
Quý Út Ba Tư Năm Sáu Bảy Tám Chín Mười Kha Chánh Phước Lan Hoa Hương Cúc Hạnh Hằng Hiền Huệ
Liên Loan Nga Nhung Oanh Phượng Sen Thủy Thuỷ Trang Vân Dung Gấm Linh Nguyệt Nhàn Quyên Thoa
Tươi Lài Lựu Đẹp Hai Lụa Nở Mận Bông Ngân Phấn Sương Huy Khang Khôi Phát Khoa Quân Thịnh Tín
Hào An Luân Việt Nguyên Kiên Thiện Chi Hân Vy Nhi My Thư Trâm Uyên Tiên Diễm Huyền Duyên
Trinh Ánh Ẩn Ý Ông Ưng Khuyến Khuê Quyết Ngoạn Khoái Thuở Giữa Giáp Quế Xoan Loát Huých
Khuỷu Ngoãn Hoạch Uyển Oánh Ước Yên Ngoan Nghi Ghi Kỳ Khuya Quyền Giềng Hoạt Tuệ
"""
SYLLABLES = SYLLABLE_TEXT.split()

FOREIGN_LATIN1 = [
    "José", "María", "Müller", "Noël", "Zoë", "Chloé", "André", "Hélène", "Renée", "François",
    "Jürgen", "Søren", "Björk", "Ångström", "Çelik", "Gómez", "Núñez", "Peña", "Ibáñez",
    "Émile", "Raphaël", "Thérèse", "Inês", "João", "Conceição", "Sébastien", "Jérôme", "Åsa",
    "Øystein", "Íñigo", "Ramón", "Lucía", "Loïc", "Gaëlle", "Anaïs", "Benoît", "Léa", "Théo",
    "José María Gómez", "Loïc Dupont", "Renée Müller", "Zoé Lê", "Agnès Hervé", "Ñoño Piñón",
]  # fmt: skip

TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def untoned(text: str) -> str:
    """The text without tone marks (letters, ă â ê ô ơ ư đ and case kept)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES))


names = st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=4).map(" ".join)
encodings = st.sampled_from(["tcvn3", "vni"])
TCVN3_ONLY = set(TCVN3.values()) - {ch for code in VNI.values() for ch in code}
TCVN3_LOWER_ONLY = set(TCVN3.values()) - set(legacy_encode("ăâêôơưđĂÂÊÔƠƯĐ", "tcvn3"))
VNI_ONLY = {ch for code in VNI.values() for ch in code if not ch.isascii()} - set(TCVN3.values())


# --- Real examples -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "clean", "encoding"),
    [
        ("NguyÔn V¨n An", "Nguyễn Văn An", "tcvn3"),
        ("Lª ThÞ Hoa", "Lê Thị Hoa", "tcvn3"),
        ("TrÇn §øc", "Trần Đức", "tcvn3"),
        ("Hå ThÞ Thñy", "Hồ Thị Thủy", "tcvn3"),
        ("§\xadêng V¨n Hïng", "Đường Văn Hùng", "tcvn3"),
        ("Lª ThÞ ¸nh", "Lê Thị Ánh", "tcvn3"),  # Á has no TCVN3 code: typed as á
        ("TRÇN V¡N AN", "TRẦN VĂN AN", "tcvn3"),  # typed in capitals
        ("  NguyÔn   V¨n  An ", "Nguyễn Văn An", "tcvn3"),
        ("Nguyeãn Thò Hoa", "Nguyễn Thị Hoa", "vni"),
        ("Ñaøo Vaên Tuaán", "Đào Văn Tuấn", "vni"),
        ("Tröông Thò Hoaøng Yeán", "Trương Thị Hoàng Yến", "vni"),
        ("Döông Ngoïc Ñöùc", "Dương Ngọc Đức", "vni"),
        ("NGUYEÃN THÒ AÙNH", "NGUYỄN THỊ ÁNH", "vni"),
        ("Nguye\u0302\u0303n Thi\u0323 Hoa", "Nguyễn Thị Hoa", "nfd"),
        ("Lê Thị Hoà", "Lê Thị Hòa", None),  # only the tone moved
        ("  Phạm   Văn  Thuỷ  ", "Phạm Văn Thủy", None),
        ("Nguyễn Văn An", "Nguyễn Văn An", None),
        ("Ksor H'Hen", "Ksor H'Hen", None),
    ],
)
def test_real_cells_are_repaired_and_say_what_was_converted(cell, clean, encoding):
    assert name_clean(cell) == (clean, encoding)


def test_the_font_decides_when_the_cell_font_is_known():
    assert legacy_encoding_detect("Lª", ".VnTime") == "tcvn3"  # one word: content would not
    assert legacy_encoding_detect("Lª") is None
    assert name_clean("nguyÔn v¨n ¸nh", ".VnTimeH") == ("NGUYỄN VĂN ÁNH", "tcvn3")
    assert name_clean("Hoaøng", "VNI-Times") == ("Hoàng", "vni")
    # Unicode left in a cell with an old font: characters the font's encoding has not
    assert name_clean("Nguyễn Văn Đức", ".VnTime") == ("Nguyễn Văn Đức", None)
    assert legacy_encoding_detect("Lê Tú", "VNI-Times") is None  # VNI would change nothing
    assert legacy_encoding_detect("Hoa Lan", ".VnArial") is None


@pytest.mark.parametrize(
    ("font", "encoding"),
    [
        (".VnTime", "tcvn3"), (".VnTimeH", "tcvn3"), (".VnArial", "tcvn3"),
        (".VnArial NarrowH", "tcvn3"), (".vntime", "tcvn3"), ("VNI-Times", "vni"),
        ("VNI-Helve", "vni"), ("vni-aptima", "vni"), ("Times New Roman", None),
        ("Arial", None), ("", None), ("VnTime", None),
    ],
)  # fmt: skip
def test_font_names_imply_the_encoding(font, encoding):
    assert legacy_font_encoding(font) == encoding


def test_both_encodings_fitting_is_left_alone():
    # TCVN3 'Thuỷ' and VNI 'Thủ' read the same: better an odd name than a wrong one
    assert legacy_encoding_detect("Chu Thanh Thuû") is None
    assert legacy_encoding_detect("Löu Thò Hoa") is None  # VNI Lưu Thị, TCVN3 Lửu Thũ


# --- Tables ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unicode", "tcvn3", "vni"),
    [
        ("Nguyễn", "NguyÔn", "Nguyeãn"),
        ("Hà Nội", "Hµ Néi", "Haø Noäi"),
        ("Đỗ Văn", "§ç V¨n", "Ñoã Vaên"),
        ("Trần Thị Thủy", "TrÇn ThÞ Thñy", "Traàn Thò Thuûy"),
        ("Đường", "§\xadêng", "Ñöôøng"),
        ("ắ ẳ ẵ ặ ằ", "¾ ¼ ½ Æ »", "aé aú aü aë aè"),
        ("ỉ ĩ ị ỵ ơ ư đ", "Ø Ü Þ þ ¬ \xad ®", "æ ó ò î ô ö ñ"),
        ("Á Ấ Ắ Ị Ỵ Ơ Ư Đ", "¸ Ê ¾ Þ þ ¥ ¦ §", "AÙ AÁ AÉ Ò Î Ô Ö Ñ"),
    ],
)
def test_tables_match_the_published_charts(unicode, tcvn3, vni):
    assert legacy_encode(unicode, "tcvn3") == tcvn3
    assert legacy_encode(unicode, "vni") == vni


VIETNAMESE_LOWER = sorted(
    {unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in ["", *TONES]} | {"đ"}
)


LETTERS = set(VIETNAMESE_LOWER) | {letter.upper() for letter in VIETNAMESE_LOWER}


def test_every_letter_goes_through_both_tables_and_back():
    assert len(VIETNAMESE_LOWER) == 73  # 12 vowels x 6 tones + đ
    for letter in VIETNAMESE_LOWER:
        for capital in (letter, letter.upper()):
            assert legacy_decode(legacy_encode(capital, "vni"), "vni") == capital
        assert legacy_decode(legacy_encode(letter, "tcvn3"), "tcvn3") == letter
        encoded_capital = legacy_encode(letter.upper(), "tcvn3", capitals=True)
        assert legacy_decode(encoded_capital, "tcvn3", capitals=True) == letter.upper()
    assert all(0xA1 <= ord(code) <= 0xFE for code in TCVN3.values())  # VN3 range, no controls
    assert len(set(TCVN3.values())) == 67 + 7  # lower-case letters and 7 capitals


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="Bảng mã"):
        legacy_decode("abc", "viscii")
    with pytest.raises(ValueError, match="Bảng mã"):
        legacy_encode("abc", "viscii")


# --- Round trips ------------------------------------------------------------------------------


@given(names, encodings)
@example("Nguyễn Văn An", "tcvn3")
@example("Lê Thị Ánh", "tcvn3")
@example("Trương Thị Hoàng Yến", "vni")
def test_round_trip_never_gives_a_wrong_name(name, encoding):
    encoded = legacy_encode(name, encoding)
    detected = legacy_encoding_detect(encoded)
    assert detected in (encoding, None)
    telltale = (TCVN3_ONLY if encoding == "tcvn3" else VNI_ONLY) - LETTERS
    if set(encoded) & telltale:  # no Vietnamese letter, and only this encoding writes it
        assert detected == encoding
    if detected:
        # TCVN3 shows capitals only where a word starts with a letter it has a capital for
        starts_known = any(word[0] not in TCVN3_LOWER_ONLY for word in encoded.split())
        expected = name if encoding == "vni" or starts_known else name.lower()  # 'ót ¸nh'
        assert legacy_decode(encoded, encoding) == expected
        assert name_clean(encoded) == (tone_marks_normalise(expected), encoding)


@given(names)
def test_round_trip_in_a_capitals_font(name):
    encoded = legacy_encode(name.upper(), "tcvn3", capitals=True)
    assert name_clean(encoded, ".VnTimeH") == (tone_marks_normalise(name.upper()), "tcvn3")


def test_most_encoded_names_are_detected_without_a_font():
    corpus = [f"{a} {b} {c}" for a in SYLLABLES[:40] for b in SYLLABLES[60:70] for c in SYLLABLES]
    for encoding, share in (("tcvn3", 0.97), ("vni", 0.95)):
        encoded = [legacy_encode(n, encoding) for n in corpus]
        changed = [e for e, n in zip(encoded, corpus, strict=True) if e != n]
        found = sum(legacy_encoding_detect(e) == encoding for e in changed)
        assert found / len(changed) >= share, (encoding, found, len(changed))


# --- Never on correct text ----------------------------------------------------------------------


@given(names, st.sampled_from([str, str.upper, str.lower]))
def test_detection_never_fires_on_correct_unicode(name, case):
    text = case(name)
    assert legacy_encoding_detect(text) is None
    assert name_clean(text)[1] is None
    assert name_clean(text)[0] == tone_marks_normalise(text)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_detection_never_fires_on_ascii(text):
    assert legacy_encoding_detect(text) is None
    assert name_clean(text) == (" ".join(text.split()), None)


@pytest.mark.parametrize("name", FOREIGN_LATIN1)
def test_detection_never_fires_on_latin1_foreign_names(name):
    assert legacy_encoding_detect(name) is None
    assert name_clean(name)[1] is None
    assert untoned(name_clean(name)[0]) == untoned(name)


vietnamese_text = st.text(  # letters in any order: syllables, near-syllables and nonsense
    alphabet=st.sampled_from(sorted(LETTERS | set("bcdghklmnpqrstvxBCDGHKLMNQT '-"))),
    max_size=30,
)


# --- Tone marks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "placed"),
    [
        ("hoà", "hòa"), ("khoẻ", "khỏe"), ("thuỷ", "thủy"), ("hoá", "hóa"), ("tuỳ", "tùy"),
        ("Thuý", "Thúy"), ("HOÀ", "HÒA"), ("Nguyễn Thị Thuỷ", "Nguyễn Thị Thủy"),
        ("hòa", "hòa"), ("hoàng", "hoàng"), ("Quỳnh", "Quỳnh"), ("quý", "quý"),
        ("qủa", "quả"), ("gìa", "già"), ("ngừơi", "người"), ("ngòai", "ngoài"),
        ("khủyu", "khuỷu"), ("tuấn", "tuấn"), ("mùa", "mùa"), ("Đoàn", "Đoàn"),
        ("Hoà-Bình (1950)", "Hòa-Bình (1950)"), ("Néang", "Néang"), ("Mohamad", "Mohamad"),
        ("hoa\u0300", "hòa"),
    ],
)  # fmt: skip
def test_tone_marks_sit_on_one_place(typed, placed):
    assert tone_marks_normalise(typed) == placed


@given(st.one_of(st.text(), vietnamese_text))
@example("Hoà Thuỷ khoẻ  ngoài")
@example("HOÀNG thuý  qủa gìa")
def test_tone_placement_is_idempotent_and_only_moves_tone_marks(text):
    placed = tone_marks_normalise(text)
    assert tone_marks_normalise(placed) == placed
    assert unicodedata.is_normalized("NFC", placed)
    assert untoned(placed) == untoned(text)
    assert fold(placed) == fold(text)


@given(
    names.map(lambda n: unicodedata.normalize("NFD", n)).filter(
        lambda n: not unicodedata.is_normalized("NFC", n)
    )
)
def test_decomposed_names_come_back_composed_and_say_so(decomposed):
    clean, converted = name_clean(decomposed)
    assert converted == "nfd"
    assert unicodedata.is_normalized("NFC", clean)
    assert clean == tone_marks_normalise(decomposed)


@given(st.one_of(st.text(), vietnamese_text, names.map(lambda n: legacy_encode(n, "vni"))))
@example("NguyÔn V¨n An")
@example("Nguyeãn Thò Hoa")
def test_name_clean_is_idempotent_and_gives_single_spaced_nfc(text):
    clean, _ = name_clean(text)
    assert name_clean(clean) == (clean, None)
    assert clean == " ".join(clean.split())
    assert unicodedata.is_normalized("NFC", clean)


# --- Speed --------------------------------------------------------------------------------------


def test_name_clean_keeps_up_with_a_100k_row_import():
    # 100k distinct-looking cells (a new syllable combination each) of correct Unicode
    cells = [f"{a} {b} {c}" for a in SYLLABLES for b in SYLLABLES[:60] for c in SYLLABLES[:9]]
    cells = cells[:100_000]
    started = time.perf_counter()
    for cell in cells:
        name_clean(cell)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{len(cells) / elapsed:,.0f} names/s"
