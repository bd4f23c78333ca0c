"""Guards of the public submission, with no third-party service:

- **Rate limit per address**: each accepted submission leaves a SubmissionMark keyed by
  HMAC-SHA256(SECRET_KEY + the day, client address): never the address, a key that changes
  every day, a time rounded down to the hour, no link to the request, deleted after
  ANNINH_REQUESTS_MARK_RETENTION_HOURS. ANNINH_REQUESTS_PER_HOUR per clock hour and
  ANNINH_REQUESTS_PER_DAY in the last 24 hours.
- **Honeypot**: a field people do not see (`website`); a form that fills it is refused.
- **Form challenge** (a proof of work, or its no-script equivalent): the form carries a signed
  challenge (issue time, random salt, a small sum). With script, the page finds a nonce so
  that SHA-256(challenge ":" nonce) starts with ANNINH_REQUESTS_POW_BITS zero bits (~16,000
  hashes: under a second on a cheap phone); without script, the person answers the sum. Either
  way the challenge must be at least ANNINH_REQUESTS_MIN_FILL_SECONDS old, at most 2 hours,
  and is accepted once (its digest is remembered as a SubmissionMark).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from anninh.requests.models import SubmissionMark

CHALLENGE_SALT = "anninh.requests.challenge"
CHALLENGE_MAX_AGE = 2 * 3600


class Refused(Exception):
    """A submission the guards refuse; `code` is stable, the view picks the message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def address_key(client_ip: str, day: dt.date) -> str:
    key = f"{settings.SECRET_KEY}:requests-rate:{day.isoformat()}".encode()
    return hmac.new(key, client_ip.encode(), hashlib.sha256).hexdigest()


def _keys(client_ip: str, now: dt.datetime) -> list[str]:
    today = timezone.localtime(now).date()
    return [address_key(client_ip, today), address_key(client_ip, today - dt.timedelta(days=1))]


def rate_check(client_ip: str | None, *, now: dt.datetime | None = None) -> None:
    """Refused("rate") when this address has used up its submissions."""
    if not client_ip:
        return
    now = now or timezone.now()
    keys = _keys(client_ip, now)
    marks = SubmissionMark.objects.filter(kind=SubmissionMark.RATE, key__in=keys)
    if marks.filter(at__gte=_hour(now)).count() >= settings.ANNINH_REQUESTS_PER_HOUR:
        raise Refused("rate")
    if marks.filter(at__gt=now - dt.timedelta(hours=24)).count() >= settings.ANNINH_REQUESTS_PER_DAY:
        raise Refused("rate")


def rate_mark(client_ip: str | None, *, now: dt.datetime | None = None) -> None:
    """Remember one accepted submission from this address (inside the submission's
    transaction)."""
    if not client_ip:
        return
    now = now or timezone.now()
    SubmissionMark.objects.create(kind=SubmissionMark.RATE, key=_keys(client_ip, now)[0], at=_hour(now))


def honeypot_check(value: str) -> None:
    if value:
        raise Refused("honeypot")


# --- The form challenge -------------------------------------------------------------------


def challenge_issue(*, now: dt.datetime | None = None) -> dict:
    """A new challenge for a form: the signed token, the sum for people without script, and
    the proof-of-work difficulty."""
    now = now or timezone.now()
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps(
        {"t": int(now.timestamp()), "s": secrets.token_hex(8), "a": a, "b": b}, salt=CHALLENGE_SALT
    )
    return {"token": token, "a": a, "b": b, "bits": settings.ANNINH_REQUESTS_POW_BITS}


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + (8 - byte.bit_length())
    return bits


def pow_valid(token: str, nonce: str, bits: int) -> bool:
    if not nonce or len(nonce) > 32:
        return False
    return leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest()) >= bits


def pow_solve(token: str, bits: int) -> str:
    """What the page's script does (tests, the demo's Open311 examples)."""
    nonce = 0
    while not pow_valid(token, str(nonce), bits):
        nonce += 1
    return str(nonce)


def challenge_check(token: str, *, nonce: str = "", answer: str = "", now: dt.datetime | None = None) -> str:
    """The challenge's digest when it is valid, solved and old enough; Refused otherwise.
    Call `challenge_spend` with the digest inside the submission's transaction."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise Refused("challenge_expired") from exc
    age = now.timestamp() - data["t"]
    if age < settings.ANNINH_REQUESTS_MIN_FILL_SECONDS:
        raise Refused("too_fast")
    solved = pow_valid(token, nonce, settings.ANNINH_REQUESTS_POW_BITS)
    if not solved:
        solved = answer.strip() == str(data["a"] + data["b"])
    if not solved:
        raise Refused("challenge")
    return hashlib.sha256(token.encode()).hexdigest()


def challenge_spend(digest: str, *, now: dt.datetime | None = None) -> None:
    """Accept a challenge once; Refused("replay") the second time."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            SubmissionMark.objects.create(kind=SubmissionMark.CHALLENGE, key=digest, at=_hour(now))
    except IntegrityError as exc:
        raise Refused("replay") from exc


def marks_purge(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=max(settings.ANNINH_REQUESTS_MARK_RETENTION_HOURS, 24))
    # The challenge marks must outlive their challenges (2 hours) to stop replays.
    deleted, _ = SubmissionMark.objects.filter(at__lt=cutoff).delete()
    return deleted
