"""Contractor selection: the cascade of Law 236-VI Art 20 and the offshore gate of p.10.

The cascade, as of a date (Art 20 p.2, 3, 5, 7 apply from 1 September 2019, Art 32 p.1):

0. research: Art 20 does not apply (p.8); the DSTC selects on expert-council opinions
   (Art 21 p.1); an item that must be on a list (the first head's, Art 19 p.2 part 2; a
   special state body's, Art 19 p.1 part 3) and is not goes to public procurement;
1. special state bodies: pp.3-7 do not apply, they select under the order's rules (p.9);
2. reserve assets released for refresh that meet the recipient's requirements are transferred
   to the recipient (p.3);
3. supply to the state material reserve: storage facilities and organizations with
   mobilization orders first (p.7 part 1), else pp.4-6 (p.7 part 2);
4. competition among register entities, the envelope opening recorded on audio and video
   with signed minutes (p.4);
5. the authorized organization when no register entity can be selected (p.5);
6. if it cannot supply (import): the item leaves the order for public procurement, or its
   funds are redistributed within the order (p.6).

At every step the chosen entity passes the offshore gate (p.10), with the scope questions
decided by settings (defense.offshore_*).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from kzreg.defense import secrecy
from kzreg.defense._law import art, in_force
from kzreg.defense.order import category
from kzreg.defense.registers import Entity, OffshoreList, Register, offshore_list
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting


class Gate(enum.StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    REVIEW = "review"                 # flagged for an officer (a scope setting says so)
    NOT_APPLICABLE = "not_applicable"


class Purpose(enum.StrEnum):
    EXECUTE = "execute"               # executes the order (incl. the authorized organization)
    IMPORT_MILITARY = "import_military"    # supplies imported military goods
    IMPORT_DUAL_USE = "import_dual_use"    # supplies imported dual-use goods


def offshore_gate(entity: Entity, on: dt.date, *, purpose: Purpose = Purpose.EXECUTE,
                  research: bool = False, special_state_body: bool = False,
                  zones: OffshoreList | None = None) -> Explained[Gate]:
    """May `entity` execute the order or supply imported military goods (Art 20 p.10)?"""
    trace = Trace(rule="defense.offshore-gate", as_of=on)
    if special_state_body:
        applies = get_setting("defense.offshore_gate_for_special_bodies")
        trace.step("special state bodies are exempt from pp.3-7 only", applies.value,
                   citation=art("Art 20 p.9"), parameters=[applies.use()])
        if not applies.value:
            return trace.done(trace.step("not applied", Gate.NOT_APPLICABLE,
                                         citation=art("Art 20 p.9")))
    if purpose is Purpose.IMPORT_DUAL_USE:
        scope = get_setting("defense.offshore_import_goods_scope")
        trace.step("the import branch names imported military goods", scope.value,
                   citation=art("Art 20 p.10"), parameters=[scope.use()])
        if scope.value == "military_goods_only":
            return trace.done(trace.step("dual-use imports are outside the words",
                                         Gate.NOT_APPLICABLE, citation=art("Art 20 p.10")))
    zones = zones or offshore_list(on)
    trace.step("the list of offshore zones in force", zones.id, citation=art("Art 20 p.10"),
               inputs={"approved_by": zones.approved_by, "effective_from": zones.effective_from},
               parameters=[get_setting("defense.offshore_list_check_date").use()])
    registered = entity.jurisdiction.upper() in zones.jurisdictions
    trace.step("place of registration in an offshore zone", registered,
               citation=art("Art 20 p.10"), inputs={"jurisdiction": entity.jurisdiction})
    legal_owners = [o.name for o in entity.owners
                    if o.legal_entity and o.jurisdiction.upper() in zones.jurisdictions]
    trace.step("beneficial owner a legal entity registered in an offshore zone", legal_owners,
               citation=art("Art 20 p.10"))
    people = [o.name for o in entity.owners
              if not o.legal_entity and o.jurisdiction.upper() in zones.jurisdictions]
    verdict = Gate.INELIGIBLE if registered or legal_owners else Gate.ELIGIBLE
    if verdict is Gate.ELIGIBLE and people:
        handling = get_setting("defense.offshore_natural_person_owner")
        trace.step("natural-person beneficial owner in an offshore zone (not in the words)",
                   people, citation=art("Art 20 p.10"), parameters=[handling.use()])
        verdict = {"flag_for_review": Gate.REVIEW, "refuse": Gate.INELIGIBLE}.get(
            handling.value, Gate.ELIGIBLE)
    if purpose is Purpose.IMPORT_DUAL_USE and verdict is Gate.INELIGIBLE:
        scope = get_setting("defense.offshore_import_goods_scope")
        if scope.value == "flag_dual_use":
            verdict = trace.step("dual-use import: flagged, not refused", Gate.REVIEW,
                                 citation=art("Art 20 p.10"), parameters=[scope.use()])
    if research:
        handling = get_setting("defense.offshore_research_handling")
        trace.step("the provisions of Art 20 do not apply to scientific research",
                   handling.value, citation=art("Art 20 p.8"), parameters=[handling.use()])
        if verdict is not Gate.ELIGIBLE:
            verdict = {"flag_for_review": Gate.REVIEW, "not_applied": Gate.NOT_APPLICABLE,
                       "refuse": verdict}[handling.value]
    return trace.done(trace.step("offshore gate", verdict, citation=art("Art 20 p.10")))


@dataclass(frozen=True)
class EnvelopeOpening:
    """The competition commission's meeting opening the price proposals (Art 20 p.4 part 2)."""

    held_on: dt.date
    members: tuple[str, ...]
    signed_by: tuple[str, ...]
    envelopes: tuple[str, ...]                    # BINs whose price proposals were opened
    present: tuple[str, ...] = ()                 # participants' representatives present
    audio_ref: str | None = None
    video_ref: str | None = None


