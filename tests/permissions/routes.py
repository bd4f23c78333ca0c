"""Every route of the platform, how to call it, and what each persona gets: the one
permission matrix (tests/permissions/test_every_route.py checks it, and fails when a URL
pattern or API operation has no entry here).

Outcomes: a status code; LOGIN (anonymous page request sent to the login page); PASSES
(the request got past every permission check: a form or validation answer, a redirect after
success, anything but 401, 403, 404, a login redirect or a server error). Unsafe methods send
an empty or minimal body, so a persona that PASSES reaches the service's validation without
changing anything of consequence. Object routes name the record of commune A that the world
fixture makes ({incident}, {report}, ...).
"""

from __future__ import annotations

from anninh.testing.matrix import LOGIN, PASSES, UNAUTHORIZED
from anninh.testing.personas import LIKE_NO_ROLE, NAMES

SIGNED_IN = [n for n in NAMES if n != "anonymous"]


#: The roles that read no records (press, auditors, administrators, no role), refused with 403.
NO_RECORDS = dict.fromkeys(["public_relations", "auditor", "administrator", "no_role"], 403)


def outcome(default, anonymous=LOGIN, **by_persona) -> dict[str, object]:
    """Every signed-in persona gets `default` unless named; anonymous gets `anonymous`; the
    personas of LIKE_NO_ROLE get no_role's outcome unless named."""
    unknown = set(by_persona) - set(SIGNED_IN)
    assert not unknown, unknown
    result = {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, default), **by_persona}
    for persona in LIKE_NO_ROLE:
        if persona not in by_persona:
            result[persona] = result["no_role"]
    return result


def api(default, **by_persona) -> dict[str, object]:
    return outcome(default, anonymous=UNAUTHORIZED, **by_persona)


# --- Operations: event security and the civil-defence force (issue #11) -----------------------

_EVENT_READERS = {
    "commander": 200,
    "analyst": 200,
    "investigator": 200,
    "commune_officer": 200,
    "other_commune_officer": 200,
}
_EVENT_OBJECT = {
    "commander": 200,
    "analyst": 200,
    "investigator": 404,
    "commune_officer": 200,
    "other_commune_officer": 404,
}
_EVENT_OBJECT_405 = dict.fromkeys(_EVENT_READERS, 405)
#: Commanders plan an event; commune officers and investigators write its risks and log.
_EVENT_MANAGE = {"commander": PASSES}
_EVENT_CONTRIBUTE = {
    "commander": PASSES,
    "commune_officer": PASSES,
    "other_commune_officer": 404,
    "investigator": 404,
}
_EVENT_CONTRIBUTE_405 = dict.fromkeys(
    ["commander", "commune_officer", "other_commune_officer", "investigator"], 405
)

EVENT_ROUTES = {
    "GET /api/events/": api(403, **_EVENT_READERS),
    "GET /api/events/{sec_event_id}": api(403, **_EVENT_OBJECT),
    "POST /api/events/{sec_event_id}/log": api(403, **_EVENT_CONTRIBUTE),
    "GET events:list": outcome(403, **_EVENT_READERS),
    "POST events:list": outcome(403, **_EVENT_OBJECT_405),
    "GET events:new": outcome(403, commander=200),
    "POST events:new": outcome(403, commander=PASSES),
    "GET events:detail": outcome(403, **_EVENT_OBJECT),
    "POST events:detail": outcome(403, **_EVENT_OBJECT_405),
    "GET events:report": outcome(403, **_EVENT_OBJECT),
    "POST events:report": outcome(403, **_EVENT_OBJECT_405),
    "GET events:report_pdf": outcome(403, **_EVENT_OBJECT),
    "POST events:report_pdf": outcome(403, **_EVENT_OBJECT_405),
    **{
        f"{method} events:{name}": outcome(403, **(_EVENT_MANAGE if method == "POST" else {"commander": 405}))
        for name in ("venue_add", "schedule_add", "unit_assign", "status", "plan_security")
        for method in ("GET", "POST")
    },
    **{
        f"{method} events:{name}": outcome(
            403, **(_EVENT_CONTRIBUTE if method == "POST" else _EVENT_CONTRIBUTE_405)
        )
        for name in ("risk_add", "risk_change", "log_add")
        for method in ("GET", "POST")
    },
}

_CD_READERS = {
    "commander": 200,
    "analyst": 200,
    "commune_officer": 200,
    "other_commune_officer": 200,
    "civil_defence_leader": 200,
}
_CD_MANAGERS = ("commander", "commune_officer", "other_commune_officer")

