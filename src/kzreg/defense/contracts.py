"""The state defense order contract (Law 236-VI Art 22): its content, terms, refusal, notices.

- content of a draft (Art 22 p.4) with the payment clause (p.8: full payment within at most
  thirty calendar days of fulfilment — a longer term is invalid — and the VAT clause);
- the terms: sent within ten calendar days of the Government act approving the order (p.5),
  signed within twenty calendar days of receipt (p.6), paid within thirty calendar days of
  fulfilment (p.8), each counted by the kernel (`kzreg.law.deadlines`);
- the contractor's refusal, valid on the three grounds of p.7 only;
- the events the recipient and the contractor notify "immediately" to the SDP body (p.12);
- penalties: recovered by the party to the contract, credited to the republican budget (p.10).

Arts 22 and 23 apply from 1 January 2020 (Art 32 p.1): a term triggered earlier is refused.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from kzreg.defense._law import LAW, art, money
from kzreg.law.acts import explain_provision_in_force
from kzreg.law.deadlines import deadline
from kzreg.law.errors import InputError, NotInForce
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting


def _money(value: Any) -> Decimal:
    number = money(value)
    if number < 0:
        raise ValueError("money cannot be negative")
    return number


Money = Annotated[Decimal, BeforeValidator(_money)]


def require_in_force(trace: Trace, provision: str, on: dt.date, *, field: str) -> None:
    """Refuse a question about a day on which the provision did not yet apply (Art 32 p.1)."""
    result = explain_provision_in_force(LAW, provision, on)
    if result.value is True:
        trace.step(f"{provision} applies on {on.isoformat()}", True, citation=art("Art 32 p.1"))
        return
    why = "was not yet in force" if result.value is False else "cannot be shown in force"
    raise NotInForce(f"Law 236-VI {provision} {why} on {on.isoformat()} (Arts 22 and 23 "
                     "apply from 1 January 2020)", field=field, citation=art("Art 32 p.1"))


# --- content of a draft contract (Art 22 p.4, p.8) ----------------------------------------

CONTENT_FIELDS: dict[str, str] = {
    "subject_matter": "the subject matter of the contract",
    "validity_period": "the contract validity period and (or) deadlines for separate phases",
    "value": "the contract value",
    "quality_control_conditions": "quality control conditions",
    "acceptance_conditions": "acceptance conditions",
    "delivery_place": "place of delivery (performance, rendering)",
    "delivery_dates": "dates of delivery (performance, rendering)",
    "forfeit": "the amount of a forfeit (fine, penalty)",
    "termination_grounds": "the grounds for cancellation or termination of the contract",
    "liability": "the liability of the parties",
}
MAX_PAYMENT_DAYS = 30  # Art 22 p.8 part 1: "a period not exceeding thirty calendar days"


class ContractDraft(BaseModel):
    """A draft contract as the system receives it (JSON); absent clauses are None."""

    model_config = ConfigDict(extra="forbid")

    subject_matter: str | None = None
    validity_period: str | None = None
    value: Money | None = None
    advance_payment: Money | None = Field(None, description="only if any (Art 22 p.4)")
    quality_control_conditions: str | None = None
    acceptance_conditions: str | None = None
    delivery_place: str | None = None
    delivery_dates: list[dt.date] | None = None
    forfeit: str | None = None
    termination_grounds: str | None = None
    liability: str | None = None
    payment_term_days: int | None = Field(
        None, description="calendar days from fulfilment to full payment (Art 22 p.8)")
    vat_clause: bool | None = Field(None, description="VAT paid per the tax legislation")


@dataclass(frozen=True)
class Finding:
    field: str
    problem: str
    citation: str


@dataclass(frozen=True)
class ContentCheck:
    valid: bool
    findings: list[Finding] = field(default_factory=list)


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    return True


def check_content(draft: ContractDraft) -> Explained[ContentCheck]:
    """Art 22 p.4 clauses present; full payment within ≤ 30 calendar days; a VAT clause."""
    trace = Trace("defense.contract-content")
    findings: list[Finding] = []
    p4 = art("Art 22 p.4")
    for name, words in CONTENT_FIELDS.items():
        if not _present(getattr(draft, name)):
            findings.append(Finding(name, f"missing: {words}", p4.ref))
    trace.step("the contract specifies its subject matter, validity period or phase deadlines, "
               "value, quality control and acceptance conditions, place and dates of delivery, "
               "forfeit, termination grounds and liability (an advance payment only if any)",
               [f.field for f in findings] or "all present", citation=p4)
    if draft.value is not None and draft.advance_payment is not None \
            and draft.advance_payment > draft.value:
        findings.append(Finding("advance_payment", "the advance exceeds the contract value",
                                p4.ref))
    p8 = art("Art 22 p.8")
    days = draft.payment_term_days
    if days is None:
        problem = "no term for full payment: the contract must provide one"
    elif days < 0:
        problem = "a payment term cannot be negative"
    elif days > MAX_PAYMENT_DAYS:
        problem = (f"INVALID clause: full payment within {days} calendar days exceeds the "
                   f"{MAX_PAYMENT_DAYS} calendar days of fulfilment the Law allows")
    else:
        problem = None
    if problem:
        findings.append(Finding("payment_term_days", problem, p8.ref))
    trace.step(f"full payment within a period not exceeding {MAX_PAYMENT_DAYS} calendar days "
               "of fulfilment of obligations", problem or f"{days} days: valid", citation=p8,
               inputs={"payment_term_days": days})
    if draft.vat_clause is not True:
        findings.append(Finding("vat_clause", "the contract must provide for VAT payment under "
                                "the tax legislation", p8.ref))
    trace.step("the contract provides for VAT under the tax legislation (p.8 part 2)",
               draft.vat_clause is True, citation=p8)
    return trace.done(ContentCheck(not findings, findings))


# --- the three terms (Art 22 p.5, p.6, p.8) -----------------------------------------------

class Term(enum.Enum):
    SEND = "send"
    SIGN = "sign"
    PAY = "pay"


@dataclass(frozen=True)
class TermSpec:
    days: int
    locator: str
    trigger: str
    action: str
    late_notice: str | None  # the Art 22 p.12 event a late action is, if any


TERMS: dict[Term, TermSpec] = {
    Term.SEND: TermSpec(10, "Art 22 p.5", "the Government act approving the order adopted",
                        "contract sent to the contractor", "untimely conclusion"),
    Term.SIGN: TermSpec(20, "Art 22 p.6", "the contract received by the contractor",
                        "contract signed by the contractor", "untimely conclusion"),
    Term.PAY: TermSpec(30, "Art 22 p.8", "obligations fulfilled",
                       "full payment made", None),
}


@dataclass(frozen=True)
class TermResult:
    term: str
    trigger_on: dt.date
    due: dt.date
    done_on: dt.date | None
    on_time: bool | None            # None: not done yet
    overdue_on: dt.date | None      # as of the question date, if not done and past due
    notify_sdp_body: str | None     # the Art 22 p.12 event, when lateness triggers a notice


def term_deadline(term: Term, trigger_on: dt.date, done_on: dt.date | None = None,
                  as_of: dt.date | None = None) -> Explained[TermResult]:
    """The due day of a term and, if the act is done (or the date passed), whether on time."""
    spec = TERMS[term]
    trace = Trace(f"defense.contract-{term.value}-deadline", as_of)
    require_in_force(trace, spec.locator, trigger_on, field="trigger_on")
    citation = art(spec.locator)
    trace.step(f"{spec.trigger} on {trigger_on.isoformat()}: the term is {spec.days} calendar "
               "days", trigger_on, citation=citation)
    due = trace.include(deadline(trigger_on, f"{spec.days} calendar days",
                                 roll_to_working_day=None))
    if term is Term.PAY:
        trigger = get_setting("defense.payment_term_trigger")
        trace.step("fulfilment is the day the recipient's acceptance is documented",
                   trigger.value, parameters=[trigger.use()])
    on_time: bool | None = None
    overdue_on = None
    if done_on is not None:
        if done_on < trigger_on:
            raise InputError(f"{spec.action} before {spec.trigger}", field="done_on")
        on_time = done_on <= due
        trace.step(f"{spec.action} on {done_on.isoformat()}: "
                   + ("on time" if on_time else f"LATE, {(done_on - due).days} day(s) after "
                      f"the last day {due.isoformat()}"), on_time, citation=citation)
    elif as_of is not None and as_of > due:
        overdue_on = as_of
        trace.step(f"not done and the last day {due.isoformat()} has passed: OVERDUE",
                   False, citation=citation)
    notice = None
    if spec.late_notice and (on_time is False or overdue_on is not None):
        notice = spec.late_notice
        trace.step("the recipient and the contractor notify the SDP body immediately of the "
                   "untimely conclusion", notice, citation=art("Art 22 p.12"))
    if term is Term.PAY and (on_time is False or overdue_on is not None):
        trace.step("the contract is fulfilled only when both parties have fully performed",
                   "not fulfilled", citation=art("Art 22 p.9"))
    return trace.done(TermResult(term.value, trigger_on, due, done_on, on_time, overdue_on,
                                 notice))


# --- refusal to sign (Art 22 p.7) ---------------------------------------------------------

class RefusalGround(enum.Enum):
    DISCONTINUED = "discontinued"                      # p.7 sub 1
    SANCTIONS_EMBARGO_FORCE_MAJEURE = "sanctions_embargo_force_majeure"  # p.7 sub 2
    SPEC_MISMATCH = "spec_mismatch"                    # p.7 sub 3
    OTHER = "other"                                    # not a ground the Law gives


REFUSAL_LOCATOR = {RefusalGround.DISCONTINUED: "Art 22 p.7 sub 1",
                   RefusalGround.SANCTIONS_EMBARGO_FORCE_MAJEURE: "Art 22 p.7 sub 2",
                   RefusalGround.SPEC_MISMATCH: "Art 22 p.7 sub 3"}


class Refusal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ground: RefusalGround
    reason: str = Field("", description="the contractor's words")
    event_link: str | None = Field(
        None, description="ground 2: how the sanctions, embargo or force majeure prevent "
        "performing this contract")
    contract_spec: dict[str, str] | None = Field(
        None, description="ground 3: the contract's technical specification, parameter → value")
    selection_tts: dict[str, str] | None = Field(
        None, description="ground 3: the TTS the contractor was selected on")


@dataclass(frozen=True)
class RefusalResult:
    valid: bool
    ground: str
    differences: list[str]
    notify_sdp_body: str = "refusal to conclude"
    signing_duty_remains: bool = False


def check_refusal(refusal: Refusal) -> Explained[RefusalResult]:
    """A refusal is valid only on the three grounds of Art 22 p.7; notify it (p.12)."""
    trace = Trace("defense.contract-refusal")
    p7 = art("Art 22 p.7")
    ground = refusal.ground
    differences: list[str] = []
    if ground is RefusalGround.OTHER:
        valid = trace.step(f"{refusal.reason or 'the stated reason'!s} is none of the three "
                           "grounds (discontinued goods; sanctions, embargo or force majeure; "
                           "specification not matching the selection TTS): INVALID", False,
                           citation=p7)
    elif ground is RefusalGround.SPEC_MISMATCH:
        if refusal.contract_spec is None or refusal.selection_tts is None:
            raise InputError("ground 3 compares the contract's specification with the TTS of "
                             "the selection: give both", field="contract_spec",
                             citation=art(REFUSAL_LOCATOR[ground]))
        spec, tts = refusal.contract_spec, refusal.selection_tts
        for key in sorted(set(spec) | set(tts)):
            if spec.get(key) != tts.get(key):
                differences.append(f"{key}: contract {spec.get(key)!r}, TTS {tts.get(key)!r}")
        valid = trace.step("the contract's technical specification does not correspond to the "
                           "TTS on which the contractor was selected" if differences else
                           "the specification matches the selection TTS: no ground",
                           bool(differences), citation=art(REFUSAL_LOCATOR[ground]),
                           inputs={"differences": differences})
    elif ground is RefusalGround.SANCTIONS_EMBARGO_FORCE_MAJEURE:
        link = get_setting("defense.contract_refusal_event_link")
        needed = link.value == "required"
        has_link = bool(refusal.event_link and refusal.event_link.strip())
        valid = trace.step("international sanctions, an embargo or force majeure declared"
                           + (": the link to this contract is recorded" if has_link else
                              ": no link to this contract recorded"),
                           has_link or not needed, citation=art(REFUSAL_LOCATOR[ground]),
                           parameters=[link.use()])
    else:
        valid = trace.step("the required goods are discontinued", True,
                           citation=art(REFUSAL_LOCATOR[ground]))
    if not valid:
        trace.step("no valid ground: the duty to sign within twenty calendar days of receipt "
                   "remains", True, citation=art("Art 22 p.6"))
    trace.step("the recipient and the contractor notify the SDP body immediately of any "
               "refusal to conclude", "refusal to conclude", citation=art("Art 22 p.12"))
    return trace.done(RefusalResult(valid, ground.value, differences,
                                    signing_duty_remains=not valid))


# --- notices to the SDP body (Art 22 p.12) -------------------------------------------------

class NoticeEvent(enum.Enum):
    REFUSAL = "refusal"
    LATE_CONCLUSION = "late_conclusion"
    TERMINATION = "termination"
    AMENDMENT = "amendment"
    MISSED_DELIVERY = "missed_delivery"


NOTICE_WORDS = {
    NoticeEvent.REFUSAL: "refusal to conclude the contract",
    NoticeEvent.LATE_CONCLUSION: "untimely conclusion of the contract",
    NoticeEvent.TERMINATION: "termination of the contract",
    NoticeEvent.AMENDMENT: "amendments and additions to the contract",
    NoticeEvent.MISSED_DELIVERY: "failure to meet the deadlines for delivery",
}


@dataclass(frozen=True)
class Notice:
    event: str
    occurred_at: dt.datetime
    to: str
    by: list[str]
    alert_after: dt.datetime   # the system's alert, not a legal deadline
    sent_at: dt.datetime | None
    flagged: bool


def notice_due(event: NoticeEvent, occurred_at: dt.datetime,
               sent_at: dt.datetime | None = None,
               as_of: dt.datetime | None = None) -> Explained[Notice]:
    """Art 22 p.12: the recipient and the contractor notify the SDP body "immediately"."""
    if occurred_at.tzinfo is None:
        raise InputError("give the time with its UTC offset", field="occurred_at")
    trace = Trace("defense.contract-notice")
    p12 = art("Art 22 p.12")
    trace.step(f"{NOTICE_WORDS[event]}: the recipient and the contractor notify the SDP body "
               "immediately", event.value, citation=p12)
    if event is NoticeEvent.MISSED_DELIVERY:
        scope = get_setting("defense.art22_p12_scope")
        trace.step("missed deadlines for all goods, works and services of the order",
                   scope.value, parameters=[scope.use()])
    hours = get_setting("defense.immediately_alert_hours")
    alert = trace.step(f"'immediately' has no number in the Law: the system flags a notice not "
                       f"sent within {hours.value} hours", occurred_at
                       + dt.timedelta(hours=hours.value), parameters=[hours.use()])
    if sent_at is not None and sent_at.tzinfo is None:
        raise InputError("give the time with its UTC offset", field="sent_at")
    if sent_at is not None and sent_at < occurred_at:
        raise InputError("the notice cannot precede the event", field="sent_at")
    moment = sent_at if sent_at is not None else as_of
    flagged = moment is not None and moment > alert
    if flagged:
        trace.step("flagged: the notice was not sent within the system's alert period", True)
    return trace.done(Notice(event.value, occurred_at, "SDP body", ["recipient", "contractor"],
                             alert, sent_at, flagged))


# --- penalties (Art 22 p.10) ----------------------------------------------------------------

@dataclass(frozen=True)
class PenaltyRecovery:
    amount: Decimal
    recovered_by: str
    credited_to: str = "republican budget"


def penalty_recovery(amount: Decimal, contract_party: str) -> Explained[PenaltyRecovery]:
    """Who recovers penalties for non-performance and where they go (Art 22 p.10)."""
    trace = Trace("defense.contract-penalty")
    p10 = art("Art 22 p.10")
    if contract_party not in ("sdp_body", "recipient"):
        raise InputError("the contract party is the SDP body or the recipient (Art 22 p.1)",
                         field="contract_party", citation=art("Art 22 p.1"))
    either = get_setting("defense.either_or_actor")
    who = contract_party if either.value == "contract_party" else "sdp_body"
    trace.step("the SDP body or the recipient ensures the recovery of penalties: the party to "
               "the contract", who, citation=p10, parameters=[either.use()])
    rates = get_setting("defense.standard_contract_penalty_rates")
    trace.step("the amount is assessed under the contract (the standard contract's rates are "
               "secondary rules, not computed here)", amount, parameters=[rates.use()],
               citation=art("Art 29 p.6"))
    trace.step("penalties (fines, interest) are credited to the republican budget",
               "republican budget", citation=p10)
    return trace.done(PenaltyRecovery(amount, who))
