"""`kzreg risk …` as a user runs it: the scoring contract of the issue, exact numbers,
bad rows reported by row and field while good rows are scored."""

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

KZREG = str(Path(sys.executable).with_name("kzreg"))


def run(*args, stdin=None):
    return subprocess.run([KZREG, "risk", *args], capture_output=True, text=True,
                          input=stdin, timeout=120)


def test_score_json_lines_exact_and_bad_rows(tmp_path):
    rows = [
        {"id": "b-t6", "type": "regulated_product_seller", "gross": 0, "considerable_found": 3,
         "considerable_total": 7, "insignificant_found": 0, "insignificant_total": 5},
        {"id": "b-t12", "type": "state_symbols_manufacturer", "gross": 0,
         "considerable_found": 1, "considerable_total": 3, "insignificant_found": 1,
         "insignificant_total": 3, "insured": True},
        {"id": "bad", "type": "regulated_product_seller", "considerable_found": 5,
         "considerable_total": 4},
        {"id": "b-t13", "type": "origin_expert_organization", "gross": 1,
         "sro_recognized": True},
    ]
    path = tmp_path / "subjects.json"
    path.write_text(json.dumps(rows))
    out = run("score", str(path))
    assert out.returncode == 2
    assert "row 3 (id bad): considerable_found" in out.stderr
    got = {r["id"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert set(got) == {"b-t6", "b-t12", "b-t13"}
    assert got["b-t6"]["indicator"] == 30 and got["b-t6"]["degree"] == "low"
    assert '"indicator": 30,' in out.stdout            # not 29.999999999999996
    assert got["b-t12"]["objective_degree"] == "average"
    assert Fraction(got["b-t12"]["indicator_fraction"]) == Fraction(100, 3)
    assert got["b-t12"]["degree"] == "average"
    assert got["b-t13"]["objective_degree"] == "low" and got["b-t13"]["indicator"] == 100


def test_score_csv_array(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,type,gross,considerable_found,considerable_total,insignificant_found,"
                    "insignificant_total,insured,sro_recognized\n"
                    "x,training_center,0,7,16,0,4,,\n")
    out = run("score", str(path), "--array")
    assert out.returncode == 0, out.stderr
    [row] = json.loads(out.stdout)
    assert row["indicator"] == 30.625 and row["degree"] == "average"


def test_indicator_classify_rapid_checklist():
    out = run("indicator", "-", "--json", stdin=json.dumps(
        {"considerable_found": 2, "considerable_total": 10, "insignificant_found": 3,
         "insignificant_total": 20}))
    assert json.loads(out.stdout)["value"]["value"] == "18.5"
    assert "Cr §15" in run("classify", "state_symbols_manufacturer", "--insured").stdout
    bad = run("classify", "test_laboratory")
    assert bad.returncode == 2 and "risk.unlisted_subject_types_class" in bad.stderr
    assert "both lists" in run("rapid", "293").stdout
    assert "cr-app2-05" in run("checklist", "state_symbols_manufacturer",
                               "compliance_check").stdout


def test_plan_from_a_file(tmp_path):
    rows = [{"id": f"s{k}", "type": "regulated_product_seller", "gross": int(k < 3),
             "last_check": "2025-06-01" if k == 1 else None} for k in range(40)]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(rows))
    out = run("plan", str(path), "--from", "2026-01-01", "--to", "2026-12-31")
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert plan["cap"] == 2
    status = {r["id"]: r for r in plan["subjects"]}
    # three gross violations, room for two: never checked before comes first (priority)
    assert status["s0"]["status"] == status["s2"]["status"] == "planned"
    assert status["s1"]["clause"] == "Cr §16"
    assert status["s5"]["clause"] == "Cr §12"   # no violations: low subjective degree
