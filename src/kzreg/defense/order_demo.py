"""Demo data of the order (synthetic, unclassified in reality; levels are only labels):
a register of 20 entities, the Ministry's first head's list (Art 19 p.2), a research area
with its expert council, recipients' applications at several secrecy levels, an approved
order with its selections (the envelope-opening records included), amended once by a later
act (version 2), two tasks communicated to contractors, a requirement revised after its
selection froze version 1, a draft with findings, and a top-secret draft a clearance-1 user
never sees.

No real company, act or jurisdiction is named. The offshore list approved by the central
authorized body for budget execution is not in the corpus; when `data/offshore_zones.yaml`
holds no version, the demo loads one clearly marked SYNTHETIC list of ISO 3166 user-assigned
codes (XA, XB: no state has them) so that selections can run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import list_service as lists
from kzreg.defense import order_service as service
from kzreg.defense import register_service as book
from kzreg.defense import registers
from kzreg.defense import requirement_service as tts
from kzreg.defense import research_service as research
from kzreg.defense import task_service as tasks
from kzreg.defense import version_service as versions
from kzreg.defense.models import DefenseOrder
from kzreg.defense.rules import EntityInput, OffshoreListInput, OpeningInput, OwnerInput
from kzreg.defense.selection_service import SelectionIn, run_selection
from kzreg.platform.actors import Actor, Role
from kzreg.platform.demo import COMPANIES, make_bin

DEMO = Actor("demo", Role.ADMIN, clearance=3)
MARK = "(demo)"
MOD, GUARD = "Ministry of Defense", "National Guard"
QORGAN = next(c for c in COMPANIES if c.key == "qorgan")
D = dt.date

# key: (name, BIN, kinds, categories, protection level or None, entry level, extras)
ENTITIES = {
    "qorgan": (QORGAN.name, QORGAN.bin, "producer", "1 1-1 2 3", 2, 0, {}),
    "tulpar": ("Tulpar Armour LLP", make_bin("1104", "10021"), "producer", "1 1-1", 1, 0, {}),
    "temir": ("Temir Vehicles LLP", make_bin("1202", "10033"), "producer", "1 1-1 2", None, 0,
              {}),
    "irbis": ("Irbis Radio Systems JSC", make_bin("0911", "10045"), "producer", "1 3 12", 2, 2,
              {}),
    "berkut": ("Berkut Avionics JSC", make_bin("1006", "10057"), "producer", "1-1 3", 1, 1, {}),
    "dala": ("Dala Repair Works LLP", make_bin("1303", "10069"), "supplier", "2", 1, 0, {}),
    "ontustik": ("Ontustik Uniforms LLP", make_bin("1408", "10071"), "producer", "5", None, 0,
                 {}),
    "zhetysu": ("Zhetysu Textiles LLP", make_bin("1501", "10083"), "producer", "5", None, 0,
                {}),
    "aral": ("Aral Containers LLP", make_bin("1605", "10095"), "producer", "8", None, 0, {}),
    "sunkar": ("Sunkar Space Systems JSC", make_bin("1209", "10107"), "producer", "10 11", 2, 1,
               {}),
    "orda": ("Orda Control Systems JSC", make_bin("1710", "10119"), "producer", "12", 1, 0, {}),
    "kyran": ("Kyran Drones LLP", make_bin("1811", "10121"), "producer", "1 6", 1, 0, {}),
    "saryarka": ("Saryarka Optics LLP", make_bin("1902", "10133"), "producer", "1-1 3", None, 0,
                 {}),
    "batys": ("Batys Construction LLP", make_bin("1004", "10145"), "supplier", "7", None, 0, {}),
    "altai": ("Altai Disposal Works LLP", make_bin("1106", "10157"), "supplier", "4", 1, 0, {}),
    "kokshe": ("Kokshe Electronics LLP", make_bin("2001", "10169"), "producer", "3 12", 1, 0,
               {}),
    "shygys": ("Shygys Metal LLP", make_bin("2103", "10171"), "producer", "1-1 8", None, 0, {}),
    "caspian": ("Caspian Marine Works LLP", make_bin("1307", "10183"), "supplier", "2", None, 0,
                {"owners": [OwnerInput(name="Demo Holding Ltd", legal_entity=True,
                                       jurisdiction="XA")]}),
    "kazyna": ("Kazyna Software LLP", make_bin("2205", "10195"), "supplier", "12", 1, 0, {}),
    "nura": ("Nura Field Supply LLP", make_bin("1612", "10207"), "producer", "5 8", None, 0, {}),
}
AO = EntityInput(bin=make_bin("0303", "10219"), name="Demo Authorized Organization JSC",
                 protects_classified=True, protection_level=2)
COMMISSION = ["A. Seitkali (chair)", "B. Nurova", "D. Akhmetov"]


def bin_of(key: str) -> str:
    return ENTITIES[key][1]


def _register(session: Session) -> None:
    for key, (name, bin_, kinds, cats, protects, level, extra) in ENTITIES.items():
        producer = "producer" in kinds
        entity = EntityInput(bin=bin_, name=name, production_facilities_in_kz=producer,
                             protects_classified=protects is not None,
                             protection_level=protects or 0, **extra)
        book.include(session, DEMO, book.InclusionIn(
            entity=entity, kinds=[kinds], categories=cats.split(), included_on=D(2024, 2, 1),
            decision=f"SDP body decision No {len(key)}-{bin_[-3:]} {MARK}", secrecy_level=level))
    book.remove(session, DEMO, bin_of("nura"), book.RemovalIn(
        on=D(2025, 1, 15), reason=f"licence in the field of WME turnover withdrawn {MARK}"))


def _offshore(session: Session) -> None:
    if registers.offshore_versions(session):
        return      # an approved list is there (data file or loaded): use it
    book.load_offshore(session, DEMO, OffshoreListInput(
        id="demo-synthetic", effective_from=D(2019, 1, 1), jurisdictions=["XA", "XB"],
        approved_by="SYNTHETIC DEMO DATA: not the list approved by the central authorized "
                    "body for budget execution"))


def _applications(session: Session) -> dict[str, int]:
    def submit(key: str, **kw) -> None:
        base = {"planning_period": "2025-2027", "submitted_on": D(2024, 9, 2),
                "justification": f"re-equipment programme, staff ceiling and standards {MARK}",
                "place_of_delivery": "Military unit 0000, Astana"}
        body = service.ApplicationIn(**{**base, **kw})
        ids[key] = service.submit_application(session, DEMO, body).id

    ids: dict[str, int] = {}
    # the first head's list decides categories 1-1, 2, 3, 7, 12 (Art 19 p.2 parts 2-3)
    lists.record_list(session, DEMO, lists.ItemListIn(
        state_body=MOD, approved_by=f"the Minister of Defense {MARK}",
        approval_act=f"Order of the Minister No 12 {MARK}", approved_on=D(2024, 8, 1),
        agreement_ref=f"letter of agreement No 3 {MARK}", agreed_on=D(2024, 8, 20),
        items=[lists.ListItemIn(category="2", nomenclature="Overhaul of transport helicopters"),
               lists.ListItemIn(category="3",
                                nomenclature="Long-range air surveillance radar")]))
    service.approve_area(session, DEMO, service.AreaIn(
        code="uas", title="Unmanned aerial systems", approved_on=D(2024, 3, 1),
        dstc_decision=f"DSTC minutes No 1 {MARK}"))
    research.set_up_council(session, DEMO, research.CouncilIn(
        area_code="uas", name=f"Expert council on unmanned aerial systems {MARK}",
        composition_act=f"Order of the authorised body No 7 {MARK}",
        composition_approved_on=D(2024, 3, 15), members=[
            research.MemberIn(name="Prof. A. Karimov", affiliation="scientist"),
            research.MemberIn(name="Col. B. Serikov", affiliation="central_executive_body"),
            research.MemberIn(name="Dr. G. Alieva", affiliation="scientific_organization"),
            research.MemberIn(name="E. Dosov", affiliation="mic_entity")]))
    submit("apc", recipient=MOD, category="1", nomenclature="Armoured personnel carrier",
           quantity=40)
    submit("heli", recipient=MOD, category="2", nomenclature="Overhaul of transport "
           "helicopters", quantity=6, secrecy_level=1)
    submit("trucks", recipient=MOD, category="2", nomenclature="Repair of staff cars",
           quantity=30)   # not on the first head's list: public procurement (Art 19 p.2)
    submit("uniform", recipient=GUARD, category="5", nomenclature="Field uniform set",
           quantity=12000, unit="set")
    submit("cbr", recipient=MOD, category="1", nomenclature="Counter-battery radar",
           quantity=4, secrecy_level=2)
    submit("uas", recipient=MOD, category="6", nomenclature="Research: swarm control of "
           "reconnaissance drones", quantity=1, unit="work", research_area="uas",
           secrecy_level=1, place_of_delivery="")
    submit("radar", recipient=MOD, category="3", nomenclature="Long-range air surveillance "
           "radar", quantity=2, secrecy_level=2)
    service.decide_research(session, DEMO, ids["uas"], service.ResearchDecisionIn(
        expert_opinion=f"Expert council on unmanned aerial systems: supported {MARK}",
        dstc_selected=True, dstc_decision=f"DSTC minutes No 4 {MARK}", on=D(2024, 10, 1)))
    return ids


def _compete(session: Session, line: int, on: dt.date, keys: list[str], winner: str) -> None:
    bins = [bin_of(k) for k in keys]
    run_selection(session, DEMO, line, SelectionIn(
        held_on=on, participants=bins, winner=bin_of(winner), opening=OpeningInput(
            held_on=on, members=COMMISSION, signed_by=COMMISSION, envelopes=bins,
            present=bins[:1], audio_ref=f"AV archive {on:%Y%m%d}-a {MARK}",
            video_ref=f"AV archive {on:%Y%m%d}-v {MARK}")))


def _approved_order(session: Session, apps: dict[str, int]) -> None:
    row = service.create_order(session, DEMO, service.OrderIn(
        title=f"State defense order 2025-2027 {MARK}", planning_period="2025-2027",
        allocated_funds="15000000000", recipients=[MOD, GUARD]))

    def line(app: str, price: str, deadline: dt.date, section: str, stage: str) -> int:
        return service.add_line(session, DEMO, row.id, service.LineIn(
            application_id=apps[app], unit_price=price, deadline=deadline, section=section,
            stage=stage)).id

    apc = line("apc", "250000000", D(2025, 11, 30), "Armament", "2025")
    heli = line("heli", "180000000", D(2025, 10, 1), "Repair", "2025")
    cbr = line("cbr", "600000000", D(2026, 6, 30), "Armament", "2026")
    uniform = line("uniform", "85000", D(2025, 9, 1), "Clothing", "2025")
    req = tts.create_requirement(session, DEMO, tts.RequirementIn(
        item="Armoured personnel carrier", recipient=MOD, line_id=apc,
        characteristics={"crew": "3", "troops": "8", "range_km": "600"},
        place_of_delivery="Military unit 0000, Astana", national_standards=["ST RK demo"]))
    tts.requirement_step(session, DEMO, req.id, 1, "approve", D(2025, 1, 20))
    tts.requirement_step(session, DEMO, req.id, 1, "send", D(2025, 1, 25))
    on = D(2025, 2, 14)
    _compete(session, apc, on, ["qorgan", "tulpar", "temir"], "qorgan")
    _compete(session, heli, on, ["dala"], "dala")
    _compete(session, cbr, on, ["qorgan", "irbis"], "qorgan")
    _compete(session, uniform, on, ["ontustik", "zhetysu"], "ontustik")
    service.approve_order(session, DEMO, row.id, service.ApprovalIn(
        act_number=f"Government decree No 0-DEMO {MARK}", act_date=D(2025, 3, 3)))
    # the selection froze version 1; the recipient's later change is version 2 (Art 22 p.7)
    tts.revise_requirement(session, DEMO, req.id, 1, {"range_km": "650"})
    versions.propose_amendment(session, DEMO, row.id, versions.AmendmentIn(
        reason=f"Government act amending the order: 2000 more uniform sets {MARK}",
        changes=[versions.ChangeIn(ref=f"L{uniform}", quantity=14000)]))
    versions.approve_amendment(session, DEMO, row.id, 2, versions.ActIn(
        act_number=f"Government decree No 1-DEMO {MARK}", act_date=D(2025, 6, 16)))
    # the tasks communicated to the contractors (Art 6-1 sub 13): the carriers as approved,
    # the uniforms as version 2 set them
    for ref, on in ((f"L{apc}", D(2025, 3, 10)), (f"L{uniform}", D(2025, 6, 20))):
        tasks.communicate_task(session, DEMO, row.id, ref, tasks.TaskIn(
            communicated_on=on, document_ref=f"SDP body letter {ref} {MARK}"))


def _draft_order(session: Session, apps: dict[str, int]) -> None:
    row = service.create_order(session, DEMO, service.OrderIn(
        title=f"Draft state defense order 2026-2028 {MARK}", planning_period="2026-2028",
        allocated_funds="9000000000", recipients=[MOD]))
    radar = service.add_line(session, DEMO, row.id, service.LineIn(
        application_id=apps["radar"], unit_price="1200000000", deadline=D(2027, 12, 1),
        section="Air defense", stage="2027")).id
    arv = service.add_line(session, DEMO, row.id, service.LineIn(   # no deadline: a finding
        nomenclature="Armoured recovery vehicle", category="1", quantity=6, recipient=MOD,
        unit_price="310000000", section="Armament", stage="2026")).id
    crates = service.add_line(session, DEMO, row.id, service.LineIn(
        nomenclature="Ammunition transport containers", category="8", quantity=900,
        recipient=MOD, unit_price="120000", deadline=D(2026, 8, 1), section="Logistics",
        stage="2026")).id
    service.add_line(session, DEMO, row.id, service.LineIn(
        application_id=apps["uas"], unit_price="450000000", deadline=D(2028, 11, 1),
        section="Research", stage="2026-2028"))
    on = D(2025, 9, 15)
    _compete(session, radar, on, ["irbis", "kokshe"], "irbis")
    run_selection(session, DEMO, arv, SelectionIn(   # no register bid: p.5
        held_on=on, authorized_organization=AO))
    run_selection(session, DEMO, crates, SelectionIn(   # p.6: excluded
        held_on=on, authorized_organization=AO, ao_can_supply=False))


def _secret_order(session: Session) -> None:
    row = service.create_order(session, DEMO, service.OrderIn(
        title=f"Strategic air defense programme 2026-2028 {MARK}", planning_period="2026-2028",
        recipients=[MOD], secrecy_level=2))
    service.add_line(session, DEMO, row.id, service.LineIn(
        nomenclature="Medium-range air defense battalion set", category="1", quantity=2,
        recipient=MOD, unit_price="9000000000", deadline=D(2028, 6, 1), section="Air defense",
        stage="2028", secrecy_level=2))


def load(session: Session) -> str | None:
    if session.scalars(select(DefenseOrder.id).where(
            DefenseOrder.title == f"State defense order 2025-2027 {MARK}")).first():
        return None
    _register(session)
    _offshore(session)
    apps = _applications(session)
    _approved_order(session, apps)
    _draft_order(session, apps)
    _secret_order(session)
    return (f"defense order: 3 orders (1 approved), {len(apps)} applications, "
            f"{len(ENTITIES)} register entries")
