"""What large customers, manufacturers and the authorized body do with contracts aimed at
industrial development (Law 86-VII Arts 46-49, 47-1, 61-1): procurement plans, the register of
off-take contracts and guaranteed purchase agreements with their yearly checks and offset
terms, the list of systemic enterprises, domestic value development programmes.

The rules are in `contracts`, the case types in `contracts_workflow`. A business acts for its
own BIN only; a contract it is not a party to is "not found". Everything runs in the
caller's transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError, NotFound
from kzreg.law.explain import Explained, jsonable
from kzreg.law.numbers import exact
from kzreg.platform import cases, notifications
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case
from kzreg.platform.users import users_with_role
from kzreg.producers import contracts as ct
from kzreg.producers import contracts_workflow as cw
from kzreg.producers.casework import act, opened
from kzreg.producers.incentives import art
from kzreg.producers.legal_time import wording_on
from kzreg.producers.models import ContractYear, IndustrialContract, SystemicEnterprise

OFFICERS = cw.OFFICERS


@contextlib.contextmanager
def _validated() -> Iterator[None]:
    """A rule's input model refusing a value is bad input naming the field, not a crash."""
    try:
        yield
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], field=".".join(map(str, first["loc"]))) from None


def _officer(actor: Actor, what: str, locator: str) -> None:
    if actor.role not in OFFICERS:
        raise Forbidden(f"only the authorized body {what}", field="actor",
                        citation=art(locator))


def _party(actor: Actor, *bins: str) -> None:
    """Officers act for anyone; a business only where its own BIN is a party."""
    if actor.read_only:
        raise Forbidden("auditors read only", field="actor")
    if actor.role.is_business and actor.bin not in bins:
        raise Forbidden("a business acts for its own BIN only", field="bin")
    if not actor.role.is_business and actor.role not in OFFICERS:
        raise Forbidden(f"a {actor.role} may not do this", field="actor")


# --- procurement plans (Art 47) ---------------------------------------------------------------

def open_plan(session: Session, actor: Actor, *, customer_name: str, customer_type: str,
              first_procurement_year: int, customer_bin: str | None = None,
              goods: Iterable[Mapping[str, Any]] | None = None,
              at: dt.datetime | None = None) -> Case:
    """Open a large customer's plan for a first year of procurement (due by 10 December of
    the year before, Art 47(1)-(2)); with `goods` it is lodged at once."""
    at = at or now_utc()
    bin = customer_bin or actor.bin
    if not bin:
        raise InputError("the large customer's BIN is required", field="customer_bin")
    if customer_type not in ct.CUSTOMER_TYPES:
        raise InputError(f"customer_type is one of {list(ct.CUSTOMER_TYPES)}",
                         field="customer_type", citation=art("Art 1 sub 25"))
    year = int(first_procurement_year)
    wording = wording_on("Art 47", dt.date(year - 1, 12, 10)).value
    case = cases.open_case(
        session, cw.PLAN, actor=actor, party_bins=[bin], at=at,
        title=f"{customer_name.strip()}: procurement plan for {year}",
        data={"customer_bin": bin, "customer_name": customer_name.strip(),
              "customer_type": customer_type, "first_procurement_year": year,
              "wording_flagged": wording.flagged})
    opened(session, case, at)
    if goods is not None:
        case = act(session, actor, case.id, "lodge", {"goods": list(goods)}, at=at)
    return case


def plan_for(session: Session, bin: str, year: int) -> Case | None:
    """The plan a customer already has for a first year of procurement, if any."""
    return next((c for c in session.scalars(select(Case).where(Case.case_type == cw.PLAN))
                 if c.data.get("customer_bin") == bin
                 and int(c.data.get("first_procurement_year", 0)) == year), None)


def plan_check(session: Session, actor: Actor, case_id: int,
               as_of: dt.date | None = None) -> Explained[ct.PlanCheck]:
    """The plan against the calendar of Art 47, from what the case recorded."""
    case = cases.get_case_for(session, actor, case_id)
    d = case.data
    if "received_on" not in d:
        raise Conflict("the plan has not been lodged yet", field="state")
    notice = (d.get("notice") or {}).get("on")
    agreed = next((e.at for e in cases.case_events(session, actor, case.id)
                   if e.transition == "agree"), None)
    return ct.plan_check(ct.PlanCase(
        first_procurement_year=d["first_procurement_year"], received_on=d["received_on"],
        goods=[ct.PlanGoods(**{k: g[k] for k in ("code", "procured_on_domestic_market",
                                                 "foreign_under_warranty")})
               for g in d.get("goods", [])],
        notice_received_on=notice, resubmitted_on=d.get("resubmitted_on"),
        review_completed_on=notice or (local_date(agreed) if agreed else None),
        approved_on=local_date(agreed) if agreed and d.get("resubmitted_on") else None,
        published_on=d.get("published_on")), as_of or local_date(now_utc()))