def check_opening(opening: EnvelopeOpening, participants: tuple[str, ...]) -> list[str]:
    problems = []
    if not opening.audio_ref or not opening.video_ref:
        problems.append("opening: envelopes are opened with audio and video recordings "
                        "(Art 20 p.4 part 2)")
    unsigned = sorted(set(opening.members) - set(opening.signed_by))
    if not opening.members or unsigned:
        problems.append(f"opening.signed_by: commission members sign the minutes; missing "
                        f"{', '.join(unsigned) or 'members'} (Art 20 p.4 part 2)")
    strangers = sorted(set(opening.envelopes) - set(participants))
    if strangers:
        problems.append(f"opening.envelopes: {', '.join(strangers)} did not take part "
                        "(Art 20 p.4 part 1)")
    outsiders = sorted(set(opening.present) - set(participants))
    if outsiders:
        problems.append(f"opening.present: only participants' representatives have the "
                        f"right to be present: {', '.join(outsiders)} (Art 20 p.4 part 2)")
    return problems


class Outcome(enum.StrEnum):
    RESEARCH = "research_route"                 # DSTC (Art 21 p.1)
    RESEARCH_NOT_SELECTED = "research_not_selected"
    SPECIAL_BODY = "special_body_route"
    RESERVE_TRANSFER = "reserve_refresh_transfer"
    RESERVE_SUPPLIER = "reserve_supplier_selected"
    REGISTER_WINNER = "register_contractor_selected"
    AUTHORIZED_ORGANIZATION = "authorized_organization"
    PUBLIC_PROCUREMENT = "excluded_public_procurement"
    REDISTRIBUTED = "excluded_funds_redistributed"
    NOT_SELECTED = "not_selected"               # pre-1 September 2019, no fallback yet


@dataclass(frozen=True)
class Competition:
    participants: tuple[Entity, ...]
    winner: str | None                          # BIN chosen by the commission, or None
    opening: EnvelopeOpening | None = None


