"""Who acts: roles and the scope each role is bound to.

A role says what kind of person someone is; the scope says which cases they may touch:
businesses see only cases that name their BIN, customs officers those of their customs
offices, defense officers nothing above their clearance. Auditors read everything and
change nothing; the system itself (`SYSTEM`) fires deadlines.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    ADMIN = "admin"
    AUDITOR = "auditor"                    # read-only, everything
    INDUSTRY_OFFICER = "industry_officer"  # authorized body for industry / state stimulation
    CUSTOMS_HEAD = "customs_head"          # head of a state revenue (customs) office
    CUSTOMS_OFFICER = "customs_officer"    # authorized officer of a customs office
    OPERATOR = "operator"                  # the national operator's staff (Order 407)
    INSPECTOR = "inspector"                # state control in technical regulation
    DEFENSE_OFFICER = "defense_officer"    # defense bodies, with a clearance level
    MANUFACTURER = "manufacturer"
    CARRIER = "carrier"
    DECLARANT = "declarant"
    CONTRACTOR = "contractor"
    SYSTEM = "system"                      # the worker firing deadlines

    @property
    def is_business(self) -> bool:
        return self in BUSINESS_ROLES

    @property
    def is_customs(self) -> bool:
        return self in (Role.CUSTOMS_HEAD, Role.CUSTOMS_OFFICER)


BUSINESS_ROLES = frozenset({Role.MANUFACTURER, Role.CARRIER, Role.DECLARANT, Role.CONTRACTOR})


@dataclass(frozen=True)
class Actor:
    """A person (or the system) acting in a role within a scope."""

    username: str
    role: Role
    bin: str | None = None                          # businesses: their BIN
    offices: frozenset[str] = field(default_factory=frozenset)  # customs office codes
    clearance: int = 0                              # defense: highest secrecy level seen
    user_id: int | None = None

    @property
    def read_only(self) -> bool:
        return self.role == Role.AUDITOR


SYSTEM = Actor("system", Role.SYSTEM, clearance=99)
