"""Reclamation of defects found within the warranty period (Law 236-VI Art 29).

The recipient's unit notifies the SDP body, the military representative and the contractor
immediately and takes the goods out of service (p.1); a joint commission establishes the
cause (p.2). The contractor is not guilty when improper operation caused the failure (p.7).
If guilty: goods are returned for full replacement when counterfeit, not produced by the
contractor itself though required to be, or irreparably defective (p.3); the whole line is
returned when an irreparable defect, the contractor's fault, is hidden, can only be found at
a factory and all goods supplied are believed to share it (p.4); penalties run from the
receipt of the defect notice to the completion of remedial actions (p.6), their rate being
in the standard contract (not in the corpus). Outside the warranty period Art 29 does not
apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from kzreg.defense.contracts import art
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    found_on: dt.date
    warranty_until: dt.date
    improper_operation: bool = False      # p.7: causal link to improper operation
    contractor_at_fault: bool = False
    counterfeit: bool = False             # p.3 sub 1
    not_self_produced_when_required: bool = False  # p.3 sub 2
    irreparable: bool = False             # p.3 sub 3
    hidden_factory_only: bool = False     # p.4
    all_units_suspected: bool = False     # p.4
    voluntary_recall: bool = False        # p.5
    notice_received_on: dt.date | None = None
    remedied_on: dt.date | None = None


@dataclass(frozen=True)
class Outcome:
    applies: bool
    guilty: bool | None
    remedy: str                           # none, remedial_actions, unit_replacement, line_return
    grounds: list[str] = field(default_factory=list)
    penalty_days: int | None = None
    notify: list[str] = field(default_factory=list)


def reclaim(f: Finding) -> Explained[Outcome]:
    trace = Trace("defense.contract-reclamation", f.found_on)
    within = trace.step(f"defect found {f.found_on.isoformat()}, warranty until "
                        f"{f.warranty_until.isoformat()}", f.found_on <= f.warranty_until,
                        citation=art("Art 29 p.1"))
    if not within:
        trace.step("found after the warranty period: Art 29 does not apply", False,
                   citation=art("Art 29 p.1"))
        return trace.done(Outcome(False, None, "none"))
    notify = trace.step("the recipient's unit notifies immediately; the goods are taken out "
                        "of service and stored safely until the cause is established",
                        ["SDP body", "military representative", "contractor (through the "
                         "recipient)"], citation=art("Art 29 p.1"))
    if f.improper_operation:
        trace.step("the commission links the failure to improper operation: the contractor "
                   "is not guilty", False, citation=art("Art 29 p.7"))
        return trace.done(Outcome(True, False, "none", notify=notify))
    if not f.contractor_at_fault:
        trace.step("the commission did not find the contractor at fault", False,
                   citation=art("Art 29 p.2"))
        return trace.done(Outcome(True, False, "none", notify=notify))
    grounds = [name for name, on in (("counterfeit", f.counterfeit),
                                     ("not_self_produced_when_required",
                                      f.not_self_produced_when_required),
                                     ("irreparable", f.irreparable)) if on]
    line = f.irreparable and f.hidden_factory_only and f.all_units_suspected
    if line:
        remedy = trace.step("irreparable, the contractor's fault, hidden, found only at a "
                            "factory, all goods believed to share it: the whole line returns",
                            "line_return", citation=art("Art 29 p.4"))
    elif grounds:
        remedy = trace.step("returned to the contractor for full replacement: "
                            + ", ".join(grounds), "unit_replacement",
                            citation=art("Art 29 p.3"))
    else:
        remedy = trace.step("guilty, no ground for return: remedial actions under the "
                            "contract", "remedial_actions", citation=art("Art 29 p.6"))
    days = None
    if f.notice_received_on and f.remedied_on:
        if f.remedied_on < f.notice_received_on:
            raise InputError("remedied before the notice was received", field="remedied_on")
        count = get_setting("defense.penalty_day_count")
        days = (f.remedied_on - f.notice_received_on).days
        if count.value == "include_both_ends":
            days += 1
        trace.step(f"penalties run from receipt of the notice {f.notice_received_on} to the "
                   f"end of remedial actions {f.remedied_on}", days,
                   citation=art("Art 29 p.6"), parameters=[count.use()])
        if f.voluntary_recall:
            recall = get_setting("defense.recall_replacement_penalties")
            trace.step("recalled on the contractor's initiative: the replacement period "
                       "counts in the penalties", recall.value, citation=art("Art 29 p.5"),
                       parameters=[recall.use()])
        rates = get_setting("defense.standard_contract_penalty_rates")
        trace.step("the rate is in the standard contract: days counted, no amount computed",
                   rates.value, parameters=[rates.use()])
    return trace.done(Outcome(True, True, remedy, grounds, days, notify))
