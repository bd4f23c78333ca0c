"""Tests for anninh.lib.text: canonical form, search key and Vietnamese collation."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.lib.text import (
    ALPHABET,
    TONE_ORDER,
    fold,
    normalize,
    person_sort_key,
    person_sort_string,
    vi_sort_key,
    vi_sort_string,
)

NFD = "NFD"


def nfd(s: str) -> str:
    return unicodedata.normalize(NFD, s)


def tone_count(s: str) -> int:
    return sum(1 for ch in nfd(s) if ch in "\u0300\u0301\u0303\u0309\u0323")


# --- strategies ------------------------------------------------------------------------------

# Every Vietnamese letter, both cases, every tone: built from marks so nothing is missed.
_VOWEL_BASES = ["a", "a\u0306", "a\u0302", "e", "e\u0302", "i", "o", "o\u0302", "o\u031b"]
_VOWEL_BASES += ["u", "u\u031b", "y"]
_VI_LETTERS = sorted(
    {
        unicodedata.normalize("NFC", (base.upper() if upper else base) + tone)
        for base in _VOWEL_BASES
        for tone in TONE_ORDER
        for upper in (False, True)
    }
    | set("bcdđghklmnpqrstvx")
    | set("BCDĐGHKLMNPQRSTVX")
)
vietnamese_text = st.text(alphabet=st.sampled_from([*_VI_LETTERS, " "]), max_size=30)
# NFD input too: text pasted from macOS or some PDFs arrives decomposed.
vietnamese_any_form = vietnamese_text.flatmap(
    lambda s: st.sampled_from([s, nfd(s), unicodedata.normalize("NFC", s)])
)

# Real syllables without their tone, and the tone to place on any of their vowels.
_SYLLABLES = [
    "hoa",
    "hoach",
    "khoe",
    "thuy",
    "quy",
    "quyên",
    "giư",
    "phong",
    "nguyên",
    "đô",
    "sơn",
    "bach",
    "long",
    "vi",
    "cat",
    "hai",
    "kiên",
    "tuyên",
    "hoang",
    "ngoai",
    "khuyu",
    "ngoeo",
    "rươu",
    "thuơ",
    "mua",
    "huynh",
    "xoay",
    "ươn",
    "gin",
    "gia",
    "qua",
    "oai",
    "uê",
    "ơi",
]
_SYLLABLES = [unicodedata.normalize("NFC", s) for s in _SYLLABLES]


@st.composite
def toned_syllable_all_placements(draw) -> tuple[list[str], str]:
    """One syllable with the tone written on each possible vowel letter in turn."""
    syllable = draw(st.sampled_from(_SYLLABLES))
    tone = draw(st.sampled_from(TONE_ORDER[1:]))
    upper = draw(st.booleans())
    if upper:
        syllable = syllable.upper()
    letters = list(syllable)
    variants = []
    for i, ch in enumerate(letters):
        if ch.lower() in "aăâeêioôơuưy":
            marked = unicodedata.normalize("NFC", nfd(ch) + tone)
            variants.append("".join([*letters[:i], marked, *letters[i + 1 :]]))
    return variants, tone


# --- normalize: examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # oa / oe / uy without a final consonant: tone on the first vowel.
        ("hoà", "hòa"),
        ("Hoà", "Hòa"),
        ("HOÀ", "HÒA"),
        ("khoẻ", "khỏe"),
        ("thuỷ", "thủy"),
        ("thuý", "thúy"),
        ("Uỷ ban", "Ủy ban"),
        ("Hoà Bình", "Hòa Bình"),
        ("Thuỷ Nguyên", "Thủy Nguyên"),
        ("Kiến Thuỵ", "Kiến Thụy"),
        ("hoạ sĩ", "họa sĩ"),
        ("loà xoà", "lòa xòa"),
        # With a final consonant the tone sits on the last vowel, so a misplaced one moves.
        ("hóang", "hoáng"),
        ("hòach", "hoàch"),
        ("Húynh", "Huýnh"),
        # qu and gi are initials: the tone goes on the next vowel.
        ("qúy", "quý"),
        ("gìa", "già"),
        # Two-vowel open syllables other than oa/oe/uy, written wrongly, are also fixed.
        ("muà", "mùa"),
    ],
)
def test_normalize_puts_the_tone_in_the_traditional_place(raw: str, canonical: str) -> None:
    assert normalize(raw) == canonical


@pytest.mark.parametrize(
    "word",
    [
        "hòa",
        "hoạch",
        "khỏe",
        "thủy",
        "thúy",
        "quý",
        "quyền",
        "giữ",
        "gìn",
        "già",
        "Hải Phòng",
        "Thủy Nguyên",
        "Kiến Thụy",
        "Hòa Bình",
        "Tuyên",
        "nguyễn",
        "Nguyễn",
        "Đồ Sơn",
        "Bạch Long Vĩ",
        "Cát Hải",
        "hoàng",
        "toán",
        "Huỳnh",
        "ngoài",
        "xoáy",
        "khuỷu",
        "ngoẹo",
        "người",
        "rượu",
        "thuở",
        "cứu",
        "mưa",
        "thuế",
        "quốc",
        "giường",
        "nghiêng",
        "Phường Hồng Bàng",
    ],
)
def test_normalize_leaves_canonical_vietnamese_unchanged(word: str) -> None:
    assert normalize(word) == word


@pytest.mark.parametrize(
    "word",
    ["café", "où", "José", "HoàBình", "Hyundai", "iPhone", "x̃ỹ", "ñandú", "Zürich"],
)
def test_normalize_leaves_words_that_are_not_vietnamese_syllables_alone(word: str) -> None:
    assert normalize(word) == unicodedata.normalize("NFC", word)


def test_normalize_composes_decomposed_input_to_nfc() -> None:
    decomposed = nfd("Hải Phòng")
    assert decomposed != "Hải Phòng"
    assert normalize(decomposed) == "Hải Phòng"


def test_normalize_moves_tone_in_decomposed_old_and_new_style_alike() -> None:
    assert normalize(nfd("Thuỷ Nguyên")) == "Thủy Nguyên"


def test_normalize_strips_and_collapses_all_kinds_of_whitespace() -> None:
    assert normalize("  Phường\u00a0\u00a0Hồng\tBàng\n") == "Phường Hồng Bàng"


def test_normalize_keeps_punctuation_and_digits_between_words() -> None:
    assert normalize("Số 5, ngõ 12/3 (Hoà Bình)") == "Số 5, ngõ 12/3 (Hòa Bình)"


def test_normalize_leaves_a_syllable_with_two_tone_marks_alone() -> None:
    # Garbage in, garbage kept: we do not guess which tone was meant.
    garbled = unicodedata.normalize("NFC", "ho\u0300a\u0301")
    assert normalize(garbled) == garbled


def test_normalize_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        normalize(None)  # type: ignore[arg-type]


# --- normalize: properties -------------------------------------------------------------------


@given(st.text())
def test_normalize_is_idempotent_on_any_text(s: str) -> None:
    once = normalize(s)
    assert normalize(once) == once


@given(vietnamese_any_form)
def test_normalize_is_idempotent_on_vietnamese_text(s: str) -> None:
    once = normalize(s)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)


@given(st.text())
def test_normalize_output_has_no_outer_or_double_whitespace(s: str) -> None:
    out = normalize(s)
    assert out == out.strip()
    assert "  " not in out
    assert all(not ch.isspace() or ch == " " for ch in out)


@given(toned_syllable_all_placements())
def test_normalize_gives_one_spelling_whichever_vowel_carried_the_tone(data) -> None:
    variants, tone = data
    results = {normalize(v) for v in variants}
    assert len(results) == 1
    (result,) = results
    assert tone_count(result) == 1
    assert tone in nfd(result)


@given(vietnamese_any_form)
def test_normalize_preserves_fold(s: str) -> None:
    assert fold(normalize(s)) == fold(s)


@given(vietnamese_any_form)
def test_normalize_changes_nothing_but_tone_position_and_spacing(s: str) -> None:
    # Same letters, same case, same number of tones: only marks may move.
    out = normalize(s)
    assert fold(out) == fold(s)
    assert tone_count(out) == tone_count(s)
    assert [c.isupper() for c in out.replace(" ", "")] == [
        c.isupper() for c in unicodedata.normalize("NFC", s).replace(" ", "")
    ]


# --- fold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Phường Hồng Bàng", "phuong hong bang"),
        ("ĐẶC KHU BẠCH LONG VĨ", "dac khu bach long vi"),
        ("Thủy Nguyên", "thuy nguyen"),
        ("Thuỷ  Nguyên", "thuy nguyen"),
        ("Kiến Thụy", "kien thuy"),
        ("Đồ Sơn", "do son"),
        ("Cát Hải", "cat hai"),
        ("người ướt", "nguoi uot"),
        ("Số 5, ngõ 12", "so 5, ngo 12"),
    ],
)
def test_fold_gives_the_plain_lower_case_search_key(raw: str, key: str) -> None:
    assert fold(raw) == key


def test_fold_maps_d_stroke_to_d() -> None:
    assert fold("Đđ") == "dd"


def test_fold_strips_vowel_shapes_as_well_as_tones() -> None:
    assert fold("ă â ê ô ơ ư") == "a a e o o u"


def test_fold_makes_old_and_new_tone_styles_and_nfd_equal() -> None:
    assert fold("hoà") == fold("hòa") == fold(nfd("HÒA")) == "hoa"


@given(st.text())
def test_fold_is_idempotent(s: str) -> None:
    assert fold(fold(s)) == fold(s)


@given(vietnamese_any_form)
def test_fold_output_is_ascii_for_vietnamese_input(s: str) -> None:
    assert fold(s).isascii()


@given(vietnamese_any_form)
def test_fold_is_lower_case(s: str) -> None:
    assert fold(s) == fold(s).lower()


# --- vi_sort_key -----------------------------------------------------------------------------


def test_vi_sort_key_orders_the_alphabet_with_d_stroke_after_d() -> None:
    letters = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
    shuffled = letters[:]
    random.Random(4).shuffle(shuffled)
    assert sorted(shuffled, key=vi_sort_key) == letters
    assert ALPHABET.index("đ") == ALPHABET.index("d") + 1


def test_vi_sort_key_puts_d_stroke_before_z_unlike_code_point_order() -> None:
    words = ["Zung", "Đức", "Dũng"]
    assert sorted(words) == ["Dũng", "Zung", "Đức"]  # the bug this key exists for
    assert sorted(words, key=vi_sort_key) == ["Dũng", "Đức", "Zung"]


def test_vi_sort_key_puts_da_nang_after_duong_and_before_en() -> None:
    assert sorted(["Én", "Đà Nẵng", "Dương"], key=vi_sort_key) == ["Dương", "Đà Nẵng", "Én"]


def test_vi_sort_key_orders_tones_traditionally() -> None:
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    scrambled = ["mạ", "mã", "ma", "má", "mả", "mà"]
    assert sorted(scrambled, key=vi_sort_key) == tones


def test_vi_sort_key_compares_base_letters_before_tones() -> None:
    # "bạn" has the heaviest tone but its letters "ban" come before "bao".
    assert vi_sort_key("bạn") < vi_sort_key("bao")
    assert vi_sort_key("bá") < vi_sort_key("ban")


def test_vi_sort_key_compares_tones_before_case() -> None:
    assert sorted(["mà", "Ma", "ma"], key=vi_sort_key) == ["ma", "Ma", "mà"]


def test_vi_sort_key_treats_shaped_vowels_as_separate_letters() -> None:
    assert sorted(["ân", "ăn", "an", "bà"], key=vi_sort_key) == ["an", "ăn", "ân", "bà"]
    assert sorted(["ơi", "ôi", "oi"], key=vi_sort_key) == ["oi", "ôi", "ơi"]


def test_vi_sort_key_sorts_shorter_word_first_at_a_space() -> None:
    assert sorted(["Bạch Long Vĩ", "Bạch Đằng", "Bạc"], key=vi_sort_key) == [
        "Bạc",
        "Bạch Đằng",
        "Bạch Long Vĩ",
    ]


def test_vi_sort_key_puts_digits_before_letters() -> None:
    assert sorted(["Phường 2", "Phường 10", "Phường An"], key=vi_sort_key) == [
        "Phường 10",
        "Phường 2",
        "Phường An",
    ]


def test_vi_sort_key_is_the_same_for_both_tone_styles() -> None:
    assert vi_sort_key("Hoà Bình") == vi_sort_key("Hòa Bình") == vi_sort_key(nfd("Hòa  Bình"))


def test_vi_sort_key_sorts_hai_phong_units() -> None:
    units = ["Phường Lê Chân", "Đặc khu Cát Hải", "Xã An Lão", "Phường Đồ Sơn", "Phường Dư Hàng"]
    assert sorted(units, key=vi_sort_key) == [
        "Đặc khu Cát Hải",
        "Phường Dư Hàng",
        "Phường Đồ Sơn",
        "Phường Lê Chân",
        "Xã An Lão",
    ]


def test_vi_sort_key_compares_letters_of_the_whole_string_before_any_tone() -> None:
    # Deliberate (matches ICU / the database), unlike a printed dictionary which would put
    # "Ba Vì" first because syllable "ba" < "bà". See the vi_sort_key docstring.
    assert sorted(["Ba Vì", "Bà Rịa"], key=vi_sort_key) == ["Bà Rịa", "Ba Vì"]


def test_vi_sort_key_still_tells_apart_letters_with_foreign_marks() -> None:
    # ü and ŭ share the primary letter u and are both "not a Vietnamese tone"; only the last
    # key level separates them, so they must not compare equal.
    assert vi_sort_key("Zürich") != vi_sort_key("Zŭrich")
    assert vi_sort_key("Zürich")[:3] == vi_sort_key("Zŭrich")[:3]
    assert vi_sort_key("Muñoz") < vi_sort_key("Mup")


@given(st.text(), st.text())
def test_vi_sort_key_is_equal_exactly_when_normalized_strings_are(a: str, b: str) -> None:
    assert (vi_sort_key(a) == vi_sort_key(b)) == (normalize(a) == normalize(b))


@given(vietnamese_any_form, vietnamese_any_form)
def test_vi_sort_key_equality_matches_normalized_equality_for_vietnamese(a: str, b: str) -> None:
    assert (vi_sort_key(a) == vi_sort_key(b)) == (normalize(a) == normalize(b))


@given(st.lists(vietnamese_any_form, max_size=12), st.randoms())
def test_vi_sort_key_sort_does_not_depend_on_input_order(words: list[str], rnd) -> None:
    shuffled = words[:]
    rnd.shuffle(shuffled)
    expected = [normalize(w) for w in sorted(words, key=vi_sort_key)]
    assert [normalize(w) for w in sorted(shuffled, key=vi_sort_key)] == expected


def without_tones_or_case(s: str) -> str:
    """Independent oracle: the letters of s (shapes kept), lower case, no tone marks."""
    kept = "".join(ch for ch in nfd(normalize(s)) if ch not in "\u0300\u0301\u0303\u0309\u0323")
    return unicodedata.normalize("NFC", kept).lower()


@given(vietnamese_any_form, vietnamese_any_form)
def test_vi_sort_key_lets_tones_and_case_decide_only_between_equal_letters(a: str, b: str) -> None:
    plain_a, plain_b = without_tones_or_case(a), without_tones_or_case(b)
    if plain_a != plain_b:
        assert (vi_sort_key(a) < vi_sort_key(b)) == (vi_sort_key(plain_a) < vi_sort_key(plain_b))


# --- person_sort_key -------------------------------------------------------------------------


def test_person_sort_key_sorts_by_given_name_first() -> None:
    people = ["Trần Văn Đức", "Nguyễn Văn Dũng", "Lê Thị Ánh", "Phạm An", "Vũ Thị Zung"]
    assert sorted(people, key=person_sort_key) == [
        "Phạm An",
        "Lê Thị Ánh",
        "Nguyễn Văn Dũng",
        "Trần Văn Đức",
        "Vũ Thị Zung",
    ]


def test_person_sort_key_breaks_given_name_ties_by_family_then_middle_name() -> None:
    people = ["Trần Thị Hoa", "Nguyễn Văn Hoa", "Nguyễn Thị Hoa", "Đặng Hoa"]
    assert sorted(people, key=person_sort_key) == [
        "Đặng Hoa",
        "Nguyễn Thị Hoa",
        "Nguyễn Văn Hoa",
        "Trần Thị Hoa",
    ]


def test_person_sort_key_handles_one_word_and_tone_style_variants() -> None:
    assert person_sort_key("Thuỷ") == person_sort_key("Thủy")
    assert person_sort_key("Lê Thuỷ") == person_sort_key("  Lê   Thủy ")
    assert person_sort_key("Thủy") < person_sort_key("Lê Thủy")


@given(vietnamese_any_form, vietnamese_any_form)
def test_person_sort_key_is_equal_exactly_when_normalized_names_are(a: str, b: str) -> None:
    assert (person_sort_key(a) == person_sort_key(b)) == (normalize(a) == normalize(b))


# --- database sort strings -------------------------------------------------------------


_NAMES = st.lists(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ ĐÂĂ",
        min_size=1,
        max_size=12,
    ),
    min_size=2,
    max_size=8,
)


@given(_NAMES)
def test_vi_sort_string_orders_like_vi_sort_key(names):
    by_key = sorted(names, key=lambda n: vi_sort_key(n)[:3])
    by_string = sorted(names, key=vi_sort_string)
    assert [vi_sort_key(n)[:3] for n in by_key] == [vi_sort_key(n)[:3] for n in by_string]


@given(_NAMES)
def test_person_sort_string_orders_like_person_sort_key(names):
    strip = lambda k: (k[0][:3], k[1][:3])  # noqa: E731
    by_key = sorted(names, key=lambda n: strip(person_sort_key(n)))
    by_string = sorted(names, key=person_sort_string)
    assert [strip(person_sort_key(n)) for n in by_key] == [strip(person_sort_key(n)) for n in by_string]


def test_vi_sort_string_is_plain_lowercase_hex_so_every_collation_agrees():
    key = vi_sort_string("Phường Đồ Sơn")
    assert set(key) <= set("0123456789abcdef")


def test_vi_sort_string_puts_d_stroke_after_d_and_before_e():
    names = ["Én", "Đà Nẵng", "Dương", "Zung"]
    assert sorted(names, key=vi_sort_string) == ["Dương", "Đà Nẵng", "Én", "Zung"]
