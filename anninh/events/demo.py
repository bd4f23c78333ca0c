"""Demo event security (synthetic, labelled): the city Party congress, under way, in Hồng Bàng
and Ngô Quyền, with its venues, schedule, risk register (one risk raised during the event),
units and shifts, checkpoints and patrol routes from this week's forecast, and a command log;
and a festival planned for next spring."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.utils import timezone

from anninh.events import services
from anninh.events.models import Event, LogKind
from anninh.geo import lookup
from anninh.geo.models import Commune
from anninh.lib.dates import HCM_TZ
from anninh.org.models import Unit

CONGRESS = "Đại hội đại biểu Đảng bộ thành phố Hải Phòng (mẫu)"
FESTIVAL = "Lễ hội Hoa Phượng Đỏ (mẫu)"

#: (name, lat, lon, commune whose inside point stands in if the point falls elsewhere)
CONGRESS_VENUES = [
    ("Nhà hát thành phố (mẫu)", 20.8580, 106.6830, "11311"),
    ("Trung tâm Hội nghị thành phố (mẫu)", 20.8600, 106.6930, "11329"),
    ("Khách sạn đón đại biểu (mẫu)", 20.8610, 106.6790, "11311"),
]
RISKS = [
    (
        "Tụ tập đông người, khiếu kiện tại khu vực hội trường",
        3,
        4,
        "Công an phường Hồng Bàng",
        "Lực lượng cơ động túc trực; đối thoại tại chỗ.",
    ),
    (
        "Flycam không phép bay qua khu vực hội nghị",
        2,
        4,
        "PA05",
        "Thiết bị chống flycam; thông báo vùng cấm bay.",
    ),
    ("Ùn tắc giao thông giờ đón, tiễn đại biểu", 4, 3, "PC08", "Phân luồng từ 06:30; dẫn đoàn."),
    ("Cháy, nổ tại hội trường", 1, 5, "PC07", "Kiểm tra PCCC trước 3 ngày; xe chữa cháy trực."),
    ("Tin giả, kích động trên mạng xã hội", 3, 3, "PA05", "Theo dõi 24/7; phối hợp gỡ bỏ."),
]
UNITS = [
    ("PK02", "Bảo vệ vòng ngoài, cơ động", 0, 60),
    ("PC08", "Phân luồng, dẫn đoàn", 0, 40),
    ("PC06", "Kiểm tra lưu trú khu vực khách sạn", 2, 12),
    ("CA11311", "Bảo vệ vòng trong Nhà hát thành phố", 0, 25),
    ("CA11329", "Bảo vệ Trung tâm Hội nghị", 1, 25),
    ("PC07", "Trực phòng cháy, chữa cháy", 0, 10),
]
LOG = [
    (-30, LogKind.INFORMATION, "Các lực lượng đã vào vị trí; kiểm tra an ninh hội trường xong."),
    (30, LogKind.ACTION, "Đoàn đại biểu đã đến Nhà hát thành phố an toàn."),
    (95, LogKind.INCIDENT, "Phát hiện 01 flycam gần khu vực Trung tâm Hội nghị; đã vô hiệu hoá."),
    (100, LogKind.DECISION, "Tăng cường 01 tổ chống flycam tại Trung tâm Hội nghị."),
    (240, LogKind.RESOURCE, "PK02 điều thêm 10 cán bộ cho vòng ngoài ca chiều."),
    (480, LogKind.INFORMATION, "Phiên làm việc ngày thứ nhất kết thúc, tình hình ổn định."),
]


def _point(lat: float, lon: float, fallback: str) -> tuple[float, float]:
    if lookup.commune_at(lat, lon) is not None:
        return lat, lon
    c = Commune.objects.get(pk=fallback)
    return c.point_lat, c.point_lon


def _congress() -> Event:
    # Under way: opened yesterday morning, closes the day after tomorrow.
    starts = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(7, 0), tzinfo=HCM_TZ)
    event = services.event_create(
        actor=None,
        name=CONGRESS,
        kind="party_congress",
        starts_at=starts,
        ends_at=starts + dt.timedelta(days=3, hours=10),
        description="Dữ liệu mẫu: bảo vệ tuyệt đối an toàn Đại hội.",
        lead_unit=Unit.objects.active().filter(code="PV01").first(),
        area_radius_m=1200,
        is_synthetic=True,
    )
    venues = []
    for i, (name, lat, lon, fallback) in enumerate(CONGRESS_VENUES):
        lat, lon = _point(lat, lon, fallback)
        if i == 0:  # the main hall drawn as an area
            d = 0.0007
            ring = [
                [lon - d, lat - d],
                [lon + d, lat - d],
                [lon + d, lat + d],
                [lon - d, lat + d],
                [lon - d, lat - d],
            ]
            venues.append(
                services.venue_add(
                    actor=None, event=event, name=name, shape={"type": "Polygon", "coordinates": [ring]}
                )
            )
        else:
            venues.append(services.venue_add(actor=None, event=event, name=name, lat=lat, lon=lon))
    for day in range(3):
        first = starts + dt.timedelta(days=day)
        services.schedule_add(
            actor=None,
            event=event,
            title=f"Phiên làm việc ngày {day + 1}",
            starts_at=first + dt.timedelta(hours=1),
            ends_at=first + dt.timedelta(hours=10),
            venue=venues[0],
        )
    services.schedule_add(
        actor=None,
        event=event,
        title="Đón đại biểu",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        venue=venues[2],
    )
    units = {u.code: u for u in Unit.objects.active().filter(code__in=[c for c, *_ in UNITS])}
    for code, task, venue, officers in UNITS:
        if code in units:
            services.unit_assign(
                actor=None,
                event=event,
                unit=units[code],
                task=task,
                shift_start=starts - dt.timedelta(hours=1),
                shift_end=starts + dt.timedelta(hours=11),
                venue=venues[venue],
                officers=officers,
            )
    risks = [
        services.risk_create(
            actor=None,
            event=event,
            threat=t,
            likelihood=lk,
            impact=im,
            owner=o,
            mitigation=m,
            now=starts - dt.timedelta(days=3),
        )
        for t, lk, im, o, m in RISKS
    ]
    # Raised during the event: a flycam was seen.
    services.risk_update(
        actor=None,
        risk=risks[1],
        likelihood=4,
        status="monitoring",
        note="Đã phát hiện flycam ngày thứ nhất (mẫu)",
        now=starts + dt.timedelta(minutes=100),
    )
    with contextlib.suppress(services.EventError):  # no forecast: the page says how to plan
        services.event_plan_security(actor=None, event=event, teams=3, cells_per_team=3)
    now = timezone.now()
    for minutes, kind, text in LOG:
        at = starts + dt.timedelta(minutes=minutes)
        if at <= now:
            services.log_append(actor=None, event=event, text=text, kind=kind, at=at)
    return event


def _festival() -> Event:
    year = timezone.localdate().year + 1
    starts = dt.datetime(year, 5, 1, 19, 0, tzinfo=HCM_TZ)
    event = services.event_create(
        actor=None,
        name=FESTIVAL,
        kind="festival",
        starts_at=starts,
        ends_at=starts + dt.timedelta(days=2, hours=4),
        area_radius_m=800,
        is_synthetic=True,
    )
    lat, lon = _point(20.8560, 106.6850, "11311")
    services.venue_add(actor=None, event=event, name="Quảng trường Nhà hát (mẫu)", lat=lat, lon=lon)
    services.risk_create(
        actor=None,
        event=event,
        threat="Móc túi, trộm cắp nơi đông người",
        likelihood=4,
        impact=2,
        owner="CA phường Hồng Bàng",
    )
    return event


def events_demo_seed(progress=None) -> dict[str, int]:
    made = 0
    existing = set(
        Event.objects.unrestricted().filter(name__in=[CONGRESS, FESTIVAL]).values_list("name", flat=True)
    )
    if CONGRESS not in existing:
        _congress()
        made += 1
    if FESTIVAL not in existing:
        _festival()
        made += 1
    return {"events": made}
