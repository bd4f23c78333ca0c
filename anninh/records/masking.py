"""What a viewer without personal data (`scoping.sees_personal_data`: analysts unless a
commander granted it) sees of a record's free text (issue 14, item 12b).

The crime is the analyst's business, the people are not. Names, identity numbers, phones and
a person's own address are already left out for them; two more things gave people away:

- the place's house number: "Số 45 ngõ 12 Lạch Tray" is often a victim's home, so the
  address is cut to the street ("Lạch Tray"), enough for analysis by commune, street and
  premises (the point on the map stays: it is what hot-spot analysis works on);
- the narrative: free text that names people and gives their home addresses; it is withheld
  whole (nothing reliable could find every name in it).

Each record's people are labelled "Person 1", "Person 2"... in their order on that record,
never by their person-index id, which would link one masked person across records.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# A house number and the word that introduces it: "số 45", "ngõ 12", "ngách 3/5", "nhà 7",
# "kiệt 4", "hẻm 2", "phòng 302", "tổ 5", "lô B2", or a bare number ("45", "12A").
_HOUSE = re.compile(
    r"\b(?:số\s+nhà|số|nhà|ngõ|ngách|hẻm|kiệt|phòng|căn\s+hộ|tổ|lô|kiốt|ki-ốt|km)?\s*[A-Za-z]?\d[\w/.-]*",
    re.IGNORECASE,
)


def mask_address(address: str) -> str:
    """The address without house numbers: "Số 45 ngõ 12 Lạch Tray" → "Lạch Tray"."""
    text = _HOUSE.sub(" ", address or "")
    parts = [re.sub(r"\s+", " ", part).strip(" -/.") for part in text.split(",")]
    return ", ".join(part for part in parts if part)


def person_label(position: int) -> str:
    """The label of a record's `position`-th person (1-based) for a masked viewer."""
    return _("Person %(n)d") % {"n": position}
