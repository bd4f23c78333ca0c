"""The details of synthetic records around each planned incident: people with valid-format
identifiers, register numbers that continue the services' counters, the case and crime
report of a crime (with its legal clock), and the fire-and-rescue report. Used by
anninh.records.demo, which writes them."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache

import numpy as np

from anninh.lib.dates import HCM_TZ
from anninh.records.models import Offence, Person, PersonPhone, RegisterCounter
from anninh.records.services.io_fast import fast_fold, fast_normalize
from anninh.records.services.io_synthetic import SYNTHETIC, PlannedIncident

# fmt: off
RIVERS = (("cam", 0.3), ("bach_dang", 0.2), ("van_uc", 0.15), ("thai_binh", 0.15), ("kinh_thay", 0.15), ("lach_tray", 0.05))
# Synthetic names: common family names with rough weights, middle and given names by sex.
FAMILY = (("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 8), ("Hoàng", 5), ("Vũ", 5), ("Phan", 3), ("Đặng", 3),
          ("Bùi", 3), ("Đỗ", 3), ("Ngô", 2), ("Dương", 2), ("Đinh", 2), ("Đoàn", 1), ("Trịnh", 1), ("Mai", 1),
          ("Lương", 1), ("Cao", 1), ("Tô", 1), ("Hồ", 1))
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Ngọc", "Mạnh", "Công", "Duy", "Gia", "Tiến")
MIDDLE_F = ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng", "Thùy", "Kim", "Khánh", "Bảo", "Mai")
GIVEN_M = ("Anh", "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Nam", "Long", "Phong", "Quân", "Huy", "Hiếu", "Đức", "Thắng",
           "Trung", "Sơn", "Tùng", "Cường", "Khánh", "Tiến", "Bình", "Việt", "Thành", "Đạt", "Kiên", "Lâm")
GIVEN_F = ("Hương", "Lan", "Linh", "Trang", "Mai", "Hoa", "Huyền", "Ngọc", "Thảo", "Hà", "Hằng", "Nga", "Phương",
           "Yến", "Dung", "Thủy", "Vân", "Anh", "Nhung", "Loan", "Hạnh", "Quyên", "Chi", "Giang")
# Province of birth registration that opens a CCCD: Hải Phòng 031, Hải Dương 030, neighbours.
CCCD_PROVINCES = (("031", 0.6), ("030", 0.25), ("034", 0.05), ("022", 0.05), ("001", 0.05))
MOBILE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038",
                   "039", "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088", "089")
FIRE_CAUSES = ("Chập điện", "Sự cố thiết bị điện", "Sơ suất khi sử dụng lửa", "Đốt vàng mã", "Sự cố bình gas",
               "Chưa xác định")
# fmt: on
ANY_CRIME = frozenset({"crime", "traffic"})


def _choice(table, u: float):
    total = sum(w for _v, w in table)
    acc = 0.0
    for value, weight in table:
        acc += weight / total
        if u < acc:
            return value
    return table[-1][0]


class People:
    """Synthetic people with valid-format, unique CCCDs and mobile numbers."""

    def __init__(self, rng: np.random.Generator, communes: list[str], today: dt.date):
        self.rng = rng
        self.communes = communes
        self.today = today
        self.cccds: set[str] = set()
        self.phones: set[str] = set()
        self.rows: list[
            tuple
        ] = []  # (full_name, name_key, sort_key, birth_year, cccd, address, commune, province)
        self.phone_rows: list[tuple[int, str]] = []  # (person index, number)

    def new(self, *, commune: str) -> int:
        u = self.rng.random(8)
        male = u[0] < 0.62
        family = _choice(FAMILY, u[1])
        middle = (MIDDLE_M if male else MIDDLE_F)[int(u[2] * 13) % len(MIDDLE_M if male else MIDDLE_F)]
        given = (GIVEN_M if male else GIVEN_F)[int(u[3] * 26) % len(GIVEN_M if male else GIVEN_F)]
        name = fast_normalize(f"{family} {middle} {given}")
        keys = (fast_fold(name)[:160], person_sort_key_fast(family, middle, given))
        birth_year = int(self.today.year - 16 - u[4] * 55)
        century = (0 if birth_year < 2000 else 2) + (0 if male else 1)
        while True:
            cccd = f"{_choice(CCCD_PROVINCES, u[5])}{century}{birth_year % 100:02d}{int(self.rng.integers(0, 1_000_000)):06d}"
            if cccd not in self.cccds:
                break
        self.cccds.add(cccd)
        home = commune if u[6] < 0.7 else self.communes[int(u[7] * len(self.communes)) % len(self.communes)]
        index = len(self.rows)
        self.rows.append(
            (name, *keys, birth_year, cccd, f"{SYNTHETIC} tổ dân phố {1 + int(u[6] * 30)}", home, "31")
        )
        if u[7] < 0.6:
            while True:
                phone = (
                    MOBILE_PREFIXES[int(self.rng.integers(0, len(MOBILE_PREFIXES)))]
                    + f"{int(self.rng.integers(0, 10_000_000)):07d}"
                )
                if phone not in self.phones:
                    break
            self.phones.add(phone)
            self.phone_rows.append((index, phone))
        return index

    def avoid_existing(self) -> None:
        """Redraw the identifiers real or earlier rows already hold (unique in the database)."""
        cccds = [r[4] for r in self.rows]
        taken = _existing(Person, "cccd", cccds)
        for i, row in enumerate(self.rows):
            if row[4] in taken:
                while True:
                    cccd = row[4][:6] + f"{int(self.rng.integers(0, 1_000_000)):06d}"
                    if cccd not in self.cccds and cccd not in taken:
                        break
                self.cccds.add(cccd)
                self.rows[i] = (*row[:4], cccd, *row[5:])
        taken = _existing(PersonPhone, "number", [p for _i, p in self.phone_rows])
        self.phone_rows = [(i, p) for i, p in self.phone_rows if p not in taken]


@lru_cache(maxsize=4096)
def _vi_sort_string(text: str) -> str:
    from anninh.lib.text import vi_sort_string

    return vi_sort_string(text)


def person_sort_key_fast(family: str, middle: str, given: str) -> str:
    """anninh.lib.text.person_sort_string("family middle given") for names already in
    normal form, from cached parts (the given name first, then the rest; a test checks
    it agrees with the library)."""
    return _vi_sort_string(given) + _vi_sort_string(f"{family} {middle}")


def _existing(model, field: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(values), 900):
        found.update(
            model.objects.filter(**{f"{field}__in": values[start : start + 900]}).values_list(
                field, flat=True
            )
        )
    return found


class Register:
    """Numbers of one register ("incident", "report", "case") per unit and year, continuing
    the counters (RegisterCounter) the services use, which are moved on at the end."""

    def __init__(self, register: str):
        self.register = register
        self.last = {(c.unit_id, c.year): c.last for c in RegisterCounter.objects.filter(register=register)}
        self.start = dict(self.last)

    def next(self, unit_id: int, year: int) -> int:
        value = self.last.get((unit_id, year), 0) + 1
        self.last[(unit_id, year)] = value
        return value

    def save(self) -> None:
        existing = {(c.unit_id, c.year): c for c in RegisterCounter.objects.filter(register=self.register)}
        new, changed = [], []
        for (unit_id, year), last in self.last.items():
            counter = existing.get((unit_id, year))
            if counter is None:
                new.append(RegisterCounter(unit_id=unit_id, register=self.register, year=year, last=last))
            elif counter.last < last:
                counter.last = last
                changed.append(counter)
        RegisterCounter.objects.bulk_create(new)
        RegisterCounter.objects.bulk_update(changed, ["last"])


def loss_item(kind: str, u: float) -> str:
    if kind in ("fraud", "cyber_fraud", "usury", "abuse_trust", "extortion"):
        return "Tiền chuyển khoản"
    items = ("Xe máy", "Điện thoại di động", "Trang sức vàng", "Máy tính xách tay", "Xe đạp điện", "Hàng hóa")
    return items[int(u * len(items)) % len(items)]


def plan_case_and_report(
    p: PlannedIncident,
    pk: int,
    u,
    kind,
    offence: Offence,
    unit,
    units,
    end: dt.datetime,
    today: dt.date,
    cases: list,
    reports: list,
) -> None:
    """Whether the crime became a case (and when its offender was identified) and its crime
    report's path through the legal clock."""
    received = p.reported_at.astimezone(HCM_TZ).date()
    department = units.get(offence.handling_unit_code) or unit
    caught = kind.clear >= 1.0  # drugs, gambling: caught in the act
    has_case = u[5] < (0.97 if caught else 0.85)
    delay_days = int(1 + u[6] * 12) if u[7] < 0.85 else int(25 + u[6] * 35)  # the long ones are extended
    initiated = received + dt.timedelta(days=delay_days)
    if initiated > today:
        has_case = False
    case = None
    if has_case:
        identified = None
        if u[8] < kind.clear:
            if caught:
                identified = p.occurred_from + dt.timedelta(minutes=10 + int(u[9] * 120))
            else:
                identified = p.reported_at + dt.timedelta(
                    days=float(3 * math.exp(1.3 * (u[9] * 2 - 1) * 1.5))
                )
            if identified > end:
                identified = None
        age = (today - initiated).days
        if identified is not None:
            status, closed = "cleared", None
        elif age > 180 and u[10] < 0.12:
            status, closed = (
                ("unfounded", initiated + dt.timedelta(days=60))
                if u[11] < 0.5
                else ("closed_admin", initiated + dt.timedelta(days=90))
            )
        elif age > 30:
            status, closed = "investigating", None
        else:
            status, closed = "open", None
        case = {
            "plan_index": p.index,
            "handling": department,
            "initiated_on": initiated,
            "offence": offence,
            "status": status,
            "offender_identified_at": identified,
            "closed_on": closed,
        }
        cases.append(case)
    if u[10] >= (0.95 if case else 0.6):
        return
    report_kind = "to_giac" if u[11] < 0.6 else ("tin_bao" if u[11] < 0.95 else "kien_nghi")
    channel = {
        "to_giac": ("in_person", "phone_113", "online"),
        "tin_bao": ("phone_113", "written", "media"),
        "kien_nghi": ("written",),
    }[report_kind]
    receiving = units.get(f"CA{p.commune}") if u[3] < 0.85 else department
    receiving = receiving or unit
    age = (today - received).days
    clock: list[tuple[str, dt.date, int]] = []
    transfer_to = None
    notified = procuracy = None
    if case is not None:
        decided = case["initiated_on"]
        if (decided - received).days > 18:
            clock.append(("extend", received + dt.timedelta(days=15), 0))
        clock.append(("decide", decided, 0))
        status, handling = "initiated", department
    elif age > 60:
        suspend = u[9] < 0.3
        # A suspension only once the time limit has run out (Art. 148): 32-40 days after
        # receipt is past the 20 days and any day-off roll-over (Tết included).
        days = int(32 + u[6] * 8) if suspend else int(4 + u[6] * 15)
        decided = received + dt.timedelta(days=days)
        clock.append(("suspend" if suspend else "decide", decided, 0))
        status, handling = ("suspended" if suspend else "not_initiated"), receiving
    else:
        decided = None
        handling = receiving
        if age <= 2:
            status = "received"
        elif age <= 6:
            status = "classified"
        elif age <= 10 and u[9] < 0.4 and department.pk != receiving.pk:
            status, transfer_to = "transferred", department
        else:
            status = "verifying"
            if age > 15 and u[8] < 0.5:
                clock.append(("extend", received + dt.timedelta(days=15), 0))
    if decided is not None:
        notified = decided + dt.timedelta(days=int(1 + u[4] * 4)) if u[4] < 0.8 else None
        procuracy = decided + dt.timedelta(days=int(u[4] * 3))
        if notified and notified > today:
            notified = None
        if procuracy > today:
            procuracy = None
    agency = ""
    if report_kind == "tin_bao" and u[2] < 0.5:
        agency = ("Ban quản lý chợ", "Báo Hải Phòng", "Ban bảo vệ dân phố", "Ngân hàng thương mại")[
            int(u[2] * 8) % 4
        ]
    reports.append(
        {
            "plan_index": p.index,
            "kind": report_kind,
            "channel": channel[int(u[1] * len(channel)) % len(channel)],
            "receiving": receiving,
            "handling": handling,
            "transfer_to": transfer_to,
            "status": status,
            "clock": clock,
            "decided_on": decided,
            "offence": offence,
            "confidential": u[0] < 0.05,
            "agency": agency,
            "notified": notified,
            "procuracy_notified": procuracy,
            "collector_account": demo_collector(p.index, offence),
        }
    )


