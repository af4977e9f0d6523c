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
    gate = run("offshore", "-", "--on", "2025-04-01", "--json", stdin=json.dumps(
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
    loaded = run("offshore-load", str(path))
    assert loaded.returncode == 0, loaded.stderr
    shown = run("offshore-lists")
    assert "2024-01-01  t1  test order  XO, XP" in shown.stdout
    again = run("offshore-load", str(path))
    assert again.returncode == 2 and "already loaded" in again.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: t2\n", encoding="utf-8")
    assert run("offshore-load", str(bad)).returncode == 2
