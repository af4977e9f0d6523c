"""Citations print in English, resolve to their act and round-trip through their ref."""

import pytest

from kzreg.law.citations import Citation, cite
from kzreg.law.errors import InputError, NotFound


def test_citation_prints_act_short_name_and_locator():
    c = cite("order-407", "Rules §13")
    assert str(c) == "Order 407, Rules §13"
    assert c.ref == "order-407:Rules §13"
    assert c.resolve().id == "order-407"


def test_ref_round_trips():
    c = Citation.parse("law-86-VII:Art 51-5(3)")
    assert c == Citation("law-86-VII", "Art 51-5(3)")
    assert Citation.parse(c.ref) == c


def test_unknown_act_is_refused_by_cite():
    with pytest.raises(NotFound):
        cite("order-999", "§1")


def test_malformed_act_id_names_the_field():
    with pytest.raises(InputError) as err:
        Citation("order 407", "§1")
    assert err.value.field == "citation.act"
