"""Civil-defence teams for tests and the permission matrix."""

from __future__ import annotations

import datetime as dt

from anninh.civildefence import services

_SEQ = [0]


def cccd() -> str:
    """A well-formed CCCD (province 031, Hai Phong), new on each call."""
    _SEQ[0] += 1
    return f"031095{_SEQ[0]:06d}"


def make_team(
    *,
    actor,
    commune: str,
    name: str = "Tổ bảo vệ ANTT số 1",
    members: int = 2,
    leader=None,
    member_prefix: str = "",
):
    team = services.team_create(actor=actor, commune=commune, name=name)
    for i in range(members):
        services.member_add(
            actor=actor,
            team=team,
            full_name=f"{member_prefix or 'Nguyễn Văn Tổ ' + name[-1]} {i}",
            id_number=cccd(),
            phone=f"09123{_SEQ[0]:05d}",
            start_date=dt.date(2025, 7, 1),
            training_done=i % 2 == 0,
        )
    if leader is not None:
        team = services.team_set_leader(actor=actor, team=team, username=leader.username)
    return team
