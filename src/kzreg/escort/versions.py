"""Which wording of the Rules applied on a date (Order 487's amendments, in force 23.11.2024).

The seed is the consolidated text as amended by Order 487, which reworded §1, §2, §4, §5,
§11 and §18 and amended §3 with effect from 23.11.2024. The earlier wording of those
paragraphs is not in the corpus. For an earlier date the setting
`escort.pre_amendment_dates` decides: refuse rules resting on an amended paragraph (default),
or apply the current text and say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from kzreg.escort._law import ORDER_407, ORDER_487
from kzreg.law.acts import DatedChange, covers, normalize_provision, version_on
from kzreg.law.citations import cite
from kzreg.law.errors import InputError, NotInForce
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting

PRE_AMENDMENT = "escort.pre_amendment_dates"


@dataclass(frozen=True)
class Wording:
    """The wording of one provision of Order 407 that applied on a date."""

    provision: str
    on: dt.date
    wording: str              # "amended" | "original" | "unamended" | "undetermined"
    text_available: bool      # is that wording in the corpus?
    amended_by: str | None    # "Order 487 of 26.07.2024"
    amendment_effective: dt.date | None
    note: str

    def __str__(self) -> str:
        return f"{self.provision} on {self.on.isoformat()}: {self.wording} ({self.note})"


def _changes_to(provision: str, changes: Sequence[DatedChange]) -> list[DatedChange]:
    return [c for c in changes if any(covers(p, provision) for p in c.provisions)]


def wording_on(provision: str, on: dt.date) -> Wording:
    """The wording of `provision` ("Rules §3(8)") of Order 407 that applied on `on`."""
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise InputError("expected a calendar date", field="on")
    provision = normalize_provision(provision)
    version = version_on(ORDER_407, on)
    if version.in_force is False:
        return Wording(provision, on, "not in force", False, None, None,
                       f"Order 407 was not in force on {on.isoformat()}")
    applied = _changes_to(provision, version.applied)
    pending = _changes_to(provision, version.pending)
    unknown = _changes_to(provision, version.undetermined)
    if pending:
        change = pending[0]
        return Wording(provision, on, "original", False, change.label, change.effective.date,
                       f"{provision} was {change.action} by {change.label} with effect from "
                       f"{change.effective}; on {on.isoformat()} the earlier wording applied, "
                       "and that wording is not loaded (the corpus holds the consolidated text)")
    if unknown:
        change = unknown[0]
        return Wording(provision, on, "undetermined", False, change.label, None,
                       f"whether {change.label}'s change to {provision} applied on "
                       f"{on.isoformat()} cannot be determined")
    if applied:
        change = applied[-1]
        return Wording(provision, on, "amended", True, change.label, change.effective.date,
                       f"{provision} as {change.action} by {change.label} (in force since "
                       f"{change.effective})")
    return Wording(provision, on, "unamended", True, None, None,
                   f"{provision} has not been amended: one wording throughout")


def check_wording(trace: Trace, provisions: Sequence[str], on: dt.date, *,
                  field: str) -> None:
    """Record which wording of `provisions` applied on `on`; refuse (per the setting) when a
    provision had a different, unavailable wording then. `field` names the input whose date
    decided it (tempus regit actum: the law on the day of the event applies)."""
    use = get_setting(PRE_AMENDMENT)
    for provision in provisions:
        found = wording_on(provision, on)
        citation = (cite(ORDER_487, f"footnote to {found.provision}") if found.amended_by
                    else cite(ORDER_407, found.provision))
        if found.text_available:
            trace.step(f"wording applied on {on.isoformat()}: {found.note}", found.wording,
                       citation=citation, inputs={field: on})
            continue
        if found.wording == "not in force":
            trace.step(found.note, False, citation=cite(ORDER_407, "Ord §3"), inputs={field: on})
            raise NotInForce(found.note, field=field, citation=cite(ORDER_407, "Ord §3"))
        if use.value == "refuse_amended_paragraphs":
            trace.step(found.note, found.wording, citation=citation, inputs={field: on},
                       parameters=[use.use()])
            raise NotInForce(f"{found.note}; this rule is not applied to a date before the "
                             "amendment (setting escort.pre_amendment_dates)", field=field,
                             citation=citation)
        trace.step(f"{found.note}; the current wording is applied instead, as the setting "
                   "says — the result may differ from the law then in force", "current text",
                   citation=citation, inputs={field: on}, parameters=[use.use()])


class WordingInput(BaseModel):
    provision: str = Field(description='A paragraph of the Rules, e.g. "Rules §3(8)", '
                           '"Rules §13"; or "Ord §1"')
    on: dt.date | None = Field(None, description="The date asked about; default the as-of date")


@rule("escort.wording", title="Which wording of a paragraph of the Rules applied on a date "
      "(before / after Order 487)", citation=cite(ORDER_487, "footnotes to Rules §1-5, §11, §18"),
      inputs=WordingInput)
def explain_wording(inp: WordingInput, as_of: dt.date) -> Explained[Wording]:
    on = inp.on or as_of
    trace = Trace("escort.wording", as_of)
    found = wording_on(inp.provision, on)
    citation = (cite(ORDER_487, f"footnote to {found.provision}") if found.amended_by
                else cite(ORDER_407, found.provision))
    trace.step(found.note, found.wording, citation=citation,
               inputs={"provision": found.provision, "on": on})
    if not found.text_available:
        trace.step("the text that applied is not available: rules resting on this paragraph "
                   "follow the setting", get_setting(PRE_AMENDMENT).value,
                   parameters=[get_setting(PRE_AMENDMENT).use()])
    return trace.done(found)


__all__ = ["Wording", "check_wording", "explain_wording", "wording_on"]
