"""The pure SMS rules: GSM-7 counting, accent-free Vietnamese, rendering templates."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asxh.notifications.logic import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    LIMITS,
    LONG_SAMPLE,
    TemplateProblem,
    accent_free,
    amount_text,
    gsm7_fits,
    gsm7_septets,
    last4,
    phone_masked,
    phone_normal,
    sms_render,
    sms_size,
    template_preview,
    template_problems,
)

VIETNAMESE_LETTERS = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)
VIETNAMESE = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " 0123456789.,:;!?-()/'\"–…“”"


def test_septets_count_the_extension_table_twice():
    assert gsm7_septets("abc") == 3
    assert gsm7_septets("€") == 2
    assert gsm7_septets("[x]") == 5
    assert gsm7_septets("Nguyễn") is None
    assert gsm7_septets("") == 0


def test_one_sms_holds_160_septets():
    assert gsm7_fits("a" * 160)
    assert not gsm7_fits("a" * 161)
    assert not gsm7_fits("a" * 159 + "€")  # 161 septets
    assert gsm7_fits("a" * 158 + "€")
    assert not gsm7_fits("Trợ cấp")


def test_sizes_and_parts_as_a_phone_counts_them():
    assert sms_size("a" * 160).parts == 1
    assert sms_size("a" * 161).parts == 2
    assert sms_size("a" * 306).parts == 2
    assert sms_size("a" * 307).parts == 3
    # An escape pair is not split: 152 + '€' does not fit the first 153-septet part.
    assert sms_size("a" * 152 + "€" + "a" * 10).parts == 2
    assert sms_size("a" * 152 + "€" + "a" * 152).parts == 3
    vi = sms_size("đ" * 70)
    assert (vi.encoding, vi.units, vi.parts) == ("ucs2", 70, 1)
    assert sms_size("đ" * 71).parts == 2
    assert sms_size("đ" * 134).parts == 2
    assert sms_size("đ" * 135).parts == 3
    assert sms_size("😀").units == 2


def test_accent_free_vietnamese():
    assert accent_free("Nguyễn Thị Đào") == "Nguyen Thi Dao"
    assert accent_free("ĐẶNG VĂN ỨNG") == "DANG VAN UNG"
    assert accent_free("Tiền trợ cấp – “tháng 11”…") == 'Tien tro cap - "thang 11"...'
    nfd = unicodedata.normalize("NFD", "Hoà Thuỷ Đông")
    assert accent_free(nfd) == accent_free("Hoà Thuỷ Đông") == "Hoa Thuy Dong"


@given(st.text(alphabet=VIETNAMESE, max_size=200))
def test_accent_free_vietnamese_is_always_gsm7_ascii(text):
    for form in ("NFC", "NFD"):
        out = accent_free(unicodedata.normalize(form, text))
        assert out.isascii()
        assert gsm7_septets(out) is not None
        assert out == accent_free(text)


@given(st.text(alphabet=VIETNAMESE, max_size=200))
def test_accent_free_keeps_the_length_of_letters(text):
    plain = text.replace("…", "")
    assert len(accent_free(unicodedata.normalize("NFC", plain))) == len(
        unicodedata.normalize("NFC", plain)
    )


GSM_CHARS = sorted(GSM7_BASIC | GSM7_EXTENSION)


@given(st.text(alphabet=GSM_CHARS, max_size=400))
def test_septets_are_characters_plus_one_per_extension(text):
    septets = gsm7_septets(text)
    assert septets == len(text) + sum(ch in GSM7_EXTENSION for ch in text)
    assert gsm7_fits(text) == (septets <= 160)
    size = sms_size(text)
    assert size.encoding == "gsm7" and size.units == septets
    if septets <= 160:
        assert size.parts == 1
    else:
        assert size.parts >= -(-septets // 153)


@given(st.text(max_size=50))
def test_a_character_outside_gsm7_makes_the_text_ucs2(text):
    outside = "ệ"
    assert gsm7_septets(text + outside) is None
    assert sms_size(text + outside).encoding == "ucs2"


def test_amounts_and_render():
    assert amount_text(1_500_000, ascii_only=True) == "1.500.000d"
    assert amount_text(1_500_000, ascii_only=False) == "1.500.000đ"
    values = {
        "ten": "Nguyễn Thị Hoà",
        "so_tien": 1_500_000,
        "thang": dt.date(2026, 11, 1),
        "so_tk_cuoi": "7100205123456",
    }
    text, is_gsm7, parts = sms_render(
        "{ten}: {so_tien} thang {thang}, TK cuoi {so_tk_cuoi}", values, ascii_only=True
    )
    assert text == "Nguyen Thi Hoa: 1.500.000d thang 11/2026, TK cuoi 3456"
    assert is_gsm7 and parts == 1
    text, is_gsm7, _ = sms_render("{ten} nhận {so_tien}", values)
    assert text == "Nguyễn Thị Hoà nhận 1.500.000đ" and not is_gsm7


def test_never_more_than_the_last_four_digits_of_an_account():
    text = sms_render("{so_tk_cuoi}", {"so_tk_cuoi": "7100 2051 2345 6"}).text
    assert text == "3456"
    assert last4("7100-205-123456") == "3456"


def test_long_values_are_cut_at_a_word():
    text = sms_render("{to_chuc}", {"to_chuc": "Ngân hàng Nông nghiệp và Phát triển Nông thôn"})
    assert len(text.text) <= LIMITS["to_chuc"]
    assert text.text == "Ngân hàng Nông nghiệp"


def test_the_long_sample_is_as_long_as_the_limits():
    for name, limit in LIMITS.items():
        if name != "so_tk_cuoi":
            assert len(str(LONG_SAMPLE[name])) == limit, name


def test_unknown_placeholders_and_stray_braces_are_refused():
    assert template_problems("{ten} {so_tien}") == []
    problems = template_problems("{ten} {so_tai_khoan} {ten.__class__}")
    assert len(problems) == 1 and "{so_tai_khoan}" in problems[0]
    assert template_problems("{ten") != []
    with pytest.raises(TemplateProblem):
        sms_render("{so_tai_khoan}", {})


def test_a_missing_value_renders_empty():
    assert sms_render("A{ten}B", {}).text == "AB"


def test_preview_label():
    preview = template_preview("{ten}: {so_tien}", ascii_only=True)
    assert preview.label.endswith("· 1 tin") and "GSM-7" in preview.label
    assert "UCS-2" in template_preview("{ten}: {so_tien}", ascii_only=False).label


def test_phones():
    assert phone_normal("0912 345 678") == "0912345678"
    assert phone_normal("+84912345678") == "0912345678"
    assert phone_normal("12345") == ""
    assert phone_masked("0912345678") == "*******678"