# --- the register of off-take contracts and guaranteed purchase agreements ------------------

def _money(value: Any, field: str) -> Decimal:
    number = exact(str(value), field)
    if number < 0:
        raise InputError("must not be negative", field=field)
    return Decimal(str(number))


def register_contract(session: Session, actor: Actor, **kwargs: Any) -> IndustrialContract:
    """Enter a contract in the register (Art 48(6)) after the Law's checks: its kind
    (Art 46(1)), the mandatory content of an off-take contract (Art 48(5)), the term of a
    guaranteed purchase agreement (Art 48-1(3)), the offset minimum (Art 49)."""
    with _validated():
        return _register_contract(session, actor, **kwargs)


def _register_contract(session: Session, actor: Actor, *, number: str, new_production: bool,
                      customer_bin: str, customer_name: str, supplier_bin: str,
                      supplier_name: str, goods: list[Mapping[str, Any]],
                      concluded_on: dt.date, ends_on: dt.date, amount: Any,
                      volumes: list[Mapping[str, Any]], domestic_value_min: str | None = None,
                      programme_obligation: bool = False, customer_nwf_group: bool = False,
                      annual_purchases: Any = None,
                      offset_conditions: list[Mapping[str, Any]] = (),
                      plan_case_id: int | None = None,
                      at: dt.datetime | None = None) -> IndustrialContract:
    _party(actor, customer_bin, supplier_bin)
    at = at or now_utc()
    as_of = local_date(at)
    kind = ct.contract_kind(ct.KindInput(new_production=new_production,
                                         customer_nwf_group=customer_nwf_group), as_of).value
    if kind == "not_applicable":
        raise LegalRuleError("Art 46 does not apply to the National Welfare Fund and its "
                             "group", field="customer_nwf_group", citation=art("Art 46(2)"))
    if not goods or any(not str(g.get("title") or "").strip() or not g.get("specification")
                        for g in goods):
        raise LegalRuleError("each product needs its name and technical characteristics",
                             field="goods", citation=art("Art 48(5)" if kind == "offtake"
                                                         else "Art 48-1(4)"))
    rows = [(int(v["year"]), _money(v["contracted"], f"volumes.{n}.contracted"))
            for n, v in enumerate(volumes)]
    if not rows or len({y for y, _ in rows}) != len(rows):
        raise LegalRuleError("the supply volumes for the whole term, each year once",
                             field="volumes", citation=art("Art 48(5)"))
    if kind == "offtake":
        if not domestic_value_min:
            raise LegalRuleError("an off-take contract sets a minimum level of domestic value",
                                 field="domestic_value_min", citation=art("Art 48(5)"))
        if not programme_obligation:
            raise LegalRuleError("an off-take contract obliges the supplier to develop a "
                                 "programme to increase domestic value",
                                 field="programme_obligation", citation=art("Art 48(5)"))
        ct.offtake_check(ct.OfftakeInput(years=[  # Art 48's wording in force for year one
            ct.YearVolume(year=y, contracted=c, accepted=c) for y, c in rows]), as_of)
    else:
        term = ct.gpa_term(ct.TermInput(concluded_on=concluded_on, ends_on=ends_on), as_of)
        if not term.value.valid:
            raise LegalRuleError(f"a guaranteed purchase agreement runs one to ten years: its "
                                 f"last day between {term.value.shortest_end} and "
                                 f"{term.value.longest_end}", field="ends_on",
                                 citation=art("Art 48-1(3)"))
    offset = None
    if annual_purchases is not None:
        result = ct.offset(ct.OffsetInput(
            financial_year=concluded_on.year, annual_purchases=_money(annual_purchases,
                                                                      "annual_purchases"),
            contract_amount=_money(amount, "amount"),
            conditions=[ct.OffsetCondition(**c) for c in offset_conditions]), as_of)
        if result.value.required and not result.value.sufficient:
            raise LegalRuleError(f"offset conditions worth {result.value.counted} are less than "
                                 f"5% of the contract ({result.value.minimum})",
                                 field="offset_conditions", citation=art("Art 49(2)"))
        offset = jsonable(result.to_dict())
    if session.scalar(select(IndustrialContract.id).where(
            IndustrialContract.number == number.strip())) is not None:
        raise Conflict(f"contract {number} is already in the register", field="number")
    contract = IndustrialContract(
        number=number.strip(), kind=kind, customer_bin=customer_bin,
        customer_name=customer_name, supplier_bin=supplier_bin, supplier_name=supplier_name,
        goods=jsonable(list(goods)), concluded_on=concluded_on, ends_on=ends_on,
        amount=str(_money(amount, "amount")), domestic_value_min=domestic_value_min,
        offset_terms=offset, plan_case_id=plan_case_id, status="active", created_at=at,
        years=[ContractYear(year=y, contracted=str(c), status="planned",
                            supplier_performed=True) for y, c in sorted(rows)])
    session.add(contract)
    session.flush()
    return contract


