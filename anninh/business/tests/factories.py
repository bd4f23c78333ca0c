"""Dialogue records for tests: a business with its meeting and one recommendation."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from anninh.business import services
from anninh.business.models import BusinessAccount
from anninh.geo.models import Commune
from anninh.lib.identifiers import mst_check_digit
from anninh.org.models import Unit

_serial = itertools.count(1)


def valid_tax_code() -> str:
    """A fresh tax code with a correct check digit (province 02: Hai Phong)."""
    while True:
        first_nine = f"02{next(_serial) + 1000000:07d}"
        check = mst_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def unit(code: str) -> Unit:
    return Unit.objects.active().get(code=code)


def make_business(
    organiser, *, commune_code: str = "11311", name: str = "Công ty TNHH Cơ khí Lạch Tray", **extra
):
    data = services.BusinessInput(
        name=name,
        tax_code=extra.pop("tax_code", None) or valid_tax_code(),
        ownership=extra.pop("ownership", "fdi"),
        commune=Commune.objects.get(code=commune_code),
        contact_name=extra.pop("contact_name", "Nguyễn Văn An Ninh"),
        contact_phone=extra.pop("contact_phone", "0912345678"),
        investor_country=extra.pop("investor_country", "Hàn Quốc"),
        **extra,
    )
    return services.business_create(actor=organiser, data=data)


def make_recommendation(
    organiser,
    *,
    business,
    unit_code: str | None = "CA11311",
    text: str = "Đề nghị tăng cường tuần tra khu vực cổng nhà máy lúc tan ca.",
    held_on: dt.date | None = None,
    due_on: dt.date | None = None,
):
    meeting = services.meeting_create(
        actor=organiser,
        title="Hội nghị đối thoại Công an - Doanh nghiệp",
        held_on=held_on or timezone.localdate() - dt.timedelta(days=2),
        commune=business.commune,
        organising_unit=unit("PV01"),
        businesses=[business],
    )
    rec = services.recommendation_create(
        actor=organiser, meeting=meeting, business=business, topic="security", text=text
    )
    if unit_code:
        rec = services.recommendation_assign(
            actor=organiser, recommendation=rec, unit=unit(unit_code), due_on=due_on
        )
    return rec


def link_account(user, business) -> BusinessAccount:
    """Link an existing user (the `business` persona) to `business`, as the service would."""
    return BusinessAccount.objects.create(user=user, business=business)
