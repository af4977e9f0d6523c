"""The incentives and contracts commands: JSON in, explained JSON out, bad input named."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from kzreg.law.errors import InputError
from kzreg.producers.incentives_cli import contracts_app, incentives_app

app = typer.Typer()
app.add_typer(incentives_app, name="incentives")
app.add_typer(contracts_app, name="contracts")
runner = CliRunner()


def invoke(*args, stdin=None):
    result = runner.invoke(app, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_calendar_command():
    out = invoke("contracts", "calendar", "--year", "2025", "--as-of", "2025-12-01")
    assert out["value"]["plans_due"] == "2025-12-10"
    assert out["value"]["contracts_due"] == "2026-04-02"
    assert any(b["act"] == "law-86-VII" and b["locator"] == "Art 47(5)" for b in out["basis"])


def test_check_command_reads_a_file(tmp_path):
    case = {"measure": "industrial_grant", "applied_on": "2026-03-02",
            "goods": [{"code": "8501", "on_priority_list": True}],
            "counter_obligations_accepted": True,
            "counter_obligation_directions": ["labour_productivity"],
            "documents_compliant": True, "in_register": False,
            "facts": {"operating_entity": True, "co_financing": True}}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    out = invoke("incentives", "check", str(path), "--as-of", "2026-03-02")
    assert out["value"]["eligible"] is False
    assert out["value"]["reasons"] == ["NOT_IN_REGISTER"]


def test_offtake_check_from_stdin():
    case = {"years": [{"year": 2026, "contracted": "1000", "accepted": "1000"},
                      {"year": 2027, "contracted": "2000", "accepted": "999"}]}
    out = invoke("contracts", "offtake-check", "-", "--as-of", "2027-12-31",
                 stdin=json.dumps(case))
    assert out["value"]["compliant"] is False
    assert out["value"]["years"][1]["required"] == "1000"


def test_measures_command_lists_the_catalogue():
    assert len(invoke("incentives", "measures")) == 14


@pytest.mark.parametrize(("args", "stdin", "field"), [
    (("contracts", "offset", "-"), "{", "CASE"),
    (("contracts", "offset", "/nonexistent/case.json"), None, "CASE"),
    (("contracts", "offset", "-", "--as-of", "tomorrow"), "{}", "--as-of"),
    (("contracts", "gpa-term", "-"), '{"concluded_on": "2026-01-01"}', "ends_on"),
])
def test_bad_input_names_the_field(args, stdin, field):
    with pytest.raises(InputError) as err:
        invoke(*args, stdin=stdin)
    assert err.value.field == field


def test_mounted_under_kzreg_producers_with_exit_2_on_bad_input():
    import subprocess
    import sys
    from pathlib import Path

    kzreg = str(Path(sys.executable).with_name("kzreg"))
    ok = subprocess.run([kzreg, "producers", "contracts", "calendar", "--year", "2025",
                         "--as-of", "2025-12-01"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["value"]["review_due"] == "2026-01-09"
    bad = subprocess.run([kzreg, "producers", "incentives", "check", "-"], input="[]",
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("error: input")
    assert "Traceback" not in bad.stderr
