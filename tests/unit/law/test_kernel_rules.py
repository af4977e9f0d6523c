"""The kernel's rules run through the registry and the CLI, with their traces."""

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from kzreg.law.errors import InputError
from kzreg.law.rules import get_rule

KZREG = [sys.executable, "-m", "kzreg.cli"]


def test_deadline_rule_counts_kazakh_working_days():
    result = get_rule("law.deadline").run({"start": "2024-04-30",
                                           "duration": "10 working days"}, dt.date(2024, 5, 1))
    assert result.value == dt.date(2024, 5, 17)
    assert any("Day off (moved from 2024-05-04)" in s.description for s in result.steps)


def test_deadline_rule_in_hours_needs_an_offset():
    with pytest.raises(InputError) as err:
        get_rule("law.deadline").run({"start": "2024-05-01T10:00", "duration": "1 hour"},
                                     dt.date(2024, 5, 1))
    assert err.value.field == "start"
    result = get_rule("law.deadline").run({"start": "2024-05-01T10:00:00+05:00",
                                           "duration": "1 hour"}, dt.date(2024, 5, 1))
    assert result.value == dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC)


def test_mci_amount_uses_the_value_in_force_and_cites_both_laws():
    result = get_rule("law.mci-amount").run({"multiple": "700000", "basis": "order-493:R §7"},
                                            dt.date(2021, 3, 1))
    assert result.value == Decimal(700000 * 2917)
    acts = {c.act for c in result.citations}
    assert "order-493" in acts and any(a.startswith("budget") or a.startswith("law") for a in acts)


def test_in_force_rule_answers_for_a_provision():
    result = get_rule("law.in-force").run({"act": "law-236-VI", "provision": "Art 22"},
                                          dt.date(2019, 12, 31))
    assert result.value is False
    result = get_rule("law.in-force").run({"act": "law-236-VI", "provision": "Art 22"},
                                          dt.date(2020, 1, 1))
    assert result.value is True


def test_id_check_rule_reports_the_reason():
    assert get_rule("law.id-check").run({"number": "971240001315"}, dt.date(2025, 1, 1)).value
    assert not get_rule("law.id-check").run({"number": "971240001316"}, dt.date(2025, 1, 1)).value


def test_cli_rules_explain_prints_result_and_trace(tmp_path):
    data = tmp_path / "in.json"
    data.write_text(json.dumps({"start": "2024-04-30", "duration": "10 working days"}))
    out = subprocess.run([*KZREG, "rules", "explain", "law.deadline", str(data),
                          "--as-of", "2024-05-01", "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["value"] == "2024-05-17"
    assert payload["rule"] == "law.deadline"


@pytest.mark.parametrize("args, field", [
    (["rules", "explain", "law.nothing", "-"], "rule_id"),
    (["rules", "explain", "law.deadline", "/nonexistent.json"], "INPUT.json"),
    (["rules", "explain", "law.deadline", "-", "--as-of", "31.12.2024"], "--as-of"),
])
def test_cli_bad_input_is_one_line_naming_the_problem(args, field):
    out = subprocess.run([*KZREG, *args], input="{}", capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith("error: ") and field in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
