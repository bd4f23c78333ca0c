"""Folding Vietnamese names into a search key: lower case, no diacritics, đ→d.

"Nguyễn Thị Hoà" and "nguyen thi hoa" fold to the same key, so an administrator finds a
user whatever keyboard they type on. (Tone placement variants such as hoà/hòa fold to the
same key too, since every mark is removed.)
"""

from __future__ import annotations

import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """`text` in lower case without diacritics, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_D))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(unicodedata.normalize("NFC", stripped).casefold().split())