@dataclass(frozen=True)
class Item:
    category: str
    secrecy_level: int = 0
    special_state_body: bool = False
    dstc_selected: bool = False                 # research only (Art 21 p.1)
    reserve_refresh_match: bool = False         # Art 20 p.3
    reserve_supplier: Entity | None = None      # a storage facility / mobilization org (p.7)
    competition: Competition | None = None
    special_body_contractor: Entity | None = None
    authorized_organization: Entity | None = None
    ao_can_supply: bool = True
    after_exclusion: str = "public_procurement"  # or "redistribute" (Art 20 p.6)
    # on the stored list deciding it is bought within the order (None: no list needed):
    # the first head's (Art 19 p.2 part 2) or the special state body's (Art 19 p.1 part 3)
    on_list: bool | None = None


@dataclass(frozen=True)
class Selection:
    outcome: Outcome
    contractor: str | None = None
    review: tuple[str, ...] = field(default=())


def select(item: Item, on: dt.date, register: Register,
           zones: OffshoreList | None = None) -> Explained[Selection]:
    """Run the cascade of Art 20 for one item of the order."""
    trace = Trace(rule="defense.selection", as_of=on)
    kind = category(item.category)
    review: list[str] = []

    def gate(entity: Entity, **kw) -> bool:
        verdict = trace.include(offshore_gate(entity, on, zones=zones, **kw))
        if verdict is Gate.REVIEW:
            review.append(f"{entity.bin}: offshore links flagged for review (Art 20 p.10)")
        return verdict is not Gate.INELIGIBLE

    def done(outcome: Outcome, contractor: str | None = None) -> Explained[Selection]:
        trace.step("outcome", outcome, citation=art("Art 20"),
                   inputs={"contractor": contractor} if contractor else None)
        return trace.done(Selection(outcome, contractor, tuple(review)))

    if kind["route"] == "research":
        trace.step("the provisions of Art 20 do not apply to scientific research", True,
                   citation=art("Art 20 p.8"))
        chosen = trace.step("selected by the DSTC on expert-council opinions",
                            item.dstc_selected, citation=art("Art 21 p.1"))
        return done(Outcome.RESEARCH if chosen else Outcome.RESEARCH_NOT_SELECTED)
    if item.on_list is not None:
        clause = "Art 19 p.1 part 3" if item.special_state_body else "Art 19 p.2 part 2"
        what = ("the special state body's list of items it includes in the order"
                if item.special_state_body else "the first head's list (categories 1-1, 2, "
                "3, 7, 12)")
        if not trace.step(f"on {what}", item.on_list, citation=art(clause)):
            trace.step("not on the list: bought under public procurement law",
                       Outcome.PUBLIC_PROCUREMENT, citation=art(
                           "Art 19 p.1 part 2" if item.special_state_body
                           else "Art 19 p.2 part 3"))
            return done(Outcome.PUBLIC_PROCUREMENT)
    if item.special_state_body:
        trace.step("pp.3-7 do not apply; the special state body selects under the order's "
                   "rules", True, citation=art("Art 20 p.9"))
        entity = item.special_body_contractor
        if entity is None:
            raise InputError("name the contractor the special state body selected",
                             field="special_body_contractor", citation=art("Art 20 p.9"))
        if not gate(entity, special_state_body=True):
            raise LegalRuleError(f"{entity.bin} cannot execute the order: offshore",
                                 field="special_body_contractor", citation=art("Art 20 p.10"))
        return done(Outcome.SPECIAL_BODY, entity.bin)
    fallbacks = in_force("Art 20 p.5", on, trace)    # pp.3, 5, 7 share its date
    if fallbacks and trace.step("reserve assets released for refresh meet the recipient's "
                                "requirements", item.reserve_refresh_match,
                                citation=art("Art 20 p.3")):
        return done(Outcome.RESERVE_TRANSFER)
    if fallbacks and kind["route"] == "reserve":
        supplier = item.reserve_supplier
        trace.step("supply to the reserve: a storage facility or an organization with a "
                   "mobilization order", supplier.bin if supplier else None,
                   citation=art("Art 20 p.7 part 1"))
        if supplier is not None and gate(supplier):
            return done(Outcome.RESERVE_SUPPLIER, supplier.bin)
        trace.step("none holds the assets or can deliver the required quality: pp.4-6",
                   True, citation=art("Art 20 p.7 part 2"))
    winner = _competition(item, on, register, trace, gate)
    if winner is not None:
        return done(Outcome.REGISTER_WINNER, winner)
    if not fallbacks:
        trace.step("the authorized organization as fallback applies from 1 September 2019",
                   False, citation=art("Art 32 p.1"))
        return done(Outcome.NOT_SELECTED)
    ao = item.authorized_organization
    if ao is None:
        raise InputError("no register entity can be selected: name the authorized "
                         "organization", field="authorized_organization",
                         citation=art("Art 20 p.5"))
    trace.step("impossible to select from the register: the authorized organization",
               ao.bin, citation=art("Art 20 p.5"))
    able = item.ao_can_supply
    if able and not gate(ao):
        outcome = get_setting("defense.ao_offshore_outcome")
        trace.step("the authorized organization fails the offshore gate", outcome.value,
                   citation=art("Art 20 p.10"), parameters=[outcome.use()])
        if outcome.value == "refuse":
            raise LegalRuleError(f"{ao.bin} cannot execute the order: offshore",
                                 field="authorized_organization", citation=art("Art 20 p.10"))
        able = False
    if able:
        return done(Outcome.AUTHORIZED_ORGANIZATION, ao.bin)
    trace.step("it cannot supply (import): the item is not included in the order",
               item.after_exclusion, citation=art("Art 20 p.6"))
    if item.after_exclusion not in ("public_procurement", "redistribute"):
        raise InputError("public_procurement or redistribute", field="after_exclusion",
                         citation=art("Art 20 p.6"))
    return done(Outcome.PUBLIC_PROCUREMENT if item.after_exclusion == "public_procurement"
                else Outcome.REDISTRIBUTED)


