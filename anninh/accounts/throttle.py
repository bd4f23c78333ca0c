"""Login throttling, counted from the audit trail itself.

Every failed attempt is already written to the audit log (action login_failed, with the
attempted user name and the client address, indexed on (action, at)). Counting those rows
means there is one record of what happened, not two that can disagree; nothing to purge;
and an auditor sees exactly the attempts that caused a lockout. A separate table would only
be worth it if the audit log moved to another database.

Rows refused *because* of a lockout (reason "locked") are not counted: the lock lasts until
the oldest of the counted failures leaves the window, however many times it is knocked on.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.utils import timezone

from anninh.audit.models import AuditAction, AuditEvent

# Reasons of login_failed rows that count towards a lockout: a wrong password (or an unknown
# or inactive user: not distinguished, so the count does not tell whether a name exists) and
# a wrong second-factor code.
COUNTED_REASONS = ("credentials", "two_factor")


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip()[:150]


def window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def is_locked(*, username: str, client_ip: str | None, now: dt.datetime | None = None) -> bool:
    """True when the user name or the address has used up its attempts.

    The two are counted separately, each against its own limit: LOGIN_MAX_FAILURES failures
    for one name lock that name from every address (no guessing one account from many
    addresses), and LOGIN_MAX_FAILURES_PER_ADDRESS failures from one address lock that address
    for every name (no trying many names from one place). The address is the client's, not the
    proxy's (see anninh.audit.middleware.client_ip_from), so one bad actor behind the proxy
    does not lock out everyone else.
    """
    now = now or timezone.now()
    base = AuditEvent.objects.unrestricted().filter(
        action=AuditAction.LOGIN_FAILED, at__gt=now - window(), at__lte=now, extra__reason__in=COUNTED_REASONS
    )
    name = normalise_username(username)
    if name and base.filter(actor_username=name).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    return (
        bool(client_ip)
        and base.filter(client_ip=client_ip).count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS
    )
