"""Demo requests from the public: eight weeks of synthetic tips, complaints and
recommendations in Hồng Bàng and Ngô Quyền, most answered (some late, some reopened, some
rated), a few still open or overdue, one tip received as a crime report. Idempotent: nothing
is added when requests exist. Every sender is invented."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from anninh.requests import services
from anninh.requests.models import Anonymity, ServiceRequest

TEXTS = {
    "tip-crime": "Có người lạ thường xuyên vào ngõ mua bán hàng cấm vào buổi tối.",
    "tip-online-fraud": "Tôi nhận cuộc gọi xưng là công an yêu cầu chuyển tiền để xác minh tài khoản.",
    "order-problem": "Nhóm thanh niên tụ tập, nẹt pô gây ồn sau 23 giờ.",
    "fire-hazard": "Kho chứa hàng dễ cháy sát khu dân cư, lối thoát nạn bị chặn.",
    "complaint": "Tôi chờ làm thủ tục cư trú quá lâu, cán bộ hẹn nhiều lần.",
    "recommendation": "Đề nghị tăng cường tuần tra khu công nghiệp vào ca đêm.",
}
NAMES = ["Nguyễn Thị Lan", "Trần Văn Bình", "Phạm Minh Châu", "Lê Thu Hà", "Đặng Quốc Huy"]


def requests_demo_seed(progress=None) -> dict[str, int]:
    if ServiceRequest.objects.unrestricted().exists():
        return {"requests": 0}
    User = get_user_model()
    officers = {
        u.unit.commune_id: u
        for u in User.objects.filter(username__in=["officer.hongbang", "officer.ngoquyen"])
    }
    if not officers:
        return {"requests": 0}
    rng = random.Random(2026)
    now = timezone.now()
    made = 0
    for i in range(48):
        commune = rng.choice(sorted(officers))
        service = rng.choice(list(TEXTS))
        anonymity = rng.choice(list(Anonymity.values))
        name = rng.choice(NAMES) if anonymity != Anonymity.ANONYMOUS else ""
        request, code = services.request_submit(
            data=services.Submission(
                service_code=service,
                description=TEXTS[service],
                anonymity=anonymity,
                commune_code=commune,
                name=name,
                phone=f"09{rng.randrange(10**7, 10**8)}" if name else "",
            ),
            client_ip=None,
        )
        made += 1
        # Spread over the last eight weeks: the stored dates move back (synthetic data).
        received = now - dt.timedelta(days=56 * (i + 1) / 48, hours=rng.randrange(0, 10))
        due = services.due_date(request.service, timezone.localtime(received).date())
        ServiceRequest.objects.unrestricted().filter(pk=request.pk).update(
            submitted_at=received, due_on=due, first_due_on=due
        )
        request.refresh_from_db()
        officer = officers.get(request.commune_id)
        if officer is None or request.unit_id != officer.unit_id or received > now - dt.timedelta(days=3):
            continue  # routed to a department, or too recent: left open
        if service == "tip-crime" and i % 5 == 0:
            services.request_to_crime_report(actor=officer, request=request)
            continue
        if rng.random() < 0.15:
            continue  # overdue: the escalation command will pick it up
        services.request_answer(
            actor=officer, request=request, text="Công an đã kiểm tra, xử lý theo quy định."
        )
        answered = received + dt.timedelta(days=rng.choice([1, 2, 2, 3, 4, 6, 9]))
        answered = min(answered, now)
        ServiceRequest.objects.unrestricted().filter(pk=request.pk).update(
            first_answered_at=answered, answered_at=answered
        )
        if rng.random() < 0.6:
            services.request_rate(request=request, rating=rng.choice([2, 3, 4, 4, 5, 5, 5]))
        elif rng.random() < 0.2:
            services.request_reopen(
                request=services.request_by_code(code), reason="Tình trạng vẫn tiếp diễn."
            )
    return {"requests": made}