def _competition(item: Item, on: dt.date, register: Register, trace: Trace,
                 gate) -> str | None:
    """The register competition (Art 20 p.4): the commission's winner, or None."""
    contest = item.competition
    members = {e.entity.bin for e in register.members(on, item.category)}
    trace.step("register entities for the category", sorted(members),
               citation=art("Art 20 p.4 part 1"))
    if contest is None or contest.winner is None:
        trace.step("no contractor selected from the register", None,
                   citation=art("Art 20 p.4"))
        return None
    bins = tuple(p.bin for p in contest.participants)
    outside = sorted(set(bins) - members)
    if outside:
        raise LegalRuleError(f"not in the register for category {item.category} on {on}: "
                             f"{', '.join(outside)}", field="competition.participants",
                             citation=art("Art 20 p.4 part 1"))
    if contest.opening is None:
        raise InputError("record the envelope-opening meeting", field="competition.opening",
                         citation=art("Art 20 p.4 part 2"))
    problems = check_opening(contest.opening, bins)
    trace.step("envelope opening: audio and video, minutes signed", problems or "complete",
               citation=art("Art 20 p.4 part 2"))
    if problems:
        raise LegalRuleError("; ".join(problems), field="competition.opening",
                             citation=art("Art 20 p.4 part 2"))
    by_bin = {p.bin: p for p in contest.participants}
    if contest.winner not in by_bin:
        raise InputError(f"the winner {contest.winner} did not take part",
                         field="competition.winner", citation=art("Art 20 p.4"))
    winner = by_bin[contest.winner]
    if item.secrecy_level > 0:
        rule = get_setting("defense.classified_protection_gate")
        able = winner.protects_classified and secrecy.can_see(winner.protection_level,
                                                              item.secrecy_level)
        trace.step("classified work: the entity can provide conditions to protect it",
                   able, citation=art("Art 20 p.4 part 4"), parameters=[rule.use()])
        if not able and rule.value == "required":
            raise LegalRuleError(f"{winner.bin} cannot protect information of this secrecy "
                                 "level", field="competition.winner",
                                 citation=art("Art 20 p.4 part 4"))
    if not gate(winner):
        raise LegalRuleError(f"{winner.bin} cannot execute the order: registered offshore or "
                             "owned by an offshore legal entity", field="competition.winner",
                             citation=art("Art 20 p.10"))
    return trace.step("the commission's winner", winner.bin, citation=art("Art 20 p.4"))
