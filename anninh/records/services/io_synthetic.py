"""The plan of synthetic incidents for Hai Phong: what happened, where and when.

Pure apart from its inputs (the communes and a seed): the same seed, size, period and
communes give the same plan, row for row. anninh.records.demo writes it to the database
(with people, cases, crime reports, fire-and-rescue reports); the benchmark writes it as a
CSV in the import format.

What makes it look like a Vietnamese city's records:

- An offence mix led by theft (Art. 173), then fraud (174) and online fraud (290), drugs
  (249, 251, 255; 256a only from 1 July 2025, when it came into force), intentional injury
  (134), gambling (321, 322), snatching (171), robbery (168), usury (201), traffic (260),
  plus administrative violations, public-order incidents, traffic accidents, fires,
  explosions and rescues.
- More in dense urban wards: each commune weighs by population times a power of its density
  (rural types, such as drowning, the other way round).
- Seasons: property crime rises in the three weeks before Tết (lunar new year 10/02/2024,
  29/01/2025, 17/02/2026), gambling, fights, fires and firecracker explosions during it;
  drowning in summer; collapses and landslides in the storm season; fires in the dry season.
- Repeat and near-repeat victimisation: a self-exciting (Hawkes) process in which each event
  spawns on average `repeat` follow-ups of the same type within days and a few hundred metres.
- Points inside the commune polygons (rejection sampling within each boundary), so every
  incident's commune is the one its point lies in.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import shapely

from anninh.lib.dates import HCM_TZ

START = dt.date(2023, 7, 1)
LUNAR_NEW_YEAR = (dt.date(2024, 2, 10), dt.date(2025, 1, 29), dt.date(2026, 2, 17), dt.date(2027, 2, 6))
ART_256A_FROM = dt.date(2025, 7, 1)
SYNTHETIC = "[Dữ liệu giả lập]"
M_PER_DEG_LAT = 111_320.0

PREMISES_VI = {
    "home": "nhà riêng",
    "apartment": "chung cư",
    "street": "tuyến đường",
    "market": "chợ",
    "shop": "cửa hàng",
    "office": "cơ quan",
    "factory": "khu công nghiệp",
    "port": "khu vực cảng",
    "waterway": "trên sông",
    "school": "trường học",
    "bank": "cây ATM",
    "entertainment": "quán karaoke",
    "hotel": "nhà nghỉ",
    "transport": "bến xe",
    "farm": "cánh đồng",
    "online": "không gian mạng",
    "other": "địa bàn",
}

HOURS = {
    "night": [5, 5, 4, 4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 4, 4, 5, 5, 5],
    "day": [1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 5, 5, 6, 6, 6, 5, 4, 3, 2, 2, 1, 1],
    "evening": [3, 2, 2, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 4, 5, 6, 7, 7, 6, 4],
    "any": [2, 2, 1, 1, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 2],
}


@dataclass(frozen=True)
class IncidentType:
    key: str
    kind: str
    article: str | None
    share: float
    premises: tuple[str, ...]
    hours: str
    season: str  # property, gambling, injury, fire, explosion, drowning, storm, traffic, flat
    loss_median: int  # đ (0: no loss)
    repeat: float  # mean follow-ups per event (branching ratio, < 1)
    spread_m: float  # spatial scale of the follow-ups
    gap_days: float  # mean delay of a follow-up
    clear: float  # probability the offender is identified
    unit: str  # "commune", a department code, or "commune|PC03" (either)
    report_minutes: float  # median delay from occurrence to report
    victims: float  # probability of a named victim
    window: float  # probability the time is a window (found later)
    weight: str  # urban, people, rural
    texts: tuple[str, ...]


# One row per type of incident; the columns are IncidentType's fields, in order.
# fmt: off
T = IncidentType
TYPES: tuple[IncidentType, ...] = (
    T("theft", "crime", "173", 0.26, ("home", "street", "market", "shop", "apartment", "factory"), "night", "property",
      6_000_000, 0.25, 150, 4, 0.65, "commune", 60, 0.85, 0.35, "urban",
      ("Phát hiện bị mất {item} tại {place}.", "Đối tượng lẻn vào {place} lấy trộm {item}.")),
    T("fraud", "crime", "174", 0.06, ("home", "shop", "office", "other"), "day", "property", 40_000_000, 0.1, 400, 10,
      0.55, "commune|PC03", 2880, 1.0, 0.0, "urban",
      ("Bị hại bị lừa chuyển tiền mua {item}.", "Đối tượng giả danh cán bộ để chiếm đoạt tiền của bị hại.")),
    T("cyber_fraud", "crime", "290", 0.06, ("online",), "any", "flat", 80_000_000, 0.05, 500, 7, 0.3, "PA05", 2880, 1.0,
      0.0, "people", ("Bị hại bị lừa qua mạng xã hội, chuyển khoản theo yêu cầu của đối tượng.",
                      "Đối tượng giả danh công an gọi điện yêu cầu chuyển tiền.")),
    T("snatching", "crime", "171", 0.04, ("street",), "evening", "property", 5_000_000, 0.3, 300, 3, 0.75, "PC02", 20,
      1.0, 0.0, "urban", ("Hai đối tượng đi xe máy giật {item} của người đi đường.",)),
    T("robbery", "crime", "168", 0.015, ("street", "shop", "home"), "night", "property", 8_000_000, 0.15, 300, 5, 0.9,
      "PC02", 30, 1.0, 0.0, "urban", ("Đối tượng dùng hung khí khống chế bị hại, cướp {item}.",)),
    T("injury", "crime", "134", 0.05, ("street", "entertainment", "home", "market"), "evening", "injury", 0, 0.15, 200, 2,
      0.95, "commune", 30, 1.0, 0.0, "urban", ("Xô xát dẫn đến cố ý gây thương tích tại {place}.",)),
    T("drug_possession", "crime", "249", 0.05, ("street", "home", "hotel", "entertainment"), "evening", "flat", 0, 0.2, 250,
      6, 1.0, "commune", 5, 0.0, 0.0, "urban", ("Kiểm tra phát hiện đối tượng tàng trữ trái phép chất ma túy.",)),
    T("drug_trade", "crime", "251", 0.035, ("street", "home", "hotel"), "evening", "flat", 0, 0.25, 300, 8, 1.0, "PC04", 5,
      0.0, 0.0, "urban", ("Bắt quả tang đối tượng mua bán trái phép chất ma túy.",)),
    T("drug_den", "crime", "255", 0.01, ("entertainment", "hotel", "home"), "night", "flat", 0, 0.2, 250, 10, 1.0, "PC04",
      5, 0.0, 0.0, "urban", ("Phát hiện nhóm đối tượng tổ chức sử dụng trái phép chất ma túy.",)),
    T("drug_use", "crime", "256a", 0.03, ("entertainment", "hotel", "home", "street"), "night", "flat", 0, 0.2, 250, 6,
      1.0, "commune", 5, 0.0, 0.0, "urban", ("Phát hiện đối tượng sử dụng trái phép chất ma túy.",)),
    T("gambling", "crime", "321", 0.035, ("home", "entertainment", "other"), "evening", "gambling", 0, 0.2, 300, 7, 1.0,
      "commune", 10, 0.0, 0.0, "people", ("Bắt quả tang nhóm đối tượng đánh bạc được thua bằng tiền.",)),
    T("gambling_org", "crime", "322", 0.01, ("home", "entertainment", "online"), "evening", "gambling", 0, 0.15, 400, 10,
      1.0, "PC02", 10, 0.0, 0.0, "people", ("Triệt phá điểm tổ chức đánh bạc.",)),
    T("usury", "crime", "201", 0.01, ("home", "shop", "online"), "day", "flat", 200_000_000, 0.1, 500, 15, 0.7, "PC02",
      10080, 1.0, 0.0, "people", ("Đối tượng cho vay lãi nặng (tín dụng đen) với lãi suất gấp nhiều lần quy định.",)),
    T("traffic_crime", "traffic", "260", 0.02, ("street",), "evening", "traffic", 0, 0.0, 0, 1, 0.9, "PC08", 15, 1.0, 0.0,
      "people", ("Tai nạn giao thông gây hậu quả nghiêm trọng, người điều khiển vi phạm quy định.",)),
    T("destruction", "crime", "178", 0.012, ("home", "shop", "street"), "night", "flat", 10_000_000, 0.1, 200, 5, 0.7,
      "commune", 120, 1.0, 0.0, "urban", ("Đối tượng cố ý làm hư hỏng tài sản của bị hại.",)),
    T("disorder", "crime", "318", 0.012, ("street", "entertainment"), "evening", "injury", 0, 0.2, 300, 3, 0.9, "commune",
      20, 0.0, 0.0, "urban", ("Nhóm thanh niên tụ tập gây rối trật tự công cộng.",)),
    T("abuse_trust", "crime", "175", 0.01, ("shop", "office", "home"), "day", "flat", 60_000_000, 0.05, 500, 15, 0.6,
      "commune|PC03", 10080, 1.0, 0.0, "people", ("Đối tượng vay, mượn tài sản rồi bỏ trốn, chiếm đoạt.",)),
    T("stolen_goods", "crime", "323", 0.005, ("shop", "market"), "day", "flat", 0, 0.1, 300, 10, 1.0, "commune", 60, 0.0,
      0.0, "urban", ("Phát hiện cửa hàng thu mua tài sản do người khác phạm tội mà có.",)),
    T("resisting", "crime", "330", 0.004, ("street",), "evening", "flat", 0, 0.0, 0, 1, 1.0, "commune", 5, 0.0, 0.0,
      "urban", ("Đối tượng chống người thi hành công vụ khi bị kiểm tra.",)),
    T("murder", "crime", "123", 0.002, ("home", "street"), "night", "flat", 0, 0.0, 0, 1, 0.97, "PC02", 60, 1.0, 0.0,
      "people", ("Vụ giết người tại {place}.",)),
    T("rape", "crime", "141", 0.002, ("home", "hotel"), "night", "flat", 0, 0.0, 0, 1, 0.9, "PC02", 1440, 1.0, 0.0,
      "people", ("Tố giác hành vi hiếp dâm.",)),
    T("counterfeit", "crime", "192", 0.004, ("shop", "market", "online"), "day", "property", 0, 0.1, 500, 10, 1.0, "PC03",
      60, 0.0, 0.0, "urban", ("Phát hiện cơ sở buôn bán hàng giả.",)),
    T("extortion", "crime", "170", 0.003, ("shop", "home"), "evening", "flat", 20_000_000, 0.1, 300, 7, 0.85, "PC02", 720,
      1.0, 0.0, "urban", ("Đối tượng đe dọa, cưỡng đoạt tiền của bị hại.",)),
    T("administrative", "administrative", None, 0.12, ("market", "street", "shop", "home"), "day", "property", 800_000,
      0.15, 200, 5, 0.0, "commune", 60, 0.6, 0.0, "urban",
      ("Trộm cắp tài sản giá trị dưới ngưỡng truy cứu, xử phạt vi phạm hành chính.", "Vi phạm hành chính về trật tự, an toàn xã hội.")),
    T("public_order", "public_order", None, 0.05, ("street", "entertainment", "home"), "evening", "injury", 0, 0.2, 200, 3,
      0.0, "commune", 15, 0.0, 0.0, "urban", ("Tụ tập gây ồn ào, mất trật tự khu dân cư.",)),
    T("traffic_accident", "traffic", None, 0.05, ("street",), "day", "traffic", 0, 0.0, 0, 1, 0.0, "PC08", 10, 0.0, 0.0,
      "people", ("Va chạm giao thông giữa xe máy và ô tô.",)),
    T("fire", "fire", None, 0.025, ("home", "shop", "factory", "market", "apartment", "office"), "any", "fire", 0, 0.0, 0,
      1, 0.0, "PC07", 5, 0.0, 0.0, "people", ("Cháy tại {place}, lực lượng chữa cháy đã khống chế.",)),
    T("explosion", "explosion", None, 0.002, ("home", "factory", "shop"), "evening", "explosion", 0, 0.0, 0, 1, 0.0, "PC07",
      5, 0.0, 0.0, "people", ("Nổ tại {place}.",)),
    T("drowning", "rescue_drowning", None, 0.006, ("waterway",), "day", "drowning", 0, 0.0, 0, 1, 0.0, "PC07", 20, 0.0,
      0.0, "rural", ("Cứu nạn người đuối nước trên sông.",)),
    T("collapse", "rescue_collapse", None, 0.002, ("home", "street", "factory"), "day", "storm", 0, 0.0, 0, 1, 0.0, "PC07",
      10, 0.0, 0.0, "people", ("Sập công trình, cây đổ, lực lượng cứu nạn tìm kiếm người mắc kẹt.",)),
    T("equipment", "rescue_accident", None, 0.002, ("factory", "port"), "day", "flat", 0, 0.0, 0, 1, 0.0, "PC07", 10, 0.0,
      0.0, "people", ("Tai nạn do máy móc, thiết bị, cứu người bị mắc kẹt.",)),
    T("landslide", "rescue_landslide", None, 0.001, ("farm", "street"), "day", "storm", 0, 0.0, 0, 1, 0.0, "PC07", 30, 0.0,
      0.0, "rural", ("Sạt lở đất, cứu nạn người bị vùi lấp.",)),
    T("waterway", "rescue_transport", None, 0.002, ("waterway", "port"), "day", "storm", 0, 0.0, 0, 1, 0.0, "PC07", 20, 0.0,
      0.0, "rural", ("Tai nạn giao thông đường thủy nội địa, phương tiện bị chìm.",)),
    T("search", "rescue_search", None, 0.001, ("waterway", "farm"), "day", "drowning", 0, 0.0, 0, 1, 0.0, "PC07", 60, 0.0,
      0.0, "rural", ("Tìm kiếm nạn nhân mất tích.",)),
)
# fmt: on
TYPE_BY_KEY = {t.key: t for t in TYPES}
ITEMS = (
    "xe máy Honda Wave",
    "điện thoại di động",
    "tiền mặt",
    "dây chuyền vàng",
    "xe đạp điện",
    "máy tính xách tay",
    "ví tiền",
    "hàng hóa",
)


@dataclass(frozen=True)
class CommuneShape:
    code: str
    name: str
    kind: str  # phuong, xa, dac_khu
    population: int
    area_km2: float
    geometry: Any  # shapely geometry, lon/lat

    @property
    def density(self) -> float:
        return self.population / self.area_km2 if self.area_km2 else 0.0


@dataclass(slots=True)
class PlannedIncident:
    index: int
    type: str
    kind: str
    article: str | None
    clause: int | None
    occurred_from: dt.datetime
    occurred_to: dt.datetime | None
    reported_at: dt.datetime
    commune: str
    lat: float
    lon: float
    premises: str
    address: str
    narrative: str
    losses_vnd: int
    unit_code: str
    review_status: str
    parent: int | None  # the event it followed (near-repeat), by index


def communes_from_db() -> list[CommuneShape]:
    from anninh.geo import geometry
    from anninh.geo.models import Commune

    rows = Commune.objects.order_by("code").values_list(
        "code", "name", "kind", "population", "area_km2", "boundary"
    )
    out = []
    for code, name, kind, population, area, boundary in rows:
        geom = geometry.from_geojson(boundary)
        shapely.prepare(geom)
        out.append(CommuneShape(code, name, kind, population, area, geom))
    return out


# Time --------------------------------------------------------------------------------------


def _season(profile: str, days: list[dt.date]) -> np.ndarray:
    weights = np.ones(len(days))
    for i, day in enumerate(days):
        w = 1.0
        for tet in LUNAR_NEW_YEAR:
            offset = (day - tet).days
            if -21 <= offset <= -1 and profile == "property":
                w *= 1.5
            elif -2 <= offset <= 10 and profile == "gambling":
                w *= 5.0
            elif 0 <= offset <= 7:
                w *= {"injury": 1.6, "fire": 1.8, "explosion": 8.0, "traffic": 1.6}.get(profile, 0.85)
        if profile == "drowning" and day.month in (5, 6, 7, 8):
            w *= 2.5
        if profile == "storm" and day.month in (7, 8, 9, 10):
            w *= 2.5
        if profile == "fire" and day.month in (11, 12, 1, 2, 3, 4):
            w *= 1.3
        if profile in ("injury", "gambling") and day.weekday() >= 5:
            w *= 1.2
        weights[i] = w
    return weights


def _trend(days: list[dt.date]) -> np.ndarray:
    """A slow decline (-4 % a year), as the city's crime figures have shown."""
    years = np.array([(d - START).days / 365.25 for d in days])
    return np.power(0.96, years)


