"""Subjects of control in technical regulation (Cr §2(11)) and the words the Criteria use
for them: subject types, risk degrees (Cr §6, §12) and kinds of control (Cr §8)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kzreg.law.errors import InputError


class SubjectType(enum.StrEnum):
    """The kinds of subject Cr §2(11) names; the first six are classed by Cr §6."""

    STATE_SYMBOLS_MANUFACTURER = "state_symbols_manufacturer"    # Cr §6 high 1)
    ORIGIN_CERTIFICATE_BODY = "origin_certificate_body"          # Cr §6 high 2)
    REGULATED_PRODUCT_SELLER = "regulated_product_seller"        # Cr §6 high 3)
    ORIGIN_EXPERT_ORGANIZATION = "origin_expert_organization"    # Cr §6 average 1)
    CONFORMITY_ASSESSMENT_BODY = "conformity_assessment_body"    # Cr §6 average 2) (garbled)
    TRAINING_CENTER = "training_center"                          # Cr §6 low
    TEST_LABORATORY = "test_laboratory"                          # Cr §2(11), in no class
    APPLICANT = "applicant"                                      # Cr §2(11), in no class


class Degree(enum.StrEnum):
    """Risk degrees (Cr §6, §12); `rank` orders them so that a transfer down is rank − 1."""

    LOW = "low"
    AVERAGE = "average"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def label(self) -> str:
        return self.value

    @classmethod
    def of_rank(cls, rank: int) -> Degree:
        return _BY_RANK[int(rank)]

    @classmethod
    def parse(cls, text: str, field: str = "degree") -> Degree:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise InputError(f"{text!r} is not a degree (low, average, high)",
                             field=field) from None


_RANKS = {Degree.LOW: 1, Degree.AVERAGE: 2, Degree.HIGH: 3}
_BY_RANK = {v: k for k, v in _RANKS.items()}


class ControlKind(enum.StrEnum):
    """The forms of state control the Criteria name (Cr §8)."""

    PREVENTIVE_WITH_VISIT = "preventive_with_visit"
    PREVENTIVE_WITHOUT_VISIT = "preventive_without_visit"
    COMPLIANCE_CHECK = "compliance_check"      # "check on compliance to requirements"
    UNSCHEDULED = "unscheduled"                # unscheduled inspection


def subject_type(text: str, field: str = "type") -> SubjectType:
    try:
        return SubjectType(str(text).strip())
    except ValueError:
        known = ", ".join(t.value for t in SubjectType)
        raise InputError(f"{text!r} is not a subject type ({known})", field=field) from None


@dataclass(frozen=True)
class Relief:
    """The Cr §15 conditions a subject meets (each moves it down one degree)."""

    insured: bool = False           # 1) civil-liability insurance contracts to third parties
    legally_exempt: bool = False    # 2) release from control provided by laws or the criteria
    sro_recognized: bool = False    # 3) SRO member with a recognition agreement

    def grounds(self) -> list[str]:
        named = (("1) civil-liability insurance contract", self.insured),
                 ("2) release provided by law or the criteria", self.legally_exempt),
                 ("3) SRO membership with a recognition agreement", self.sro_recognized))
        return [text for text, holds in named if holds]
