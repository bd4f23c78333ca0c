"""Folding Vietnamese names into a search key: lower case, no diacritics, đ→d.

"Nguyễn Thị Hoà" and "nguyen thi hoa" fold to the same key, so an administrator finds a
user whatever keyboard they type on. The one implementation lives in anninh.lib.text; this
module keeps the accounts app's import path.
"""

from anninh.lib.text import fold

__all__ = ["fold"]
