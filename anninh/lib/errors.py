"""Exceptions for rejected user input.

Every problem carries a stable, dotted ``code`` (e.g. ``"vnd.fractional"``,
``"cccd.length"``) and a plain English message. The Django layer maps the code to a
translated (Vietnamese-first) message; the English text is for logs and developers. Codes are
part of the public contract: rename one only together with its translations.

Programming errors (wrong Python type, naive datetime where an aware one is required) are
*not* ValidationProblems; they raise the ordinary TypeError/ValueError so they are not
mistaken for something to show a user.
"""

from __future__ import annotations

from typing import Any


class ValidationProblem(ValueError):
    """A user-supplied value was rejected.

    Attributes:
        code: stable dotted key, ``"<area>.<problem>"``.
        message: English explanation (also ``str(exc)``).
        params: values a translated message may interpolate (e.g. ``{"length": 9}``).
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # The default pickling calls cls(*self.args) == cls(message), which would lose the
        # code; task queues and multiprocessing pickle exceptions, so keep all of it.
        return (_rebuild, (type(self), self.code, self.message, self.params))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


def _rebuild(cls: type[ValidationProblem], code: str, message: str, params: dict[str, Any]):
    return cls(code, message, **params)


class InvalidAmount(ValidationProblem):
    """A money amount (VND) could not be accepted. Codes start with ``vnd.``."""


class InvalidIdentifier(ValidationProblem):
    """A CCCD, phone number or tax code could not be accepted.

    Codes start with ``cccd.``, ``phone.`` or ``tax.``.
    """


class InvalidDate(ValidationProblem):
    """A date or ISO week could not be accepted. Codes start with ``date.`` or ``week.``."""
