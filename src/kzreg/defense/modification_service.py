"""Modification of a state defense order contract in execution (Law 236-VI Art 23;
Art 19 p.4; Art 22 p.12).

A request is checked by `modifications.check_modification` against the contract's own terms
as they stand (`before`), never the caller's copy of them: one of the eight grounds of Art 23
p.2 with the approved order's budget not increasing (p.1 sub 1) and the order unchanged
(Art 19 p.4), the Government's amendment of the order (p.1 sub 2), or the subject matter
unchanged (p.1 sub 3). A line the recipient accepted stays as it is (Art 25 sub 6). Every
request is kept with the validator's findings; an allowed one amends the contract (the
case's `amend`) and is notified to the SDP body as "amendments and additions" (Art 22 p.12);
a refused one is reported by the caller with `refusal_error`, naming the first failed
condition's clause. Conventions (transaction, audit, secrecy) are those of `contracts_service`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense.contracts import NoticeEvent, art
from kzreg.defense.contracts_models import DefenseContract, DefenseModification
from kzreg.defense.contracts_service import (
    accepted_items,
    audit_contract,
    get_contract,
    instant,
    notify_sdp_body,
    officer,
    validated,
)
from kzreg.defense.modifications import (
    ContractTerms,
    Line,
    ModificationRequest,
    check_modification,
)
from kzreg.law.calendar import local_date
from kzreg.law.citations import Citation
from kzreg.law.errors import Conflict, InputError
from kzreg.law.explain import jsonable
from kzreg.platform.actors import Actor
from kzreg.platform.cases import fire


def current_terms(contract: DefenseContract) -> ContractTerms:
    return ContractTerms(value=contract.value,
                         lines=[Line.model_validate(x) for x in contract.lines],
                         yearly={int(k): v for k, v in (contract.yearly or {}).items()})


def request_modification(session: Session, actor: Actor, case_id: int,
                         body: dict[str, Any], *,
                         at: dt.datetime | None = None) -> DefenseModification:
    """Check a modification against the contract's own terms (`before` is the contract as it
    stands) and keep the request with the verdict. An allowed one amends the contract and is
    notified to the SDP body (Art 22 p.12); a refused one is returned with `allowed` False —
    the caller keeps the record and reports the refusal (`refusal_error`)."""
    at = instant(at)
    officer(actor)
    case, contract = get_contract(session, actor, case_id)
    if case.state != "in_execution":
        raise Conflict(f"a contract is modified in execution; it is {case.state!r}",
                       field="state")
    data = {k: v for k, v in dict(body or {}).items() if k != "before"}
    data.setdefault("modified_on", local_date(at).isoformat())
    data["before"] = current_terms(contract).model_dump()
    request = validated(ModificationRequest, data)
    if request.modified_on > local_date(at):
        raise InputError("a modification cannot be dated in the future", field="modified_on")
    _accepted_lines_kept(session, contract, request)
    result = check_modification(request)
    verdict = result.value
    row = DefenseModification(
        case_id=case_id, ground=request.ground.value,
        request=jsonable(request.model_dump(exclude_none=True)), allowed=verdict.allowed,
        failed=list(verdict.failed), value_before=verdict.value_before,
        value_after=verdict.value_after, explanation=jsonable(result.to_dict()),
        requested_by=actor.username, requested_at=at)
    session.add(row)
    session.flush()
    if verdict.allowed:
        fire(session, case_id, "amend", actor=actor, at=at, payload=request,
             audit_payload=contract.secrecy_level == 0)
        contract.value = request.after.value
        if request.after.lines:
            contract.lines = jsonable([x.model_dump() for x in request.after.lines])
        if request.after.yearly:
            contract.yearly = jsonable({str(k): v for k, v in request.after.yearly.items()})
        notify_sdp_body(session, case, contract, NoticeEvent.AMENDMENT, f"modification-{row.id}",
                        at, f"ground {request.ground.value}")
    audit_contract(session, actor, "defense.contract.modification_" +
                   ("allowed" if verdict.allowed else "refused"), contract,
                   Citation.parse(verdict.basis), at,
                   modification=row.id, ground=request.ground.value)
    return row


def _accepted_lines_kept(session: Session, contract: DefenseContract,
                         request: ModificationRequest) -> None:
    """A line the recipient accepted is performed: a modification listing the lines keeps
    it as it is (Art 25 sub 6; the accepted goods are not re-priced or re-dated)."""
    if not request.after.lines:
        return
    accepted = accepted_items(session, [contract.case_id]).get(contract.case_id, {})
    after = {x.item: x for x in request.after.lines}
    for line in current_terms(contract).lines:
        if line.item in accepted and after.get(line.item) != line:
            raise Conflict(f"the line {line.item!r} was accepted on "
                           f"{accepted[line.item].accepted_on.isoformat()}; it cannot change",
                           field="after.lines")


def refusal_error(row: DefenseModification) -> InputError:
    """The InputError for a refused modification: the first failed condition's clause."""
    first = row.failed[0] if row.failed else "Art 23: refused"
    locator, _, text = first.partition(": ")
    fields = {"Art 19 p.4": "changes_approved_order", "Art 23 p.1 sub 1": "sdo_total_increase"}
    return InputError(f"modification refused: {text or first}"
                      + (f" (and {len(row.failed) - 1} more)" if len(row.failed) > 1 else ""),
                      field=fields.get(locator, "ground"), citation=art(locator))


def modifications(session: Session, case_id: int) -> list[DefenseModification]:
    return list(session.scalars(select(DefenseModification)
                                .where(DefenseModification.case_id == case_id)
                                .order_by(DefenseModification.id)))
