"""Daily, weekly and final campaign reports, in Vietnamese or English, as HTML and A4 PDF
(WeasyPrint, as anninh/reports). Made on demand from the records, never stored: every
number is the dashboard's, and in the HTML each one opens its records."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anninh.campaigns.models import Campaign
from anninh.campaigns.selectors import campaign_dashboard

KINDS = ("daily", "weekly", "final")


def report_window(campaign: Campaign, kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The days a report covers: the day; the Monday-to-Sunday week of the day; the whole
    campaign. Always clipped to the campaign."""
    if kind == "daily":
        first = last = day
    elif kind == "weekly":
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=6)
    else:
        first, last = campaign.first, campaign.last
    first, last = max(first, campaign.first), min(last, campaign.last)
    return (first, max(first, last))


def render_html(
    *, viewer, campaign: Campaign, kind: str, day: dt.date, language: str, absolute: str = ""
) -> tuple[str, str]:
    """(title, HTML) of a report. `absolute` (scheme and host) makes the links work in a PDF."""
    first, last = report_window(campaign, kind, day)
    with translation.override(language):
        period = campaign_dashboard(viewer=viewer, campaign=campaign, first=first, last=last)
        cumulative = (
            None
            if kind == "final"
            else campaign_dashboard(viewer=viewer, campaign=campaign, first=campaign.first, last=last)
        )
        names = {
            "daily": _("Daily progress report"),
            "weekly": _("Weekly progress report"),
            "final": _("Final report"),
        }
        title = f"{names[kind]}: {campaign.name} ({first:%d/%m/%Y}–{last:%d/%m/%Y})"
        html = render_to_string(
            "campaigns/report.html",
            {
                "title": title,
                "campaign": campaign,
                "period": period,
                "cumulative": cumulative,
                "kind": kind,
                "first": first,
                "last": last,
                "absolute": absolute,
                "generated": timezone.localtime(),
                "language": language,
            },
        )
    return title, html


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()
