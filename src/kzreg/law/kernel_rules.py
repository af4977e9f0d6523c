"""The kernel's own rules, callable like any room's: deadlines, MCI amounts, act in force,
identification numbers. They make `kzreg rules explain` useful from day one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from kzreg.law.acts import explain_in_force, explain_provision_in_force
from kzreg.law.citations import Citation, cite
from kzreg.law.deadlines import deadline
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.identifiers import check_id
from kzreg.law.parameters import mci_amount
from kzreg.law.rules import rule


class DeadlineInput(BaseModel):
    start: str = Field(description="The triggering event: a date (2024-04-30), or a date-time "
                       "with its offset for terms in hours (2024-04-30T10:00:00+05:00)")
    duration: str = Field(description='e.g. "10 working days", "24 hours", "1 month"')
    roll_to_working_day: bool | None = Field(
        False, description="Move a non-working last day forward; null = the setting")
    count_start_day: bool = False


@rule("law.deadline", title="When a term ends (Kazakhstan's working days)",
      citation=Citation("code-civil", "Ch 6"), inputs=DeadlineInput)
def term_end(inp: DeadlineInput, as_of: dt.date) -> Explained:
    return deadline(_moment(inp.start), inp.duration, roll_to_working_day=inp.roll_to_working_day,
                    count_start_day=inp.count_start_day)


def _moment(text: str) -> dt.date | dt.datetime:
    try:
        if "T" not in text:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not an ISO date or date-time", field="start") from None
    if moment.tzinfo is None:
        raise InputError("give the offset, e.g. 2024-05-01T10:00:00+05:00", field="start")
    return moment


class MciInput(BaseModel):
    multiple: Decimal = Field(description="How many MCI, e.g. 700000")
    basis: str | None = Field(None, description='The clause setting the threshold, as '
                              '"act-id:locator", e.g. "order-493:R §7"')


@rule("law.mci-amount", title="An amount set in monthly calculation indices, in tenge",
      citation=cite("budget-2026", "MCI clause"), inputs=MciInput)
def mci_in_tenge(inp: MciInput, as_of: dt.date) -> Explained[Decimal]:
    basis = Citation.parse(inp.basis) if inp.basis else None
    if basis is not None:
        basis.resolve()
    return mci_amount(inp.multiple, as_of, basis=basis)


class InForceInput(BaseModel):
    act: str = Field(description="Act id, e.g. order-493")
    provision: str | None = Field(None, description='e.g. "Art 51-1"; omit for the act')


@rule("law.in-force", title="Whether an act or provision was in force on the date",
      citation=cite("law-480-V", "Art 36"), inputs=InForceInput)
def act_in_force(inp: InForceInput, as_of: dt.date) -> Explained:
    if inp.provision:
        return explain_provision_in_force(inp.act, inp.provision, as_of)
    return explain_in_force(inp.act, as_of)


class IdInput(BaseModel):
    number: str = Field(description="A BIN or IIN, 12 digits")


@rule("law.id-check", title="Whether a BIN/IIN is well formed, and what it encodes",
      citation=cite("law-223-III", "Art 1"), inputs=IdInput)
def id_check(inp: IdInput, as_of: dt.date) -> Explained[bool]:
    trace = Trace()
    result = check_id(inp.number, today=as_of)
    trace.step(f"checked as {result.kind or 'an identification number'}: "
               + ("valid" if result.valid else f"invalid ({result.reason})"),
               result.to_dict(), citation=cite("law-223-III", "Art 1"),
               inputs={"number": inp.number})
    return trace.done(result.valid)
