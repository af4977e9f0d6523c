"""Military operational requirements (TTS: tactical and technical specifications), versioned.

The recipient develops and approves them under national standards or, where there are none,
independently (Law 236-VI Art 20 p.2 parts 1-2; Art 25 sub 5), and sends them to the SDP
body stating the place of delivery (p.2 part 3). The version a selection used is frozen:
the contractor may refuse a contract whose specification does not match it (Art 22 p.7
sub 3); a later change is a new version (setting defense.tts_changes_after_freeze).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from kzreg.defense._law import art
from kzreg.law.errors import Conflict, InputError, LegalRuleError, NotFound
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting


@dataclass(frozen=True)
class Version:
    number: int
    item: str
    recipient: str
    characteristics: dict[str, str]
    place_of_delivery: str
    national_standards: tuple[str, ...] = ()     # empty: developed independently (p.2 part 2)
    approved_on: dt.date | None = None
    sent_on: dt.date | None = None
    frozen_for: str | None = None                # the selection that used it
    secrecy_level: int = 0


@dataclass
class Requirement:
    """All versions of the requirement for one item."""

    item: str
    recipient: str
    versions: list[Version] = field(default_factory=list)

    def draft(self, characteristics: dict[str, str], place_of_delivery: str, *,
              national_standards: tuple[str, ...] = (), secrecy_level: int = 0) -> Version:
        if not characteristics:
            raise InputError("a requirement states its characteristics", field="characteristics",
                             citation=art("Art 20 p.2"))
        if not place_of_delivery.strip():
            raise InputError("state the place of delivery", field="place_of_delivery",
                             citation=art("Art 20 p.2 part 3"))
        version = Version(len(self.versions) + 1, self.item, self.recipient,
                          dict(characteristics), place_of_delivery.strip(),
                          tuple(national_standards), secrecy_level=secrecy_level)
        self.versions.append(version)
        return version

    def get(self, number: int) -> Version:
        if not 1 <= number <= len(self.versions):
            raise NotFound(f"no version {number} of the requirement for {self.item}",
                           field="version")
        return self.versions[number - 1]

    def _put(self, version: Version) -> Version:
        self.versions[version.number - 1] = version
        return version

    def approve(self, number: int, on: dt.date) -> Version:
        """The recipient approves a version (Art 25 sub 5)."""
        version = self.get(number)
        if version.approved_on is not None:
            raise Conflict(f"version {number} was approved on {version.approved_on}",
                           field="version")
        return self._put(replace(version, approved_on=on))

    def send(self, number: int, on: dt.date) -> Version:
        """Sent to the SDP body with the place of delivery (Art 20 p.2 part 3)."""
        version = self.get(number)
        if version.approved_on is None:
            raise LegalRuleError("only an approved requirement is sent", field="version",
                                 citation=art("Art 25 sub 5"))
        return self._put(replace(version, sent_on=on))

    def freeze(self, number: int, selection: str) -> Version:
        """The version a selection uses; it never changes afterwards."""
        version = self.get(number)
        if version.sent_on is None:
            raise LegalRuleError("selection uses a requirement sent to the SDP body",
                                 field="version", citation=art("Art 20 p.2 part 3"))
        if version.frozen_for and version.frozen_for != selection:
            raise Conflict(f"version {number} is frozen for {version.frozen_for}",
                           field="version")
        return self._put(replace(version, frozen_for=selection))

    def revise(self, number: int, characteristics: dict[str, str]) -> Version:
        """A change: a frozen version is never edited, a new version is drafted instead."""
        version = self.get(number)
        if version.frozen_for:
            rule = get_setting("defense.tts_changes_after_freeze")
            if rule.value == "refuse":
                raise LegalRuleError(f"version {number} is frozen for {version.frozen_for}",
                                     field="version", citation=art("Art 22 p.7 sub 3"))
        merged = {**version.characteristics, **characteristics}
        return self.draft(merged, version.place_of_delivery,
                          national_standards=version.national_standards,
                          secrecy_level=version.secrecy_level)


def matches_frozen(frozen: Version, contract_spec: dict[str, str]) -> Explained[list[str]]:
    """Differences between a contract's specification and the frozen version; any difference
    is ground 3 for the contractor to refuse (Art 22 p.7 sub 3)."""
    trace = Trace(rule="defense.tts-match")
    if frozen.frozen_for is None:
        raise LegalRuleError("compare against the version frozen for the selection",
                             field="version", citation=art("Art 22 p.7 sub 3"))
    keys = sorted(set(frozen.characteristics) | set(contract_spec))
    diffs = [f"{k}: selection {frozen.characteristics.get(k, '—')}, contract "
             f"{contract_spec.get(k, '—')}" for k in keys
             if frozen.characteristics.get(k) != contract_spec.get(k)]
    trace.step(f"contract specification against version {frozen.number} frozen for "
               f"{frozen.frozen_for}", diffs, citation=art("Art 22 p.7 sub 3"))
    return trace.done(diffs)
