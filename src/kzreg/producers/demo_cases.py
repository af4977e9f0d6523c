"""Demo data for state incentives and large customers (Law 86-VII Arts 25-28, 46-49, 47-1,
61-1), loaded by kzreg.producers.demo after the register's producers: applications in every
state (one waiting for the officer's decision, one that will be refused for want of the
register, one barred by Art 28(4)), a large customer's plan under review and last cycle's
plan closed with its contracts, the register of contracts with a breach of Art 48(2),
systemic enterprises and a programme being implemented. Deterministic (dates relative to
today) and idempotent; the amounts and programmes are invented."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.law.calendar import ALMATY, local_date, now_utc
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case
from kzreg.platform.demo import COMPANIES
from kzreg.producers import casework, contracts_service, incentives_service
from kzreg.producers.models import RegisterEntry

OFFICER = Actor("industry", Role.INDUSTRY_OFFICER)
TYPES = ("producers.incentive_application", "producers.procurement_plan", "producers.dvdp")
INTEREST = {"measure": "interest_subsidy", "facts": {"own_property_participation": True},
            "choices": {"purpose": "modernisation"}}
OBLIGATION = [{"direction": "labour_productivity", "indicator": "output per employee",
               "target": "+12% by the end of the term"}]


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), ALMATY)


def _apply(session: Session, bin: str, name: str, day: dt.date, *, goods: str,
           role: Role = Role.MANUFACTURER, **extra):
    actor = Actor(f"demo-{bin}", role, bin=bin)
    data = {**INTEREST, **extra}
    return incentives_service.apply(
        session, actor, name=name, goods=[{"code": goods, "on_priority_list": True}],
        counter_obligations_accepted=True,
        counter_obligation_directions=["labour_productivity"], at=_at(day), **data)


def _grant(session: Session, case_id: int, day: dt.date, number: str, amount: str,
           due: dt.date) -> None:
    casework.act(session, OFFICER, case_id, "grant", {
        "documents_compliant": True, "agreement_no": number, "amount": amount,
        "obligations_due_on": due.isoformat(), "counter_obligations": OBLIGATION},
        at=_at(day))


def load(session: Session) -> str | None:
    if session.scalar(select(Case.id).where(Case.case_type.in_(TYPES)).limit(1)) is not None:
        return None
    today = local_date(now_utc())
    ago = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    companies = {c.key: c for c in COMPANIES}
    steppe, altyn, qorgan = (companies[k] for k in ("steppe-motors", "altyn-machinery",
                                                    "qorgan"))
    soft = session.scalars(select(RegisterEntry).where(RegisterEntry.route == "software")
                           ).first()

    # incentives: waiting for the officer; granted and performing; to be refused
    _apply(session, steppe.bin, steppe.name, ago(3), goods="8704 21",
           project="Cab welding line modernisation", amount_requested="850000000")
    performing = _apply(session, steppe.bin, steppe.name, ago(100), goods="8707 90",
                        measure="financing", facts={}, choices={"project_kind": "expansion"},
                        project="Truck cab plant expansion")
    _grant(session, performing.id, ago(95), "DV-2026/014", "1200000000", ago(-270))
    casework.act(session, OFFICER, performing.id, "record_monitoring",
                 {"period": "first half-year", "fulfilment_percent": "45",
                  "notes": "NDI-ID monitoring visit"}, at=_at(ago(20)))
    _apply(session, altyn.bin, altyn.name, ago(5), goods="8429 51",
           project="Loader frames", amount_requested="300000000")

    # Art 28(4): a competitiveness agreement failed through its own fault bars a new one
    if soft is not None:
        first = _apply(session, soft.bin, soft.name, ago(75), goods="SW-ERP",
                       measure="domestic_market", facts={}, choices={},
                       competitiveness_agreement=True)
        _grant(session, first.id, ago(70), "KS-2026/003", "90000000", ago(15))
        casework.act(session, OFFICER, first.id, "not_fulfilled",
                     {"fulfilment_percent": "20", "beyond_control": False,
                      "justification": "the export contracts were not signed"},
                     at=_at(ago(10)))
        _apply(session, soft.bin, soft.name, ago(2), goods="SW-ERP",
               measure="domestic_market", facts={}, choices={},
               competitiveness_agreement=True)

    # plans: this cycle under review; last cycle closed with its contracts
    buyer = Actor("demo-qorgan", Role.CONTRACTOR, bin=qorgan.bin)
    this_year = today.year + (1 if today >= dt.date(today.year, 7, 1) else 0)
    contracts_service.open_plan(
        session, buyer, customer_name=qorgan.name, customer_type="quasi_public",
        first_procurement_year=this_year, at=_at(min(ago(6), dt.date(this_year - 1, 12, 8))),
        goods=[{"code": "8704 21", "title": "Trucks up to 5 t", "quantity": "40"},
               {"code": "8517 62", "title": "Radio stations", "foreign_under_warranty": True}])
    last = this_year - 1
    plan = contracts_service.open_plan(
        session, buyer, customer_name=qorgan.name, customer_type="quasi_public",
        first_procurement_year=last, at=_at(dt.date(last - 1, 12, 5)),
        goods=[{"code": "8707 90", "title": "Truck cabs", "quantity": "120"}])
    casework.act(session, OFFICER, plan.id, "agree", at=_at(dt.date(last - 1, 12, 22)))
    plan = casework.act(session, OFFICER, plan.id, "publish", {"note": "posted"},
                        at=_at(dt.date(last, 1, 28)))
    apps_due = dt.date.fromisoformat(plan.data["applications_due"])
    casework.act(session, OFFICER, plan.id, "applications_closed",
                 at=_at(apps_due + dt.timedelta(days=1)))
    concluded = apps_due + dt.timedelta(days=20)
    contract = contracts_service.register_contract(
        session, OFFICER, number=f"OT-{last}-001", new_production=True,
        customer_bin=qorgan.bin, customer_name=qorgan.name, supplier_bin=steppe.bin,
        supplier_name=steppe.name, goods=[{"title": "Truck cabs", "specification":
                                           "steel cab, cataphoresis primer, GOST 33991"}],
        concluded_on=concluded, ends_on=dt.date(last + 4, 12, 31), amount="6000000000",
        domestic_value_min="45", programme_obligation=True, plan_case_id=plan.id,
        volumes=[{"year": last + n, "contracted": q} for n, q in enumerate(("100", "200",
                                                                           "200"))],
        at=_at(concluded))
    casework.act(session, buyer, plan.id, "conclude", {"contracts": [contract.number]},
                 at=_at(concluded))
    # an older off-take contract whose first year ended with less than 100% accepted
    year0 = today.year - 1
    older = contracts_service.register_contract(
        session, OFFICER, number=f"OT-{year0}-007", new_production=True,
        customer_bin=qorgan.bin, customer_name=qorgan.name, supplier_bin=steppe.bin,
        supplier_name=steppe.name, goods=[{"title": "Trucks up to 5 t", "specification":
                                           "4x2, diesel Euro 5, payload 4.5 t"}],
        concluded_on=dt.date(year0, 1, 15), ends_on=dt.date(year0 + 2, 12, 31),
        amount="3000000000", domestic_value_min="30", programme_obligation=True,
        volumes=[{"year": year0 + n, "contracted": q} for n, q in enumerate(("100", "200",
                                                                            "200"))],
        at=_at(dt.date(year0, 1, 15)))
    if dt.date(year0 + 1, 1, 20) <= today:
        contracts_service.record_year(session, buyer, older.id, year=year0, accepted="90",
                                      at=_at(dt.date(year0 + 1, 1, 20)))
    contracts_service.register_contract(
        session, OFFICER, number=f"GP-{last}-002", new_production=False,
        customer_bin=qorgan.bin, customer_name=qorgan.name, supplier_bin=altyn.bin,
        supplier_name=altyn.name, goods=[{"title": "Front-end loaders",
                                          "specification": "3 t, 110 kW"}],
        concluded_on=concluded, ends_on=dt.date(last + 5, concluded.month, concluded.day),
        amount="2400000000", volumes=[{"year": last + n, "contracted": "12"}
                                      for n in range(5)], at=_at(concluded))

    # systemic enterprises and a development programme
    for company, output in ((steppe, "34000"), (altyn, "29000")):
        contracts_service.assess_systemic(session, OFFICER, bin=company.bin,
                                          name=company.name, region="Almaty", year=last,
                                          enterprise_output=output,
                                          territory_output="1000000", at=_at(ago(30)))
    dvdp = contracts_service.open_dvdp(
        session, buyer, customer_name=qorgan.name, customer_type="quasi_public",
        start_year=last, areas=["domestic_value_share", "industrial_contracts",
                                "sme_development"],
        targets={"domestic_value_share": "from 38% to 50%"}, at=_at(dt.date(last - 1, 11, 1)))
    casework.act(session, OFFICER, dvdp.id, "agree", {}, at=_at(dt.date(last - 1, 11, 20)))
    casework.act(session, buyer, dvdp.id, "approve", {"note": "board decision No 12"},
                 at=_at(dt.date(last - 1, 11, 25)))
    if dt.date(last, 7, 10) <= today:
        casework.act(session, buyer, dvdp.id, "report", {
            "year": last, "indicators": {"domestic value share": "41% in the first half"}},
            at=_at(dt.date(last, 7, 10)))
    _grant_and_raw_materials(session, steppe, altyn, ago)
    return ("producers incentives and contracts: 7 applications, 2 plans, 3 contracts, "
            "2 systemic assessments, 1 programme, 1 raw material agreement, 1 export licence")


def _grant_and_raw_materials(session: Session, steppe, altyn, ago) -> None:
    """An industrial grant application waiting for the officer (Art 42), and a copper
    supply agreement with a fulfilled quarter and the export licence it allows (Art 60)."""
    from kzreg.producers import raw_service

    _apply(session, altyn.bin, altyn.name, ago(3), goods="8432 21", measure=
           "industrial_grant", facts={}, choices={}, grant_project={
               "operating": True, "project_cost": "900000000", "grant_requested": "450000000",
               "own_contribution": "450000000",
               "planned_goals": ["a harrow line of 600 units a year"]})
    copper = raw_service.conclude(
        session, OFFICER, number="RM-DEMO-1", raw_material="Copper cathodes",
        producer_bin="010140000017", producer_name="Kazakh Copper JSC (demo)",
        manufacturer_bin=altyn.bin, manufacturer_name=altyn.name, price="4100000",
        export_prices=["4150000", "4300000"], producer_production_start=dt.date(2012, 3, 1),
        at=_at(ago(120)))
    raw_service.record_period(session, OFFICER, copper.id, ends_on=ago(30), fulfilled=True,
                              note="deliveries as scheduled", at=_at(ago(25)))
    raw_service.decide_licence(session, OFFICER, producer_bin="010140000017",
                               producer_name="Kazakh Copper JSC (demo)",
                               raw_material="Copper cathodes", listed_manufacturers=1,
                               at=_at(ago(20)))
