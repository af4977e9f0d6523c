"""risk_0002 on SQLite and PostgreSQL: a database with subjects' single exemption dates and
rapid-response cases keeps them, as exemption rows and order links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, column, create_engine, insert, table, text

from kzreg.platform.db import UtcDateTime, reset_engines, upgrade


def test_exempt_until_and_orders_carried_over(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("KZREG_DATABASE_URL", db_url)
    upgrade(db_url, "risk_0001")
    engine = create_engine(db_url)
    at = "2025-01-10 08:00:00.000000"
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO risk_subjects (code, name, type, insured, legally_exempt, "
            "sro_recognized, exempt_until, created_at) VALUES ('A-1', 'A', "
            "'training_center', false, false, false, '2026-06-30', :at), ('B-1', 'B', "
            "'training_center', false, false, false, NULL, :at)"), {"at": at})
        conn.execute(text(
            "INSERT INTO risk_controls (subject_id, kind, held_on, gross, considerable_found, "
            "considerable_total, insignificant_found, insignificant_total, violated, "
            "not_applicable, items, eliminated, recorded_by, recorded_at) SELECT id, "
            "'unscheduled', '2025-02-01', 0, 0, 0, 0, 0, '[]', '[]', '[24]', false, 'i', :at "
            "FROM risk_subjects WHERE code = 'B-1'"), {"at": at})
        control_id = conn.execute(text("SELECT id FROM risk_controls")).scalar_one()
        cases = table("cases", *(column(n) for n in (
            "case_type", "state", "title", "clearance", "version")),
            *(column(n, JSON()) for n in ("party_bins", "office_codes", "data")),
            column("opened_at", UtcDateTime()), column("updated_at", UtcDateTime()))
        when = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
        conn.execute(insert(cases).values(
            case_type="risk.withdrawal", state="ordered", title="W", party_bins=[],
            office_codes=[], clearance=0, version=1, opened_at=when, updated_at=when,
            data={"subject": "B-1", "control_id": control_id}))
    engine.dispose()
    reset_engines()
    upgrade(db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        [row] = conn.execute(text("SELECT s.code, e.starts_on, e.ends_on FROM risk_exemptions e "
                                  "JOIN risk_subjects s ON s.id = e.subject_id")).all()
        assert row[0] == "A-1"
        assert str(row[1])[:10] == "2025-01-10" and str(row[2])[:10] == "2026-06-30"
        [order] = conn.execute(text("SELECT o.measure, s.code FROM risk_orders o JOIN "
                                    "risk_subjects s ON s.id = o.subject_id")).all()
        assert tuple(order) == ("withdrawal", "B-1")
    engine.dispose()
