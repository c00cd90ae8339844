"""Vietnamese name repair: legacy 8-bit fonts (TCVN3, VNI-Windows), decomposed Unicode and
tone-mark placement. Pure functions: no ORM, no I/O.

Commune Excel files typed in the old fonts read, once opened as Unicode, as the Latin-1 /
Windows-1252 character of each byte: TCVN3 'Nguyễn' reads 'NguyÔn', VNI 'Nguyễn' reads
'Nguyeãn'. `name_clean` is the pipeline for one name cell; the other functions are its parts.

Detection without a font name is deliberately conservative: a wrong conversion corrupts a
correct name, a missed one is only reported later as an odd name. Text is converted only when
one of its words cannot be correct Vietnamese Unicode (a character or a spelling no Vietnamese
syllable has) and every word the encoding changes becomes a valid Vietnamese syllable.
"""

import re
import string
import unicodedata
from functools import lru_cache
from typing import NamedTuple, TypeVar

# --- Letters and syllables ----------------------------------------------------------------

# Tones in the order of the TCVN3 chart: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_TONE_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_SAC, _NANG = 4, 5
_VOWELS = "aăâeêioôơuưy"
_CONSONANTS = "bcdđghklmnpqrstvx"
_MARKED = "ăâêôơư"  # vowels with their own diacritic: they take the tone when present


def _toned(vowel: str, tone: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONE_MARKS[tone])


# letter → (lower-case letter without tone, tone); (toneless, tone) → lower-case letter
_LETTER_TONE: dict[str, tuple[str, int]] = {}
_WITH_TONE: dict[tuple[str, int], str] = {}
for _v in _VOWELS:
    for _t in range(6):
        _WITH_TONE[_v, _t] = _toned(_v, _t)
        _LETTER_TONE[_toned(_v, _t)] = _LETTER_TONE[_toned(_v, _t).upper()] = (_v, _t)
for _c in _CONSONANTS + "fjwz":
    _LETTER_TONE[_c] = _LETTER_TONE[_c.upper()] = (_c, 0)


def _listed(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ONSETS = _listed("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x") | {""}
# Rhymes (vần) without tone, after any onset; 'qu' and 'gi' get a few more below.
_RHYMES = _listed(
    """
    a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
    i ia ich iêc iêm iên iêng iêp iêt iêu im in inh ip it iu
    o oc oi om on ong op ot ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
    u ua uc ui um un ung up ut uân uâng uât uây uê uêch uênh uôc uôi uôm uôn uông uôt uơ
    uy uya uych uyên uyêt uyn uynh uyt uyu
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêng yêt yêu
    """
)
_QU_RHYMES = _RHYMES | {"ych", "yn", "ynh", "yt"}  # quých, quỳnh, quýt (the u is the onset's)
_STOP_FINALS = ("c", "ch", "p", "t")  # these syllables only take sắc or nặng


def _parse(skeleton: str) -> tuple[str, str, str] | None:
    """Split a lower-case toneless syllable into onset, vowels and final consonants."""
    i, n = 0, len(skeleton)
    while i < n and skeleton[i] not in _VOWELS:
        i += 1
    # the u of 'qu' and the i of 'gi' belong to the onset when another vowel follows
    if i + 1 < n and skeleton[i + 1] in _VOWELS and skeleton[i - 1 : i + 1] in ("qu", "gi"):
        i += 1
    j = i
    while j < n and skeleton[j] in _VOWELS:
        j += 1
    if i == j or any(ch in _VOWELS for ch in skeleton[j:]):
        return None
    return skeleton[:i], skeleton[i:j], skeleton[j:]


def _spelling_ok(onset: str, rhyme: str) -> bool:
    """k/gh/ngh before i, e, ê, y; c/g/ng elsewhere ('gi' is its own onset)."""
    front = rhyme[0] in "ieêy"
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "ng"):
        return not front
    return not (onset == "g" and rhyme[0] in "eêy")


def _rhyme_ok(onset: str, rhyme: str) -> bool:
    if onset == "qu":
        return rhyme in _QU_RHYMES and rhyme[0] not in "ouư"
    if onset == "gi":  # giếng = gi + iêng: the two i are written once
        return rhyme in _RHYMES or "i" + rhyme in _RHYMES
    return onset in _ONSETS and rhyme in _RHYMES and _spelling_ok(onset, rhyme)


