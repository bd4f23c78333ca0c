"""Pure helpers: folding names for search, sealing secrets at rest."""

from __future__ import annotations

import pytest

from anninh.accounts.crypto import SealError, seal, unseal
from anninh.accounts.text import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Thị Hoà", "nguyen thi hoa"),
        ("Nguyễn Thị Hòa", "nguyen thi hoa"),
        ("ĐẶNG  Văn\tBình", "dang van binh"),
        ("Trần Thuỷ", "tran thuy"),
        ("", ""),
    ],
)
def test_names_fold_to_lower_case_without_diacritics(text, folded):
    assert fold(text) == folded


def test_a_sealed_value_opens_again_and_does_not_show_the_plaintext(settings):
    sealed = seal("JBSWY3DPEHPK3PXP", purpose="t")
    assert "JBSWY3DPEHPK3PXP" not in sealed and sealed.startswith("v1:")
    assert unseal(sealed, purpose="t") == "JBSWY3DPEHPK3PXP"
    assert seal("JBSWY3DPEHPK3PXP", purpose="t") != sealed  # fresh nonce every time


def test_a_tampered_value_or_another_purpose_does_not_open(settings):
    sealed = seal("secret", purpose="t")
    body = bytearray(sealed.encode())
    body[10] = ord("A") if body[10] != ord("A") else ord("B")
    with pytest.raises(SealError):
        unseal(body.decode(), purpose="t")
    with pytest.raises(SealError):
        unseal(sealed, purpose="other")
    with pytest.raises(SealError):
        unseal("v2:abc", purpose="t")
    with pytest.raises(SealError):
        unseal("v1:!!!", purpose="t")


def test_after_a_key_rotation_old_values_open_with_the_fallback_key(settings):
    sealed = seal("secret", purpose="t")
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "n" * 60
    with pytest.raises(SealError):
        unseal(sealed, purpose="t")
    settings.SECRET_KEY_FALLBACKS = [old]
    assert unseal(sealed, purpose="t") == "secret"
