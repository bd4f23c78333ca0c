"""The demo seeders of event security and the civil-defence force: synthetic, linked to the
demo accounts, idempotent."""

from __future__ import annotations

import pytest

from anninh.civildefence import selectors as cd_selectors
from anninh.civildefence.demo import LEADER_USER, MEMBER_USER, civildefence_demo_seed
from anninh.civildefence.models import Team
from anninh.demo.services import demo_users_seed
from anninh.events.demo import CONGRESS, events_demo_seed
from anninh.events.models import CommandLogEntry, Event, RiskChange

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_congress_under_way_and_teams_in_many_communes(settings):
    from django.contrib.auth import get_user_model

    settings.DEMO = True
    demo_users_seed()
    assert events_demo_seed() == {"events": 2}
    congress = Event.objects.unrestricted().get(name=CONGRESS)
    assert congress.is_synthetic and congress.venues.count() == 3
    assert congress.venues.filter(shape__type="Polygon").exists()
    assert CommandLogEntry.objects.unrestricted().filter(event=congress).exists()
    assert RiskChange.objects.filter(risk__event=congress, version=2).count() == 1
    made = civildefence_demo_seed()
    assert made["teams"] >= 40 and made["members"] > 6 * 40
    User = get_user_model()
    leader = User.objects.get(username=LEADER_USER)
    led = Team.objects.restrict(leader).get()
    assert led.commune_id == "11311" and led.leader == leader
    member = User.objects.get(username=MEMBER_USER)
    assert cd_selectors.my_duties(viewer=member).exists()
    assert len({t.commune_id for t in Team.objects.unrestricted().all()}) == 40
    # Idempotent.
    assert events_demo_seed() == {"events": 0}
    assert civildefence_demo_seed()["teams"] == 0
