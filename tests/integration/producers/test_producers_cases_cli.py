"""`kzreg producers incentives|plans|contracts …` on the stored cases (Law 86-VII Arts 25-28,
46-49): the same services and checks as the web, acting as a named user; the batch import of
procurement plans is all-or-nothing and names the line, the field and the clause."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Conflict, InputError, LegalRuleError, NotFound
from kzreg.platform.cases import Case
from kzreg.platform.db import unit_of_work
from kzreg.producers.cli import app

PW = "correct horse battery"
BUYER, SUPPLIER, OTHER = "090740003154", "150340012340", "180840045211"
CSV = """customer_bin,customer_name,customer_type,first_procurement_year,code,title,quantity,\
procured_on_domestic_market,foreign_under_warranty
090740003154,Qorgan JSC,quasi_public,2027,8431 43,Drill bits,120,no,no
090740003154,Qorgan JSC,quasi_public,2027,8708 99,Spare parts,40,no,yes
180840045211,Temir LLP,natural_monopoly,2027,8544 49,Cable,9000,,
"""
runner = CliRunner()


@pytest.fixture
def people(db, monkeypatch):
    from argon2 import PasswordHasher

    from kzreg.platform.users import create_user

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        create_user(s, "officer", "industry_officer", PW)
        create_user(s, "buyer", "contractor", PW, bin=BUYER)
        create_user(s, "maker", "manufacturer", PW, bin=SUPPLIER)
        create_user(s, "auditor", "auditor", PW)
    return db


def run(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def plans() -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(Case)
                        .where(Case.case_type == "producers.procurement_plan"))


def test_plans_import_list_show_act(people, tmp_path):
    year = local_date(now_utc()).year        # plans for this year were due last 10 December
    path = tmp_path / "plans.csv"
    path.write_text(CSV.replace(",2027,", f",{year},"), encoding="utf-8")
    out = run("plans", "import", str(path), "--as", "officer",
              "--received-at", f"{year - 1}-12-14T10:00:00+05:00")
    assert out.count("under_review") == 2 and "4 day(s) late (Art 47(1))" in out
    listed = run("plans", "list", "--as", "officer")
    assert listed.count("review (Law 86-VII, Art 47(4))") == 2   # 30 days from 14 December
    assert listed.count(f"until {year}-01-1") == 2               # 13 January, or the Monday
    mine = run("plans", "list", "--as", "buyer")
    assert "Qorgan JSC" in mine and "Temir LLP" not in mine
    case_id = int(mine.split()[0])
    shown = run("plans", "show", str(case_id), "--as", "buyer")
    assert "MISSED:" in shown and "Art 47(1)" in shown            # lodged after 10 December
    assert "review" in shown.lower() and "Art 47(4)" in shown
    with pytest.raises(LegalRuleError, match="warranty"):        # 8708 99 is excluded goods
        run("plans", "act", str(case_id), "agree", "--as", "officer")
    out = run("plans", "act", str(case_id), "notify", "--as", "officer",
              "--payload", '{"comments": ["drop 8708 99 (Art 47(3))"]}')
    assert out.strip() == f"#{case_id}: notified"
    with pytest.raises(NotFound):
        run("plans", "show", str(case_id), "--as", "maker")       # another BIN
    data = json.loads(run("plans", "show", str(case_id), "--as", "officer", "--json"))
    assert data["deadlines"][0]["name"] == "resubmit"
    check = json.loads(run("plans", "check", str(case_id), "--as", "officer"))
    stages = {st["name"]: st for st in check["value"]["stages"]}
    assert stages["plan lodged"]["due"] == f"{year - 1}-12-10"
    assert stages["plan lodged"]["status"] == "late"
    assert check["value"]["goods_to_exclude"] == ["8708 99"]
    with pytest.raises(InputError) as future:
        run("plans", "import", str(path), "--as", "officer",
            "--received-at", f"{year + 1}-01-01T00:00:00+05:00")
    assert future.value.field == "--received-at"


@pytest.mark.parametrize(("line", "field", "locator"), [
    ("090740003154,Qorgan JSC,bank,2027,8431 43,Drill bits,1,no,no",
     "line 2: customer_type", "Art 1 sub 25"),
    ("090740003154,Qorgan JSC,quasi_public,2027,8431 43,Drill bits,1,maybe,no",
     "line 2: procured_on_domestic_market", None),
    ("090740003154,Qorgan JSC,quasi_public,2025,8431 43,Drill bits,1,no,no",
     "line 2: first_procurement_year", None),
    ("090740003154,Qorgan JSC,quasi_public,2027,,Drill bits,1,no,no", "line 2: code", None),
])
def test_a_bad_line_refuses_the_whole_file(people, tmp_path, line, field, locator):
    header, good = CSV.splitlines()[0], CSV.splitlines()[3]
    path = tmp_path / "plans.csv"
    path.write_text("\n".join([header, line, good]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        run("plans", "import", str(path), "--as", "officer")
    assert err.value.field == field
    if locator:
        assert err.value.citation.locator == locator
    assert plans() == 0                                  # nothing half-written


def test_json_import_and_duplicates(people, tmp_path):
    body = [{"customer_bin": BUYER, "customer_name": "Qorgan JSC",
             "customer_type": "subsoil_user", "first_procurement_year": 2027,
             "goods": [{"code": "8431 43", "title": "Drill bits"}]}]
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    assert "under_review" in run("plans", "import", str(path), "--as", "buyer")
    with pytest.raises(Conflict) as err:
        run("plans", "import", str(path), "--as", "officer")
    assert err.value.field == "plans[0]: first_procurement_year"
    path.write_text(json.dumps([{**body[0], "customer_bin": OTHER}]), encoding="utf-8")
    with pytest.raises(Exception) as other:                 # a business for its own BIN only
        run("plans", "import", str(path), "--as", "buyer")
    assert type(other.value).__name__ in ("Forbidden", "NotFound")
    assert plans() == 1


def test_incentive_apply_act_decision(people, tmp_path):
    app_json = tmp_path / "a.json"
    app_json.write_text(json.dumps({
        "name": "Qazaq Cold LLP", "measure": "interest_subsidy",
        "goods": [{"code": "8418 10", "on_priority_list": True}],
        "counter_obligations_accepted": True,
        "counter_obligation_directions": ["labour_productivity"],
        "facts": {"own_property_participation": True},
        "choices": {"purpose": "modernisation"}}), encoding="utf-8")
    out = run("incentives", "apply", str(app_json), "--as", "maker")
    case_id = int(out.split(":")[0].lstrip("#"))
    assert out.strip().endswith("filed")
    with pytest.raises(LegalRuleError) as refused:      # not in the register: no grant
        run("incentives", "act", str(case_id), "grant", "--as", "officer", "--payload",
            json.dumps({"documents_compliant": True, "agreement_no": "CO-1", "amount": "1",
                        "obligations_due_on": "2030-01-01", "counter_obligations": [
                            {"direction": "labour_productivity", "indicator": "output",
                             "target": "1"}]}))
    assert "NOT_IN_REGISTER" in str(refused.value)
    out = run("incentives", "act", str(case_id), "refuse", "--as", "officer", "--payload",
              '{"documents_compliant": true, "justification": "not in the register"}')
    assert out.strip() == f"#{case_id}: refused"
    assert str(case_id) in run("incentives", "list", "--as", "maker")
    pdf = tmp_path / "d.pdf"
    run("incentives", "decision", str(case_id), "--as", "maker", "--out", str(pdf),
        "--language", "kk")
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(InputError) as bad:
        run("incentives", "apply", "-", "--as", "maker", stdin='{"name": "X Y"}')
    assert bad.value.field == "measure"


def test_contracts_enter_and_year(people, tmp_path):
    contract = {"number": "OT-1", "new_production": True, "customer_bin": BUYER,
                "customer_name": "Qorgan JSC", "supplier_bin": SUPPLIER,
                "supplier_name": "Qazaq Cold LLP",
                "goods": [{"title": "Drill bits", "specification": "GOST 1"}],
                "concluded_on": "2026-04-01", "ends_on": "2029-12-31", "amount": "1000000",
                "volumes": [{"year": 2026, "contracted": "100"},
                            {"year": 2027, "contracted": "100"}],
                "domestic_value_min": "40", "programme_obligation": True}
    path = tmp_path / "c.json"
    path.write_text(json.dumps({**contract, "programme_obligation": False}), encoding="utf-8")
    with pytest.raises(LegalRuleError) as err:
        run("contracts", "enter", str(path), "--as", "buyer")
    assert err.value.field == "programme_obligation"
    assert err.value.citation.locator == "Art 48(5)"
    path.write_text(json.dumps(contract), encoding="utf-8")
    assert "offtake" in run("contracts", "enter", str(path), "--as", "buyer")
    contract_id = run("contracts", "list", "--as", "maker").split()[0]
    out = run("contracts", "year", contract_id, "--year", "2026", "--accepted", "80",
              "--as", "buyer")
    assert "2026: breach" in out                               # 100% owed in year one
    assert "BREACH 2026" in run("contracts", "list", "--as", "officer")


def test_the_real_command_exits_2_with_one_line(people, tmp_path):
    path = tmp_path / "plans.csv"
    path.write_text(CSV.replace("quasi_public", "bank", 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kzreg.cli", "producers", "plans", "import",
                           str(path), "--as", "officer"], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: line 2: customer_type: customer_type is one of ['subsoil_user', "
        "'quasi_public', 'natural_monopoly', 'systemic_enterprise'] (Law 86-VII, Art 1 sub 25)"]
    assert "Traceback" not in done.stderr
