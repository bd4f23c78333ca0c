"""System checks of the records app (`manage.py check`)."""

from __future__ import annotations

from django.core.checks import Warning, register
from django.db import DatabaseError


@register()
def days_off_check(app_configs=None, **kwargs):
    """The legal clock rolls a deadline over public holidays only if they are in the
    days-off table: warn when a year of the next 12 months has none."""
    from anninh.records.services.clock import days_off_gaps

    try:
        gaps = days_off_gaps()
    except (DatabaseError, RuntimeError):  # no database yet (before migrate), or tests without one
        return []
    if not gaps:
        return []
    years = ", ".join(map(str, gaps))
    return [
        Warning(
            f"The days-off table has no public holidays for {years}: crime-report deadlines in the "
            "next 12 months may fall on a holiday.",
            hint="Add the year's holidays (from the government's decision) to "
            "anninh/records/data/days_off.csv and run `manage.py days_off_sync`, or enter them in the admin.",
            id="records.W001",
        )
    ]
