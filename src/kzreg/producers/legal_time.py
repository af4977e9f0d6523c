"""Legal time in the Law on industrial policy (Law 86-VII Arts 47, 48, 51, 60, 68, 69): every
answer is given by the law in force on its date.

- `wording_on(provision, day)`: does the seed's (latest) wording of a provision apply on the
  day? The seed is a consolidated text; where an amendment touching the provision was not yet
  in force, the wording that applied is not in the source and the system refuses to answer
  by the later one. Where the amendment's date is counted from a publication no text gives
  (Law 188-VIII: Arts 46, 47, 47-1, 48-1, 61-1; Law 71-VIII: Art 60), setting
  `producers.wording_if_publication_unknown` decides (applied from the earliest possible
  day, flagged, by default).
- Art 68: CT-KZ certificates of origin and industrial certificates are issued and stay in
  force "until 1 January 2026" (setting `acts.until_is_exclusive`).
- Art 51, Art 69 sub 3: the database of goods, works, services and their suppliers, free
  registration, "remains in force until January 1, 2026".
- Art 68: Art 29 sub 7 and Art 36 were suspended until 29 June 2023 and read "provision of
  land plots and subsoil use rights" meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from kzreg.law.acts import covers, explain_provision_in_force, iter_dated_changes
from kzreg.law.errors import LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting
from kzreg.producers.incentives import CERTIFICATES_UNTIL, LAW, art, before_until, get_measure

DATABASE_UNTIL = dt.date(2026, 1, 1)   # Art 69 sub 3: Art 51 "remains in force until"


@dataclass(frozen=True)
class Wording:
    provision: str
    applies: bool          # the seed's wording applies on the day
    flagged: bool          # ... from its earliest possible day, publication unknown
    changes: tuple[str, ...]


def _reached(date: dt.date | None, not_before: dt.date | None, on: dt.date) -> bool | None:
    if date is not None:
        return on >= date
    if not_before is not None and on < not_before:
        return False
    return None


def wording_on(provision: str, on: dt.date) -> Explained[Wording]:
    """Whether the seed's wording of `provision` applies on `on` (refuses when it does not:
    the earlier wording is not in the source)."""
    trace = Trace("producers.legal-wording", on)
    in_force = trace.include(explain_provision_in_force(LAW, provision, on))
    if in_force is False:
        raise LegalRuleError(f"{provision} of Law 86-VII is not in force on {on}",
                             field="date", citation=art(provision))
    flagged, labels = in_force is None, []
    for change in iter_dated_changes(LAW):
        if not any(covers(p, provision) for p in change.provisions):
            continue
        eff = change.effective
        reached = _reached(eff.date, eff.not_before, on)
        labels.append(f"{change.label}: {change.action} ({eff})")
        trace.step(f"{change.label} {change.action} {', '.join(change.provisions)}, "
                   f"effective {eff}", reached, citation=art(provision))
        if reached is False:
            raise LegalRuleError(
                f"on {on} {provision} applied in its wording before {change.label}, which "
                "is not in the source text; the system does not answer by the later wording",
                field="date", citation=art(provision))
        flagged = flagged or reached is None
    if flagged:
        use = get_setting("producers.wording_if_publication_unknown")
        if use.value == "refuse":
            raise LegalRuleError(f"whether the current wording of {provision} applied on {on} "
                                 "cannot be determined (publication date not loaded)",
                                 field="date", citation=art(provision))
        trace.step("not before its earliest possible day: the current wording applies, "
                   "flagged until the publication date is loaded", True,
                   citation=art(provision), parameters=[use.use()])
    return trace.done(Wording(provision, True, flagged, tuple(labels)))


def require_wording(trace: Trace, provision: str, on: dt.date) -> bool:
    """Adopt `wording_on` into a rule's trace; returns whether the answer is flagged."""
    return trace.include(wording_on(provision, on)).flagged


class WordingInput(BaseModel):
    provision: str = Field(min_length=5, examples=["Art 47"])


@rule("producers.legal-wording", title="Does the current wording of a provision of Law 86-VII "
      "apply on the date", citation=art("Art 69"), inputs=WordingInput)
def legal_wording(inp: WordingInput, as_of: dt.date) -> Explained[Wording]:
    return wording_on(inp.provision.strip(), as_of)


# --- Art 68: CT-KZ and industrial certificates ---------------------------------------------

