"""The escort case type (Order 407, Rules §5-§18): states, who moves the case, deadlines.

One case per decision of the head of the departure office (§5). Roles name who may fire a
step at all; which office's officer may (departure steps §5-§10 by the departure office,
arrival steps §12-§14 by the destination office) and the settings that settle the act's
contradictions (`escort.seal_activation_actor`, `escort.removal_after_deactivation`,
`escort.case_closes_on`) are checked by `kzreg.escort.service`, which refuses and audits.

Deadlines as timers: §5 — informing the parties and organising within 24 hours of the
decision; §14 — deactivation within one hour of the request. Both record a breach when
they pass (the act gives no automatic consequence). §11 (one hour for notices of a
non-routine situation) is kept by `kzreg.escort.notices`, §18(3) (five years) by the
retention job in `kzreg.escort.jobs`: neither runs from a state of the case.
"""

from __future__ import annotations

from kzreg.escort._law import rules
from kzreg.platform.actors import Role
from kzreg.platform.casetypes import (
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    register_case_type,
)

CASE_TYPE = "escort.escort"

HEAD, OFFICER = Role.CUSTOMS_HEAD, Role.CUSTOMS_OFFICER
CUSTOMS = frozenset({HEAD, OFFICER})


def _t(name: str, source: str | tuple[str, ...], target: str, roles, locator: str,
       title: str) -> Transition:
    return Transition(name, source, target, roles=frozenset(roles), citation=rules(locator),
                      title=title)


STATES = (
    State("decided", "Decided by the head of the departure office", deadlines=[
        DeadlineSpec("organise", "24 hours", rules("§5"), title="Inform the declarant, the "
                     "carrier and the national operator and organise the escort"),
    ]),
    State("organised", "Escort organised; departure inspection due"),
    State("inspected", "Inspected at departure; transit documents awaited"),
    State("documents_registered", "Transit documents registered"),
    State("operator_informed", "Activation message sent to the national operator"),
    State("sealed", "Seals affixed; activation by the national operator due"),
    State("active", "Seals active; signal check due"),
    State("in_transit", "In transit under 24/7 tracking"),
    State("arrived", "Arrived in the destination control zone"),
    State("documents_submitted", "Completion documents submitted; inspection due"),
    State("high_risk", "High risk: inspection of the goods (§15)"),
    State("deactivation_requested", "Completed; deactivation requested", deadlines=[
        DeadlineSpec("deactivate", "1 hour", rules("§14"),
                     title="The national operator deactivates the seals"),
    ]),
    State("deactivated", "Seals deactivated; removal and return due"),
    State("closed", "Closed", final=True),
)

TRANSITIONS = (
    _t("inform", "decided", "decided", CUSTOMS, "§5", "Record that a party was informed"),
    _t("organise", "decided", "organised", CUSTOMS, "§5", "Escort organised"),
    _t("inspect_departure", "organised", "inspected", {OFFICER}, "§7",
       "Departure inspection; act drawn up"),
    _t("register_documents", "inspected", "documents_registered", {OFFICER}, "§7",
       "Transit declaration registered"),
    _t("send_activation_message", "documents_registered", "operator_informed", {OFFICER},
       "§8", "Inform the national operator (six items of §8)"),
    _t("affix", "operator_informed", "sealed", {OFFICER}, "§9",
       "Affix the seals in the presence of the operator's person"),
    _t("activate", "sealed", "active", {Role.OPERATOR, OFFICER}, "§9", "Activate the seals"),
    _t("verify_signal", "active", "in_transit", {OFFICER}, "§10",
       "Verify location and integrity signals"),
    _t("arrive", "in_transit", "arrived", {OFFICER, Role.CARRIER}, "§12",
       "Vehicle placed in the destination control zone"),
    _t("submit_documents", "arrived", "documents_submitted",
       {OFFICER, Role.CARRIER, Role.DECLARANT}, "§13", "Completion documents submitted"),
    _t("complete", "documents_submitted", "deactivation_requested", {OFFICER}, "§13",
       "Inspect, complete the escort and request deactivation"),
    _t("classify_high_risk", "documents_submitted", "high_risk", {OFFICER}, "§15",
       "Inspect: completion conditions fail"),
    _t("record_high_risk_inspection", "high_risk", "deactivation_requested", {OFFICER},
       "§15", "Record the inspection of high-risk goods; request deactivation"),
    _t("deactivate_seal", "deactivation_requested", "deactivation_requested",
       {Role.OPERATOR, OFFICER}, "§14", "Deactivate a seal"),
    _t("deactivate", "deactivation_requested", "deactivated", {Role.OPERATOR, OFFICER},
       "§14", "Deactivate the last seal"),
    _t("remove_seal", "deactivated", "deactivated", {OFFICER}, "§14",
       "Remove a seal and hand it to the operator"),
    _t("close", "deactivated", "closed", {OFFICER, Role.OPERATOR}, "§12",
       "Last seal removed and returned"),
)

ESCORT = register_case_type(CaseType(
    name=CASE_TYPE, title="Electronic customs escort",
    states=STATES, transitions=TRANSITIONS,
    viewers=frozenset({HEAD, OFFICER, Role.OPERATOR, Role.CARRIER, Role.DECLARANT,
                       Role.ADMIN}),
    openers=frozenset({HEAD}),
))

#: Which office's officers act at each step (§5-§10 departure, §12-§14 destination).
DEPARTURE_STEPS = frozenset({"inform", "organise", "inspect_departure", "register_documents",
                             "send_activation_message", "affix", "activate",
                             "verify_signal"})
DESTINATION_STEPS = frozenset({"arrive", "submit_documents", "inspect_destination",
                               "record_high_risk_inspection", "deactivate_seal",
                               "remove_seal"})
