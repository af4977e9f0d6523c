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


# the digest's hand-computed cases (B-T2..B-T10, B-T12, B-T13), through the command line
HAND = [  # id, type, (gross, cf, ct, if, it), flags, objective, indicator, degree
    ("B-T1", "regulated_product_seller", (1, 0, 10, 0, 10), {}, "high", 100, "high"),
    ("B-T2", "regulated_product_seller", (0, 2, 10, 3, 20), {}, "high", 18.5, "low"),
    ("B-T3", "origin_certificate_body", (0, 5, 10, 2, 10), {}, "high", 41, "average"),
    ("B-T4", "origin_certificate_body", (0, 9, 10, 4, 10), {}, "high", 75, "high"),
    ("B-T5", "training_center", (0, 10, 10, 10, 10), {}, "low", 100, "high"),
    ("B-T6", "training_center", (0, 3, 7, 0, 5), {}, "low", 30, "low"),
    ("B-T7", "training_center", (0, 7, 16, 0, 4), {}, "low", 30.625, "average"),
    ("B-T8", "conformity_assessment_body", (0, 0, 10, 0, 20), {}, "average", 0, "low"),
    ("B-T10", "conformity_assessment_body", (0, 0, 0, 2, 4), {}, "average", 15, "low"),
    ("B-T12", "state_symbols_manufacturer", (0, 0, 1, 0, 1), {"insured": True}, "average",
     0, "low"),
    ("B-T13", "origin_expert_organization", (0, 0, 1, 0, 1), {"sro_recognized": "yes"}, "low",
     0, "low"),
]
FIELDS = ("gross", "considerable_found", "considerable_total", "insignificant_found",
          "insignificant_total")


def test_contract_on_the_hand_computed_cases_json_and_csv(tmp_path):
    rows = [{"id": i, "type": t, **dict(zip(FIELDS, c, strict=True)), **f}
            for i, t, c, f, *_ in HAND]
    as_json = tmp_path / "hand.json"
    as_json.write_text(json.dumps(rows, indent=2))
    as_csv = tmp_path / "hand.csv"
    header = ["id", "type", *FIELDS, "insured", "sro_recognized"]
    as_csv.write_text(",".join(header) + "\n" + "".join(
        ",".join(str(r.get(h, "")) for h in header) + "\n" for r in rows))
    for path, extra in ((as_json, ()), (as_csv, ()), (as_json, ("--array",))):
        out = run("score", str(path), *extra)
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout) if extra else [json.loads(x) for x in
                                                     out.stdout.splitlines()]
        assert [g["id"] for g in got] == [h[0] for h in HAND]
        for g, (_, _, _, _, objective, value, degree) in zip(got, HAND, strict=True):
            assert (g["objective_degree"], g["indicator"], g["degree"]) == \
                (objective, value, degree), g["id"]
    # B-T9: 100/3 is not a finite decimal: 20 places, and exactly as a fraction
    out = run("score", "-", stdin=json.dumps({"id": 9, "type": "training_center",
                                              "considerable_found": 1, "considerable_total": 3,
                                              "insignificant_found": 1,
                                              "insignificant_total": 3, "gross": False}))
    [row] = map(json.loads, out.stdout.splitlines())
    assert row["id"] == 9 and row["indicator_fraction"] == "100/3"   # a number stays one
    assert '"indicator": 33.33333333333333333333,' in out.stdout and row["degree"] == "average"


def test_contract_bad_rows_by_row_and_field(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("id,type,gross,considerable_found,considerable_total,insured\n"
                    "ok-1,training_center,0,1,2,\n"
                    ",training_center,0,0,0,\n"
                    "bad-type,bakery,0,0,0,\n"
                    "bad-count,training_center,0,-1,2,\n"
                    "bad-flag,training_center,0,0,2,maybe\n"
                    "gross-yes,training_center,true,0,2,no\n")
    out = run("score", str(path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert [json.loads(x)["id"] for x in out.stdout.splitlines()] == ["ok-1", "gross-yes"]
    assert json.loads(out.stdout.splitlines()[1])["indicator"] == 100
    for line in ("row 2: id:", "row 3 (id bad-type): type:",
                 "row 4 (id bad-count): considerable_found:", "row 5 (id bad-flag): insured:"):
        assert line in out.stderr, line
    missing = run("score", str(tmp_path / "nope.json"))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert "nope.json" in missing.stderr