def contracts_for(session: Session, actor: Actor) -> list[IndustrialContract]:
    query = select(IndustrialContract).options(selectinload(IndustrialContract.years))
    if actor.role.is_business:
        query = query.where(or_(IndustrialContract.customer_bin == actor.bin,
                                IndustrialContract.supplier_bin == actor.bin))
    return list(session.scalars(query.order_by(IndustrialContract.concluded_on.desc())))


def get_contract(session: Session, actor: Actor, contract_id: int) -> IndustrialContract:
    found = session.get(IndustrialContract, contract_id)
    if found is None or (actor.role.is_business and actor.bin not in (found.customer_bin,
                                                                       found.supplier_bin)):
        raise NotFound(f"no contract {contract_id}", field="contract_id")
    return found


def record_year(session: Session, actor: Actor, contract_id: int, *, year: int,
                accepted: Any, supplier_performed: bool = True,
                at: dt.datetime | None = None) -> Explained[ct.OfftakeCheck]:
    """What the customer accepted and paid for in a year of an off-take contract, checked
    against Art 48(2); a breach is recorded and both parties are told (penalty: setting
    producers.offtake_penalty)."""
    contract = get_contract(session, actor, contract_id)
    _party(actor, contract.customer_bin, contract.supplier_bin)
    if contract.kind != "offtake":
        raise LegalRuleError("the 100%/50% duty is an off-take contract's only",
                             field="contract_id", citation=art("Art 48(2)"))
    row = next((y for y in contract.years if y.year == year), None)
    if row is None:
        raise NotFound(f"the contract provides no volume for {year}", field="year")
    at = at or now_utc()
    row.accepted = str(_money(accepted, "accepted"))
    row.supplier_performed = supplier_performed
    result = ct.offtake_check(ct.OfftakeInput(years=_known_years(contract)), local_date(at))
    statuses = {c.year: c.status for c in result.value.years}
    for y in contract.years:
        if y.year in statuses:
            y.status, y.checked_at = statuses[y.year], at
    session.flush()
    if statuses.get(year) == "breach":
        _tell(session, [contract.customer_bin, contract.supplier_bin], at,
              f"Off-take contract {contract.number}: the customer accepted less than the Law "
              f"requires in {year}", art("Art 48(2)"))
    return result


def _known_years(contract: IndustrialContract) -> list[ct.YearVolume]:
    """Every year from the first delivery year up to the last one recorded; a year not yet
    recorded counts as nothing accepted only if a later year is recorded."""
    last = max(y.year for y in contract.years if y.accepted is not None)
    return [ct.YearVolume(year=y.year, contracted=Decimal(y.contracted),
                          accepted=Decimal(y.accepted or "0"),
                          supplier_performed=y.supplier_performed)
            for y in contract.years if y.year <= last]


def contract_view(session: Session, actor: Actor, contract_id: int,
                  as_of: dt.date | None = None) -> dict[str, Any]:
    """One contract with what the Law checks on it: the yearly duty of Art 48(2) over the
    years recorded so far (breaches and the penalty setting), the term of a guaranteed
    purchase agreement (Art 48-1(3)), the offset minimum (Art 49) as entered."""
    contract = get_contract(session, actor, contract_id)
    day = as_of or local_date(now_utc())
    check = term = None
    if contract.kind == "offtake" and any(y.accepted is not None for y in contract.years):
        check = ct.offtake_check(ct.OfftakeInput(years=_known_years(contract)), day)
    if contract.kind == "guaranteed_purchase":
        term = ct.gpa_term(ct.TermInput(concluded_on=contract.concluded_on,
                                        ends_on=contract.ends_on), day)
    writer = not actor.read_only and (actor.role in OFFICERS or actor.bin in (
        contract.customer_bin, contract.supplier_bin))
    return {"contract": contract, "check": check, "term": term,
            "required": {c.year: c for c in check.value.years} if check else {},
            "breaches": [y for y in contract.years if y.status == "breach"],
            "offset": (contract.offset_terms or {}).get("value"),
            "may_record": writer and contract.kind == "offtake" and contract.status == "active",
            "may_terminate": actor.role in OFFICERS and not actor.read_only
            and contract.status == "active"}


