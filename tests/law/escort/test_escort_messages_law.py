"""Order 407, Rules §8 (activation message, six items) and §13 (deactivation request, three
items) — a message lacking any item is refused, naming each missing item and the clause."""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.escort import IncompleteMessage
from kzreg.law.citations import cite
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.rules import get_rule

AS_OF = dt.date(2025, 6, 1)
FULL = {
    "seal_number": "NP-000123",
    "transit_declaration_number": "55204/010325/0012345",
    "vehicle_registration_number": "123ABC02",
    "destination_office_code": "55204",
    "destination_office_name": "Customs post Khorgos",
    "transit_period": "2025-03-10",
    "route": {"type": "LineString", "coordinates": [[76.9, 43.25], [80.2, 44.2]]},
}


def activation(data):
    return get_rule("escort.activation-message").run(data, AS_OF)


def test_rules_8_activation_message_with_all_six_items_is_accepted():
    result = activation(FULL)
    assert result.value["seal_numbers"] == ["NP-000123"]
    assert result.value["transit_period"] == dt.date(2025, 3, 10)
    assert cite("order-407", "Rules §8") in result.citations


def test_rules_8_c_t8_message_without_destination_name_period_and_route_is_refused():
    """C-T8: seal number, TD number, vehicle number and destination code only."""
    partial = {k: FULL[k] for k in ("seal_number", "transit_declaration_number",
                                    "vehicle_registration_number", "destination_office_code")}
    with pytest.raises(IncompleteMessage) as err:
        activation(partial)
    assert err.value.missing == ("destination_office_name", "transit_period", "route")
    assert err.value.citation == cite("order-407", "Rules §8")
    assert "name of the customs office of destination" in err.value.message
    assert isinstance(err.value, LegalRuleError)


@pytest.mark.parametrize("item", [k for k in FULL if k != "route"])
def test_rules_8_each_item_is_required(item):
    with pytest.raises(IncompleteMessage) as err:
        activation({**FULL, item: "  "})
    assert err.value.missing == (item,)


def test_rules_8_6_route_may_be_not_established_but_must_be_stated():
    """C-G7 (setting escort.route_optional): "not established" or null is a valid item 6;
    leaving the item out is not."""
    assert activation({**FULL, "route": "not established"}).value["route"] == "not established"
    assert activation({**FULL, "route": None}).value["route"] == "not established"
    without = {k: v for k, v in FULL.items() if k != "route"}
    with pytest.raises(IncompleteMessage) as err:
        activation(without)
    assert err.value.missing == ("route",)


def test_rules_8_6_a_malformed_route_is_refused_naming_the_point():
    bad = {**FULL, "route": {"type": "LineString", "coordinates": [[76.9, 43.25], [200, 44]]}}
    with pytest.raises(InputError) as err:
        activation(bad)
    assert err.value.field == "route.coordinates[1]"


def test_rules_8_5_transit_period_is_a_date_per_the_setting():
    with pytest.raises(InputError) as err:
        activation({**FULL, "transit_period": "10 days"})
    assert err.value.field == "transit_period"


def test_rules_8_several_seals_in_one_message():
    result = activation({**FULL, "seal_number": ["NP-1", "NP-2"]})
    assert result.value["seal_numbers"] == ["NP-1", "NP-2"]


REQUEST = {"seal_number": "NP-000123", "transit_declaration_number": "55204/010325/0012345",
           "vehicle_registration_number": "123ABC02"}


def test_rules_13_deactivation_request_with_three_items_is_accepted():
    result = get_rule("escort.deactivation-request").run(REQUEST, AS_OF)
    assert result.value["seal_number"] == "NP-000123"
    assert cite("order-407", "Rules §13") in result.citations


@pytest.mark.parametrize("item", list(REQUEST))
def test_rules_13_each_of_the_three_items_is_required(item):
    with pytest.raises(IncompleteMessage) as err:
        get_rule("escort.deactivation-request").run({**REQUEST, item: None}, AS_OF)
    assert err.value.missing == (item,)
    assert err.value.citation == cite("order-407", "Rules §13")


def test_rules_13_one_request_per_seal():
    """Setting escort.deactivation_request_per_seal: one seal number per request."""
    with pytest.raises(LegalRuleError) as err:
        get_rule("escort.deactivation-request").run({**REQUEST, "seal_number": "NP-1, NP-2"},
                                                    AS_OF)
    assert err.value.field == "seal_number"
