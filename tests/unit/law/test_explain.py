"""Explanations carry value, clauses, inputs, parameters and outputs; text and JSON."""

import datetime as dt
import json
from decimal import Decimal

from kzreg.law.citations import Citation
from kzreg.law.explain import Explained, ParameterUse, Trace, jsonable

C13 = Citation("jo-1199-826", "Cr §13")


def sample() -> Explained:
    trace = Trace(rule="risk.subjective", as_of=dt.date(2025, 3, 1))
    share = trace.step("share of considerable violations found", Decimal("42.857"),
                       citation=C13, inputs={"found": 3, "applicable": 7})
    mci = ParameterUse("mci", Decimal("3932"), dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                       Citation("budget-2025", "Art 8"), verified=True)
    trace.step("weighted", share * Decimal("0.7"), citation=C13, parameters=[mci])
    return trace.done(Decimal("30"))


def test_trace_records_steps_in_order_and_returns_outputs():
    result = sample()
    assert result.value == Decimal("30")
    assert [s.description for s in result.steps] == ["share of considerable violations found",
                                                     "weighted"]
    assert result.citations == [C13]


def test_json_keeps_numbers_exact_as_text_and_is_serializable():
    data = sample().to_dict()
    json.dumps(data)
    assert data["value"] == "30"
    assert data["as_of"] == "2025-03-01"
    assert data["trace"][0]["inputs"] == {"found": 3, "applicable": 7}
    assert data["trace"][1]["parameters"][0]["since"] == "2025-01-01"
    assert data["basis"][0]["act"] == "jo-1199-826"


def test_text_rendering_names_clause_inputs_and_parameters():
    text = sample().to_text()
    assert text.startswith("risk.subjective: 30 (as of 2025-03-01)")
    assert "inputs: found=3, applicable=7" in text
    assert "uses parameter mci = 3932 [2025-01-01 – 2025-12-31]" in text
    assert "-> 29.9999" in text


def test_include_adopts_sub_results():
    inner = Trace()
    inner.step("inner step", 1)
    outer = Trace()
    assert outer.include(inner.done(5)) == 5
    assert [s.description for s in outer.done(6).steps] == ["inner step"]


def test_unverified_parameters_are_flagged_in_text():
    use = ParameterUse("publication", dt.date(2022, 6, 1), verified=False, kind="setting")
    assert "(UNVERIFIED)" in str(use)


def test_jsonable_handles_nested_structures_without_floats():
    assert jsonable({"a": (Decimal("0.10"), dt.datetime(2024, 1, 1, tzinfo=dt.UTC))}) == {
        "a": ["0.1", "2024-01-01T00:00:00+00:00"]}