def terminate(session: Session, actor: Actor, contract_id: int, *, ground: str,
              at: dt.datetime | None = None) -> IndustrialContract:
    """A negative pilot-batch test: the contract is deemed not fulfilled through the
    manufacturer's fault and terminated (Art 47(8))."""
    _officer(actor, "keeps the register of off-take contracts", "Art 48(6)")
    contract = get_contract(session, actor, contract_id)
    if contract.status != "active":
        raise Conflict("the contract is not active", field="contract_id")
    if len(ground.strip()) < 3:
        raise InputError("the ground of termination is required", field="ground")
    contract.status, contract.termination = "terminated", ground.strip()[:300]
    session.flush()
    return contract


# --- systemic enterprises (Art 47-1) ----------------------------------------------------------

def assess_systemic(session: Session, actor: Actor, *, bin: str, name: str, region: str,
                    year: int, enterprise_output: Any, territory_output: Any,
                    at: dt.datetime | None = None) -> SystemicEnterprise:
    """Put an enterprise on the list (or record that it does not qualify) for a region and
    year: more than 3% of the region's output (Art 47-1(1)-(2))."""
    _officer(actor, "approves the list of systemic enterprises", "Art 47-1(2)")
    at = at or now_utc()
    with _validated():
        result = ct.systemic(ct.SystemicInput(
            enterprise_output=_money(enterprise_output, "enterprise_output"),
            territory_output=_money(territory_output, "territory_output")), local_date(at))
    share = next(s.output for s in result.steps if s.description.startswith("share"))
    row = session.scalars(select(SystemicEnterprise).where(
        SystemicEnterprise.bin == bin, SystemicEnterprise.region == region,
        SystemicEnterprise.year == year)).first() or SystemicEnterprise(
            bin=bin, region=region, year=year)
    row.name, row.enterprise_output = name, str(enterprise_output)
    row.territory_output, row.share = str(territory_output), str(share)
    row.systemic, row.recorded_at = result.value, at
    session.add(row)
    session.flush()
    return row


def systemic_list(session: Session, *, region: str | None = None, year: int | None = None,
                  only_systemic: bool = True) -> list[SystemicEnterprise]:
    query = select(SystemicEnterprise)
    if region:
        query = query.where(SystemicEnterprise.region == region)
    if year:
        query = query.where(SystemicEnterprise.year == year)
    if only_systemic:
        query = query.where(SystemicEnterprise.systemic.is_(True))
    return list(session.scalars(query.order_by(SystemicEnterprise.region,
                                               SystemicEnterprise.name)))


# --- domestic value development programmes (Art 61-1) ---------------------------------------

def open_dvdp(session: Session, actor: Actor, *, customer_name: str, customer_type: str,
              start_year: int, areas: Iterable[str], period_years: int = ct.DVDP_YEARS,
              targets: Mapping[str, str] | None = None, customer_bin: str | None = None,
              at: dt.datetime | None = None) -> Case:
    at = at or now_utc()
    bin = customer_bin or actor.bin
    if not bin:
        raise InputError("the large customer's BIN is required", field="customer_bin")
    with _validated():
        review = ct.dvdp_review(ct.ProgrammeInput(customer_type=customer_type,
                                                  period_years=period_years,
                                                  areas=list(areas)), local_date(at))
    return opened(session, cases.open_case(
        session, cw.DVDP, actor=actor, party_bins=[bin], at=at,
        title=f"{customer_name.strip()}: domestic value development programme "
              f"{start_year}-{start_year + period_years - 1}",
        data={"customer_bin": bin, "customer_name": customer_name.strip(),
              "customer_type": customer_type, "start_year": int(start_year),
              "period_years": period_years, "areas": list(areas),
              "targets": dict(targets or {}), "review": review.to_dict()}), at)


def _tell(session: Session, bins: list[str], at: dt.datetime, subject: str, basis) -> None:
    people = [u.id for b in bins for role in (Role.MANUFACTURER, Role.CONTRACTOR)
              for u in users_with_role(session, role, bin=b)]
    if people:
        notifications.notify(session, recipients=people, subject=subject[:300], body=subject,
                             basis=basis, at=at)
