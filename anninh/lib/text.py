"""Vietnamese text: canonical form, folded search key and Vietnamese collation.

Three jobs, three functions:

* :func:`normalize` gives the one spelling we store: NFC, trimmed, single spaces, and the
  tone mark in its canonical place (``hoà`` → ``hòa``, ``thuỷ`` → ``thủy``), so that equal
  names compare equal and unique constraints work.
* :func:`fold` gives the search key: lower case, no diacritics, ``đ`` → ``d``. Officers type
  without diacritics on phones and in a hurry; ``"hong bang"`` must find ``"Hồng Bàng"``.
* :func:`vi_sort_key` / :func:`person_sort_key` sort the way a Vietnamese reader expects
  (``Đ`` right after ``D``, not after ``Z`` as code-point order does; people by given name).

Only the standard library is used; in particular no ICU, so this runs anywhere. The collation
follows the CLDR ``vi`` rules that PostgreSQL's ``vi-VN-x-icu`` uses (letters ă â đ ê ô ơ ư
as separate letters, tones as a secondary level, lower case first), so that Python and the
database agree on Vietnamese names. It was not checked against ICU itself (PyICU is not
installed); punctuation, digits and other scripts may order differently in corner cases.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

__all__ = [
    "ALPHABET",
    "TONE_MARKS",
    "TONE_ORDER",
    "fold",
    "normalize",
    "person_sort_key",
    "vi_sort_key",
]

# --- marks -----------------------------------------------------------------------------------

#: The five tone marks as decomposed (NFD) combining characters. "Thanh ngang" (level tone)
#: is the absence of a mark.
TONE_MARKS: dict[str, str] = {
    "\u0300": "huyền",  # grave
    "\u0309": "hỏi",  # hook above
    "\u0303": "ngã",  # tilde
    "\u0301": "sắc",  # acute
    "\u0323": "nặng",  # dot below
}

#: Traditional dictionary order of tones (no tone first), used as the secondary sort level:
#: a < à < ả < ã < á < ạ. This is also CLDR's ``vi`` tailoring.
TONE_ORDER: tuple[str, ...] = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

# Vowel-shape marks make different *letters* (ă â ê ô ơ ư), not tones.
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_SHAPED_LETTER: dict[tuple[str, str], str] = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}

_VOWELS = frozenset("aăâeêioôơuưy")
_SHAPED_VOWELS = frozenset("ăâêôơư")
_CONSONANTS = frozenset("bcdđghklmnpqrstvx")

# A written Vietnamese syllable: optional initial, 1+ vowel letters, optional final.
# Alternation order matters: longer initials first, and "gi"/"qu" before "g"/"q" so that the
# i of "gi" and the u of "qu" count as part of the initial when a vowel follows ("giữ",
# "quý"); the regex backtracks to plain "g" when no vowel follows ("gìn" = g + i + n).
_SYLLABLE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnpqrstvx])?"
    r"([aăâeêioôơuưy]+)"
    r"(ch|ng|nh|[cmnpt])?"
)


# Written vowel clusters that occur in Vietnamese syllables, one row per cluster length so it
# reads like the textbook table. A cluster outside this list means the word is not Vietnamese
# (French "où", typos like "uo" without horns), and then we do not move anything.
_NUCLEUS_ROWS = (
    "a ă â e ê i o ô ơ u ư y",
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy ưa ưi ưu ươ yê",
    "iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu",
)
_NUCLEI = frozenset(cluster for row in _NUCLEUS_ROWS for cluster in row.split())


def _analyse(token: str) -> list[tuple[str, str, str, str]] | None:
    """Split an NFC word into letters ``(original_base, vi_letter, shape_mark, tone_mark)``.

    Returns None when the word is not made only of Vietnamese letters and marks (foreign
    letters, marks on consonants, two tones on one letter, ...): such words are left alone.
    """
    letters = []
    for ch in token:
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        lower = base.lower()
        shapes = [m for m in marks if m not in TONE_MARKS]
        tones = [m for m in marks if m in TONE_MARKS]
        if len(shapes) > 1 or len(tones) > 1:
            return None
        shape = shapes[0] if shapes else ""
        tone = tones[0] if tones else ""
        if shape:
            letter = _SHAPED_LETTER.get((lower, shape))
            if letter is None:
                return None
        elif lower in _VOWELS or lower in _CONSONANTS:
            letter = lower
        else:
            return None
        if tone and letter not in _VOWELS:
            return None
        letters.append((base, letter, shape, tone))
    return letters


def _tone_index(vowels: str, final: str) -> int:
    """Index (within ``vowels``) of the letter that carries the tone, traditional style.

    ==========================================  =================  ==========================
    Rule (first that applies wins)              Vowel cluster      Examples
    ==========================================  =================  ==========================
    1. a shaped vowel (ă â ê ô ơ ư) is present  the *last* shaped  mưa, người, rượu, thuở,
                                                one                Nguyễn, quyền, thuế, cứu
    2. a final consonant follows                the last vowel     hoàng, hoạch, toán, Huỳnh
    3. three vowels, open syllable              the middle one     ngoài, xoáy, khuỷu, ngoẹo
    4. two vowels, open syllable                the first one      hòa, khỏe, thủy, mùa, hải
    5. one vowel                                that vowel         quý, già, giữ, gìn
    ==========================================  =================  ==========================

    Rule 4 is the choice this project makes for ``oa``, ``oe`` and ``uy`` ("old"/traditional
    style: hòa, khỏe, thủy; the "new" style writes hoà, khoẻ, thuỷ). The ``qu`` and ``gi``
    initials are not vowels here, which is why quý and già keep the tone on the next letter.
    """
    shaped = [i for i, v in enumerate(vowels) if v in _SHAPED_VOWELS]
    if shaped:
        return shaped[-1]
    if final:
        return len(vowels) - 1
    if len(vowels) == 3:
        return 1
    return 0


def _canonical_tone(token: str) -> str:
    """Move the single tone mark of one Vietnamese syllable to its canonical letter.

    Anything that does not parse as one syllable with exactly one tone is returned unchanged,
    so foreign words, abbreviations and run-together words are never damaged.
    """
    letters = _analyse(token)
    if letters is None:
        return token
    tone_positions = [i for i, (_, _, _, tone) in enumerate(letters) if tone]
    if len(tone_positions) != 1:
        return token
    match = _SYLLABLE.fullmatch("".join(letter for _, letter, _, _ in letters))
    if match is None:
        return token
    initial, vowels, final = match.group(1) or "", match.group(2), match.group(3) or ""
    if vowels not in _NUCLEI:
        return token
    target = len(initial) + _tone_index(vowels, final)
    current = tone_positions[0]
    if target == current:
        return token
    tone = letters[current][3]
    parts = []
    for i, (base, _, shape, _) in enumerate(letters):
        parts.append(base + shape + (tone if i == target else ""))
    return unicodedata.normalize("NFC", "".join(parts))


def _is_word_char(ch: str) -> bool:
    # Letters and combining marks make up words; everything else (spaces, digits,
    # punctuation, hyphens) separates them.
    return unicodedata.category(ch)[0] in "LM"


def normalize(s: str) -> str:
    """Return the canonical stored form of Vietnamese text.

    Steps: Unicode NFC; strip; collapse every run of whitespace (including non-breaking and
    other Unicode spaces) to one ASCII space; then, word by word, put the tone mark where
    :func:`_tone_index` says (traditional placement: ``hoà`` → ``hòa``, ``Thuỷ`` → ``Thủy``,
    ``khoẻ`` → ``khỏe``, ``hóang`` → ``hoáng``; ``hoàng``, ``quý``, ``giữ`` are already
    canonical). Case is kept. Words that are not a single Vietnamese syllable (known initial,
    a vowel cluster from ``_NUCLEI``, known final) with exactly one tone mark are left exactly
    as they were: ``café``, French ``où``, ``HoàBình``.

    Caveat: a foreign word that happens to spell a Vietnamese syllable is treated as one.
    Apply this to Vietnamese fields, not to free-form foreign text.

    >>> normalize("  Thuỷ   Nguyên ")
    'Thủy Nguyên'
    """
    if not isinstance(s, str):
        raise TypeError(f"normalize() expects str, got {type(s).__name__}")
    s = unicodedata.normalize("NFC", s)
    s = " ".join(s.split())
    pieces = []
    for is_word, group in itertools.groupby(s, key=_is_word_char):
        chunk = "".join(group)
        pieces.append(_canonical_tone(chunk) if is_word else chunk)
    # Re-compose once more: cheap insurance that joining pieces cannot leave a non-NFC seam.
    return unicodedata.normalize("NFC", "".join(pieces))


def fold(s: str) -> str:
    """Return the search key: normalized, case-folded, without any diacritics, ``đ`` → ``d``.

    All combining marks are removed (tones *and* vowel shapes: ``ơ`` → ``o``), because people
    search by typing plain ASCII. ``đ`` has no Unicode decomposition (it is a letter with a
    stroke, not d + mark), so it is mapped explicitly. Punctuation and digits are kept.

    >>> fold("ĐẶC KHU BẠCH LONG VĨ")
    'dac khu bach long vi'
    """
    s = normalize(s).casefold()
    s = "".join(ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn")
    s = s.replace("đ", "d")
    return unicodedata.normalize("NFC", " ".join(s.split()))


# --- collation -------------------------------------------------------------------------------

#: Vietnamese alphabetical order (29 letters) with the Latin-only letters f, j, w, z slotted
#: in where the Latin alphabet has them, as ICU/CLDR ``vi`` does for loanwords and foreign
#: names. Note ``đ`` right after ``d``.
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONE_ORDER)}

# Primary weights are (group << 21) | value; 21 bits hold any code point. Groups follow
# ICU's default: spaces, then punctuation and symbols, then digits, then letters.
_G_SPACE, _G_PUNCT, _G_DIGIT, _G_LETTER, _G_OTHER = 0, 1, 2, 3, 4
# Secondary weight for letters carrying marks we do not know (not Vietnamese); the final
# tie-breaker of the key orders them deterministically.
_FOREIGN_MARKS = len(TONE_ORDER)


def _char_weights(ch: str) -> tuple[int, int, int]:
    """(primary, secondary, tertiary) weights of one NFC character."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    lower = base.lower()
    shapes = "".join(m for m in marks if m not in TONE_MARKS)
    tones = [m for m in marks if m in TONE_MARKS]
    shaped = _SHAPED_LETTER.get((lower, shapes)) if shapes else None
    letter = shaped or lower
    # Marks we cannot read as one Vietnamese shape plus at most one tone (e.g. "ŭ", "ñ"
    # with two marks) keep the base letter's primary weight and a distinct secondary.
    foreign = (bool(shapes) and shaped is None) or len(tones) > 1
    tertiary = 1 if base != lower else 0  # lower case before upper case, as in ICU
    if letter in _LETTER_RANK:
        primary = (_G_LETTER << 21) | _LETTER_RANK[letter]
        if foreign:
            return primary, _FOREIGN_MARKS, tertiary
        return primary, (_TONE_RANK[tones[0]] if tones else 0), tertiary
    secondary = _FOREIGN_MARKS if marks else 0
    if base.isspace():
        return _G_SPACE << 21, secondary, 0
    digit = unicodedata.decimal(base, None)
    if digit is not None:
        return (_G_DIGIT << 21) | digit, secondary, 0
    if unicodedata.category(base)[0] in "PSZC":
        return (_G_PUNCT << 21) | ord(base), secondary, 0
    value = ord(lower) if len(lower) == 1 else ord(base)
    return (_G_OTHER << 21) | value, secondary, tertiary