#: Synthetic collector accounts (bank or e-wallet : number, already in the normalised form of
#: anninh.records.services.collector): a handful of fraud rings' accounts that several victims
#: name, so the early warning's "same collector account" rule has something to find.
DEMO_COLLECTORS = (
    "VCB:1029384756",
    "TCB:19033445566011",
    "MB:0868123456",
    "ACB:24681357",
    "MOMO:0912000111",
    "BIDV:21510000987654",
)


def demo_collector(index: int, offence) -> str:
    """The account a fraud victim paid into (Art. 174 and 290 complaints, about three in five
    of them name one), chosen deterministically from the planned incident's index."""
    if offence is None or offence.article not in ("174", "290"):
        return ""
    spread = (index * 2654435761) % 1000
    if spread >= 600:
        return ""
    return DEMO_COLLECTORS[spread % len(DEMO_COLLECTORS)]


def fire_detail(p: PlannedIncident, pk: int, u) -> tuple:
    dead = injured = rescued = found = 0
    river = vessel = ""
    damage = 0
    if p.kind == "fire":
        damage = int(round(150_000_000 * math.exp(1.2 * (u[8] * 2 - 1) * 1.5), -5))
        injured = int(u[9] * 3) if u[9] < 0.2 else 0
        dead = 1 if u[10] < 0.02 else 0
        rescued = int(u[11] * 6) if u[11] < 0.15 else 0
    elif p.kind == "explosion":
        damage = int(round(30_000_000 * math.exp(u[8] * 2), -5))
        injured = 1 + int(u[9] * 3)
        dead = 1 if u[10] < 0.1 else 0
    elif p.kind in ("rescue_drowning", "rescue_search", "rescue_transport"):
        river = _choice(RIVERS, u[8])
        dead = 1 if u[9] < 0.55 else 0
        rescued = 0 if dead else 1 + int(u[10] * 2)
        found = dead
        if p.kind == "rescue_transport":
            vessel = f"Sà lan HP-{1000 + int(u[11] * 8999)}"
    else:
        rescued = 1 + int(u[9] * 3)
        injured = int(u[10] * 2)
        dead = 1 if u[11] < 0.08 else 0
    cause = (
        FIRE_CAUSES[int(u[7] * len(FIRE_CAUSES)) % len(FIRE_CAUSES)]
        if p.kind in ("fire", "explosion")
        else ""
    )
    return (
        pk,
        cause,
        dead,
        injured,
        rescued,
        found,
        max(damage, 0),
        8 + int(u[6] * 30),
        2 + int(u[5] * 6),
        river,
        vessel,
    )


def response_times_for(
    p: PlannedIncident, pk: int, u, fire_unit_id: int, commune_unit, end: dt.datetime
) -> list[tuple]:
    alerted = p.reported_at
    dispatched = alerted + dt.timedelta(seconds=60 + int(u[1] * 120))
    urban = p.address.startswith("Số")
    arrived = dispatched + dt.timedelta(minutes=(5 + u[2] * 8) if urban else (12 + u[2] * 20))
    controlled = arrived + dt.timedelta(minutes=15 + u[3] * 100)
    ended = controlled + dt.timedelta(minutes=10 + u[4] * 60)

    def upto(value: dt.datetime) -> dt.datetime | None:
        return value if value <= end else None

    rows = [(pk, fire_unit_id, alerted, upto(dispatched), upto(arrived), upto(controlled), upto(ended))]
    if commune_unit is not None and u[5] < 0.6:
        first = alerted + dt.timedelta(minutes=1 + u[6] * 3)
        rows.append(
            (
                pk,
                commune_unit.pk,
                alerted,
                upto(first),
                upto(first + dt.timedelta(minutes=3 + u[7] * 6)),
                None,
                upto(ended),
            )
        )
    return rows