class CertificateInput(BaseModel):
    kind: Literal["ct_kz", "industrial"]
    question: Literal["validity", "issuance"]
    issued_on: dt.date | None = None
    own_valid_until: dt.date | None = Field(None, description="the certificate's own term")


@dataclass(frozen=True)
class CertificateAnswer:
    kind: str
    question: str
    answer: bool
    last_day: dt.date


@rule("producers.legacy-certificate", title="CT-KZ and industrial certificates: valid and "
      "issued until 1 January 2026", citation=art("Art 68"), inputs=CertificateInput)
def legacy_certificate(inp: CertificateInput, as_of: dt.date) -> Explained[CertificateAnswer]:
    trace = Trace("producers.legacy-certificate", as_of)
    until = get_setting("acts.until_is_exclusive")
    last = CERTIFICATES_UNTIL - dt.timedelta(days=1 if until.value else 0)
    within = trace.step("the transitional period runs until 1 January 2026",
                        before_until(as_of, CERTIFICATES_UNTIL), citation=art("Art 68"),
                        inputs={"on": as_of, "last day": last}, parameters=[until.use()])
    if inp.question == "issuance":
        trace.step(f"issuing a {inp.kind} certificate on {as_of}: "
                   + ("allowed" if within else "no longer possible"), within,
                   citation=art("Art 68"))
        return trace.done(CertificateAnswer(inp.kind, inp.question, within, last))
    if inp.issued_on is None:
        raise LegalRuleError("the validity of a certificate needs its date of issue",
                             field="issued_on", citation=art("Art 68"))
    issued = trace.step("issued on or before the day asked about, within the period",
                        inp.issued_on <= as_of and before_until(inp.issued_on,
                                                                CERTIFICATES_UNTIL),
                        citation=art("Art 68"), inputs={"issued_on": inp.issued_on})
    own = inp.own_valid_until is None or as_of <= inp.own_valid_until
    trace.step("within the certificate's own term", own,
               inputs={"own_valid_until": inp.own_valid_until}, citation=art("Art 68"))
    return trace.done(CertificateAnswer(inp.kind, inp.question, within and issued and own,
                                        last))


# --- Art 51: the database of goods, works, services and their suppliers ---------------------

class DatabaseInput(BaseModel):
    registration: bool = Field(True, description="a supplier registering itself")


@rule("producers.legacy-suppliers-database", title="Registration in the database of goods, "
      "works, services and their suppliers (until 1 January 2026)",
      citation=art("Art 69 sub 3"), inputs=DatabaseInput)
def legacy_database(inp: DatabaseInput, as_of: dt.date) -> Explained[bool]:
    trace = Trace("producers.legacy-suppliers-database", as_of)
    open_ = trace.include(explain_provision_in_force(LAW, "Art 51", as_of))
    if open_:
        trace.step("individual entrepreneurs and legal entities register free of charge",
                   True, citation=art("Art 51(4)(1)"))
        return trace.done(True)
    return trace.done(trace.step("Art 51 is no longer in force: the database is closed and "
                                 "producers are found in the register (Arts 51-1 to 51-7)",
                                 False, citation=art("Art 69 sub 3")))


# --- Art 68: the suspended wording of Art 29 sub 7 and Art 36 ------------------------------

class MeasureWordingInput(BaseModel):
    measure: str = Field(examples=["land_plots"])


@dataclass(frozen=True)
class MeasureWording:
    measure: str
    title: str
    clause: str
    subsoil_use_rights: bool


@rule("producers.measure-wording", title="The wording of a measure of Art 29 on the date "
      "(Art 29 sub 7 and Art 36 suspended until 29 June 2023)", citation=art("Art 68"),
      inputs=MeasureWordingInput)
def measure_wording(inp: MeasureWordingInput, as_of: dt.date) -> Explained[MeasureWording]:
    trace = Trace("producers.measure-wording", as_of)
    measure = get_measure(inp.measure)
    until = get_setting("acts.until_is_exclusive")
    title, clause = measure.title_on(as_of)
    trace.step(f"the wording on {as_of}: {title}", title, citation=art(clause),
               parameters=[until.use()])
    subsoil = "subsoil" in title
    trace.step("subsoil use rights are a measure of state stimulation on that day", subsoil,
               citation=art("Art 68" if subsoil else measure.item))
    return trace.done(MeasureWording(measure.id, title, clause, subsoil))
