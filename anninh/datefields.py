"""The Django and API side of `anninh.lib.dates`: translated messages for a refused date, a
validator for Django's own date fields and the date types of API schemas.

`anninh.lib.dates.parse_date_vn` refuses days outside 01/01/1900 … 31/12/2100 (`date.out_of_range`).
Pages and endpoints that parse dates themselves go through it; the ones that let Django forms
or pydantic parse (a `forms.DateField`, a `dt.date` in a ninja schema) add the same check here,
so a year 1 or 9999 gets a form error or a 422, never an OverflowError further down.
Project-level (like `anninh.env`) because every app from audit up uses it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from anninh.lib.dates import InvalidDate, check_date_range, local_date

__all__ = ["ApiDate", "ApiDateTime", "date_message", "validate_date_range"]


def date_message(exc: InvalidDate) -> str:
    """The user's message for a refused date, in their language."""
    if exc.code == "date.out_of_range":
        return _("Enter a date between 01/01/1900 and 31/12/2100.")
    if exc.code == "date.invalid":
        return _("There is no such date.")
    if exc.code == "week.format":
        return _("Enter the week as YYYY-Www, e.g. 2026-W47.")
    if exc.code == "week.invalid":
        return _("There is no such week.")
    return _("Enter the date as dd/mm/yyyy, e.g. 05/11/2026.")


def validate_date_range(value: dt.date | None) -> None:
    """Validator for a `forms.DateField` / `forms.DateTimeField` (checks the local day)."""
    if value is None:
        return
    try:
        check_date_range(_day(value))
    except InvalidDate as exc:
        raise ValidationError(date_message(exc), code=exc.code) from None


def _day(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        try:
            return local_date(value)
        except OverflowError:  # 9999-12-31 23:00 UTC has no local day: out of range anyway
            return dt.date.max
    return value.date() if isinstance(value, dt.datetime) else value


def _api_check(value):
    try:
        check_date_range(_day(value))
    except InvalidDate as exc:
        raise PydanticCustomError(exc.code, date_message(exc)) from None
    return value


#: A date in an API schema or query: 422 `date.out_of_range` outside 01/01/1900 … 31/12/2100.
ApiDate = Annotated[dt.date, AfterValidator(_api_check)]
#: The same for a date-time (its day in Vietnam is checked).
ApiDateTime = Annotated[dt.datetime, AfterValidator(_api_check)]
