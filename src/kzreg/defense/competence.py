"""Who acts for the state defense order, by whose budget holds the funds and by the date.

Law 236-VI splits each function between the authorised body in the field of state defense
procurement (the SDP body, Art 6-1 sub 11-19) and the recipient, whose budget may hold the
funds (Art 7 sub 8, 14-1, 14-2; Art 25 sub 6, 7, 11); the table is `data/competence.yaml`.
The date matters three ways:

- the SDP body exists from Law 211-VIII (Art 6-1 inserted ten days after its first
  publication, a date the corpus does not give: setting
  defense.sdp_body_start_if_publication_unknown); before it, the functions now in Art 6-1
  belonged to the authorised body (setting defense.actor_before_sdp_body, an inference from
  Art 31 p.2 and Art 25 sub 7);
- until 31 December 2020 the authorised body concluded the contracts not funded from the
  recipient's budget (Art 31 p.2);
- Arts 22 and 23 (the contract, its modification) apply from 1 January 2020 (Art 32 p.1).
"""

from __future__ import annotations

import datetime as dt
import enum

from kzreg.defense._law import LAW, art, data, in_force
from kzreg.law.acts import explain_in_force, explain_provision_in_force
from kzreg.law.errors import NotInForce
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting

BODIES = {"sdp_body": "the authorised body in the field of state defense procurement",
          "authorised_body": "the authorised body in the field of defense industry",
          "recipient": "the state defense order recipient",
          "contractor": "the contractor (to the recipient, party to the contract)",
          "government": "the Government of the Republic of Kazakhstan",
          "unknown": "not determined: the text before Law 211-VIII is not in the corpus"}


class Funds(enum.StrEnum):
    RECIPIENT = "recipient_budget"
    SDP_BODY = "sdp_body_budget"      # not in the recipient's budget


def _sdp_body_on(on: dt.date, trace: Trace) -> tuple[str, bool]:
    """Which body holds the SDP body's functions on `on`, and whether the answer is flagged
    (the start of Law 211-VIII is only bounded, not known)."""
    exists = trace.include(explain_provision_in_force(LAW, "Art 6-1", on))
    if exists is True:
        return "sdp_body", False
    if exists is None:
        rule = get_setting("defense.sdp_body_start_if_publication_unknown")
        trace.step("Law 211-VIII's publication date is not loaded: the SDP body is taken to "
                   "act from the earliest day it can", rule.value,
                   citation=art("Art 6-1"), parameters=[rule.use()])
        if rule.value == "refuse":
            raise NotInForce(f"cannot tell whether the SDP body existed on {on.isoformat()}: "
                             "load the publication date of Law 211-VIII (setting "
                             "acts.publication_dates)", field="on", citation=art("Art 6-1"))
        return "sdp_body", True
    before = get_setting("defense.actor_before_sdp_body")
    trace.step("before Law 211-VIII the functions now in Art 6-1 were the authorised body's "
               "(inferred)", before.value, citation=art("Art 31 p.2"),
               parameters=[before.use()])
    return before.value, False


def who_acts(on: dt.date, funds: Funds) -> Explained[dict]:
    """Each function of the order and the body performing it on `on`, with its clause."""
    trace = Trace(rule="defense.who-acts", as_of=on)
    law = trace.include(explain_in_force(LAW, on))
    if law is False:
        raise NotInForce(f"Law 236-VI was not in force on {on.isoformat()}; the Law "
                         "\"On State Defense Order\" of 2001 applied", field="on",
                         citation=art("Art 32 p.2"))
    sdp, flagged = _sdp_body_on(on, trace)
    flagged = flagged or law is None
    table = data("competence")
    transition = table["transitional"]
    exclusive = get_setting("acts.until_is_exclusive")
    last = transition["until"] - dt.timedelta(days=1 if exclusive.value else 0)
    transitional = on <= last
    trace.step("the transitional rule: the authorised body concludes contracts not funded "
               f"from the recipient's budget, until {transition['until'].isoformat()}",
               transitional, citation=art(transition["clause"]),
               parameters=[exclusive.use()])
    functions = {}
    for key, entry in table["functions"].items():
        rule = entry[funds.value]
        body, clause = rule["body"], rule["clause"]
        inferred = body == "sdp_body" and sdp != "sdp_body"
        if inferred:     # before Art 6-1: the inference of Art 31 p.2 / Art 25 sub 7
            body, clause = sdp, "Art 31 p.2"
        if rule.get("transitional") and transitional:
            body, clause = transition["body"], transition["clause"]
        functions[key] = {"function": entry["title"], "body": body, "inferred": inferred,
                          "body_name": BODIES[body], "basis": art(clause)}
        trace.step(entry["title"], body, citation=art(clause))
    contracts = in_force("Art 22", on, trace)
    result = {"on": on, "funds": funds.value, "functions": functions,
              "sdp_body_exists": sdp == "sdp_body", "flagged": flagged,
              "transitional_art_31": transitional, "contract_articles_in_force": contracts}
    return trace.done(result)