class _Syllable(NamedTuple):
    skeleton: str  # lower case, without tone: 'nguyên'
    tone: int
    at: int  # index of the letter with the tone, -1 without one
    onset: str
    vowels: str
    final: str


def _syllable(word: str) -> _Syllable | None:
    """The parts of a valid Vietnamese syllable (wherever its tone sits), else None."""
    try:
        letters = [_LETTER_TONE[ch] for ch in word]
    except KeyError:
        return None
    toned = [k for k, (_, tone) in enumerate(letters) if tone]
    if len(toned) > 1:
        return None
    skeleton = "".join(base for base, _ in letters)
    parts = _parse(skeleton)
    if parts is None or not _rhyme_ok(parts[0], parts[1] + parts[2]):
        return None
    tone = letters[toned[0]][1] if toned else 0
    if parts[2] in _STOP_FINALS and tone not in (_SAC, _NANG):
        return None
    return _Syllable(skeleton, tone, toned[0] if toned else -1, *parts)


def _tone_position(vowels: str, final: str) -> int:
    """Index in `vowels` that carries the tone, for the project's one placement."""
    marked = [k for k, ch in enumerate(vowels) if ch in _MARKED]
    if marked:
        return marked[-1]  # the last of ươ, uô, iê, uyê…: người, muốn, Nguyễn
    if final:
        return len(vowels) - 1  # hoàng, tuấn, quỳnh
    if len(vowels) == 3:
        return 1  # ngoài, khuỷu
    return 0  # open pairs: mùa, mía, tài, and (this placement) hòa, khỏe, thủy


def _tone_typed_right(syllable: _Syllable) -> bool:
    """The tone sits where one of the two conventions (hòa / hoà) or a common slip on the
    onset's vowel (qủa, gìa) puts it — not, say, on the u of 'bàu' typed 'baù'."""
    if syllable.at < 0:
        return True
    start = len(syllable.onset)
    allowed = {start + _tone_position(syllable.vowels, syllable.final)}
    if not syllable.final and syllable.vowels in ("oa", "oe", "uy"):
        allowed.add(start + 1)
    if syllable.onset in ("qu", "gi"):
        allowed.add(start - 1)
    return syllable.at in allowed


_LETTER_RUN = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1 << 16)
def _place_tone(word: str) -> str:
    """The word with its tone mark moved to the project's position; unchanged if it is not
    a Vietnamese syllable with one tone (foreign and minority-language words stay as typed)."""
    found = _syllable(word)
    if found is None or not found.tone:
        return word
    target = len(found.onset) + _tone_position(found.vowels, found.final)
    if target == found.at:
        return word
    chars = list(word)
    for k, ch in enumerate(chars):
        base = found.skeleton[k]
        letter = _WITH_TONE[base, found.tone if k == target else 0] if base in _VOWELS else ch
        chars[k] = letter.upper() if ch.isupper() else letter
    return "".join(chars)


def _place_tones(text: str) -> str:
    if text.isascii():
        return text
    return _LETTER_RUN.sub(lambda m: _place_tone(m.group()), text)


def tone_marks_normalise(text: str) -> str:
    """NFC with the tone mark of every Vietnamese syllable at one position.

    The placement is the one of the examples the project agreed on — hòa, khỏe, thủy, hóa,
    tùy: in an open syllable whose vowels are oa, oe or uy the tone goes on the first vowel,
    like mùa and mía. (Decision 1989/QĐ-BGDĐT of 2018, for school books, calls "on the main
    vowel" the other form, hoà, khoẻ, thuỷ; legal texts and most typed data, e.g. "Luật Thủy
    sản 2017", use this one. No published rule for CCCD / the population database was found.)
    Everywhere else both conventions agree: the vowel with its own diacritic (người, Nguyễn,
    tuấn), the last vowel before a final consonant (hoàng, quỳnh), the middle one of three
    (ngoài, khuỷu). 'qu' and 'gi' are onsets (quý, già).

    Only the tone mark moves: letters, case and spacing stay, so `fold()` is unchanged. Words
    that are not a Vietnamese syllable with exactly one tone are left as typed. Idempotent.
    """
    return _place_tones(unicodedata.normalize("NFC", text))


