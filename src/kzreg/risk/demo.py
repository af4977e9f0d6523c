"""Demo data for the risk room: a few thousand subjects of every type with control
histories (deterministic, idempotent). The severities it loads are labelled DEMO: the
official table is not in the text, so a real deployment loads its own."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kzreg.law.calendar import now_utc
from kzreg.platform.demo import make_bin
from kzreg.risk.checklists import Severity, requirements
from kzreg.risk.models import RiskControl, RiskExemption, RiskSeverity, RiskSubject
from kzreg.risk.subjects import ControlKind, SubjectType

COUNT = 3000
DEMO_SOURCE = "DEMO ONLY: invented for the demonstration, not the official severities"
REGIONS = ("Astana", "Almaty", "Shymkent", "Karaganda", "Aktobe", "Atyrau", "Pavlodar",
           "Kostanay", "Turkistan", "East Kazakhstan")
WEIGHTS = {  # how common each type is in the demo register
    SubjectType.REGULATED_PRODUCT_SELLER: 70, SubjectType.ORIGIN_CERTIFICATE_BODY: 6,
    SubjectType.STATE_SYMBOLS_MANUFACTURER: 3, SubjectType.ORIGIN_EXPERT_ORGANIZATION: 8,
    SubjectType.CONFORMITY_ASSESSMENT_BODY: 8, SubjectType.TRAINING_CENTER: 4,
    SubjectType.TEST_LABORATORY: 1}


def load(session: Session) -> str | None:
    if session.scalar(select(RiskSubject.id).limit(1)) is not None:
        return None
    rng = random.Random(1199826)
    at = now_utc()
    types, weights = zip(*WEIGHTS.items(), strict=True)
    subjects = []
    for k in range(COUNT):
        kind = rng.choices(types, weights)[0]
        year = rng.randint(5, 24)
        subjects.append({
            "code": f"KZ-{k + 1:05d}", "name": f"{kind.value.replace('_', ' ').title()} "
            f"No {k + 1}", "type": kind.value, "region": rng.choice(REGIONS),
            "bin": make_bin(f"{year:02d}{rng.randint(1, 12):02d}", f"{rng.randint(0, 90000):05d}"),
            "insured": rng.random() < 0.12, "legally_exempt": rng.random() < 0.03,
            "sro_recognized": rng.random() < 0.05,
            "created_at": at})
    session.execute(insert(RiskSubject), subjects)
    ids = dict(session.execute(select(RiskSubject.code, RiskSubject.id)).all())
    controls, exemptions = [], []
    for s in subjects:
        own = [_control(rng, ids[s["code"]], at) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
        controls += own
        latest = max(own, key=lambda c: c["held_on"], default=None)
        fair = latest is None or not (latest["gross"] or latest["considerable_found"]
                                      or latest["insignificant_found"])
        if fair and rng.random() < 0.08:   # Cr §14: only subjects without violations
            starts = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
            exemptions.append({
                "subject_id": ids[s["code"]], "starts_on": starts,
                "ends_on": starts + dt.timedelta(days=rng.choice((364, 729, 1094))),
                "reason": "DEMO: no violations found at the latest control",
                "indicator": "0", "degree": "low", "decided_by": "demo", "decided_at": at})
    if controls:
        session.execute(insert(RiskControl), controls)
    if exemptions:
        session.execute(insert(RiskExemption), exemptions)
    if session.scalar(select(RiskSeverity.requirement_id).limit(1)) is None:
        cycle = (Severity.CONSIDERABLE, Severity.INSIGNIFICANT, Severity.INSIGNIFICANT,
                 Severity.CONSIDERABLE, Severity.GROSS)
        session.execute(insert(RiskSeverity), [
            {"requirement_id": rid, "severity": cycle[n % len(cycle)].value,
             "source": DEMO_SOURCE, "loaded_by": "demo", "loaded_at": at}
            for n, rid in enumerate(requirements())])
    return (f"risk: {COUNT} subjects, {len(controls)} controls, {len(exemptions)} Cr §14 "
            f"exemptions, demo severities for "
            f"{len(requirements())} requirements (labelled DEMO)")


def _control(rng: random.Random, subject_id: int, at: dt.datetime) -> dict:
    kind = rng.choice((ControlKind.COMPLIANCE_CHECK, ControlKind.PREVENTIVE_WITH_VISIT,
                       ControlKind.PREVENTIVE_WITHOUT_VISIT, ControlKind.UNSCHEDULED))
    ct, it = rng.randint(2, 30), rng.randint(2, 30)
    clean = rng.random() < 0.4
    return {"subject_id": subject_id, "kind": kind.value,
            "held_on": dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 1400)),
            "gross": 1 if rng.random() < 0.04 else 0,
            "considerable_found": 0 if clean else rng.randint(0, ct), "considerable_total": ct,
            "insignificant_found": 0 if clean else rng.randint(0, it),
            "insignificant_total": it, "checklist": None, "violated": [],
            "not_applicable": [], "items": [], "eliminated": rng.random() < 0.3,
            "explanation": None, "recorded_by": "demo", "recorded_at": at}
