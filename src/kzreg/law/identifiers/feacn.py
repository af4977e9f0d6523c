"""FEACN codes: the EAEU commodity nomenclature of foreign economic activity (ТН ВЭД ЕАЭС).

A code is 2 (chapter), 4 (heading), 6 (subheading), 8 or 10 digits; the customary layout
is "8703 21 109 0". Acts name groups of codes that are matched by prefix, and a group may
have any length 2-10: Order 493, Rules §4 names truck tractors "870120101" (9 digits, the
line "new road tractors for semi-trailers" of the 2012 nomenclature).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kzreg.law.errors import InputError

FEACN_LEVELS = {2: "chapter", 4: "heading", 6: "subheading", 8: "8-digit subheading",
                10: "10-digit code"}


@dataclass(frozen=True, order=True)
class FeacnCode:
    """A code of the EAEU commodity nomenclature (ТН ВЭД ЕАЭС), digits only.

    A code has 2, 4, 6, 8 or 10 digits. Groups used for matching may have any length
    2-10 (Order 493, Rules §4 names truck tractors by the 9-digit "870120101").
    """

    digits: str

    def __post_init__(self) -> None:
        d = self.digits
        if not (isinstance(d, str) and d.isascii() and d.isdigit() and 2 <= len(d) <= 10):
            raise InputError(f"a FEACN code is 2-10 digits, got {d!r}", field="feacn_code")

    @classmethod
    def parse(cls, text: str, field: str = "feacn_code", *, prefix: bool = False
              ) -> FeacnCode:
        """Read a code ("8703 21 109 0"); with `prefix`, any length 2-10 is accepted."""
        digits = "".join(str(text).split())
        if not digits:
            raise InputError("is empty; expected a FEACN code", field=field)
        if not (digits.isascii() and digits.isdigit()):
            position, char = next((i, c) for i, c in enumerate(digits, 1)
                                  if not "0" <= c <= "9")
            raise InputError(f"a FEACN code is digits only; found {char!r} at position "
                             f"{position}", field=field)
        if not 2 <= len(digits) <= 10:
            raise InputError(f"a FEACN code has 2 to 10 digits, got {len(digits)}",
                             field=field)
        if not prefix and len(digits) not in FEACN_LEVELS:
            raise InputError(f"a FEACN code has 2, 4, 6, 8 or 10 digits, got {len(digits)} "
                             "(a group prefix may have any length 2-10)", field=field)
        return cls(digits)

    @property
    def level(self) -> str:
        return FEACN_LEVELS.get(len(self.digits), f"{len(self.digits)}-digit prefix")

    def matches(self, group: FeacnCode | str) -> bool:
        """True if this code falls within `group` (prefix match: 8703 ⊇ 8703 21 109 0)."""
        if not isinstance(group, FeacnCode):
            group = FeacnCode.parse(group, field="group", prefix=True)
        return self.digits.startswith(group.digits)

    def __str__(self) -> str:
        d = self.digits  # the customary layout 8703 21 109 0
        return " ".join(part for part in (d[:4], d[4:6], d[6:9], d[9:]) if part)


def matching_groups(code: FeacnCode | str, groups: Iterable[FeacnCode | str],
                    field: str = "feacn_code") -> list[FeacnCode]:
    """The groups (any length 2-10) that contain `code`."""
    if not isinstance(code, FeacnCode):
        code = FeacnCode.parse(code, field=field)
    parsed = [g if isinstance(g, FeacnCode) else FeacnCode.parse(g, "group", prefix=True)
              for g in groups]
    return [g for g in parsed if code.matches(g)]


def in_group(code: FeacnCode | str, groups: Iterable[FeacnCode | str],
             field: str = "feacn_code") -> bool:
    """True if `code` falls within any of `groups`."""
    return bool(matching_groups(code, groups, field))