# Space -------------------------------------------------------------------------------------


def _commune_weights(communes: list[CommuneShape], profile: str) -> np.ndarray:
    density = np.array([max(c.density, 1.0) for c in communes])
    population = np.array([float(c.population) for c in communes])
    median = float(np.median(density))
    if profile == "urban":
        weights = population * np.power(density / median, 0.5)
    elif profile == "rural":
        weights = population * np.power(median / density, 0.3)
    else:
        weights = population
    return weights / weights.sum()


def sample_points(commune: CommuneShape, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`n` points (lat, lon rounded to 6 decimals) uniformly inside the commune's boundary."""
    min_lon, min_lat, max_lon, max_lat = commune.geometry.bounds
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    have = 0
    fill = max(commune.geometry.area / ((max_lon - min_lon) * (max_lat - min_lat)), 0.05)
    while have < n:
        size = int((n - have) / fill * 1.3) + 8
        lon = np.round(rng.uniform(min_lon, max_lon, size), 6)
        lat = np.round(rng.uniform(min_lat, max_lat, size), 6)
        inside = shapely.contains_xy(commune.geometry, lon, lat)
        lons.append(lon[inside])
        lats.append(lat[inside])
        have += int(inside.sum())
    return np.concatenate(lats)[:n], np.concatenate(lons)[:n]


@dataclass
class _Background:
    """Draws events of one type that follow no other: a day by season, an hour by the type's
    daily rhythm, a commune by weight, a point inside it."""

    rng: np.random.Generator
    days: int
    t0: float
    t_end: float
    day_p: np.ndarray
    hour_p: np.ndarray
    commune_p: np.ndarray
    communes: list[CommuneShape]

    def add(self, n: int, times: list, places: list, lats: list, lons: list, parents: list) -> None:
        rng = self.rng
        day = rng.choice(self.days, size=n, p=self.day_p)
        seconds = (
            day * 86400.0
            + rng.choice(24, size=n, p=self.hour_p) * 3600.0
            + rng.integers(0, 60, size=n) * 60.0
        )
        where = rng.choice(len(self.communes), size=n, p=self.commune_p)
        lat = np.zeros(n)
        lon = np.zeros(n)
        for c in np.unique(where):
            mask = where == c
            lat[mask], lon[mask] = sample_points(self.communes[int(c)], int(mask.sum()), rng)
        for i in range(n):
            t = self.t0 + float(seconds[i])
            if t >= self.t_end:
                t = self.t_end - float(rng.uniform(3600, 86400 * 3))
            times.append(t)
            places.append(int(where[i]))
            lats.append(float(lat[i]))
            lons.append(float(lon[i]))
            parents.append(-1)


# The plan ----------------------------------------------------------------------------------


def demo_plan(
    *, communes: list[CommuneShape], incidents: int, seed: int, end: dt.datetime, start: dt.date = START
) -> list[PlannedIncident]:
    """`incidents` synthetic incidents between `start` (local midnight) and `end` (aware),
    sorted by occurrence; deterministic in its arguments."""
    rng = np.random.default_rng(seed)
    end_local = end.astimezone(HCM_TZ)
    days = [start + dt.timedelta(days=i) for i in range((end_local.date() - start).days + 1)]
    t0 = dt.datetime.combine(start, dt.time.min, tzinfo=HCM_TZ).timestamp()
    t_end = end.timestamp()
    trend = _trend(days)
    shares = np.array([t.share for t in TYPES])
    counts = np.floor(shares / shares.sum() * incidents).astype(int)
    remainder = incidents - int(counts.sum())
    for i in np.argsort(-shares)[:remainder]:
        counts[i] += 1
    by_code = {c.code: c for c in communes}
    codes = [c.code for c in communes]
    season_cache: dict[str, np.ndarray] = {}

    events: list[
        tuple[float, int, int, float, float, int]
    ] = []  # (time, type, commune, lat, lon, parent local id)
    for type_index, (kind, wanted) in enumerate(zip(TYPES, counts, strict=True)):
        if wanted == 0:
            continue
        if kind.season not in season_cache:
            season_cache[kind.season] = _season(kind.season, days)
        day_weights = season_cache[kind.season] * trend
        day_p = day_weights / day_weights.sum()
        hour_p = np.array(HOURS[kind.hours], dtype=float)
        hour_p /= hour_p.sum()
        commune_p = _commune_weights(communes, kind.weight)
        times: list[float] = []
        places: list[int] = []
        lats: list[float] = []
        lons: list[float] = []
        parents: list[int] = []

        background = _Background(
            rng,
            days=len(days),
            t0=t0,
            t_end=t_end,
            day_p=day_p,
            hour_p=hour_p,
            commune_p=commune_p,
            communes=communes,
        )
        background.add(max(1, round(wanted * (1 - kind.repeat))), times, places, lats, lons, parents)
        generation = list(range(len(times)))
        while generation and kind.repeat > 0 and len(times) < wanted * 1.2:
            spawn = rng.poisson(kind.repeat, size=len(generation))
            children: list[int] = []
            for parent, k in zip(generation, spawn, strict=True):
                for _ in range(int(k)):
                    t = times[parent] + float(rng.exponential(kind.gap_days)) * 86400.0
                    if t >= t_end:
                        continue
                    commune = communes[places[parent]]
                    dy, dx = rng.normal(0.0, kind.spread_m, size=2)
                    lat = round(lats[parent] + dy / M_PER_DEG_LAT, 6)
                    lon = round(lons[parent] + dx / (M_PER_DEG_LAT * math.cos(math.radians(lats[parent]))), 6)
                    if not shapely.contains_xy(commune.geometry, lon, lat):
                        lat, lon = lats[parent], lons[parent]  # same place again (a repeat)
                    times.append(t)
                    places.append(places[parent])
                    lats.append(lat)
                    lons.append(lon)
                    parents.append(parent)
                    children.append(len(times) - 1)
            generation = children
        if len(times) < wanted:
            background.add(wanted - len(times), times, places, lats, lons, parents)
        keep = (
            np.sort(rng.choice(len(times), size=wanted, replace=False))
            if len(times) > wanted
            else np.arange(len(times))
        )
        kept = {int(i): n for n, i in enumerate(keep)}
        base = len(events)
        for i in keep:
            i = int(i)
            parent = parents[i]
            events.append(
                (
                    times[i],
                    type_index,
                    places[i],
                    lats[i],
                    lons[i],
                    base + kept[parent] if parent in kept else -1,
                )
            )

    # Sorted by time, indices remapped (a follow-up always comes after its parent).
    order = sorted(range(len(events)), key=lambda i: (events[i][0], i))
    new_index = {old: new for new, old in enumerate(order)}
    now_local = end_local
    plan: list[PlannedIncident] = []
    draws = rng.random((len(order), 8))
    for new, old in enumerate(order):
        t, type_index, place, lat, lon, parent = events[old]
        kind = TYPES[type_index]
        commune = communes[place]
        u = draws[new]
        occurred = dt.datetime.fromtimestamp(t, tz=HCM_TZ)
        occurred_to = None
        if kind.window and u[0] < kind.window:
            occurred_to = occurred + dt.timedelta(minutes=int(120 + u[1] * 360))
        delay = dt.timedelta(minutes=float(kind.report_minutes * math.exp(1.0 * _normal(u[2]))))
        reported = ((occurred_to or occurred) + delay).replace(microsecond=0)
        if reported > now_local:
            reported = now_local - dt.timedelta(minutes=1 + int(u[3] * 30))
            if occurred_to and occurred_to > reported:
                occurred_to = None
            if occurred > reported:
                occurred = reported - dt.timedelta(minutes=10)
        article = kind.article
        if article == "256a" and occurred.date() < ART_256A_FROM:
            article = "249"  # illegal drug use became a crime on 1 July 2025
        losses = 0
        if kind.loss_median:
            losses = int(round(kind.loss_median * math.exp(0.9 * _normal(u[4])), -4))
        clause = None
        if article:
            clause = 1
            if losses >= 500_000_000:
                clause = 4
            elif losses >= 200_000_000:
                clause = 3
            elif losses >= 50_000_000:
                clause = 2
        premises = kind.premises[int(u[5] * len(kind.premises)) % len(kind.premises)]
        item = ITEMS[int(u[6] * len(ITEMS)) % len(ITEMS)]
        text = kind.texts[int(u[7] * len(kind.texts)) % len(kind.texts)]
        narrative = f"{SYNTHETIC} " + text.format(item=item, place=PREMISES_VI.get(premises, "địa bàn"))
        if commune.kind == "xa":
            address = f"Thôn {1 + int(u[1] * 12)}, {commune.name}"
        else:
            address = f"Số {1 + int(u[3] * 240)}, tổ dân phố {1 + int(u[6] * 30)}, {commune.name}"
        unit = kind.unit
        if "|" in unit:
            unit = unit.split("|")[0 if u[0] < 0.5 else 1]
        unit_code = f"CA{commune.code}" if unit == "commune" else unit
        age_days = (now_local - reported).days
        if age_days > 30:
            review = "approved" if u[2] < 0.97 else ("submitted" if u[2] < 0.99 else "returned")
        else:
            review = (
                "draft"
                if u[5] < 0.4
                else "submitted"
                if u[5] < 0.75
                else "returned"
                if u[5] < 0.8
                else "approved"
            )
        plan.append(
            PlannedIncident(
                index=new,
                type=kind.key,
                kind=kind.kind,
                article=article,
                clause=clause,
                occurred_from=occurred,
                occurred_to=occurred_to,
                reported_at=reported,
                commune=commune.code,
                lat=lat,
                lon=lon,
                premises=premises,
                address=address,
                narrative=narrative,
                losses_vnd=losses,
                unit_code=unit_code,
                review_status=review,
                parent=new_index[parent] if parent >= 0 else None,
            )
        )
    assert all(c in by_code for c in {p.commune for p in plan}) and len(codes) == len(by_code)
    return plan


_NORMAL = NormalDist()


def _normal(u: float) -> float:
    """The standard normal quantile of a uniform draw (one uniform per value keeps the plan's
    draws in one array)."""
    return _NORMAL.inv_cdf(min(max(u, 1e-9), 1 - 1e-9))


def plan_row(p: PlannedIncident, *, external_id: str) -> dict[str, Any]:
    """One planned incident in the import format (anninh.records.services.io_formats)."""

    def when(value: dt.datetime | None) -> str:
        return "" if value is None else value.astimezone(HCM_TZ).strftime("%d/%m/%Y %H:%M:%S")

    return {
        "external_id": external_id,
        "kind": p.kind,
        "occurred_from": when(p.occurred_from),
        "occurred_to": when(p.occurred_to),
        "reported_at": when(p.reported_at),
        "commune_code": p.commune,
        "address": p.address,
        "lat": p.lat,
        "lon": p.lon,
        "premises": p.premises,
        "articles": "" if not p.article else p.article + (f"/{p.clause}" if p.clause else ""),
        "losses_vnd": p.losses_vnd,
        "unit_code": p.unit_code,
        "review_status": p.review_status,
        "synthetic": 1,
        "narrative": p.narrative,
    }
