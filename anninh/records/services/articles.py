"""Penal Code articles as typed ("Điều 173", "art. 256A", "173 · Trộm cắp tài sản") and the
version of an article in force on a day. One normalisation for reports, incidents, cases,
selectors and imports.

Below the services: imports no service module except persons' text cleaning.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from anninh.lib.dates import format_date_vn
from anninh.lib.text import fold
from anninh.records.models import Offence
from anninh.records.services.persons import clean_text
from anninh.records.versioning import RecordError

_ARTICLE = re.compile(r"([0-9]{1,3})\s?([a-z]?)(?![0-9a-z])")


def normalise_article(text: str | None) -> str:
    """'Điều 173', 'art. 256A', 'd.173', ' 173 ', '256 a', '173 · Trộm cắp tài sản' → '173' /
    '256a'; text that does not start with an article number comes back folded, without
    spaces or surrounding dots, cut to 20 characters."""
    value = fold(clean_text(str(text or "")))
    for prefix in ("dieu", "article", "art.", "art", "d."):
        if value.startswith(prefix):
            value = value[len(prefix) :].strip()
            break
    match = _ARTICLE.match(value)
    return match[1] + match[2] if match else value.replace(" ", "")[:20].strip(".")


def offence_on(article: str, on: dt.date) -> Offence | None:
    """The version of (normalised) `article` in force on `on`, or None."""
    for offence in Offence.objects.filter(article=article).order_by("-valid_from"):
        if offence.valid_from <= on and (offence.valid_to is None or offence.valid_to >= on):
            return offence
    return None


def offence_in_force(article: str | None, on: dt.date) -> Offence | None:
    """The version of Penal Code `article` in force on `on`; None for an empty article;
    RecordError for an unknown article or one not in force then."""
    value = normalise_article(article)
    if not value:
        return None
    # One query: an empty list is what says the article is unknown.
    versions = list(Offence.objects.filter(article=value[:8]).order_by("-valid_from"))
    if not versions:
        raise RecordError(
            "offence.unknown",
            _("There is no article %(article)s in the offence table.")
            % {"article": clean_text(article)[:20]},
            field="offence",
        )
    for offence in versions:
        if offence.valid_from <= on and (offence.valid_to is None or offence.valid_to >= on):
            return offence
    raise RecordError(
        "offence.not_in_force",
        _("Article %(article)s was not in force on %(date)s.")
        % {"article": value, "date": format_date_vn(on)},
        field="offence",
    )
