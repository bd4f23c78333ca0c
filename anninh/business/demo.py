"""Demo dialogues (synthetic, labelled "(mẫu)"): an industrial park, four businesses, one
dialogue meeting a month ago with recommendations in every state. (No demo business account
yet: the demo's accounts are one per staff role, see anninh.demo.services.DEMO_USERS.)"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from anninh.business import services
from anninh.business.models import Business, BusinessAccount, IndustrialPark, Ownership, Recommendation
from anninh.geo.models import Commune
from anninh.lib.identifiers import mst_check_digit
from anninh.org.models import Unit

PARK = ("Khu công nghiệp Đình Vũ (mẫu)", "11311")
BUSINESSES = [
    ("Công ty TNHH Điện tử Hải An (mẫu)", Ownership.FDI, "Hàn Quốc", "0201000010"),
    ("Công ty CP Cơ khí Lạch Tray (mẫu)", Ownership.DOMESTIC, "", "0201000020"),
    ("Công ty TNHH May mặc Đông Hải (mẫu)", Ownership.FDI, "Nhật Bản", "0201000030"),
    ("Công ty CP Logistics Cảng Xanh (mẫu)", Ownership.DOMESTIC, "", "0201000040"),
]
RECOMMENDATIONS = [
    ("security", "Đề nghị tăng cường tuần tra khu vực cổng nhà máy lúc tan ca tối.", "CA11311", "resolved"),
    (
        "procedures",
        "Đề nghị hướng dẫn thủ tục khai báo tạm trú cho chuyên gia nước ngoài.",
        "CA11311",
        "answered",
    ),
    ("fire", "Đề nghị kiểm tra, hướng dẫn diễn tập phòng cháy cho kho hàng mới.", "PC07", "assigned"),
    (
        "traffic",
        "Đề nghị bố trí phân luồng giao thông giờ cao điểm trước cổng khu công nghiệp.",
        "CA11311",
        "overdue",
    ),
    ("cyber", "Đề nghị tuyên truyền cho công nhân về lừa đảo qua mạng.", None, "received"),
]


def _tax_code(seed: str) -> str:
    first_nine = seed[:9]
    while mst_check_digit(first_nine) is None:
        first_nine = f"{int(first_nine) + 1:09d}"
    return f"{first_nine}{mst_check_digit(first_nine)}"


def business_demo_seed(progress=None) -> dict[str, int]:
    User = get_user_model()
    press = User.objects.filter(username="press").first()
    if press is None or Business.objects.unrestricted().filter(name=BUSINESSES[0][0]).exists():
        return {"businesses": 0}
    park = IndustrialPark.objects.filter(name=PARK[0]).first() or services.park_create(
        actor=press, name=PARK[0], commune=Commune.objects.get(code=PARK[1]), operator="(mẫu)"
    )
    commune = Commune.objects.get(code=PARK[1])
    businesses = [
        services.business_create(
            actor=press,
            data=services.BusinessInput(
                name=name,
                tax_code=_tax_code(seed),
                ownership=ownership,
                investor_country=country,
                commune=commune,
                park=park,
                contact_name="Nguyễn Văn Bảo Vệ (mẫu)",
                contact_phone="0912000111",
            ),
        )
        for name, ownership, country, seed in BUSINESSES
    ]
    today = timezone.localdate()
    meeting = services.meeting_create(
        actor=press,
        title="Hội nghị đối thoại Công an - Doanh nghiệp khu công nghiệp (mẫu)",
        held_on=today - dt.timedelta(days=40),
        commune=commune,
        park=park,
        organising_unit=Unit.objects.active().get(code="PV01"),
        businesses=businesses,
        summary="Hội nghị mẫu cho bản trình diễn.",
    )
    commander = User.objects.filter(username="commander").first() or press
    for n, (topic, text, unit_code, state) in enumerate(RECOMMENDATIONS):
        rec = services.recommendation_create(
            actor=press, meeting=meeting, business=businesses[n % len(businesses)], topic=topic, text=text
        )
        if unit_code is None:
            continue
        unit = Unit.objects.active().get(code=unit_code)
        due = today - dt.timedelta(days=3) if state == "overdue" else today + dt.timedelta(days=20)
        rec = services.recommendation_assign(actor=press, recommendation=rec, unit=unit)
        # The demo's due dates are set directly: a service never accepts one in the past.
        Recommendation.objects.unrestricted().filter(pk=rec.pk).update(due_on=due)
        rec.refresh_from_db()
        if state in ("answered", "resolved"):
            rec = services.recommendation_answer(
                actor=commander, recommendation=rec, answer="Đã tiếp thu và bố trí lực lượng (mẫu)."
            )
        if state == "resolved":
            services.recommendation_resolve(
                actor=press, recommendation=rec, resolution="Doanh nghiệp xác nhận đã ổn (mẫu)."
            )
    # The demo business account (anninh.demo.services.DEMO_USERS) speaks for the first business.
    account = User.objects.filter(username="doanhnghiep", is_demo=True).first()
    if account is not None:
        BusinessAccount.objects.get_or_create(user=account, defaults={"business": businesses[0]})
    return {"businesses": len(businesses), "recommendations": len(RECOMMENDATIONS)}