def vi_sort_key(s: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]:
    """Return a key that sorts Vietnamese text in Vietnamese alphabetical order.

    Multi-level, like ICU/UCA collation over the whole string:

    1. primary: base letters in the order ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u
       ư v x y`` (shapes are distinct letters; ``đ`` directly after ``d``); spaces sort
       before punctuation, punctuation before digits, digits before letters;
    2. secondary: tones, letter by letter, in the order no tone, huyền, hỏi, ngã, sắc, nặng;
    3. tertiary: lower case before upper case;
    4. the normalized string itself, so that two keys are equal exactly when the normalized
       strings are equal (a total order consistent with equality).

    The input is normalized first, so ``hoà`` and ``hòa`` get the same key.

    Note: this is whole-string collation order (what ICU and the database give), not the
    syllable-by-syllable order of printed dictionaries. They differ when two names differ in
    the tone of an early syllable *and* in the letters of a later one: here ``"Bà Rịa"``
    sorts before ``"Ba Vì"`` (letters "ba r" < "ba v" decide first), a dictionary puts
    ``"Ba Vì"`` first (syllable "ba" < "bà"). We follow the database so both sides agree.

    >>> sorted(["Zung", "Đức", "Dũng", "Én"], key=vi_sort_key)
    ['Dũng', 'Đức', 'Én', 'Zung']
    """
    text = normalize(s)
    weights = [_char_weights(ch) for ch in text]
    return (
        tuple(w[0] for w in weights),
        tuple(w[1] for w in weights),
        tuple(w[2] for w in weights),
        text,
    )


