"""`kzreg defense …` as a user runs it: explanations with clauses, clean errors (exit 2)."""

import json
import subprocess
import sys
from pathlib import Path

KZREG = str(Path(sys.executable).with_name("kzreg"))


def run(*args, stdin=None):
    return subprocess.run([KZREG, "defense", *args], capture_output=True, text=True,
                          input=stdin, timeout=120)


def test_route_prints_the_clause():
    done = run("route", "2", "--on", "2025-03-03")
    assert done.returncode == 0, done.stderr
    assert "public_procurement" in done.stdout and "Art 19 p.2 part 3" in done.stdout
    listed = run("route", "2", "--in-head-list", "--json")
    assert json.loads(listed.stdout)["value"] == "state_defense_order"


def test_bad_input_is_one_line_exit_2():
    done = run("route", "13")
    assert done.returncode == 2 and "category" in done.stderr
    assert "Traceback" not in done.stderr
    bad = run("select", "-", stdin="{not json")
    assert bad.returncode == 2 and "not JSON" in bad.stderr


def test_selection_and_offshore_from_stdin():
    zones = {"id": "t", "approved_by": "t", "effective_from": "2024-01-01",
             "jurisdictions": ["XO"]}
    gate = run("offshore", "check", "-", "--on", "2025-04-01", "--json", stdin=json.dumps(
        {"entity": {"bin": "1", "owners": [{"name": "H", "jurisdiction": "XO"}]},
         "offshore_list": zones}))
    assert gate.returncode == 0, gate.stderr
    assert json.loads(gate.stdout)["value"] == "ineligible"
    chosen = run("select", "-", "--on", "2025-04-01", stdin=json.dumps(
        {"category": "1", "authorized_organization": {"bin": "99"}, "ao_can_supply": False,
         "after_exclusion": "redistribute", "offshore_list": zones}))
    assert chosen.returncode == 0, chosen.stderr
    assert "excluded_funds_redistributed" in chosen.stdout and "Art 20 p.6" in chosen.stdout


def test_offshore_list_load_and_show(sqlite_db, tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("id: t1\napproved_by: test order\neffective_from: 2024-01-01\n"
                    "jurisdictions: [XO, xp]\n", encoding="utf-8")
    loaded = run("offshore", "load", str(path))
    assert loaded.returncode == 0, loaded.stderr
    shown = run("offshore", "list")
    assert "2024-01-01  t1  test order  XO, XP" in shown.stdout
    assert run("offshore", "list", "--on", "2023-12-31").returncode == 2   # none yet
    again = run("offshore-load", str(path))              # the earlier name still works
    assert again.returncode == 2 and "already loaded" in again.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: t2\n", encoding="utf-8")
    assert run("offshore", "load", str(bad)).returncode == 2
    # the gate on the stored list for the date
    gate = run("offshore", "check", "-", "--on", "2025-01-01", "--json",
               stdin=json.dumps({"entity": {"bin": "1", "jurisdiction": "XP"}}))
    assert json.loads(gate.stdout)["value"] == "ineligible"


def test_register_include_list_remove(sqlite_db):
    from kzreg.platform.demo import make_bin

    bin_ = make_bin("1501", "30011")
    entry = {"entity": {"bin": bin_, "name": "Alpha LLP", "production_facilities_in_kz": True},
             "kinds": ["producer"], "categories": ["1", "2"], "included_on": "2024-05-01",
             "decision": "decision 7"}
    done = run("register", "include", "-", stdin=json.dumps(entry))
    assert done.returncode == 0, done.stderr
    foreign = {**entry, "entity": {**entry["entity"], "bin": make_bin("1502", "30023"),
                                   "resident": False}}
    refused = run("register", "include", "-", stdin=json.dumps(foreign))
    assert refused.returncode == 2 and "Art 1 sub" in refused.stderr
    listed = run("register", "list", "--q", "alpha")
    assert f"{bin_}  Alpha LLP  producer  cat 1,2  since 2024-05-01" in listed.stdout
    assert run("register", "remove", bin_, "--on", "2025-01-01", "--reason", " ").returncode == 2
    removed = run("register", "remove", bin_, "--on", "2025-01-01", "--reason", "licence")
    assert removed.returncode == 0, removed.stderr
    assert "0 entries" in run("register", "list", "--on", "2025-06-01").stdout


def test_order_version_on_a_date(sqlite_db):
    from kzreg.defense import order_demo
    from kzreg.defense.models import DefenseOrder
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as s:
        order_demo.load(s)
        oid = s.query(DefenseOrder).filter_by(status="approved").one().id
    before = json.loads(run("order-version", str(oid), "--on", "2025-06-15", "--json").stdout)
    after = json.loads(run("order-version", str(oid), "--on", "2025-06-16", "--json").stdout)
    assert (before["version"], after["version"]) == (1, 2)
    uniform = [ln for ln in after["lines"] if ln["nomenclature"] == "Field uniform set"][0]
    assert uniform["quantity"] == "14000" and "1-DEMO" in uniform["set_by_act"]
    early = run("order-version", str(oid), "--on", "2025-03-02")
    assert early.returncode == 2 and "not approved" in early.stderr
    assert "Traceback" not in early.stderr
