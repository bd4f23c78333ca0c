"""Vietnamese sort order as a plain string, so the database can ORDER BY it.

`anninh.lib.text.vi_sort_key` returns a tuple (primary letters, tones, case, text), which
Python sorts correctly but a database column cannot hold. `sort_key_string` encodes the first
three levels as a string of the characters 0-9 and a-f only, whose order (byte order in SQLite,
and any PostgreSQL collation, since such strings contain no characters a locale would ignore or
reorder) is the order of the tuples:

- level 1, one element per character, each prefix-free and fixed-width within its group:
  space "1"; punctuation "2"+6 hex; digit "3"+1 digit; letter "4"+2 hex (Vietnamese alphabet
  rank); other "5"+6 hex; then the terminator "0", lower than every group, so that a name that
  is a prefix of another sorts first;
- level 2 (tones, 0-6) and level 3 (case, 0-1): one digit per character; both have the same
  length whenever level 1 is equal, so they need no terminator.

Level 4 (the text itself) is left out: order by (sort_key, code) to break the rare ties.
"""

from __future__ import annotations

from anninh.lib.text import vi_sort_string

# Words that name a unit's type, not the unit: lists sort "Phường Hồng Bàng" under H.
TYPE_PREFIXES = ("Công an ", "Phường ", "Xã ", "Đặc khu ", "phường ", "xã ", "đặc khu ")

# The encoding lives in anninh.lib.text (shared with the person index).
sort_key_string = vi_sort_string


def bare_name(name: str) -> str:
    """The proper name without its type words: "Công an phường Hồng Bàng" → "Hồng Bàng"."""
    changed = True
    while changed:
        changed = False
        for prefix in TYPE_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name = name[len(prefix) :]
                changed = True
    return name


def name_sort_key(name: str, max_length: int = 400) -> str:
    """Sort key of a unit's name: Vietnamese order of the proper name, then the full name
    (so "Xã An Lão" sorts under A, and a ward and a commune of the same name stay apart)."""
    return sort_key_string(f"{bare_name(name)} {name}", max_length)
