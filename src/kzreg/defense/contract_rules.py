"""Registers the contract, modification and acceptance rules of Law 236-VI.

Imported by kzreg.defense.rules. Rule ids and clauses:
  defense.contract-content            Art 22 p.4, p.8   mandatory clauses; payment ≤ 30 cd
  defense.contract-send-deadline      Art 22 p.5        10 cd from the approving act
  defense.contract-sign-deadline      Art 22 p.6        20 cd from receipt
  defense.contract-pay-deadline       Art 22 p.8        30 cd from fulfilment
  defense.contract-refusal            Art 22 p.7        the three grounds
  defense.contract-notice             Art 22 p.12       immediate notices to the SDP body
  defense.contract-penalty            Art 22 p.10       recovered, credited to the budget
  defense.contract-modification       Art 23, Art 19 p.4
  defense.contract-order-edit         Art 19 p.4        the approved order stays unchanged
  defense.contract-mro-suspension     Art 27 p.4 sub 8-9
  defense.contract-final-acceptance   Art 27 p.5
  defense.contract-recipient-acceptance  Art 25 sub 9-10, Art 27 p.6
  defense.contract-representative     Art 24 p.2-3
  defense.contract-reserve-use        Art 24 p.4        who, the 30% cap, replenish by
  defense.contract-reserve-replenishment  Art 24 p.4    12 months from the day of use
  defense.contract-reclamation        Art 29            guilt, return, line return, penalty days
"""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict

from kzreg.defense import acceptance, contracts, modifications, reclamation, reserve_use
from kzreg.defense.acceptance import Lot, Representative
from kzreg.defense.contracts import ContractDraft, Money, NoticeEvent, Refusal, Term, art
from kzreg.defense.modifications import Ground, ModificationRequest
from kzreg.defense.reclamation import Finding
from kzreg.defense.reserve_use import Replenishment, ReserveUse
from kzreg.law.explain import Explained
from kzreg.law.rules import rule


class TermInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trigger_on: dt.date
    done_on: dt.date | None = None


class NoticeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: NoticeEvent
    occurred_at: AwareDatetime
    sent_at: AwareDatetime | None = None


class PenaltyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    contract_party: str


class OrderEditInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ground: Ground
    changes_approved_order: bool


@rule("defense.contract-content", title="Contract content (Art 22 p.4) and payment within 30 "
      "calendar days of fulfilment with VAT (p.8)", citation=art("Art 22 p.4"),
      inputs=ContractDraft)
def content(inp: ContractDraft, as_of: dt.date) -> Explained:
    return contracts.check_content(inp)


def _term(term: Term):
    def run(inp: TermInput, as_of: dt.date) -> Explained:
        return contracts.term_deadline(term, inp.trigger_on, inp.done_on, as_of)
    return run


rule("defense.contract-send-deadline", title="Contract sent within 10 calendar days of the "
     "Government act approving the order", citation=art("Art 22 p.5"),
     inputs=TermInput)(_term(Term.SEND))
rule("defense.contract-sign-deadline", title="Contract signed within 20 calendar days of "
     "receipt", citation=art("Art 22 p.6"), inputs=TermInput)(_term(Term.SIGN))
rule("defense.contract-pay-deadline", title="Full payment within 30 calendar days of "
     "fulfilment", citation=art("Art 22 p.8"), inputs=TermInput)(_term(Term.PAY))


@rule("defense.contract-refusal", title="Refusal to sign valid only on the three grounds",
      citation=art("Art 22 p.7"), inputs=Refusal)
def refusal(inp: Refusal, as_of: dt.date) -> Explained:
    return contracts.check_refusal(inp)


@rule("defense.contract-notice", title="Immediate notice to the SDP body of refusal, late "
      "conclusion, termination, amendment, missed delivery", citation=art("Art 22 p.12"),
      inputs=NoticeInput)
def notice(inp: NoticeInput, as_of: dt.date) -> Explained:
    del as_of  # the flag is judged at the notice's own time, or now if not sent
    return contracts.notice_due(inp.event, inp.occurred_at, inp.sent_at)


@rule("defense.contract-penalty", title="Penalties recovered by the contract party, credited "
      "to the republican budget", citation=art("Art 22 p.10"), inputs=PenaltyInput)
def penalty(inp: PenaltyInput, as_of: dt.date) -> Explained:
    return contracts.penalty_recovery(inp.amount, inp.contract_party)


@rule("defense.contract-modification", title="Contract modification on the grounds of Art 23",
      citation=art("Art 23"), inputs=ModificationRequest)
def modification(inp: ModificationRequest, as_of: dt.date) -> Explained:
    return modifications.check_modification(inp)


@rule("defense.contract-order-edit", title="No change to the approved order in the cases of "
      "Art 23 p.2", citation=art("Art 19 p.4"), inputs=OrderEditInput)
def order_edit(inp: OrderEditInput, as_of: dt.date) -> Explained:
    return modifications.check_order_edit(inp.changes_approved_order, inp.ground)


@rule("defense.contract-mro-suspension", title="MRO suspends acceptance and shipment on the "
      "listed triggers", citation=art("Art 27 p.4 sub 8"), inputs=Lot)
def mro_suspension(inp: Lot, as_of: dt.date) -> Explained:
    return acceptance.suspension(inp)


@rule("defense.contract-final-acceptance", title="No final acceptance of unfinished, incomplete "
      "or untested goods", citation=art("Art 27 p.5"), inputs=Lot)
def final_acceptance(inp: Lot, as_of: dt.date) -> Explained:
    return acceptance.final_acceptance_certificate(inp)


@rule("defense.contract-recipient-acceptance", title="Recipient's acceptance: contract terms, "
      "or the MRO quality certificate", citation=art("Art 25 sub 10"), inputs=Lot)
def recipient_acceptance(inp: Lot, as_of: dt.date) -> Explained:
    return acceptance.recipient_acceptance(inp)


@rule("defense.contract-representative", title="Representatives sent to contractors",
      citation=art("Art 24 p.2"), inputs=Representative)
def representative(inp: Representative, as_of: dt.date) -> Explained:
    return acceptance.representative_mandate(inp)



@rule("defense.contract-reserve-use", title="Reserve assets used by storage facilities and "
      "mobilization-order contractors, at most 30% of those available", citation=art(
          "Art 24 p.4"), inputs=ReserveUse)
def reserve(inp: ReserveUse, as_of: dt.date) -> Explained:
    return reserve_use.check_use(inp)


@rule("defense.contract-reserve-replenishment", title="Reserve assets supplied back within "
      "12 months of use", citation=art("Art 24 p.4"), inputs=Replenishment)
def replenishment(inp: Replenishment, as_of: dt.date) -> Explained:
    return reserve_use.check_replenishment(inp, as_of)


@rule("defense.contract-reclamation", title="Reclamation of defects within the warranty "
      "period", citation=art("Art 29"), inputs=Finding)
def reclaim(inp: Finding, as_of: dt.date) -> Explained:
    return reclamation.reclaim(inp)
