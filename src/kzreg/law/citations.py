"""Citations: the clause a rule rests on.

A citation is an act id from the registry (`kzreg.law.acts`) plus a locator written the
way the spec digests write it: `Rules §13`, `App2 8.4`, `Art 51-5(3)`, `Cr §13`.
`str(citation)` is the English form people read ("Order 407, Rules §13");
`citation.ref` is the compact machine form ("order-407:Rules §13").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kzreg.law.errors import InputError

if TYPE_CHECKING:
    from kzreg.law.acts import Act


@dataclass(frozen=True, order=True)
class Citation:
    act: str
    locator: str = ""

    def __post_init__(self) -> None:
        if not self.act or ":" in self.act or " " in self.act:
            raise InputError(f"bad act id {self.act!r}", field="citation.act")

    @property
    def ref(self) -> str:
        return f"{self.act}:{self.locator}" if self.locator else self.act

    def resolve(self) -> Act:
        """The act this citation points to (raises NotFound for an unknown act)."""
        from kzreg.law.acts import get_act

        return get_act(self.act)

    def __str__(self) -> str:
        try:
            name = self.resolve().short
        except Exception:  # an unknown act still prints, with its id
            name = self.act
        return f"{name}, {self.locator}" if self.locator else name

    def to_dict(self) -> dict[str, str]:
        return {"act": self.act, "locator": self.locator, "text": str(self)}

    @classmethod
    def parse(cls, ref: str) -> Citation:
        """Read the compact form `act-id:locator` (or a bare act id)."""
        act, _, locator = ref.strip().partition(":")
        return cls(act.strip(), locator.strip())


def cite(act: str, locator: str = "") -> Citation:
    """A citation to a known act; fails at import time for a misspelt act id."""
    citation = Citation(act, locator)
    citation.resolve()
    return citation
