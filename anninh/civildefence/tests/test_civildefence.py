"""The grassroots force: a leader sees only their team, a member only their own duties,
commune officers manage their commune's teams, and the force per 1,000 residents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from anninh.accounts.roles import Role
from anninh.civildefence import selectors, services
from anninh.civildefence.models import Duty, Member, Team
from anninh.civildefence.tests.factories import cccd, make_team
from anninh.geo.models import Commune
from anninh.testing.personas import COMMUNE_A, COMMUNE_B, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(personas):
    a1 = make_team(
        actor=personas["commune_officer"], commune=COMMUNE_A, leader=personas["civil_defence_leader"]
    )
    a2 = make_team(
        actor=personas["commune_officer"], commune=COMMUNE_A, name="Tổ bảo vệ ANTT số 2", members=3
    )
    b1 = make_team(actor=personas["other_commune_officer"], commune=COMMUNE_B, members=4)
    return {"a1": a1, "a2": a2, "b1": b1}


def test_a_leader_sees_only_their_own_team(teams, personas):
    leader = personas["civil_defence_leader"]
    assert list(Team.objects.restrict(leader)) == [teams["a1"]]
    assert set(Member.objects.restrict(leader)) == set(teams["a1"].members.all())
    # Not the other team of their own commune, although their account sits in its police unit.
    assert teams["a2"] not in Team.objects.restrict(leader)


def test_a_leader_without_a_team_sees_nothing(personas):
    leader = make_user("leader2", Role.CIVIL_DEFENCE_LEADER, unit_code=f"CA{COMMUNE_A}")
    make_team(actor=personas["commune_officer"], commune=COMMUNE_A)
    assert not Team.objects.restrict(leader).exists()
    assert not Member.objects.restrict(leader).exists()


def test_commune_officers_read_and_manage_their_own_communes_teams(teams, personas):
    officer = personas["commune_officer"]
    assert set(Team.objects.restrict(officer)) == {teams["a1"], teams["a2"]}
    with pytest.raises(PermissionDenied):
        services.team_create(actor=officer, commune=COMMUNE_B, name="Tổ lạ")
    with pytest.raises(PermissionDenied):
        services.member_add(
            actor=officer, team=teams["b1"], full_name="X", id_number=cccd(), start_date=dt.date(2026, 1, 1)
        )


def test_commanders_read_every_team_and_analysts_no_member(teams, personas):
    assert Team.objects.restrict(personas["commander"]).count() == 3
    assert Team.objects.restrict(personas["analyst"]).count() == 3
    assert not Member.objects.restrict(personas["analyst"]).exists()
    assert not Team.objects.restrict(personas["investigator"]).exists()


def test_members_per_1000_residents_are_counted_per_commune(teams, personas):
    a = Commune.objects.get(pk=COMMUNE_A)
    b = Commune.objects.get(pk=COMMUNE_B)
    gone = teams["a2"].members.filter(training_done=True).first()
    services.member_leave(actor=personas["commune_officer"], member=gone, on=dt.date(2026, 1, 1))
    force = {c.code: c for c in selectors.force_by_commune(viewer=personas["commander"])}
    assert set(force) == {COMMUNE_A, COMMUNE_B}
    # Commune A: 2 + 3 members, one of whom (trained) left: 4 active. Trained (every other
    # member from the first): 1 in team 1, 2 in team 2, less the one who left: 2.
    assert (force[COMMUNE_A].teams, force[COMMUNE_A].members, force[COMMUNE_A].trained) == (2, 4, 2)
    assert force[COMMUNE_A].per_1000 == pytest.approx(4 * 1000 / a.population)
    assert force[COMMUNE_B].per_1000 == pytest.approx(4 * 1000 / b.population)
    # A commune officer counts only their own commune.
    assert [c.code for c in selectors.force_by_commune(viewer=personas["commune_officer"])] == [COMMUNE_A]


def test_per_thousand_by_hand():
    assert selectors.per_thousand(7, 3_500) == 2.0
    assert selectors.per_thousand(3, 0) is None


def test_a_member_sees_only_their_own_duties(teams, personas):
    officer = personas["commune_officer"]
    user = make_user("member1", Role.CIVIL_DEFENCE_MEMBER, unit_code=f"CA{COMMUNE_A}")
    me = services.member_add(
        actor=officer,
        team=teams["a1"],
        full_name="Trần Văn Tuần",
        id_number=cccd(),
        start_date=dt.date(2026, 1, 1),
        user=user,
    )
    other = teams["a1"].members.exclude(pk=me.pk).first()
    mine = services.duty_create(
        actor=personas["civil_defence_leader"],
        team=teams["a1"],
        date=dt.date(2026, 12, 7),
        shift="night",
        task="Tuần tra",
        member_ids=[me.pk],
    )
    services.duty_create(
        actor=officer,
        team=teams["a1"],
        date=dt.date(2026, 12, 8),
        shift="night",
        task="Trực chốt",
        member_ids=[other.pk],
    )
    assert list(selectors.my_duties(viewer=user)) == [mine]
    assert list(Duty.objects.restrict(user)) == [mine]
    assert list(Member.objects.restrict(user)) == [me]


def test_a_leader_keeps_the_roster_of_their_team_only(teams, personas):
    leader = personas["civil_defence_leader"]
    with pytest.raises(PermissionDenied):
        services.duty_create(
            actor=leader,
            team=teams["a2"],
            date=dt.date(2026, 12, 7),
            shift="night",
            task="x",
            member_ids=[teams["a2"].members.first().pk],
        )
    with pytest.raises(services.CivilDefenceError):  # a member of another team
        services.duty_create(
            actor=leader,
            team=teams["a1"],
            date=dt.date(2026, 12, 7),
            shift="night",
            task="x",
            member_ids=[teams["a2"].members.first().pk],
        )


def test_one_person_is_an_active_member_of_one_team_only(teams, personas):
    number = teams["a1"].members.first().id_number
    with pytest.raises(services.CivilDefenceError):
        services.member_add(
            actor=personas["commune_officer"],
            team=teams["a2"],
            full_name="X",
            id_number=number,
            start_date=dt.date(2026, 1, 1),
        )


def test_a_leader_account_leads_one_team(teams, personas):
    with pytest.raises(services.CivilDefenceError):
        services.team_set_leader(
            actor=personas["commune_officer"],
            team=teams["a2"],
            username=personas["civil_defence_leader"].username,
        )
    with pytest.raises(services.CivilDefenceError):  # not a leader account
        services.team_set_leader(
            actor=personas["commune_officer"], team=teams["a2"], username=personas["analyst"].username
        )


def test_the_team_page_for_the_leader_and_a_404_for_another_team(teams, personas, client):
    client.force_login(personas["civil_defence_leader"])
    page = client.get(f"/civil-defence/teams/{teams['a1'].pk}/")
    assert page.status_code == 200
    assert teams["a1"].members.first().full_name in page.content.decode()
    assert client.get(f"/civil-defence/teams/{teams['a2'].pk}/").status_code == 404
    listing = client.get("/civil-defence/").content.decode()
    assert teams["a1"].name in listing and "Tổ bảo vệ ANTT số 2" not in listing


def test_the_map_page_shows_the_force_per_1000_residents(teams, personas, client):
    client.force_login(personas["commander"])
    body = client.get("/civil-defence/").content.decode()
    assert 'data-testid="force-by-commune"' in body and "force-map-data" in body


def test_the_api_gives_the_force_per_commune_within_the_callers_reach(teams, personas, client):
    client.force_login(personas["commune_officer"])
    rows = client.get("/api/civil-defence/force").json()
    assert [r["commune"] for r in rows] == [COMMUNE_A]
    assert rows[0]["members"] == 5 and rows[0]["per_1000"] == pytest.approx(5000 / rows[0]["population"])
    client.force_login(personas["investigator"])
    assert client.get("/api/civil-defence/force").status_code == 403