def _plausible(word: str, *, strict_case: bool, ascii_too: bool = False) -> bool:
    """Every run of letters is a Vietnamese syllable with its tone where a convention puts
    it, written in lower, Title or UPPER case when strict_case, and no other non-ASCII
    character occurs. ASCII runs (foreign and minority names: Ksor, H'Hen) pass unless
    ascii_too."""
    if word.isascii() and not ascii_too:
        return True
    if any(not ch.isascii() and ch not in _LETTER_TONE for ch in word):
        return False
    for run in _LETTER_RUN.findall(word):
        if run.isascii() and not ascii_too:
            continue
        if strict_case and not (run.islower() or run.isupper() or run.istitle()):
            return False
        syllable = _syllable(run)
        if syllable is None or not _tone_typed_right(syllable):
            return False
    return True


# --- Legacy tables --------------------------------------------------------------------------

# TCVN 5712:1993, VN3 (TCVN3, ABC, the ".Vn" fonts), codes as read in Latin-1: 67 lower-case
# letters and 7 capitals without tone. A row holds one vowel with huyền, hỏi, ngã, sắc, nặng.
_TCVN3_ROWS = {
    "a": "\xb5\xb6\xb7\xb8\xb9",
    "ă": "\xbb\xbc\xbd\xbe\xc6",
    "â": "\xc7\xc8\xc9\xca\xcb",
    "e": "\xcc\xce\xcf\xd0\xd1",
    "ê": "\xd2\xd3\xd4\xd5\xd6",
    "i": "\xd7\xd8\xdc\xdd\xde",
    "o": "\xdf\xe1\xe2\xe3\xe4",
    "ô": "\xe5\xe6\xe7\xe8\xe9",
    "ơ": "\xea\xeb\xec\xed\xee",
    "u": "\xef\xf1\xf2\xf3\xf4",
    "ư": "\xf5\xf6\xf7\xf8\xf9",
    "y": "\xfa\xfb\xfc\xfd\xfe",
}
_TCVN3_PLAIN = {
    "ă": "\xa8", "â": "\xa9", "ê": "\xaa", "ô": "\xab", "ơ": "\xac", "ư": "\xad", "đ": "\xae",
    "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7",
}  # fmt: skip

# Unicode letter → the character a TCVN3 file shows for it. Capitals with a tone have no code
# of their own: they were typed with the lower-case code (in a capitals font such as .VnTimeH),
# so they map to it. The one TCVN3 table of the project (the synthetic generator uses it too).
TCVN3: dict[str, str] = dict(_TCVN3_PLAIN)
for _v, _row in _TCVN3_ROWS.items():
    for _t, _code in enumerate(_row, start=1):
        TCVN3[_toned(_v, _t)] = TCVN3[_toned(_v, _t).upper()] = _code
_TCVN3_ENCODE = str.maketrans(TCVN3)
_TCVN3_DECODE = str.maketrans(
    {code: letter for letter, code in TCVN3.items() if letter.islower() or letter in _TCVN3_PLAIN}
)
_TCVN3_CHARS = frozenset(TCVN3.values()) | {"\xa0"}  # VN3 also has the no-break space
_TCVN3_CASED = {code: letter for letter, code in _TCVN3_PLAIN.items()}  # case is known
_TCVN3_LOWER_ONLY = frozenset(_TCVN3_CHARS - set(_TCVN3_CASED) - {"\xa0"})
_WORD_START = re.compile(r"(?<!\S)\S")
_CAPITAL_INSIDE = re.compile(r"\SU")
_TCVN3_SHAPE = str.maketrans(
    {ch: "U" if ch.isupper() else "l" for ch in string.ascii_letters}
    | {code: "U" if letter.isupper() else "l" for code, letter in _TCVN3_CASED.items()}
    | dict.fromkeys(_TCVN3_LOWER_ONLY, "o")
)

# VNI-Windows: a base letter then a mark byte, except i (one byte for each tone), ỵ, ơ (ô),
# ư (ö) and đ (ñ). Marks in tone order huyền, hỏi, ngã, sắc, nặng; capitals use the capital
# form of the same bytes (AÙ = Á, Ñ = Đ).
_VNI_TONE = "øûõùï"  # after a e o u y ơ ư
_VNI_CIRCUMFLEX = "âàåãáä"  # â ê ô: without tone, then with each tone
_VNI_BREVE = "êèúüéë"  # ă
_VNI_I = "iìæóíò"
_VNI_BASE = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ơ": "ô", "ư": "ö"}


