"""Password rules beyond Django's own (length, common passwords, similarity, numeric)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

CLASSES = ("lower", "upper", "digit", "symbol")


def character_classes(password: str) -> set[str]:
    """Which of lower-case letters, upper-case letters, digits and symbols `password` uses.
    Vietnamese letters count as letters (ắ is lower case, Đ upper case)."""
    found: set[str] = set()
    for ch in password:
        if ch.isdigit():
            found.add("digit")
        elif ch.islower():
            found.add("lower")
        elif ch.isupper():
            found.add("upper")
        elif not ch.isalnum():
            found.add("symbol")
    return found


class CharacterClassValidator:
    """The password must mix at least `min_classes` of: lower case, upper case, digits,
    symbols."""

    def __init__(self, min_classes: int = 3):
        if not 1 <= min_classes <= len(CLASSES):
            raise ValueError(f"min_classes must be between 1 and {len(CLASSES)}")
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                ngettext(
                    "This password must use at least %(min)d kind of character: lower-case letters, "
                    "upper-case letters, digits or symbols.",
                    "This password must use at least %(min)d kinds of character out of lower-case "
                    "letters, upper-case letters, digits and symbols.",
                    self.min_classes,
                ),
                code="password_too_few_character_classes",
                params={"min": self.min_classes},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must use at least %(min)d kind of character: lower-case letters, "
            "upper-case letters, digits or symbols.",
            "Your password must use at least %(min)d kinds of character out of lower-case letters, "
            "upper-case letters, digits and symbols.",
            self.min_classes,
        ) % {"min": self.min_classes}
