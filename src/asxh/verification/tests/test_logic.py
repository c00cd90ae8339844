"""Pure rules: reading the answers' cells and comparing holder names as NAPAS returns them."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asxh.core.text import fold_upper
from asxh.verification.adapters import vietqr_answer
from asxh.verification.logic import (
    ABSENT,
    FAILED,
    FOUND,
    HOLDER_MISMATCH,
    MATCH,
    MISMATCH,
    NOT_FOUND,
    UNAVAILABLE,
    VERIFIED,
    birth_parse,
    cell_text,
    holder_outcome,
    id_number_parse,
    names_match,
    result_parse,
    sex_parse,
)

VIETNAMESE = st.text(
    alphabet=st.sampled_from(
        list(
            "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ ĐĂÂÊÔƠƯ"
        )
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize(
    ("stored", "bank"),
    [
        ("Nguyễn Thị Đào", "NGUYEN THI DAO"),
        ("Đặng Văn Đức", "DANG VAN DUC"),
        ("  nguyễn   thị  hoà ", "NGUYEN THI HOA"),
        ("Nguyễn Thị Hòa", "NGUYEN THI HOA"),  # tone mark placement does not matter once folded
        ("Nguyễn Thị Hoà", "nguyen thi hoa"),
        ("NGUYỄN THỊ HOÀ", "NGUYEN  THI HOA "),
        ("Nguyễn Thị Hoà", "NGUYEN THI HOA."),
        ("Nguyễn-Thị Hoà", "NGUYEN THI HOA"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Hoà"), "NGUYEN THI HOA"),  # decomposed input
    ],
)
def test_holder_names_match_after_folding(stored, bank):
    assert names_match(stored, bank)
    assert holder_outcome(stored, bank) == VERIFIED


@pytest.mark.parametrize(
    ("stored", "bank"),
    [
        ("Nguyễn Thị Đào", "NGUYEN THI DAO ANH"),
        ("Nguyễn Thị Đào", "NGUYEN DAO"),
        ("Trần Văn Bình", "TRAN VAN BINH 2"),
        ("Lê Thị Mai", "LE THI MAI ANH"),
    ],
)
def test_different_holder_names_are_a_mismatch(stored, bank):
    assert holder_outcome(stored, bank) == HOLDER_MISMATCH


def test_no_such_account_is_failed():
    assert holder_outcome("Nguyễn Thị Đào", None) == FAILED


@given(VIETNAMESE)
def test_a_name_matches_its_napas_form(name):
    assert names_match(name, fold_upper(name)) or not fold_upper(name).strip()


@given(VIETNAMESE, VIETNAMESE)
def test_matching_is_symmetric(a, b):
    assert names_match(a, b) == names_match(b, a)


@given(VIETNAMESE, st.integers(min_value=1, max_value=4))
def test_extra_spaces_and_case_never_matter(name, spaces):
    padded = (" " * spaces).join(name.split()).swapcase() + " " * spaces
    assert names_match(name, padded)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Khớp", MATCH),
        ("KHỚP", MATCH),
        ("khop", MATCH),
        (" Khớp. ", MATCH),
        ("Sai lệch", MISMATCH),
        ("sai lech", MISMATCH),
        ("Không tìm thấy", NOT_FOUND),
        ("Không có", NOT_FOUND),
        ("", None),
        (None, None),
    ],
)
def test_result_words(cell, expected):
    assert result_parse(cell) == expected


def test_unknown_result_word_is_an_error_in_vietnamese():
    with pytest.raises(ValueError, match="không phải Khớp, Sai lệch hoặc Không tìm thấy"):
        result_parse("OK")


def test_cells_as_excel_hands_them_back():
    assert cell_text(12.0) == "12"
    assert cell_text(dt.datetime(1955, 3, 5)) == "05/03/1955"
    assert cell_text("  Nguyễn   Thị ") == "Nguyễn Thị"
    assert id_number_parse(91155012345.0) == "091155012345"  # a number cell lost its leading 0
    assert id_number_parse("091 155 012 345") == "091155012345"
    assert id_number_parse("123456789") == "123456789"
    with pytest.raises(ValueError, match="12 chữ số"):
        id_number_parse("12345")
    assert birth_parse("5/3/1955") == "05/03/1955"
    assert birth_parse(dt.date(1955, 3, 5)) == "05/03/1955"
    assert birth_parse("3/1955") == "03/1955"
    assert birth_parse(1955.0) == "1955"
    with pytest.raises(ValueError, match="không có thật"):
        birth_parse("31/02/1955")
    assert (sex_parse("Nam"), sex_parse("nữ"), sex_parse("")) == ("M", "F", "")


@pytest.mark.parametrize(
    ("payload", "status", "name"),
    [
        (
            {"code": "00", "desc": "Success", "data": {"accountName": "NGUYEN VAN A"}},
            FOUND,
            "NGUYEN VAN A",
        ),
        ({"code": "42", "desc": "Account number Invalid"}, ABSENT, None),
        ({"code": "41", "desc": "Bank not support"}, UNAVAILABLE, None),
        ({"code": "43", "desc": "Oops"}, UNAVAILABLE, None),
        ({"code": "00", "data": None}, UNAVAILABLE, None),
        ({}, UNAVAILABLE, None),
    ],
)
def test_vietqr_answers(payload, status, name):
    answer = vietqr_answer(payload)
    assert (answer.status, answer.bank_name) == (status, name)