def _vni_lower() -> dict[str, str]:
    table = {"đ": "ñ"}
    for tone in range(6):
        for vowel, base in _VNI_BASE.items():
            table[_toned(vowel, tone)] = base + (_VNI_TONE[tone - 1] if tone else "")
        for vowel, base in (("â", "a"), ("ê", "e"), ("ô", "o")):
            table[_toned(vowel, tone)] = base + _VNI_CIRCUMFLEX[tone]
        table[_toned("ă", tone)] = "a" + _VNI_BREVE[tone]
        table[_toned("i", tone)] = _VNI_I[tone]
    table[_toned("y", _NANG)] = "î"
    return {letter: code for letter, code in table.items() if letter != code}


# Unicode letter → the characters a VNI file shows for it.
VNI: dict[str, str] = {}
for _letter, _code in _vni_lower().items():
    VNI[_letter], VNI[_letter.upper()] = _code, _code.upper()
_VNI_ENCODE = str.maketrans(VNI)
# ì and í are their own VNI codes
_VNI_CHARS = frozenset(ch for code in VNI.values() for ch in code if not ch.isascii()) | set("ìíÌÍ")


def _vni_decode_table() -> dict[str, str]:
    table = {}
    for letter, code in VNI.items():
        table[code] = letter
        if len(code) == 2:  # a mark in the other case than its base still belongs to it
            table[code[0] + code[1].swapcase()] = letter
    return table


_VNI_DECODE = _vni_decode_table()
_VNI_SEQUENCE = re.compile("|".join(sorted(map(re.escape, _VNI_DECODE), key=len, reverse=True)))

_ENCODINGS = ("tcvn3", "vni")
_CHARSETS = {"tcvn3": _TCVN3_CHARS, "vni": _VNI_CHARS}


# --- Fonts, encoding, decoding ----------------------------------------------------------------


def legacy_font_encoding(font_name: str) -> str | None:
    """The encoding a font implies: '.VnTime', '.VnTimeH', '.VnArial', any '.Vn…' → "tcvn3";
    'VNI-Times', 'VNI-Helve', any 'VNI-…' → "vni"; any other font → None."""
    name = font_name.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith("vni-") or name.startswith("vni "):
        return "vni"
    return None


def _capitals_font(font_name: str) -> bool:
    """TCVN3 capitals fonts ('.VnTimeH', '.VnArialH') draw every code as a capital letter."""
    return legacy_font_encoding(font_name) == "tcvn3" and font_name.strip().endswith("H")