CIVIL_DEFENCE_ROUTES = {
    "GET /api/civil-defence/force": api(403, **_CD_READERS),
    "GET civildefence:list": outcome(403, **_CD_READERS),
    "POST civildefence:list": outcome(403, **dict.fromkeys(_CD_READERS, 405)),
    "GET civildefence:team_new": outcome(403, **dict.fromkeys(_CD_MANAGERS, 200)),
    "POST civildefence:team_new": outcome(403, **dict.fromkeys(_CD_MANAGERS, PASSES)),
    "GET civildefence:team": outcome(403, **{**_CD_READERS, "other_commune_officer": 404}),
    "POST civildefence:team": outcome(403, **dict.fromkeys(_CD_READERS, 405)),
    "GET civildefence:member_add": outcome(403, **dict.fromkeys(_CD_MANAGERS, 405)),
    "POST civildefence:member_add": outcome(
        403, commander=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "GET civildefence:team_leader": outcome(403, **dict.fromkeys(_CD_MANAGERS, 405)),
    "POST civildefence:team_leader": outcome(
        403, commander=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "GET civildefence:duty_add": outcome(403, **dict.fromkeys([*_CD_MANAGERS, "civil_defence_leader"], 405)),
    "POST civildefence:duty_add": outcome(
        403, commander=PASSES, commune_officer=PASSES, other_commune_officer=404, civil_defence_leader=PASSES
    ),
    "GET civildefence:my_duties": outcome(403, civil_defence_leader=200),
    "POST civildefence:my_duties": outcome(403, civil_defence_leader=405),
}

_ALERT_READERS = dict.fromkeys(
    ["commander", "analyst", "investigator", "commune_officer", "other_commune_officer"], 200
)
#: The world's alert is of commune A: investigators (no unit named) and commune B's officer 404.
_ALERT_OBJECT = {**_ALERT_READERS, "investigator": 404, "other_commune_officer": 404}
#: Acting: analysts read but do not act (403).
_ALERT_ACT = {
    "commander": PASSES,
    "analyst": 403,
    "investigator": 404,
    "commune_officer": PASSES,
    "other_commune_officer": 404,
}
#: The world's subscription is commune A's officer's own: nobody else finds it.
_SUBSCRIPTION_OWNER = {**dict.fromkeys(_ALERT_READERS, 404), "commune_officer": PASSES}

API_ALERT_AND_FIELD_ROUTES = {
    "GET /api/alerts/": api(403, **_ALERT_READERS),
    "GET /api/alerts/{alert_id}": api(403, **_ALERT_OBJECT),
    "POST /api/alerts/{alert_id}/acknowledge": api(403, **_ALERT_ACT),
    "POST /api/alerts/{alert_id}/resolve": api(403, **_ALERT_ACT),
    "GET /api/alerts/subscriptions": api(403, **_ALERT_READERS),
    "POST /api/alerts/subscriptions": api(403, **dict.fromkeys(_ALERT_READERS, PASSES)),
    "PUT /api/alerts/subscriptions/{subscription_id}": api(403, **_SUBSCRIPTION_OWNER),
    "DELETE /api/alerts/subscriptions/{subscription_id}": api(403, **_SUBSCRIPTION_OWNER),
    "GET /api/field/today": api(
        403, commander=200, commune_officer=200, other_commune_officer=200, civil_defence_leader=200
    ),
    "POST /api/field/checkins": api(
        403, commander=PASSES, commune_officer=PASSES, other_commune_officer=404, civil_defence_leader=PASSES
    ),
    "POST /api/field/patrols/{assignment_id}/done": api(
        403, commander=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/field/reports": api(
        403,
        commander=PASSES,
        commune_officer=PASSES,
        other_commune_officer=PASSES,
        civil_defence_leader=PASSES,
    ),
}

#: Staff who read dialogue records (each within their scope).
DIALOGUE_STAFF = dict.fromkeys(
    [
        "commander",
        "public_relations",
        "commune_officer",
        "other_commune_officer",
        "investigator",
        "fire_rescue",
    ],
    200,
)
#: The world's dialogue records of commune A (assigned to commune A's police): organisers and
#: commune A's officer read them; the other readers get 404.
DIALOGUE_OBJECT = {
    **dict.fromkeys(["other_commune_officer", "investigator", "fire_rescue"], 404),
    **dict.fromkeys(["commander", "public_relations", "commune_officer"], 200),
}


# --- The matrix ---------------------------------------------------------------------------------

ROUTES: dict[str, dict[str, object]] = {
    "GET /api/accounts/me": api(200),
    "GET /api/audit/events": api(403, auditor=200),
    "GET /api/audit/events/{event_id}": api(403, auditor=200),
    "GET /api/audit/verify": api(403, auditor=200),
    "GET /api/compstat/analysis/hot-spots": api(
        403, commander=200, analyst=200, investigator=422, commune_officer=422, other_commune_officer=422
    ),
    "GET /api/compstat/analysis/near-repeat": api(
        403, commander=200, analyst=200, investigator=422, commune_officer=200, other_commune_officer=422
    ),
    "GET /api/compstat/series": api(200, **NO_RECORDS, fire_rescue=403),
    "GET /api/compstat/summary": api(200, **NO_RECORDS, fire_rescue=403),
    "GET /api/docs": api(200),
    "GET /api/geo/communes": api(200),
    "GET /api/geo/communes.geojson": api(200),
    "GET /api/geo/communes/{code}": api(200),
    "GET /api/geo/lookup": api(200),
    "GET /api/hotspots/forecasts": api(200, **NO_RECORDS, fire_rescue=403),
    "GET /api/hotspots/forecasts/{forecast_id}/cells.geojson": api(200, **NO_RECORDS, fire_rescue=403),
    "GET /api/hotspots/report-card": api(404, **NO_RECORDS, fire_rescue=403),
    "GET /api/openapi.json": api(200),
    "GET /api/org/units": api(200),
    "GET /api/org/units/{unit_id}": api(200),
    "GET /api/patrols/checkpoints": api(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200
    ),
    "GET /api/patrols/plans": api(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200
    ),
    "GET /api/patrols/plans/{plan_id}": api(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=404
    ),
    "GET /api/records/cases": api(200, **NO_RECORDS, fire_rescue=403),
    "GET /api/records/cases/clearance": api(200, **NO_RECORDS, fire_rescue=403),
    "GET /api/records/cases/{case_id}": api(
        403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
    ),
    "GET /api/records/incidents": api(200, **NO_RECORDS),
    "GET /api/records/incidents/map": api(200, **NO_RECORDS),
    "GET /api/records/incidents/{incident_id}": api(
        403,
        commander=200,
        analyst=200,
        investigator=404,
        commune_officer=200,
        other_commune_officer=404,
        fire_rescue=404,
    ),
    "GET /api/records/io/incidents.csv": api(200, **NO_RECORDS),
    "GET /api/records/io/incidents.geojson": api(200, **NO_RECORDS),
    "GET /api/records/io/incidents.xlsx": api(200, **NO_RECORDS),
    "GET /api/records/persons": api(
        403, commander=200, investigator=200, commune_officer=200, other_commune_officer=200
    ),
    "GET /api/records/persons/{person_id}": api(
        403, commander=200, investigator=404, commune_officer=200, other_commune_officer=404
    ),
    "GET /api/records/reports": api(200, **NO_RECORDS, fire_rescue=403),
    "GET /api/records/reports/offences": api(200),
    "GET /api/records/reports/{report_id}": api(
        403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
    ),
    "GET /api/reports/": api(403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200),
    "GET accounts:login": outcome(302, anonymous=200),
    "GET accounts:logout": outcome(405, anonymous=405),
    "GET accounts:password_change": outcome(200),
    "GET accounts:profile": outcome(200),
    "GET accounts:token_create": outcome(405, anonymous=405),
    "GET accounts:token_revoke": outcome(405, anonymous=405),
    "GET accounts:two_factor_disable": outcome(405, anonymous=405),
    "GET accounts:two_factor_setup": outcome(200),
    "GET accounts:two_factor_verify": outcome(302),
    "GET audit:event_detail": outcome(403, auditor=200),
    "GET audit:event_list": outcome(403, auditor=200),
    "GET audit:export": outcome(403, auditor=200),
    "GET audit:verify": outcome(403, auditor=405),
    "GET compstat:dashboard": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET compstat:hot_spots": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET compstat:near_repeat": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET geo:commune_detail": outcome(200),
    "GET geo:commune_list": outcome(200),
    "GET hotspots:detail": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET hotspots:make": outcome(403, commander=405, analyst=405),
    "GET hotspots:map": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET hotspots:report_card": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET hotspots:report_card_make": outcome(403, commander=405, analyst=405),
    "GET org:unit_detail": outcome(200),
    "GET org:unit_list": outcome(200),
    "GET patrols:detail": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=404
    ),
    "GET patrols:done": outcome(403, commander=405, commune_officer=405, other_commune_officer=405),
    "GET patrols:dose": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200
    ),
    "GET patrols:list": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200
    ),
    "GET patrols:new": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200
    ),
    "GET patrols:week_forecast": outcome(403, commander=405, analyst=405),
    "GET patrols:submit": outcome(
        403, commander=405, analyst=405, commune_officer=405, other_commune_officer=405
    ),
    "GET patrols:revise": outcome(
        403, commander=405, analyst=405, commune_officer=405, other_commune_officer=405
    ),
    "GET patrols:decide": outcome(403, commander=405),
    "GET patrols:print": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=404
    ),
    "GET patrols:sites": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200
    ),
    "GET records:case_clearance": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET records:case_create": outcome(403, investigator=404, commune_officer=200, other_commune_officer=404),
    "GET records:case_detail": outcome(
        403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
    ),
    "GET records:case_list": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET records:case_transition": outcome(405, anonymous=405),
    "GET records:deadlines": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET records:export": outcome(200, **NO_RECORDS),
    "GET records:import": outcome(403, investigator=200, commune_officer=200, other_commune_officer=200),
    "GET records:incident_create": outcome(
        403, investigator=200, commune_officer=200, other_commune_officer=200, fire_rescue=200
    ),
    "GET records:incident_detail": outcome(
        403,
        commander=200,
        analyst=200,
        investigator=404,
        commune_officer=200,
        other_commune_officer=404,
        fire_rescue=404,
    ),
    "GET records:incident_edit": outcome(
        403, investigator=404, commune_officer=200, other_commune_officer=404, fire_rescue=404
    ),
    "GET records:incident_list": outcome(200, **NO_RECORDS),
    "GET records:incident_review": outcome(405, anonymous=405),
    "GET records:person_detail": outcome(
        403, commander=200, investigator=404, commune_officer=200, other_commune_officer=404
    ),
    "GET records:person_list": outcome(
        403, commander=200, investigator=200, commune_officer=200, other_commune_officer=200
    ),
    "GET records:person_match_decide": outcome(405, **NO_RECORDS, fire_rescue=403),
    "GET records:person_matches": outcome(
        403, commander=200, investigator=200, commune_officer=200, other_commune_officer=200
    ),
    "GET records:report_create": outcome(
        403, investigator=200, commune_officer=200, other_commune_officer=200
    ),
    "GET records:report_detail": outcome(
        403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
    ),
    "GET records:report_list": outcome(200, **NO_RECORDS, fire_rescue=403),
    "GET records:report_step": outcome(403, investigator=405, commune_officer=405, other_commune_officer=405),
    "GET reports:create": outcome(
        403, commander=405, analyst=405, commune_officer=405, other_commune_officer=405
    ),
    "GET reports:detail": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=404
    ),
    "GET reports:list": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=200
    ),
    "GET reports:pdf": outcome(
        403, commander=200, analyst=200, commune_officer=200, other_commune_officer=404
    ),
    "GET public:warning_list": outcome(200, anonymous=200),
    "POST public:warning_list": outcome(405, anonymous=405),
    "GET public:warning_detail": outcome(200, anonymous=200),
    "POST public:warning_detail": outcome(405, anonymous=405),
    "GET public:warning_cap": outcome(200, anonymous=200),
    "POST public:warning_cap": outcome(405, anonymous=405),
    "GET public:warning_feed": outcome(200, anonymous=200),
    "POST public:warning_feed": outcome(405, anonymous=405),
    "GET public:manage_list": outcome(403, commander=200, public_relations=200),
    "POST public:manage_list": outcome(405, anonymous=405),
    "GET public:manage_pattern": outcome(403, commander=200),
    "POST public:manage_pattern": outcome(403, commander=PASSES),
    "GET public:manage_new": outcome(403, commander=200, public_relations=200),
    "POST public:manage_new": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET public:manage_detail": outcome(403, commander=200, public_relations=200),
    "POST public:manage_detail": outcome(405, anonymous=405),
    "GET public:manage_edit": outcome(403, commander=200, public_relations=200),
    "POST public:manage_edit": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET public:manage_step": outcome(405, anonymous=405),
    "POST public:manage_step": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET web:home": outcome(200, anonymous=200, business=302),  # a business account goes to its portal
    "GET web:set_language": outcome(405, anonymous=405),
    "GET web:public_language": outcome(405, anonymous=405),  # the public pages' switch: POST only
    # Police-business dialogues: the business portal (business accounts only; visitors are
    # sent to the business sign-in page) and the staff pages (organisers city-wide, commune
    # police and assigned units within their scope).
    "GET business:home": outcome(403, anonymous=302, business=200),
    "POST business:home": outcome(405, anonymous=405),
    "GET business:login": outcome(302, anonymous=200),
    "POST business:login": outcome(302, anonymous=200),
    "GET business:logout": outcome(405, anonymous=405),
    "POST business:logout": outcome(302, anonymous=302),
    "GET business:portal_recommendation": outcome(403, anonymous=302, business=200),
    "POST business:portal_recommendation": outcome(405, anonymous=405),
    # The one-time set-password link of a business account: anyone holding it (the world's
    # link is not valid, so everyone gets the same "link not valid" page).
    "GET business:set_password": outcome(200, anonymous=200),
    "POST business:set_password": outcome(200, anonymous=200),
    # Business accounts are managed by the organisers only (city-wide, so no wrong-unit case:
    # the commune officer who reads the business, the business itself and every other role
    # are refused).
    "GET business:account_list": outcome(403, commander=200, public_relations=200),
    "POST business:account_list": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET business:account_link": outcome(405, anonymous=405),
    "POST business:account_link": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET business:account_disable": outcome(405, anonymous=405),
    "POST business:account_disable": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET business:recommendation_list": outcome(403, **DIALOGUE_STAFF),
    "POST business:recommendation_list": outcome(405, anonymous=405),
    "GET business:business_list": outcome(403, **DIALOGUE_STAFF),
    "POST business:business_list": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET business:business_detail": outcome(403, **DIALOGUE_OBJECT),
    "POST business:business_detail": outcome(405, anonymous=405),
    "GET business:park_create": outcome(405, anonymous=405),
    "POST business:park_create": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET business:meeting_list": outcome(403, **DIALOGUE_STAFF),
    "POST business:meeting_list": outcome(403, commander=PASSES, public_relations=PASSES),
    "GET business:meeting_detail": outcome(403, **DIALOGUE_OBJECT),
    "POST business:meeting_detail": outcome(
        403, **{**DIALOGUE_OBJECT, "commander": PASSES, "public_relations": PASSES, "commune_officer": 403}
    ),
    "GET business:recommendation_detail": outcome(403, **DIALOGUE_OBJECT),
    "POST business:recommendation_detail": outcome(405, anonymous=405),
    "GET business:recommendation_step": outcome(405, anonymous=405),
    "POST business:recommendation_step": outcome(
        403, **{**DIALOGUE_OBJECT, "commander": PASSES, "public_relations": PASSES, "commune_officer": PASSES}
    ),
    # The public transparency page: aggregates only, for everyone.
    "GET transparency:page": outcome(200, anonymous=200),
    "POST transparency:page": outcome(405, anonymous=405),
    "GET web:favicon": outcome(301, anonymous=301),  # public: the icon of every page
    "POST web:favicon": outcome(301, anonymous=301),  # a redirect answers every method alike
    "POST /api/patrols/assignments/{assignment_id}/done": api(
        403, commander=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/cases": api(403, investigator=404, commune_officer=PASSES, other_commune_officer=404),
    "POST /api/records/cases/{case_id}/transition": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/incidents": api(403, commune_officer=PASSES),
    "POST /api/records/incidents/{incident_id}/review": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404, fire_rescue=404
    ),
    "POST /api/records/reports": api(
        403, investigator=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST /api/records/reports/{report_id}/accept": api(403, investigator=404, other_commune_officer=404),
    "POST /api/records/reports/{report_id}/classify": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/collector": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/decide": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/extend": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/notify": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/procuracy-extend": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/resume": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/suspend": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/transfer": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST /api/records/reports/{report_id}/verify": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST accounts:login": outcome(PASSES, anonymous=PASSES),
    "POST accounts:logout": outcome(LOGIN),
    "POST accounts:password_change": outcome(PASSES),
    "POST accounts:profile": outcome(405, anonymous=405),
    "POST accounts:token_create": outcome(PASSES),
    "POST accounts:token_revoke": outcome(404, commune_officer=PASSES),
    "POST accounts:two_factor_disable": outcome(PASSES),
    "POST accounts:two_factor_setup": outcome(PASSES),
    "POST accounts:two_factor_verify": outcome(PASSES),
    "POST audit:event_detail": outcome(403, auditor=405),
    "POST audit:event_list": outcome(403, auditor=405),
    "POST audit:export": outcome(403, auditor=405),
    "POST audit:verify": outcome(403, auditor=PASSES),
    "POST compstat:dashboard": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST compstat:hot_spots": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST compstat:near_repeat": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST geo:commune_detail": outcome(PASSES),
    "POST geo:commune_list": outcome(PASSES),
    "POST hotspots:detail": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST hotspots:make": outcome(403, commander=PASSES, analyst=PASSES),
    "POST hotspots:map": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST hotspots:report_card": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST hotspots:report_card_make": outcome(403, commander=PASSES, analyst=PASSES),
    "POST org:unit_detail": outcome(PASSES),
    "POST org:unit_list": outcome(PASSES),
    "POST patrols:detail": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST patrols:done": outcome(403, commander=PASSES, commune_officer=PASSES, other_commune_officer=404),
    "POST patrols:dose": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST patrols:list": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST patrols:new": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    # Making the missing weekly forecast: the forecasting service's writers only.
    "POST patrols:week_forecast": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=403, other_commune_officer=403
    ),
    "POST patrols:submit": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST patrols:revise": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST patrols:decide": outcome(403, commander=PASSES),
    "POST patrols:print": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST patrols:sites": outcome(
        403, commander=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST records:case_clearance": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST records:case_create": outcome(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST records:case_detail": outcome(
        403,
        commander=PASSES,
        analyst=PASSES,
        investigator=404,
        commune_officer=PASSES,
        other_commune_officer=404,
    ),
    "POST records:case_list": outcome(PASSES, **NO_RECORDS, fire_rescue=403),
    "POST records:case_transition": outcome(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST records:deadlines": outcome(405, **NO_RECORDS, fire_rescue=403),
    "POST records:export": outcome(405, **NO_RECORDS),
    "POST records:import": outcome(
        403, investigator=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST records:incident_create": outcome(
        403, investigator=PASSES, commune_officer=PASSES, other_commune_officer=PASSES, fire_rescue=PASSES
    ),
    "POST records:incident_detail": outcome(
        403,
        commander=PASSES,
        analyst=PASSES,
        investigator=404,
        commune_officer=PASSES,
        other_commune_officer=404,
        fire_rescue=404,
    ),
    "POST records:incident_edit": outcome(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404, fire_rescue=404
    ),
    "POST records:incident_list": outcome(PASSES, **NO_RECORDS),
    "POST records:incident_review": outcome(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404, fire_rescue=404
    ),
    "POST records:person_detail": outcome(405, **NO_RECORDS, fire_rescue=403),
    "POST records:person_list": outcome(405, **NO_RECORDS, fire_rescue=403),
    "POST records:person_match_decide": outcome(
        403, commander=PASSES, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST records:person_matches": outcome(405, **NO_RECORDS, fire_rescue=403),
    "POST records:report_create": outcome(
        403, investigator=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST records:report_detail": outcome(405, **NO_RECORDS, fire_rescue=403),
    "POST records:report_list": outcome(405, **NO_RECORDS, fire_rescue=403),
    "POST records:report_step": outcome(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST reports:create": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST reports:detail": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST reports:list": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
    ),
    "POST reports:pdf": outcome(
        403, commander=PASSES, analyst=PASSES, commune_officer=PASSES, other_commune_officer=404
    ),
    "POST web:home": outcome(PASSES, anonymous=PASSES),
    "POST web:set_language": outcome(PASSES, anonymous=PASSES),
    "POST web:public_language": outcome(PASSES, anonymous=PASSES),  # the language cookie, for anyone
    "PUT /api/records/incidents/{incident_id}": api(
        403, investigator=404, commune_officer=PASSES, other_commune_officer=404, fire_rescue=404
    ),
    "GET records:import_job": outcome(403, investigator=404, commune_officer=200, other_commune_officer=404),
    "GET records:import_job_problems": outcome(
        403, investigator=404, commune_officer=200, other_commune_officer=404
    ),
    # Requests from the public (anninh.requests): the form and the tracking page are public;
    # the staff queue is for the handling unit's officers and commanders.
    "GET requests:submit": outcome(200, anonymous=200),
    "POST requests:submit": outcome(PASSES, anonymous=PASSES),
    "GET requests:track": outcome(200, anonymous=200),
    "POST requests:track": outcome(PASSES, anonymous=PASSES),
    "GET requests:staff_queue": outcome(
        403, commander=200, investigator=200, commune_officer=200, other_commune_officer=200, fire_rescue=200
    ),
    "POST requests:staff_queue": outcome(405, anonymous=405),
    "GET requests:staff_indicators": outcome(
        403,
        commander=200,
        analyst=200,
        investigator=200,
        commune_officer=200,
        other_commune_officer=200,
        fire_rescue=200,
        public_relations=200,
    ),
    "POST requests:staff_indicators": outcome(405, anonymous=405),
    "GET requests:staff_detail": outcome(
        403, commander=200, investigator=404, commune_officer=200, other_commune_officer=404, fire_rescue=404
    ),
    "POST requests:staff_detail": outcome(405, anonymous=405),
    "GET requests:staff_step": outcome(405, anonymous=405),
    "POST requests:staff_step": outcome(
        403,
        commander=PASSES,
        investigator=404,
        commune_officer=PASSES,
        other_commune_officer=404,
        fire_rescue=404,
    ),
    "GET requests:staff_attachment": outcome(
        403, commander=200, investigator=404, commune_officer=200, other_commune_officer=404, fire_rescue=404
    ),
    "POST requests:staff_attachment": outcome(405, anonymous=405),
    # Open311 GeoReport v2: public reads; a POST without an api_key is refused (audited).
    "GET open311:services": outcome(200, anonymous=200),
    "POST open311:services": outcome(405, anonymous=405),
    "GET open311:service": outcome(200, anonymous=200),
    "POST open311:service": outcome(405, anonymous=405),
    "GET open311:requests": outcome(200, anonymous=200),
    "POST open311:requests": outcome(403, anonymous=403),
    "GET open311:request": outcome(200, anonymous=200),
    "POST open311:request": outcome(405, anonymous=405),
    "GET open311:token": outcome(200, anonymous=200),
    "POST open311:token": outcome(405, anonymous=405),
    "POST /api/accounts/tokens": api(PASSES),
    "POST records:import_job": outcome(403, investigator=405, commune_officer=405, other_commune_officer=405),
    "POST records:import_job_problems": outcome(
        403, investigator=405, commune_officer=405, other_commune_officer=405
    ),
    # Event security (issue #11 item 2): the event of the world has a venue in commune A and
    # no unit assigned, so the investigator and commune B's officer get 404 on it.
    **EVENT_ROUTES,
    # The civil-defence force (issue #11 item 3): the world's team is in commune A, led by the
    # civil_defence_leader persona.
    **CIVIL_DEFENCE_ROUTES,
    # Early warning (anninh.alerts): commanders, analysts, investigators and commune officers read
    # alerts in their reach; acting on one is for commanders, commune officers and investigators.
    **{
        f"{m} alerts:{name}": outcome(
            403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
        )
        for m in ("GET", "POST")
        for name in ("list", "noise")
    },
    "GET alerts:subscriptions": outcome(
        403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
    ),
    "POST alerts:subscriptions": outcome(
        403,
        commander=PASSES,
        analyst=PASSES,
        investigator=PASSES,
        commune_officer=PASSES,
        other_commune_officer=PASSES,
    ),
    "GET alerts:subscription_delete": outcome(
        403, commander=405, analyst=405, investigator=405, commune_officer=405, other_commune_officer=405
    ),
    "POST alerts:subscription_delete": outcome(
        403, commander=404, analyst=404, investigator=404, commune_officer=PASSES, other_commune_officer=404
    ),
    "GET alerts:bell": outcome(200, anonymous=204),
    "POST alerts:bell": outcome(200, anonymous=204),
    **{
        f"{m} alerts:detail": outcome(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        )
        for m in ("GET", "POST")
    },
    "GET alerts:act": outcome(
        403, commander=405, analyst=405, investigator=405, commune_officer=405, other_commune_officer=405
    ),
    "POST alerts:act": outcome(
        403,
        commander=PASSES,
        analyst=403,
        investigator=404,
        commune_officer=PASSES,
        other_commune_officer=404,
    ),
    # Patrols in the field (anninh.field): police on patrol and the civil-defence force.
    **{
        f"{m} field:{name}": outcome(
            403, commander=200, commune_officer=200, other_commune_officer=200, civil_defence_leader=200
        )
        for m in ("GET", "POST")
        for name in ("home", "reports")
    },
    # The early warning and the field page over the API (issue #11): as the pages; the field
    # writes carry the matrix's Idempotency-Key and name the world's checkpoint and patrol of
    # commune A, so commune B's officer is refused on the record (404).
    **API_ALERT_AND_FIELD_ROUTES,
    "GET field:sw": outcome(200, anonymous=200),
    "POST field:sw": outcome(405, anonymous=405),
    **{
        f"GET field:{name}": outcome(
            403, commander=405, commune_officer=405, other_commune_officer=405, civil_defence_leader=405
        )
        for name in ("checkin", "report")
    },
    **{
        f"POST field:{name}": outcome(
            403,
            commander=PASSES,
            commune_officer=PASSES,
            other_commune_officer=PASSES,
            civil_defence_leader=PASSES,
        )
        for name in ("checkin", "report")
    },
    "GET field:done": outcome(403, commander=405, commune_officer=405, other_commune_officer=405),
    "POST field:done": outcome(403, commander=PASSES, commune_officer=PASSES, other_commune_officer=PASSES),
    **{
        f"{m} field:report_photo": outcome(
            403, commander=200, commune_officer=200, other_commune_officer=404, civil_defence_leader=404
        )
        for m in ("GET", "POST")
    },
}


# --- Investigations (issue #9): the team (the investigator persona) only; a commander or an
# auditor without a grant by name gets 404 like a guessed id; other roles 403. ---------------
INVESTIGATION_PAGES = {
    "investigations:detail": {"pk": "investigation"},
    "investigations:search": {"pk": "investigation"},
    "investigations:entity": {"pk": "investigation", "eid": "inv_entity"},
    "investigations:review": {"pk": "investigation"},
    "investigations:chart": {"pk": "investigation"},
    "investigations:chart_data": {"pk": "investigation"},
    "investigations:import": {"pk": "investigation"},
    "investigations:team": {"pk": "investigation"},
    "investigations:analyse": {"pk": "investigation"},
    "investigations:network": {"pk": "investigation"},
    "investigations:money_flow": {"pk": "investigation"},
    "investigations:timeline": {"pk": "investigation"},
    "investigations:total": {"pk": "investigation", "name": "lost"},
    "investigations:export": {"pk": "investigation", "fmt": "csv"},
    "investigations:summary_pdf": {"pk": "investigation"},
    "investigations:documents": {"pk": "investigation"},
    "investigations:document": {"pk": "investigation", "did": "inv_document"},
    "investigations:document_photo": {"pk": "investigation", "did": "inv_document"},
    "investigations:merge_undo": {"pk": "investigation", "mid": "inv_merge"},
}
#: Who gets past the role check of the investigations pages, and what the team gets.
_INV_ROLE = dict.fromkeys(
    [
        "analyst",
        "commune_officer",
        "other_commune_officer",
        "fire_rescue",
        "public_relations",
        "administrator",
        "no_role",
    ],
    403,
)


def _inv_api(team):
    """An investigation's API operation: as its page, 401 for anonymous callers."""
    return api(403, **_INV_ROLE, investigator=team, commander=404, auditor=404)


def _inv_page(team, *, outsiders=404, **extra):
    """An investigation's page: the team gets `team`, commander and auditor (no grant) 404."""
    return outcome(403, **_INV_ROLE, investigator=team, commander=outsiders, auditor=outsiders, **extra)


ROUTES.update(
    {
        "GET /api/investigations/": api(403, investigator=200, commander=200, auditor=200),
        "GET /api/investigations/{investigation_id}": _inv_api(200),
        "GET /api/investigations/{investigation_id}/entities": _inv_api(200),
        "GET /api/investigations/{investigation_id}/entities/{entity_id}": _inv_api(200),
        "GET /api/investigations/{investigation_id}/graph": _inv_api(200),
        "GET /api/investigations/{investigation_id}/totals": _inv_api(200),
        "GET investigations:list": outcome(403, investigator=200, commander=200, auditor=200),
        "POST investigations:list": outcome(405, anonymous=405),
        "GET investigations:detail": _inv_page(200),
        "POST investigations:detail": outcome(405, anonymous=405),
        "GET investigations:search": _inv_page(200),
        "POST investigations:search": outcome(405, anonymous=405),
        "GET investigations:entity": _inv_page(200),
        "POST investigations:entity": outcome(405, anonymous=405),
        "GET investigations:review": _inv_page(200),
        "POST investigations:review": _inv_page(404),
        "GET investigations:chart": _inv_page(200),
        "POST investigations:chart": outcome(405, anonymous=405),
        "GET investigations:chart_data": _inv_page(200),
        "POST investigations:chart_data": outcome(405, anonymous=405),
        "GET investigations:import": _inv_page(200),
        "POST investigations:import": _inv_page(PASSES),
        "GET investigations:analyse": outcome(405, anonymous=405),
        "POST investigations:analyse": _inv_page(PASSES),
        "GET investigations:network": _inv_page(200),
        "POST investigations:network": outcome(405, anonymous=405),
        "GET investigations:money_flow": _inv_page(200),
        "POST investigations:money_flow": outcome(405, anonymous=405),
        "GET investigations:timeline": _inv_page(200),
        "POST investigations:timeline": outcome(405, anonymous=405),
        "GET investigations:total": _inv_page(200),
        "POST investigations:total": outcome(405, anonymous=405),
        "GET investigations:provinces": outcome(403, investigator=200, commander=200, auditor=200),
        "POST investigations:provinces": outcome(405, anonymous=405),
        "GET investigations:export": _inv_page(200),
        "POST investigations:export": outcome(405, anonymous=405),
        "GET investigations:summary_pdf": _inv_page(200),
        "POST investigations:summary_pdf": outcome(405, anonymous=405),
        "GET investigations:documents": _inv_page(200),
        "POST investigations:documents": _inv_page(PASSES),
        "GET investigations:document": _inv_page(200),
        "POST investigations:document": _inv_page(PASSES),
        "GET investigations:document_photo": _inv_page(200),
        "POST investigations:document_photo": outcome(405, anonymous=405),
        "GET investigations:seals": outcome(403, investigator=200, commander=200, auditor=200),
        "POST investigations:seals": outcome(403, investigator=PASSES, commander=PASSES),
        "GET investigations:new": outcome(403, investigator=200, commander=200),
        "POST investigations:new": outcome(403, investigator=PASSES, commander=PASSES),
        "GET investigations:team": _inv_page(200),
        "POST investigations:team": _inv_page(PASSES),
        "GET investigations:merge_undo": outcome(405, anonymous=405),
        "POST investigations:merge_undo": _inv_page(PASSES),
    }
)


# Campaigns (issue 11 item 1): the owner is the commander persona; the world's campaign is for
# commune A and its police unit, so neither commune B's officer nor PC02's investigator sees it.
ROUTES.update(
    {
        "GET /api/campaigns/": api(
            403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "GET /api/campaigns/{campaign_id}": api(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "GET campaigns:list": outcome(
            403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "POST campaigns:list": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=PASSES,
            commune_officer=PASSES,
            other_commune_officer=PASSES,
        ),
        "GET campaigns:new": outcome(403, commander=200),
        "POST campaigns:new": outcome(403, commander=PASSES),
        "GET campaigns:detail": outcome(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "POST campaigns:detail": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=404,
            commune_officer=PASSES,
            other_commune_officer=404,
        ),
        "GET campaigns:targets": outcome(403, commander=200, investigator=404, other_commune_officer=404),
        "POST campaigns:targets": outcome(403, commander=PASSES, investigator=404, other_commune_officer=404),
        "GET campaigns:report": outcome(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "POST campaigns:report": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=404,
            commune_officer=PASSES,
            other_commune_officer=404,
        ),
        "GET campaigns:report_pdf": outcome(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "POST campaigns:report_pdf": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=404,
            commune_officer=PASSES,
            other_commune_officer=404,
        ),
        # Arrests and wanted notices: records of commune A made by its police.
        "GET /api/enforcement/arrests": api(
            403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "GET /api/enforcement/arrests/{arrest_id}": api(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "POST /api/enforcement/arrests": api(403, commune_officer=PASSES),
        "GET /api/enforcement/wanted": api(
            403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "GET /api/enforcement/wanted/{wanted_id}": api(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "POST /api/enforcement/wanted": api(403, commune_officer=PASSES),
        "GET enforcement:arrest_list": outcome(
            403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "POST enforcement:arrest_list": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=PASSES,
            commune_officer=PASSES,
            other_commune_officer=PASSES,
        ),
        "GET enforcement:arrest_new": outcome(
            403, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "POST enforcement:arrest_new": outcome(
            403, investigator=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
        ),
        "GET enforcement:arrest_detail": outcome(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "POST enforcement:arrest_detail": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=404,
            commune_officer=PASSES,
            other_commune_officer=404,
        ),
        "GET enforcement:wanted_list": outcome(
            403, commander=200, analyst=200, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "POST enforcement:wanted_list": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=PASSES,
            commune_officer=PASSES,
            other_commune_officer=PASSES,
        ),
        "GET enforcement:wanted_new": outcome(
            403, investigator=200, commune_officer=200, other_commune_officer=200
        ),
        "POST enforcement:wanted_new": outcome(
            403, investigator=PASSES, commune_officer=PASSES, other_commune_officer=PASSES
        ),
        "GET enforcement:wanted_detail": outcome(
            403, commander=200, analyst=200, investigator=404, commune_officer=200, other_commune_officer=404
        ),
        "POST enforcement:wanted_detail": outcome(
            403,
            commander=PASSES,
            analyst=PASSES,
            investigator=404,
            commune_officer=PASSES,
            other_commune_officer=404,
        ),
    }
)


#: Routes whose 404 means "nothing stored yet" (no accuracy report card in the world), not a
#: refusal: no audit row is expected.
PLAIN_404 = frozenset({"GET /api/hotspots/report-card"})


# --- Which routes exist -------------------------------------------------------------------------

#: Page routes that take a record, and which record of the world fixture they take.
PAGE_OBJECTS = {
    "accounts:token_revoke": {"pk": "token"},
    "org:unit_detail": {"pk": "unit"},
    "geo:commune_detail": {"code": "commune"},
    "audit:event_detail": {"pk": "event"},
    "records:report_detail": {"pk": "report"},
    "records:import_job": {"pk": "job"},
    "records:import_job_problems": {"pk": "job"},
    "records:report_step": {"pk": "report", "action": "classify"},
    "records:person_match_decide": {"pk": "match"},
    "records:person_detail": {"pk": "person"},
    "records:incident_detail": {"pk": "incident"},
    "records:incident_edit": {"pk": "incident"},
    "records:incident_review": {"pk": "incident"},
    "records:case_detail": {"pk": "case"},
    "records:case_transition": {"pk": "case"},
    "records:case_create": {"pk": "incident"},
    "reports:detail": {"pk": "weekly"},
    "reports:pdf": {"pk": "weekly"},
    "hotspots:detail": {"pk": "forecast"},
    "patrols:detail": {"pk": "plan"},
    "patrols:print": {"pk": "plan"},
    "patrols:done": {"pk": "plan", "aid": "assignment"},
    "patrols:submit": {"pk": "plan"},
    "patrols:revise": {"pk": "plan"},
    "patrols:decide": {"pk": "plan"},
    "public:warning_detail": {"pk": "warning"},
    "public:warning_cap": {"pk": "warning"},
    "public:manage_detail": {"pk": "warning"},
    "public:manage_edit": {"pk": "warning"},
    "public:manage_step": {"pk": "warning", "action": "submit"},
    "events:detail": {"pk": "sec_event"},
    "events:report": {"pk": "sec_event"},
    "events:report_pdf": {"pk": "sec_event"},
    "events:venue_add": {"pk": "sec_event"},
    "events:schedule_add": {"pk": "sec_event"},
    "events:unit_assign": {"pk": "sec_event"},
    "events:status": {"pk": "sec_event"},
    "events:plan_security": {"pk": "sec_event"},
    "events:risk_add": {"pk": "sec_event"},
    "events:risk_change": {"pk": "sec_event", "rid": "risk"},
    "events:log_add": {"pk": "sec_event"},
    "civildefence:team": {"pk": "cd_team"},
    "civildefence:member_add": {"pk": "cd_team"},
    "civildefence:team_leader": {"pk": "cd_team"},
    "civildefence:duty_add": {"pk": "cd_team"},
    "requests:staff_detail": {"pk": "service_request"},
    "requests:staff_step": {"pk": "service_request", "action": "note"},
    "requests:staff_attachment": {"pk": "request_attachment"},
    "open311:services": {"fmt": "json"},
    "open311:service": {"code": "tip-crime", "fmt": "json"},
    "open311:requests": {"fmt": "json"},
    "open311:request": {"public_id": "request_public_id", "fmt": "json"},
    "open311:token": {"token": "request_token", "fmt": "json"},
    **INVESTIGATION_PAGES,
    "campaigns:detail": {"pk": "campaign"},
    "campaigns:targets": {"pk": "campaign"},
    "campaigns:report": {"pk": "campaign"},
    "campaigns:report_pdf": {"pk": "campaign"},
    "enforcement:arrest_detail": {"pk": "arrest"},
    "enforcement:wanted_detail": {"pk": "wanted"},
    "alerts:detail": {"pk": "alert"},
    "alerts:act": {"pk": "alert"},
    "alerts:subscription_delete": {"pk": "subscription"},
    "field:report_photo": {"pk": "field_report"},
    "business:portal_recommendation": {"pk": "recommendation"},
    "business:business_detail": {"pk": "business"},
    "business:account_list": {"pk": "business"},
    "business:account_link": {"pk": "business_account"},
    "business:account_disable": {"pk": "business_account"},
    # A well-formed set-password link that is not valid (no token was ever issued for it).
    "business:set_password": {"uidb64": "MQ", "token": "cn5x0a-0123456789abcdef0123456789abcdef"},
    "business:meeting_detail": {"pk": "meeting"},
    "business:recommendation_detail": {"pk": "recommendation"},
    "business:recommendation_step": {"pk": "recommendation", "action": "answer"},
}
#: Path parameters of API operations.
API_OBJECTS = {
    "report_id": "report",
    "incident_id": "incident",
    "case_id": "case",
    "person_id": "person",
    "forecast_id": "forecast",
    "plan_id": "plan",
    "assignment_id": "assignment",
    "event_id": "event",
    "investigation_id": "investigation",
    "entity_id": "inv_entity",
    "unit_id": "unit",
    "code": "commune",
    "sec_event_id": "sec_event",
    "campaign_id": "campaign",
    "arrest_id": "arrest",
    "wanted_id": "wanted",
    "alert_id": "alert",
    "subscription_id": "subscription",
}
#: Body fields that name a record: the world's record of commune A, so that the right persona
#: reaches the service with a body it could really send.
BODY_OBJECTS = {
    "responsible_unit_id": "unit",
    "commune": "commune",
    "commune_code": "commune",
    "incident_id": "incident",
    "crime_report_id": "report",
    "checkpoint_id": "checkpoint",
}
#: Headers an API operation needs to reach its permission checks: the field writes require an
#: Idempotency-Key (each persona's request runs in a rolled-back savepoint, so one key serves).
API_HEADERS = {"/api/field/": {"HTTP_IDEMPOTENCY_KEY": "matrix-key-1"}}
#: Query parameters an API operation requires.
API_QUERY = {
    "entity": "{inv_entity}",
    "lat": "20.86",
    "lon": "106.68",
    "q": "nguyen",
    "occurred_from": "01/01/2026",
    "occurred_to": "31/01/2026",
}
#: Not part of the permission matrix: Django's admin (its own test, below), the language
#: switch of django.views.i18n (public by design).
EXCLUDED_PREFIXES = ("admin/", "i18n/")


def page_routes() -> list[tuple[str, str]]:
    """(namespaced name, route) of every page URL pattern outside the API and the admin."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(
                    p.url_patterns, prefix + str(p.pattern), f"{ns}{p.namespace}:" if p.namespace else ns
                )
            else:
                yield ns + (p.name or ""), prefix + str(p.pattern)

    out = []
    for name, route in walk(get_resolver().url_patterns):
        if route.startswith("api/") or route.startswith(EXCLUDED_PREFIXES):
            continue
        out.append((name, route))
    return out


def api_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the OpenAPI schema, plus the schema and docs."""
    from anninh.api import api

    schema = api.get_openapi_schema(path_prefix="/api/")
    ops = [(m.upper(), path) for path, methods in schema["paths"].items() for m in methods]
    return [*ops, ("GET", "/api/openapi.json"), ("GET", "/api/docs")]


def all_keys() -> set[str]:
    keys = set()
    for name, _route in page_routes():
        keys |= {f"GET {name}", f"POST {name}"}
    keys |= {f"{method} {path}" for method, path in api_operations()}
    return keys


# --- How to call one --------------------------------------------------------------------------


def request_for(key: str, world: dict) -> tuple[str, str, dict]:
    """(method, url, client kwargs) for a matrix key."""
    import re

    method, target = key.split(" ", 1)
    if target.startswith("/api/"):
        url = re.sub(r"\{([^}]+)\}", lambda m: str(world[API_OBJECTS[m.group(1)]]), target)
        kwargs: dict = {}
        params = _required_query(method, target)
        if params:
            url += "?" + "&".join(f"{k}={_query_value(API_QUERY[k], world)}" for k in params)
        body = _minimal_body(method, target)
        if isinstance(body, dict):
            body.update({k: world[ref] for k, ref in BODY_OBJECTS.items() if k in body})
        if body is not None:
            import json

            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        if method != "GET":
            for prefix, headers in API_HEADERS.items():
                if target.startswith(prefix):
                    kwargs.update(headers)
        return method, url, kwargs
    route = dict(page_routes())[target]
    objects = PAGE_OBJECTS.get(target, {})

    def fill(match):
        name = match.group(1).split(":")[-1]
        value = objects[name]
        return str(world[value]) if value in world else value

    return method, "/" + re.sub(r"<([^>]+)>", fill, route), {}


def _query_value(value: str, world: dict) -> str:
    """A query value, or "{name}": the world's record of that name."""
    return str(world[value[1:-1]]) if value.startswith("{") and value.endswith("}") else value


def _operation(method: str, path: str) -> dict:
    from anninh.api import api

    schema = api.get_openapi_schema(path_prefix="/api/")
    return schema["paths"].get(path, {}).get(method.lower(), {}), schema


def _required_query(method: str, path: str) -> list[str]:
    op, _schema = _operation(method, path)
    return [p["name"] for p in op.get("parameters", []) if p.get("required") and p["in"] == "query"]


def _minimal_body(method: str, path: str):
    """The smallest JSON body the operation's schema accepts (required fields only), so the
    request reaches the permission check rather than stopping at validation."""
    op, schema = _operation(method, path)
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    return _instance(content["schema"], schema)


def _instance(node: dict, schema: dict):
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _instance(schema["components"]["schemas"][name], schema)
    for combo in ("anyOf", "oneOf", "allOf"):
        if combo in node:
            options = [o for o in node[combo] if o.get("type") != "null"]
            return _instance(options[0], schema)
    if "enum" in node:
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    kind = node.get("type")
    if kind == "object":
        return {
            k: _instance(v, schema)
            for k, v in node.get("properties", {}).items()
            if k in node.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return node.get("minimum", 1)
    if kind == "boolean":
        return False
    fmt = node.get("format")
    if fmt == "date":
        return "2026-01-05"
    if fmt == "date-time":
        return "2026-01-05T09:00:00+07:00"
    return "x" * max(1, node.get("minLength", 1))


# --- Django's admin ---------------------------------------------------------------------------

#: Every admin page: administrators only (anninh.accounts.admin's gate); visitors are sent to
#: our login page.
ADMIN_PAGES = outcome(403, administrator=200)


def admin_urls() -> list[str]:
    """The admin's index and the list page of every registered model."""
    from django.contrib import admin

    urls = ["/admin/"]
    for model in admin.site._registry:
        urls.append(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
    return sorted(urls)
