"""The rule registry: rules are callable by id with validated input and a dated trace."""

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import BaseModel

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError, NotFound
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import all_rules, get_rule, rule


class DoubleInput(BaseModel):
    amount: Decimal


@rule("test.double", title="Doubles an amount", citation=Citation("order-493", "R §24"),
      inputs=DoubleInput)
def double(inp: DoubleInput, as_of: dt.date) -> Explained[Decimal]:
    trace = Trace()
    return trace.done(trace.step("doubled", inp.amount * 2, inputs={"amount": inp.amount}))


def test_registered_rule_runs_with_validated_input_and_is_stamped():
    result = get_rule("test.double").run({"amount": "1.5"}, dt.date(2021, 1, 1))
    assert result.value == Decimal("3.0")
    assert result.rule == "test.double"
    assert result.as_of == dt.date(2021, 1, 1)


def test_bad_input_names_the_field():
    with pytest.raises(InputError) as err:
        get_rule("test.double").run({"amount": "lots"}, dt.date(2021, 1, 1))
    assert err.value.field == "amount"
    with pytest.raises(InputError) as err:
        get_rule("test.double").run([1], dt.date(2021, 1, 1))
    assert err.value.field == "input"


def test_unknown_rule_is_not_found():
    with pytest.raises(NotFound):
        get_rule("test.nothing")


def test_listing_includes_registered_rules_sorted():
    ids = [r.id for r in all_rules()]
    assert "test.double" in ids
    assert ids == sorted(ids)


def test_registering_a_different_function_twice_fails():
    with pytest.raises(ValueError):
        rule("test.double", title="x", citation=Citation("order-493"), inputs=DoubleInput)(
            lambda i, d: None)
