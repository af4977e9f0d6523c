"""What the defense pages show for the room's codes (Law 236-VI), in the visitor's language.

The API and the records keep the codes ("tts_change", "sdp_body", 2); pages show these
labels through `kzreg.web.i18n.labeller` (templates: `label(code)`). Each English label
names the clause's own thing; a code without a label is shown as it is.
"""

from __future__ import annotations

from typing import Any

from kzreg.web.i18n import N_, pgettext_for, pN_

LABELS: dict[Any, str] = {
    # secrecy levels, by number and by name (Art 25 sub 3; `secrecy.LEVELS`)
    0: pN_("secrecy", "unclassified"), 1: N_("secret"), 2: N_("top secret"),
    3: N_("of special importance"),
    "unclassified": pN_("secrecy", "unclassified"), "secret": N_("secret"),
    "top secret": N_("top secret"), "of special importance": N_("of special importance"),
    # the order and its lines (Art 19 p.4; Art 20)
    "draft": N_("draft"), "approved": N_("approved"), "in_order": N_("in the order"),
    "removed_by_amendment": N_("removed by an amendment"),
    "sdp_body": N_("the SDP body"), "recipient": N_("the recipient"),
    "sdp_body_budget": N_("the SDP body"), "recipient_budget": N_("the recipient"),
    # the outcome of a contractor selection (Art 20; `selection.Outcome`)
    "research_route": N_("research: selected by the DSTC"),
    "research_not_selected": N_("research: not selected by the DSTC"),
    "special_body_route": N_("special state body"),
    "reserve_refresh_transfer": N_("transfer from the state material reserve"),
    "reserve_supplier_selected": N_("supplier from the state material reserve"),
    "register_contractor_selected": N_("contractor selected from the register"),
    "authorized_organization": N_("authorized organization"),
    "excluded_public_procurement": N_("excluded: bought by public procurement"),
    "excluded_funds_redistributed": N_("excluded: funds redistributed"),
    "not_selected": N_("contractor not selected"),
    "eligible": N_("eligible"), "ineligible": N_("ineligible"), "review": N_("for review"),
    # the ground of a reallocation (Art 6-1 sub 16; Art 20 p.6)
    "savings": N_("savings"), "contract_decrease": N_("decrease of a contract"),
    "contract_increase": N_("increase of a contract"), "term_extension": N_("extension of a term"),
    "ao_cannot_supply": N_("the authorized organization cannot supply"),
    # functions of the military representatives asking for information (Art 27 p.3)
    "quality_completeness": N_("quality and completeness"),
    "technical_documentation": N_("technical documentation"),
    "material_assets_records": N_("records of material assets"),
    "national_standards": N_("national standards"),
    "state_secrets_protection": N_("protection of state secrets"),
    "actual_costs": N_("actual costs"),
    "open": N_("awaiting the reply"), "answered": N_("answered"),
    "answered after the reply date": N_("answered after the reply date"),
    "reply date passed": N_("reply date passed"),
    # grounds of a modification (Art 23 p.1-2) and of a refusal to conclude (Art 22 p.7)
    "price_reduction": N_("price reduction"),
    "tts_change": N_("change of the tactical and technical specification"),
    "quantity_change": N_("change of the quantity"),
    "design_estimate": N_("design estimate documentation"), "extra_works": N_("extra works"),
    "legislation_change": N_("change of the legislation"),
    "multi_year_rephasing": N_("rephasing of a multi-year contract"),
    "contractor_improvement": N_("improvement offered by the contractor"),
    "force_majeure_deadline": N_("deadline moved for force majeure"),
    "sdo_amended": N_("the order amended"),
    "subject_unchanged": N_("mutual agreement, subject unchanged"),
    "discontinued": N_("production discontinued"),
    "sanctions_embargo_force_majeure": N_("sanctions, embargo or force majeure"),
    "spec_mismatch": N_("specification not met"), "other": pN_("defense", "other"),
    # reclamations (Art 29), penalties, terms, reserve uses, mandates (Art 24)
    "none": N_("no remedy"), "remedial_actions": N_("remedial actions"),
    "unit_replacement": N_("replacement of the unit"), "line_return": N_("return of the line"),
    "reported": N_("reported"), "decided": N_("decided"), "remedied": N_("remedied"),
    "recovered": N_("recovered"), "outstanding": N_("outstanding"),
    "on time": N_("on time"), "late": N_("late"), "overdue": N_("overdue"),
    "running": N_("running"), "not started": N_("not started"),
    "not applicable": N_("not applicable"), "due": N_("due"),
    "replenished": N_("replenished"),
    "monitoring": N_("monitoring"), "quality_acceptance": N_("quality acceptance"),
    # prototypes (Art 7 sub 11-13) and research reports (Art 21 p.2-4)
    "made": N_("made"), "tested": N_("passed the state testing"),
    "test_failed": N_("failed the state testing"), "accepted": N_("accepted for service"),
    "documents_reconciled": N_("documents reconciled"), "submitted": N_("submitted"),
    "examined": N_("examined by the expert council"), "considered": N_("considered by the DSTC"),
    # the register's kinds (Art 1 sub 2, 5)
    "producer": N_("producer"), "supplier": N_("supplier"),
    # why acceptance and shipment of a lot are suspended (Art 27 p.4 sub 8-9)
    "production not completed": N_("production not completed"),
    "incomplete set": N_("incomplete set"),
    "without required testing": N_("without required testing"),
    "failed tests": N_("failed tests"),
    "non-conformities to the contract": N_("non-conformities to the contract"),
    "no MRO quality certificate": N_("no MRO quality certificate"),
    "open non-conformities to the contract": N_("open non-conformities to the contract"),
}


def reason_label(label: Any, reason: str) -> str:
    """A suspension reason "failed tests: T-1, T-2": its kind translated, the rest kept."""
    kind, sep, rest = reason.partition(": ")
    return f"{label(kind)}{sep}{rest}"


def page_context(language: str) -> dict[str, Any]:
    """What the room's page helpers add for their templates."""
    from kzreg.web.i18n import labeller

    label = labeller(language, LABELS)
    return {"label": label, "reason_label": lambda reason: reason_label(label, reason),
            "pgettext": pgettext_for(language),
            "levels": {n: label(n) for n in (0, 1, 2, 3)}}
