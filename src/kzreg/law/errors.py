"""Errors that reach users: each names the field and, where the rule is legal, the clause.

Entry points (CLI, API) turn a `KzregError` into a one-line message or a problem+json
document; anything else is a bug and is reported as such.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kzreg.law.citations import Citation


class KzregError(Exception):
    """A failure a user can act on."""

    def __init__(self, message: str, *, field: str | None = None,
                 citation: Citation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.citation = citation

    def __str__(self) -> str:
        parts = []
        if self.field:
            parts.append(f"{self.field}: ")
        parts.append(self.message)
        if self.citation is not None:
            parts.append(f" ({self.citation})")
        return "".join(parts)


class InputError(KzregError):
    """A value given to the system is malformed or out of range."""


class LegalRuleError(KzregError):
    """A legal condition refuses the request; always carries the clause."""


class NotFound(KzregError):
    """A named thing (act, rule, parameter, case) does not exist."""


class NotInForce(KzregError):
    """The act or parameter asked for has no value on the date asked for."""


class Forbidden(KzregError):
    """The actor's role may not do this (a case outside their scope is NotFound instead)."""


class Conflict(KzregError):
    """The thing changed meanwhile or is in a state that does not allow the request."""
