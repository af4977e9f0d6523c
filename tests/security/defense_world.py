"""The defense room's things for the security world (Law 236-VI): top secret (level 2, Art
25 sub 3), of Qorgan, the demo contractor's company, made through the room's own services so
that the matrix asks about real records: the clearance-1 officer must get 404 on each, a
contractor of another BIN 404, the demo contractor (cleared to 2 by world.py) its own.
"""

from __future__ import annotations

import datetime as dt

TOP_SECRET = 2


def defense_subjects(s) -> dict[str, object]:
    """Top-secret (level 2) things of Qorgan, the demo contractor's company, made through
    the defense room's own services: an approved order with Qorgan's line (its selection,
    requirement, an approved amendment and the contract opened from the line) and a line of
    research (its report and prototype), a contract
    carried to fulfilment with every execution record, a reserve holding with a use and the
    contract's PDF; and Irbis's register entry, of level 2 in the demo."""
    from sqlalchemy import select

    from kzreg.defense import contracts_service as contracts
    from kzreg.defense import contracts_web, order_demo
    from kzreg.defense import execution_service as ex
    from kzreg.defense import monitoring_service as monitoring
    from kzreg.defense import order_service as orders
    from kzreg.defense import prototype_service as prototypes
    from kzreg.defense import requirement_service as tts
    from kzreg.defense import research_service as research
    from kzreg.defense import reserve_service as reserve
    from kzreg.defense import version_service as versions
    from kzreg.defense.contracts_demo import DRAFT, MOD, QORGAN
    from kzreg.defense.models import DefenseApplication, DefenseSelection
    from kzreg.law.calendar import ALMATY, local_date, now_utc
    from kzreg.platform.users import get_user

    officer = get_user(s, "defense").actor()
    qorgan = get_user(s, "contractor").actor()
    level, d = TOP_SECRET, dt.date
    today = local_date(now_utc())

    row = orders.create_order(s, officer, orders.OrderIn(
        title="Top-secret order (security world)", planning_period="2025-2027",
        allocated_funds="9000000000", recipients=[MOD, order_demo.MOD], secrecy_level=level))
    line = orders.add_line(s, officer, row.id, orders.LineIn(
        nomenclature="Classified radar set", category="1", quantity=2, recipient=MOD,
        unit_price="1000000000", deadline=d(2027, 6, 1), section="Air defense",
        stage="2027", secrecy_level=level))
    requirement = tts.create_requirement(s, officer, tts.RequirementIn(
        item="Classified radar set", recipient=MOD, line_id=line.id,
        characteristics={"range_km": "400"}, place_of_delivery="Astana",
        national_standards=["ST RK demo"], secrecy_level=level))
    tts.requirement_step(s, officer, requirement.id, 1, "approve", d(2025, 1, 20))
    tts.requirement_step(s, officer, requirement.id, 1, "send", d(2025, 1, 25))
    order_demo._compete(s, line.id, d(2025, 2, 14), ["qorgan", "tulpar"], "qorgan")
    research_app = s.scalar(select(DefenseApplication.id).where(
        DefenseApplication.category == "6", DefenseApplication.dstc_selected.is_(True)))
    orders.add_line(s, officer, row.id, orders.LineIn(   # research the DSTC selected
        application_id=research_app, unit_price="1000", deadline=d(2027, 6, 1),
        section="Research", stage="2027", contractor_bin=QORGAN.bin))
    orders.approve_order(s, officer, row.id, orders.ApprovalIn(
        act_number="Government decree No 9-SEC", act_date=d(2025, 3, 3)))
    versions.propose_amendment(s, officer, row.id, versions.AmendmentIn(
        reason="one more set", changes=[versions.ChangeIn(ref=f"L{line.id}", quantity=3)]))
    versions.approve_amendment(s, officer, row.id, 2, versions.ActIn(
        act_number="Government decree No 10-SEC", act_date=d(2025, 6, 16)))
    versions.open_contract(s, officer, row.id, f"L{line.id}", versions.ContractIn())
    report = research.submit_report(s, officer, research.ReportIn(
        application_id=research_app, title="Report", submitted_on=d(2025, 5, 1),
        secrecy_level=level))
    prototype = prototypes.record_prototype(s, officer, prototypes.PrototypeIn(
        application_id=research_app, name="Prototype", made_on=d(2025, 5, 1),
        secrecy_level=level))

    def at(days_ago: int) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10), ALMATY)

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    item = {"order_ref": "GOV-SEC-01", "act_adopted_on": day(-300),
            "subject": "Classified optics", "category": "1", "recipient": MOD,
            "contractor_bin": QORGAN.bin, "contractor_name": QORGAN.name,
            "secrecy_level": level, "warranty_until": day(900),
            "lines": [{"item": "Optic", "quantity": "10", "unit_price": "100000",
                       "deadline": day(-120)}],
            "draft": {**DRAFT, "subject_matter": "Classified optics",
                      "delivery_dates": [day(-120)]}}
    cid = contracts.create_contract(s, officer, item, at=at(300)).id
    contracts.send(s, officer, cid, at=at(295))
    contracts.receive(s, qorgan, cid, at=at(294))
    contracts.sign(s, qorgan, cid, at=at(280))
    monitoring.develop_control_list(s, officer, cid, {"items": [{"item": "Optic"}]}, at=at(260))
    monitoring.approve_control_list(s, officer, cid, at=at(259))
    ask = monitoring.request_information(s, officer, cid, {
        "requester": "sdp_body", "subject": "Production schedule"}, at=at(250))
    monitoring.add_representative(s, officer, cid, {"person": "Maj. Test", "sent_by": "sdp_body",
                                            "mandate": "monitoring"}, at=at(240))
    ex.present_lot(s, officer, cid, {"number": "S-1", "lot": {
        "production_complete": True, "set_complete": True}}, at=at(130))
    ex.certify_lot(s, officer, cid, "S-1", "QC-SEC-1", at=at(129))
    ex.accept(s, officer, cid, "S-1", at=at(128))
    contracts.pay(s, officer, cid, at=at(110))
    reclamation = ex.report_defect(s, officer, cid, {
        "description": "lens cracked", "found_on": day(-40)}, at=at(40))
    penalty = contracts.assess_penalty(s, officer, cid, {
        "amount": "1000", "reason": "late delivery documents"}, at=at(30))
    document = contracts_web.make_document(s, officer, cid, "ru")
    holding = reserve.add_holding(s, officer, {
        "holder_bin": QORGAN.bin, "holder_name": "Qorgan secret depot",
        "holder_kind": "storage_facility", "sdo_contractor": True,
        "nomenclature": "Classified fuel", "unit": "t", "available": "1000",
        "secrecy_level": level}, at=at(100))
    use = reserve.use_reserve(s, officer, holding.id, {"quantity": "200", "used_on": day(-60)},
                         at=at(60))
    selection = s.scalar(select(DefenseSelection.id).where(DefenseSelection.line_id == line.id))
    application = s.scalar(select(DefenseApplication.id).where(
        DefenseApplication.secrecy_level == level).order_by(DefenseApplication.id))
    return {"defense_selection": selection, "defense_application": application,
            "defense_order": row.id, "defense_line": line.id, "defense_line_ref": f"L{line.id}",
            "defense_requirement": requirement.id, "defense_contract": cid,
            "defense_request": ask.id, "defense_penalty": penalty.id,
            "defense_reclamation": reclamation.id, "defense_document": document.id,
            "defense_holding": holding.id, "defense_use": use.id,
            "defense_report": report.id, "defense_prototype": prototype.id,
            "defense_bin": order_demo.bin_of("irbis")}  # a top-secret entry, not Qorgan's
