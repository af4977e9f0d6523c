"""`kzreg defense contract …` (kzreg.defense.contract_cli): JSON in, JSON out, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kzreg.defense.contract_cli import app
from kzreg.law.errors import InputError


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)


def test_deadlines_t2_1_t2_2_t2_3_due_days_and_late_signature_exits_1():
    result = invoke("deadlines", "--act-date", "2025-03-03", "--sent", "2025-03-13",
                    "--received", "2025-03-13", "--signed", "2025-04-03",
                    "--fulfilled", "2025-06-10", "--as-of", "2025-06-11")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["send"]["value"]["due"] == "2025-03-13"
    assert out["sign"]["value"]["due"] == "2025-04-02"
    assert out["sign"]["value"]["notify_sdp_body"] == "untimely conclusion"
    assert out["pay"]["value"]["due"] == "2025-07-10"
    assert any(b["locator"] == "Art 22 p.6" for b in out["sign"]["basis"])


def test_check_reads_decimals_exactly_and_flags_a_45_day_term(tmp_path):
    draft = tmp_path / "c.json"
    draft.write_text('{"subject_matter": "radios", "value": 1000000.10, '
                     '"payment_term_days": 45, "vat_clause": true}', encoding="utf-8")
    result = invoke("check", str(draft), "--as-of", "2025-06-01")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["value"]["findings"]
    assert "payment_term_days" in {f["field"] for f in findings}


def test_modify_check_t1_1_allowed_from_stdin_exits_0():
    request = {"ground": "quantity_change", "modified_on": "2025-06-01",
               "before": {"value": "1000000", "lines": [
                   {"item": "radio", "quantity": "100", "unit_price": "10000",
                    "deadline": "2025-12-01"}]},
               "after": {"value": "1200000", "lines": [
                   {"item": "radio", "quantity": "120", "unit_price": "10000",
                    "deadline": "2025-12-01"}]}}
    result = invoke("modify-check", "-", "--as-of", "2025-06-01", stdin=json.dumps(request))
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["value"]["value_after"] == "1200000"


def test_bad_input_is_an_input_error_naming_the_field():
    with pytest.raises(InputError) as err:
        invoke("modify-check", "-", stdin='{"ground": "because"}')
    assert err.value.field == "ground"
    with pytest.raises(InputError) as err:
        invoke("deadlines", "--act-date", "2025-03-03", "--signed", "2025-04-01")
    assert err.value.field == "--received"


def test_accept_blocks_a_lot_without_certificate():
    lot = {"production_complete": True, "set_complete": True}
    result = invoke("accept", "-", "--as-of", "2025-06-01", stdin=json.dumps(lot))
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["recipient_acceptance"]["value"]["reasons"] == ["no MRO quality certificate"]
    assert out["final_acceptance_certificate"]["value"]["allowed"] is True