def person_sort_key(full_name: str) -> tuple[tuple, tuple]:
    """Return a key that sorts people the Vietnamese way: by given name, then the rest.

    A Vietnamese full name is written family name first and given name last ("Nguyễn Văn
    Dũng": family Nguyễn, middle Văn, given Dũng). Lists of people are sorted by the given
    name (last word), then by the rest of the name read from the start (family, middle), each
    with :func:`vi_sort_key`. A one-word name is all given name.

    >>> sorted(["Trần Văn Đức", "Nguyễn Văn Dũng", "Phạm An"], key=person_sort_key)
    ['Phạm An', 'Nguyễn Văn Dũng', 'Trần Văn Đức']
    """
    words = normalize(full_name).split(" ")
    given, rest = words[-1], " ".join(words[:-1])
    return (vi_sort_key(given), vi_sort_key(rest))


def _primary_code(weight: int) -> str:
    """One character's primary weight as a prefix-free hex code, fixed-width within its
    group: space "1"; punctuation "2"+6 hex; digit "3"+1 digit; letter "4"+2 hex (rank in
    the Vietnamese alphabet); anything else "5"+6 hex."""
    group, value = weight >> 21, weight & ((1 << 21) - 1)
    if group == _G_SPACE:
        return "1"
    if group == _G_DIGIT:
        return f"3{value:x}"
    if group == _G_LETTER:
        return f"4{value:02x}"
    return f"{2 if group == _G_PUNCT else 5}{value:06x}"


def vi_sort_string(s: str, max_length: int = 400) -> str:
    """The order of :func:`vi_sort_key` as a plain string for a database column: ORDER BY
    on it gives Vietnamese order on any database and under any collation, because it uses
    only ``0-9a-f``, characters no locale ignores or reorders.

    Layout: the primary code of every character (see :func:`_primary_code`), then ``"0"``
    (lower than every code, so a word sorts before a longer one that starts with it), then
    one digit of tone per character, then one of case per character; the tone and case parts
    have equal length whenever the primary parts are equal, so they need no terminator.
    Truncated to `max_length`, which keeps the order except between very long, nearly
    equal strings.
    """
    primary, secondary, tertiary, _ = vi_sort_key(s)
    out = "".join(_primary_code(w) for w in primary) + "0"
    out += "".join(f"{min(w, 15):x}" for w in secondary) + "".join(f"{w:x}" for w in tertiary)
    return out[:max_length]


def person_sort_string(full_name: str) -> str:
    """:func:`person_sort_key` as a database-sortable string: given name first, then the
    rest of the name from the start."""
    words = normalize(full_name).split(" ")
    return (vi_sort_string(words[-1]) + vi_sort_string(" ".join(words[:-1])))[:400]
