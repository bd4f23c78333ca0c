"""Sealing small secrets (TOTP seeds) at rest.

The seed of an authenticator must be readable by the server (to check codes), so it cannot
be hashed; it is encrypted instead, so that a database dump or backup alone does not hand
out everyone's second factor. The key is derived from SECRET_KEY (SECRET_KEY_FALLBACKS are
tried when opening, so keys can be rotated).

Construction (standard library only): HMAC-SHA256 as a pseudo-random function in counter
mode for the key stream, then encrypt-then-MAC with a separate HMAC-SHA256 key over the
version, nonce and cipher text. If the `cryptography` package becomes a dependency, swap
this for Fernet and keep the `seal`/`unseal` names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

VERSION = b"v1"
_NONCE_BYTES = 16
_TAG_BYTES = 32


class SealError(ValueError):
    """The sealed value is corrupt or was sealed with a key we no longer have."""


def _keys(secret_key: str, purpose: str) -> tuple[bytes, bytes]:
    root = hashlib.sha256(f"anninh.accounts.crypto|{purpose}|{secret_key}".encode()).digest()
    enc = hmac.new(root, b"encrypt", hashlib.sha256).digest()
    mac = hmac.new(root, b"authenticate", hashlib.sha256).digest()
    return enc, mac


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def seal(plaintext: str, *, purpose: str) -> str:
    enc, mac = _keys(settings.SECRET_KEY, purpose)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    data = plaintext.encode("utf-8")
    body = nonce + _xor(data, _stream(enc, nonce, len(data)))
    tag = hmac.new(mac, VERSION + body, hashlib.sha256).digest()
    return VERSION.decode() + ":" + base64.urlsafe_b64encode(body + tag).decode("ascii")


def unseal(sealed: str, *, purpose: str) -> str:
    version, _, encoded = sealed.partition(":")
    if version.encode() != VERSION:
        raise SealError("unknown sealing version")
    try:
        raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SealError("not a sealed value") from exc
    if len(raw) < _NONCE_BYTES + _TAG_BYTES:
        raise SealError("sealed value too short")
    body, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
    nonce, cipher = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
    for secret_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        enc, mac = _keys(secret_key, purpose)
        if hmac.compare_digest(hmac.new(mac, VERSION + body, hashlib.sha256).digest(), tag):
            return _xor(cipher, _stream(enc, nonce, len(cipher))).decode("utf-8")
    raise SealError("sealed value does not authenticate with any known key")
