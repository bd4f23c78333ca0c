"""The first catalogue of services, routing rules and answer templates (loaded by migration
0002; administrators change them afterwards in the admin)."""

from __future__ import annotations

# code, group, name_vi, name_en, description_vi, description_en, answer working days,
# may become a crime report, listed publicly, keywords, default unit code ("" = the commune's police)
SERVICES = [
    (
        "tip-crime",
        "tip",
        "Tố giác, tin báo về tội phạm",
        "Report a crime",
        "Thông tin về một hành vi có dấu hiệu tội phạm: trộm cắp, lừa đảo, ma túy, đánh bạc...",
        "Information about what looks like a crime: theft, fraud, drugs, gambling...",
        3,
        True,
        False,
        "tố giác,tin báo,tội phạm,crime",
        "",
    ),
    (
        "tip-online-fraud",
        "tip",
        "Lừa đảo qua mạng, điện thoại",
        "Online or phone scam",
        "Bị lừa hoặc bị dụ chuyển tiền qua điện thoại, mạng xã hội, ứng dụng.",
        "You were tricked, or asked, to send money by phone, social media or an app.",
        3,
        True,
        False,
        "lừa đảo,scam,fraud",
        "PA05",
    ),
    (
        "order-problem",
        "tip",
        "An ninh, trật tự nơi cư trú",
        "Public order where you live",
        "Tụ tập gây rối, đua xe, tiếng ồn, tệ nạn xã hội ở khu dân cư.",
        "Gangs, street racing, noise, social vices in your neighbourhood.",
        5,
        False,
        True,
        "trật tự,gây rối,order",
        "",
    ),
    (
        "fire-hazard",
        "tip",
        "Nguy cơ cháy, nổ",
        "Fire or explosion hazard",
        "Nơi có nguy cơ cháy nổ: kho hàng, cơ sở kinh doanh, lối thoát nạn bị chặn.",
        "A place at risk of fire or explosion: stores, businesses, blocked exits.",
        5,
        False,
        True,
        "cháy,nổ,PCCC,fire",
        "PC07",
    ),
    (
        "complaint",
        "feedback",
        "Phản ánh, góp ý về thái độ, cách làm việc của công an",
        "Feedback or complaint about police service",
        "Về thái độ, thời gian giải quyết, thủ tục của cán bộ, chiến sĩ công an.",
        "About the manner, delays or procedures of police officers.",
        10,
        False,
        False,
        "phản ánh,góp ý,complaint",
        "CAHP",
    ),
    (
        "recommendation",
        "recommendation",
        "Kiến nghị, đề xuất",
        "Recommendation or proposal",
        "Kiến nghị của người dân, doanh nghiệp về công tác bảo đảm an ninh, trật tự.",
        "Residents' and businesses' recommendations on security and order.",
        10,
        False,
        True,
        "kiến nghị,đề xuất,doanh nghiệp,recommendation",
        "",
    ),
]

TEMPLATES = [
    (
        "Đã tiếp nhận, đang xác minh",
        "Công an đã tiếp nhận thông tin của ông/bà và đang kiểm tra, xác minh. Chúng tôi sẽ thông báo kết quả.",
        "",
    ),
    (
        "Đã xử lý xong",
        "Cảm ơn ông/bà đã phản ánh. Công an đã kiểm tra và xử lý vụ việc theo quy định. "
        "Nếu tình trạng còn tiếp diễn, xin phản ánh lại hoặc gọi 113.",
        "",
    ),
    (
        "Hướng dẫn khi bị lừa chuyển tiền",
        "Đề nghị ông/bà gọi ngay ngân hàng để yêu cầu phong tỏa giao dịch, giữ lại tin nhắn, số tài khoản, "
        "số điện thoại của đối tượng và đến cơ quan công an gần nhất để trình báo.",
        "tip-online-fraud",
    ),
]


def catalogue_load(Service, RouteRule, AnswerTemplate, Unit) -> None:
    """Create the services, their city-wide routing rules and the templates (idempotent)."""
    for order, row in enumerate(SERVICES):
        code, group, name_vi, name_en, desc_vi, desc_en, days, crime, listed, keywords, unit_code = row
        service, _created = Service.objects.update_or_create(
            code=code,
            defaults={
                "group": group,
                "name_vi": name_vi,
                "name_en": name_en,
                "description_vi": desc_vi,
                "description_en": desc_en,
                "answer_days": days,
                "may_become_crime_report": crime,
                "listed": listed,
                "keywords": keywords,
                "order": order,
            },
        )
        if unit_code:
            unit = Unit.objects.filter(code=unit_code, valid_to__isnull=True).order_by("-valid_from").first()
            if unit is not None:
                RouteRule.objects.get_or_create(service=service, commune=None, defaults={"unit": unit})
    for title, text, service_code in TEMPLATES:
        AnswerTemplate.objects.get_or_create(
            title=title,
            defaults={
                "text": text,
                "service": Service.objects.filter(code=service_code).first() if service_code else None,
            },
        )