def legacy_encode(text: str, encoding: str, *, capitals: bool = False) -> str:
    """Unicode text as a legacy file shows it when opened as Unicode: the inverse of
    `legacy_decode` (for tests and synthetic data). 'Lê' → 'Lª' (tcvn3), 'Lê' → 'Leâ' (vni).
    TCVN3 capitals with a tone take the lower-case code; `capitals` writes the text as typed
    for a capitals font (all lower-case codes)."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        return (text.lower() if capitals else text).translate(_TCVN3_ENCODE)
    if encoding == "vni":
        return text.translate(_VNI_ENCODE)
    raise ValueError(f"Bảng mã không hỗ trợ: {encoding!r} (chỉ có 'tcvn3' hoặc 'vni').")


def _decode_raw(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return text.translate(_TCVN3_DECODE)
    return _VNI_SEQUENCE.sub(lambda m: _VNI_DECODE[m.group()], text)


def _tcvn3_case(encoded: str, decoded: str) -> str:
    """Give TCVN3 text the capitals its lower-only codes could not hold.

    A text whose case-known letters (ASCII, Ă Â Ê Ô Ơ Ư Đ) are all capitals, one of them
    inside a word, was typed in capitals: 'TRÇN' → 'TRẦN' (but 'Lª A' stays 'Lê A').
    Otherwise, in a text whose words start with a capital, a word starting with a lower-only
    code is capitalised: the name 'Lª ThÞ ¸nh' → 'Lê Thị Ánh'."""
    shape = encoded.translate(_TCVN3_SHAPE)  # U: capital, l: small, o: lower-only code
    if "l" not in shape and _CAPITAL_INSIDE.search(shape):
        return decoded.upper()
    starts = [word[0] for word in shape.split()]
    if "o" in starts and "U" in starts and "l" not in starts:
        return _WORD_START.sub(lambda m: m.group().upper(), decoded)
    return decoded


def legacy_decode(text: str, encoding: str, *, capitals: bool = False) -> str:
    """Repair text read in a legacy encoding ("tcvn3" or "vni") into NFC Unicode:
    'NguyÔn V¨n An' → 'Nguyễn Văn An' (tcvn3), 'Nguyeãn Thò Hoa' → 'Nguyễn Thị Hoa' (vni).

    TCVN3 codes letters with a tone in lower case only; `capitals` (a capitals font such as
    .VnTimeH) gives the text in capitals, otherwise capitals are restored where the rest of
    the text shows them (see `_tcvn3_case`). Characters outside the table are kept."""
    if encoding not in _CHARSETS:
        raise ValueError(f"Bảng mã không hỗ trợ: {encoding!r} (chỉ có 'tcvn3' hoặc 'vni').")
    decoded = _decode_raw(text, encoding)
    if capitals:
        decoded = decoded.upper()
    elif encoding == "tcvn3" and decoded != text:
        decoded = _tcvn3_case(text, decoded)
    return unicodedata.normalize("NFC", decoded)


# What one whitespace-separated word says about an encoding.
_IMPOSSIBLE, _UNCHANGED, _VALID, _INVALID = range(4)


def _inner_capital(word: str) -> bool:
    """A non-ASCII capital inside a run of letters: 'BÕ' in 'BÕ Kim Hoa' (TCVN3 'Bế')."""
    return any(
        not ch.isascii() and ch.isupper() for run in _LETTER_RUN.findall(word) for ch in run[1:]
    )


class _Evidence(NamedTuple):
    implausible: bool  # cannot be correct Unicode Vietnamese in any text
    inner_capital: bool  # cannot be correct unless the whole text is in capitals
    vietnamese: bool  # every run of letters, ASCII ones too, is a Vietnamese syllable
    lettered: bool  # has letters at all ('1950', '-' do not count as words)
    verdicts: tuple[int, int]  # per encoding of _ENCODINGS
    vni_inner_capital: bool  # VNI keeps case: its result must read right too


@lru_cache(maxsize=1 << 16)
def _word_evidence(word: str) -> _Evidence:
    verdicts, vni_inner = [], False
    for encoding in _ENCODINGS:
        if any(not ch.isascii() and ch not in _CHARSETS[encoding] for ch in word):
            verdicts.append(_IMPOSSIBLE)
            continue
        decoded = _decode_raw(word, encoding)
        if decoded == word:
            verdicts.append(_UNCHANGED)
            continue
        # TCVN3 decodes toned letters in lower case: only VNI's case can be held against it
        valid = _plausible(decoded, strict_case=encoding == "vni", ascii_too=True)
        verdicts.append(_VALID if valid else _INVALID)
        vni_inner = vni_inner or (encoding == "vni" and _inner_capital(decoded))
    return _Evidence(
        implausible=not _plausible(word, strict_case=True),
        inner_capital=_inner_capital(word),
        vietnamese=_plausible(word, strict_case=False, ascii_too=True),
        lettered=_LETTER_RUN.search(word) is not None,
        verdicts=(verdicts[0], verdicts[1]),
        vni_inner_capital=vni_inner,
    )


def _text_evidence(text: str) -> tuple[list[_Evidence], list[bool]]:
    """Each word's evidence and whether the word cannot be correct Unicode in this text."""
    evidence = [_word_evidence(word) for word in text.split()]
    capitals = text.isupper()
    return evidence, [e.implausible or (e.inner_capital and not capitals) for e in evidence]


def _fits(encoding: str, text: str, evidence: list[_Evidence], suspects: list[bool]) -> bool:
    """Every suspect word becomes a valid Vietnamese syllable, and so is every other word,
    as it is or converted (a foreign name such as 'Loïc Dupont' is left alone)."""
    k = _ENCODINGS.index(encoding)
    for e, suspect in zip(evidence, suspects, strict=True):
        verdict = e.verdicts[k]
        if verdict == _UNCHANGED and not suspect and (e.vietnamese or not e.lettered):
            continue
        if verdict != _VALID:
            return False
        if encoding == "vni" and e.vni_inner_capital and not text.isupper():
            return False
    return True


def _content_encoding(text: str) -> str | None:
    """By content alone: at least two words, one that cannot be correct Unicode, and exactly
    one encoding that turns the whole text into Vietnamese syllables."""
    evidence, suspects = _text_evidence(text)
    if not any(suspects) or sum(e.lettered for e in evidence) < 2:
        return None
    found = [enc for enc in _ENCODINGS if _fits(enc, text, evidence, suspects)]
    return found[0] if len(found) == 1 else None  # both fit: too ambiguous to touch


