"""Demo civil-defence force (synthetic, labelled): teams in 40 communes of the city (1 to 3
each, 6 to 14 members, most trained), duties this week, some of them joining the demo's
approved night patrols; the demo leader account leads Hồng Bàng's first team and the demo
member account is one of its members."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from anninh.civildefence import services
from anninh.civildefence.models import Member, Team, TeamRole
from anninh.geo.models import Commune
from anninh.patrols.models import PatrolPlan, PlanStatus

N_COMMUNES = 40
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quang", "Thu", "Hữu", "Thanh"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hùng",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trang",
    "Tuấn",
]
LEADER_USER = "doitruong.hongbang"
MEMBER_USER = "antt.hongbang"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def civildefence_demo_seed(progress=None) -> dict[str, int]:
    if Team.objects.unrestricted().filter(is_synthetic=True).exists():
        return {"teams": 0, "members": 0, "duties": 0}
    rng = random.Random(2023)  # the Law's year: the same demo every time
    communes = list(Commune.objects.order_by("sort_key").values_list("code", flat=True))
    chosen = sorted({"11311", "11329", *rng.sample(communes, N_COMMUNES - 2)})
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[LEADER_USER, MEMBER_USER])}
    seq = 0
    teams = members = 0
    today = timezone.localdate()
    for code in chosen:
        for t in range(1 if code not in ("11311", "11329") and rng.random() < 0.5 else rng.randint(2, 3)):
            team = services.team_create(
                actor=None,
                commune=code,
                name=f"Tổ bảo vệ ANTT số {t + 1} (mẫu)",
                founded_on=dt.date(2024, 7, 1),
                is_synthetic=True,
            )
            teams += 1
            for i in range(rng.randint(6, 14)):
                seq += 1
                trained = rng.random() < 0.8
                user = users.get(MEMBER_USER) if code == "11311" and t == 0 and i == 1 else None
                services.member_add(
                    actor=None,
                    team=team,
                    full_name=_name(rng),
                    id_number=f"031{rng.choice('01')}{rng.randint(70, 99)}{seq:06d}",
                    phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                    role_in_team=TeamRole.LEADER
                    if i == 0
                    else TeamRole.DEPUTY
                    if i == 1 and t == 0
                    else TeamRole.MEMBER,
                    start_date=dt.date(2024, 7, 1) + dt.timedelta(days=rng.randint(0, 500)),
                    training_done=trained,
                    trained_on=dt.date(2024, 9, 1) + dt.timedelta(days=rng.randint(0, 400))
                    if trained
                    else None,
                    training_note="Bồi dưỡng nghiệp vụ theo Luật 2023 (mẫu)" if trained else "",
                    user=user,
                    is_synthetic=True,
                )
                members += 1
            if code == "11311" and t == 0 and LEADER_USER in users:
                services.team_set_leader(actor=None, team=team, username=LEADER_USER)
    duties = 0
    monday = today - dt.timedelta(days=today.weekday())
    plans = {
        (p.commune_id, p.date): p
        for p in PatrolPlan.objects.unrestricted().filter(
            status=PlanStatus.APPROVED,
            shift="night",
            date__gte=monday,
            date__lt=monday + dt.timedelta(days=7),
        )
    }
    for team in Team.objects.unrestricted().filter(is_synthetic=True).order_by("commune", "name"):
        ids = list(Member.objects.unrestricted().filter(team=team).values_list("pk", flat=True))
        linked = (
            Member.objects.unrestricted()
            .filter(team=team, user__isnull=False)
            .values_list("pk", flat=True)
            .first()
        )
        for d in range(7):
            day = monday + dt.timedelta(days=d)
            if rng.random() < 0.5:
                continue
            plan = plans.get((team.commune_id, day))
            picked = rng.sample(ids, min(len(ids), 3))
            if linked is not None and linked not in picked:
                picked[0] = linked  # the demo member account is on their team's duties
            services.duty_create(
                actor=None,
                team=team,
                date=day,
                shift="night",
                task="Tuần tra cùng Công an xã/phường" if plan else "Trực chốt, tuần tra địa bàn",
                member_ids=picked,
                patrol_plan=plan,
                is_synthetic=True,
            )
            duties += 1
    return {"teams": teams, "members": members, "duties": duties}
