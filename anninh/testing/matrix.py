"""The permission-matrix helper every view and endpoint test uses.

    check_matrix(url, {
        "anonymous": LOGIN,          # redirected to the login page (401 for the API)
        "commune_officer": 200,
        "other_commune_officer": 404, # outside their commune: 404 and an audited refusal
        "analyst": 403,              # wrong role: 403 and an audited refusal
        ...
    }, personas=personas)

Every persona must be given an expectation, so a new role cannot slip through untested.
For 403 and 404 answers to a signed-in persona the helper also checks that an audit row
with action "denied" was written for that persona (set audit_denials=False for plain
404s of objects that do not exist at all).
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.personas import LIKE_NO_ROLE, NAMES

LOGIN = "login"  # anonymous page request → redirect to the login page
UNAUTHORIZED = 401  # anonymous API request
#: Got past every permission check: a page, a form or validation answer, a redirect after
#: success; anything but 401, 403, 404, a login redirect or a server error.
PASSES = "passes"


def passes(response) -> bool:
    if response.status_code in (401, 403, 404) or response.status_code >= 500:
        return False
    return not (response.status_code == 302 and "/accounts/login/" in response.get("Location", ""))


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def check_matrix(
    url: str,
    expected: dict[str, int | str],
    *,
    personas: dict[str, Any],
    method: str = "get",
    data: Any = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
    audit_denials: bool = True,
) -> dict[str, int]:
    if "no_role" in expected:
        # Personas outside the police staff get what a user with no role gets unless named.
        expected = {**dict.fromkeys(LIKE_NO_ROLE, expected["no_role"]), **expected}
    missing = [name for name in NAMES if name not in expected]
    unknown = [name for name in expected if name not in NAMES]
    assert not missing, f"permission matrix for {url} lacks personas: {missing}"
    assert not unknown, f"permission matrix for {url} names unknown personas: {unknown}"
    seen: dict[str, int] = {}
    failures: list[str] = []
    for name in NAMES:
        want = expected[name]
        user = personas[name]
        client = client_for(user)
        last_id = AuditEvent.objects.unrestricted().order_by("-id").values_list("id", flat=True).first() or 0
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if data is not None:
            kwargs["data"] = data
        if content_type:
            kwargs["content_type"] = content_type
        response = getattr(client, method)(url, **kwargs)
        seen[name] = response.status_code
        if want == LOGIN:
            ok = response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif want == PASSES:
            ok = passes(response)
        else:
            ok = response.status_code == want
        if not ok:
            failures.append(f"{name}: expected {want}, got {response.status_code}")
            continue
        if user is not None and want in (403, 404) and audit_denials:
            # A refusal written by THIS request, for this persona (not one from an earlier call).
            refused = AuditEvent.objects.unrestricted().filter(
                action=AuditAction.DENIED, actor_id=user.pk, id__gt=last_id
            )
            if not refused.exists():
                failures.append(f"{name}: {want} without an audited refusal")
    assert not failures, f"permission matrix for {method.upper()} {url}:\n  " + "\n  ".join(failures)
    return seen