def _font_encoding(text: str, encoding: str, capitals: bool) -> str | None:
    """Trust the font when the text can be in it, changes under it (a capitals font changes
    small letters too), and does not turn from valid Vietnamese into invalid (a Unicode text
    left in a cell with an old font)."""
    if not text.strip() or max(text) > "\xff":
        return None
    evidence, suspects = _text_evidence(text)
    verdicts = [e.verdicts[_ENCODINGS.index(encoding)] for e in evidence]
    if _IMPOSSIBLE in verdicts:
        return None
    if all(v == _UNCHANGED for v in verdicts):
        return encoding if capitals and text != text.upper() else None
    if not any(suspects) and _INVALID in verdicts:
        return None
    return encoding


def legacy_encoding_detect(text: str, font_name: str = "") -> str | None:
    """The legacy encoding `text` (NFC) was typed in: "tcvn3", "vni" or None.

    With a legacy `font_name` the font decides, unless the text holds a character the font's
    encoding cannot produce, nothing would change, or correct Vietnamese would turn invalid.
    Without one, by content: only when a word cannot be correct Vietnamese Unicode (a
    character such as '¨' '§' 'Þ', or a spelling such as 'NguyÔn', 'Nguyeãn'), the text has
    two words or more, and every word becomes (or already is) a Vietnamese syllable in
    exactly one of the encodings. So never for ASCII, correct Vietnamese Unicode, or Latin-1
    names such as 'José', 'Müller', 'Loïc Dupont'; None too when both encodings would fit."""
    encoding = legacy_font_encoding(font_name) if font_name else None
    if encoding:
        return _font_encoding(text, encoding, _capitals_font(font_name))
    if text.isascii() or max(text) > "\xff":  # both encodings live in Latin-1 above ASCII
        return None
    return _content_encoding(text)


# --- The pipeline -------------------------------------------------------------------------------

# Import files repeat names and syllables: remember results, within bounds.
_CACHE_MAX = 1 << 17
_TOKENS: dict[str, str] = {}
_NAMES: dict[tuple[str, str], tuple[str, str | None]] = {}
_FONTS: dict[str, str] = {}  # font name → "", "tcvn3", "tcvn3H" (capitals font) or "vni"

_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value
    return value


def _tone_token(token: str) -> str:
    placed = _TOKENS.get(token)
    return _remember(_TOKENS, token, _place_tones(token)) if placed is None else placed


def _font_kind(font_name: str) -> str:
    kind = _FONTS.get(font_name)
    if kind is None:
        capitals = "H" if _capitals_font(font_name) else ""
        kind = _remember(_FONTS, font_name, (legacy_font_encoding(font_name) or "") + capitals)
    return kind


def name_clean(text: str, font_name: str = "") -> tuple[str, str | None]:
    """One name cell → (clean name, what was converted).

    Legacy-font repair (by `font_name` when the cell's font is known, else by content), NFC,
    the project's tone-mark placement, single spaces, trimmed. The second value is "tcvn3" or
    "vni" when the text was converted from that encoding, "nfd" when it was decomposed
    Unicode, None when only spacing or tone placement changed (or nothing).
    'NguyÔn V¨n An' → ('Nguyễn Văn An', 'tcvn3'); ' Lê  Thị Hoà ' → ('Lê Thị Hòa', None)."""
    kind = _font_kind(font_name) if font_name else ""
    if text.isascii() and not kind.endswith("H"):  # a capitals font shows ASCII in capitals
        return " ".join(text.split()), None
    found = _NAMES.get((text, kind))
    return _remember(_NAMES, (text, kind), _name_clean(text, kind)) if found is None else found


def _name_clean(text: str, font_kind: str) -> tuple[str, str | None]:
    converted = None
    if not unicodedata.is_normalized("NFC", text):
        text, converted = unicodedata.normalize("NFC", text), "nfd"
    if text.strip() and max(text) <= "\xff":  # else no legacy encoding can hold it
        font_encoding = font_kind.rstrip("H")
        if font_encoding:
            encoding = _font_encoding(text, font_encoding, font_kind.endswith("H"))
        else:
            encoding = _content_encoding(text) if not text.isascii() else None
        if encoding:
            text = legacy_decode(text, encoding, capitals=font_kind.endswith("H"))
            converted = encoding
    return " ".join(map(_tone_token, text.split())), converted
