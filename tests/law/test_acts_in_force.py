"""Which act, and which version of it, applied on a date — one case per clause.

Publication dates are not in the seeds: where an answer needs one it is "cannot be
determined" (None). Cases that need a publication date supply it through the setting
`acts.publication_dates`, as a deployment would, to check the counting.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.law.acts import (
    InForceUnknown,
    explain_in_force,
    explain_provision_in_force,
    in_force,
    provision_in_force,
    version_on,
)
from kzreg.law.citations import cite
from kzreg.law.settings import override

D = dt.date


# --- Order 493 §4 and its abolition by Order 303 (header footnote) ----------------------

def test_order_493_par_4_not_in_force_before_it_could_be_published():
    """§4: in effect on the day of first official publication; it was registered on
    24.09.2020, so it cannot have been in force before."""
    assert in_force("order-493", D(2020, 9, 23)) is False
    result = explain_in_force("order-493", D(2020, 9, 23))
    assert cite("order-493", "Order §4") in result.citations


def test_order_493_in_force_in_2021_cannot_be_determined_without_the_publication_date():
    assert explain_in_force("order-493", D(2021, 6, 1)).value is None
    with pytest.raises(InForceUnknown):
        in_force("order-493", D(2021, 6, 1))


def test_order_493_abolition_cannot_be_determined_without_order_303s_publication():
    """Footnote: abolished 60 calendar days after the first official publication of Order
    303 of 30.05.2022 — not before 30.07.2022, but when exactly is unknown."""
    assert explain_in_force("order-493", D(2023, 1, 1)).value is None


def test_order_493_footnote_abolition_counted_from_order_303s_publication():
    with override(acts__publication_dates={"order-493": "2020-09-25",
                                           "order-303": "2022-06-01"}):
        assert in_force("order-493", D(2020, 9, 24)) is False
        assert in_force("order-493", D(2020, 9, 25)) is True   # §4: the day of publication
        assert in_force("order-493", D(2022, 7, 31)) is True   # 01.06 + 60 = 31.07
        assert in_force("order-493", D(2022, 8, 1)) is False   # abolished from 01.08
        result = explain_in_force("order-493", D(2022, 8, 1))
        assert cite("order-493", "header footnote") in result.citations
        assert version_on("order-493", D(2022, 8, 1)).label == "not in force"


# --- Order 407 Ord §3 and Order 487 (footnotes: effective 23.11.2024) --------------------

def test_order_407_ord_3_not_in_force_before_ten_days_after_registration():
    assert in_force("order-407", D(2021, 5, 8)) is False
    result = explain_in_force("order-407", D(2021, 5, 8))
    assert cite("order-407", "Ord §3") in result.citations


def test_order_407_wording_before_23_11_2024_is_not_the_seeds():
    version = version_on("order-407", D(2024, 11, 22))
    assert version.seed_wording is False
    assert version.label.startswith("original wording")
    pending = {p for change in version.pending for p in change.provisions}
    assert {"Rules §3", "Rules §5", "Rules §11", "Rules §18"} <= pending
    assert all(c.effective.date == D(2024, 11, 23) for c in version.pending)


def test_order_407_as_amended_by_order_487_from_23_11_2024():
    version = version_on("order-407", D(2024, 11, 23))
    assert version.in_force is True
    assert version.seed_wording is True
    assert version.label == "as amended by Order 487 of 26.07.2024"
    assert not version.pending


def test_order_407_in_force_between_registration_and_2024_needs_its_publication():
    assert explain_in_force("order-407", D(2023, 3, 1)).value is None
    with override(acts__publication_dates={"order-407": "2021-04-29"}):
        assert in_force("order-407", D(2021, 5, 9)) is False   # 29.04 + 10 = 09.05
        assert in_force("order-407", D(2021, 5, 10)) is True
        assert in_force("order-407", D(2023, 3, 1)) is True


# --- Law 236-VI Art 32 -------------------------------------------------------------------

def test_law_236_vi_art_32_arts_22_and_23_not_yet_in_force_on_31_12_2019():
    for article in ("Art 22", "Art 23", "Art 22 p.5"):
        assert provision_in_force("law-236-VI", article, D(2019, 12, 31)) is False


def test_law_236_vi_art_32_arts_22_and_23_in_force_from_1_1_2020():
    for article in ("Art 22", "Art 23"):
        assert provision_in_force("law-236-VI", article, D(2020, 1, 1)) is True
    result = explain_provision_in_force("law-236-VI", "Art 22", D(2020, 1, 1))
    assert cite("law-236-VI", "Art 32 p.1") in result.citations


def test_law_236_vi_art_32_art_20_p5_from_1_9_2019():
    assert provision_in_force("law-236-VI", "Art 20 p.5", D(2019, 8, 31)) is False
    assert provision_in_force("law-236-VI", "Art 20 p.5", D(2019, 9, 1)) is True


def test_law_236_vi_art_32_whole_law_21_days_after_publication():
    assert in_force("law-236-VI", D(2019, 4, 8)) is False  # adopted 18.03.2019 + 21 + 1
    with override(acts__publication_dates={"law-236-VI": "2019-03-19"}):
        assert in_force("law-236-VI", D(2019, 4, 9)) is False
        assert in_force("law-236-VI", D(2019, 4, 10)) is True
        with override(acts__effective_after_publication_counting="publication_plus_n"):
            assert in_force("law-236-VI", D(2019, 4, 9)) is True


def test_law_236_vi_art_28_excluded_by_law_33_viii():
    assert provision_in_force("law-236-VI", "Art 28", D(2023, 10, 1)) is True
    with override(acts__publication_dates={"law-33-VIII": "2023-10-18"}):
        assert provision_in_force("law-236-VI", "Art 28", D(2023, 10, 28)) is True
        assert provision_in_force("law-236-VI", "Art 28", D(2023, 10, 29)) is False


def test_law_236_vi_art_6_1_inserted_by_law_211_viii():
    assert provision_in_force("law-236-VI", "Art 6-1", D(2025, 7, 20)) is False
    assert explain_provision_in_force("law-236-VI", "Art 6-1", D(2025, 9, 1)).value is None


# --- Law 86-VII Art 69, Art 68 and Law 188-VIII ------------------------------------------

def test_law_86_vii_art_69_sub_3_database_of_goods_not_in_force_from_1_1_2026():
    assert provision_in_force("law-86-VII", "Art 51", D(2025, 12, 31)) is True
    assert provision_in_force("law-86-VII", "Art 51", D(2026, 1, 1)) is False
    result = explain_provision_in_force("law-86-VII", "Art 51", D(2026, 1, 1))
    assert cite("law-86-VII", "Art 69 sub 3") in result.citations
    assert "Art 51" in version_on("law-86-VII", D(2026, 1, 1)).no_longer_in_force


def test_law_86_vii_art_69_sub_2_technoparks_from_1_7_2022():
    assert provision_in_force("law-86-VII", "Art 18", D(2022, 6, 30)) is False
    assert provision_in_force("law-86-VII", "Art 18", D(2022, 7, 1)) is True


def test_law_86_vii_register_arts_51_1_to_51_7_come_with_law_188_viii_plus_60_days():
    assert provision_in_force("law-86-VII", "Art 51-1", D(2025, 7, 18)) is False
    assert explain_provision_in_force("law-86-VII", "Art 51-1", D(2025, 9, 1)).value is None
    with override(acts__publication_dates={"law-188-VIII": "2025-05-20"}):
        assert provision_in_force("law-86-VII", "Art 51-5(3)", D(2025, 7, 19)) is False
        assert provision_in_force("law-86-VII", "Art 51-5(3)", D(2025, 7, 20)) is True
        version = version_on("law-86-VII", D(2025, 6, 15))
        assert "Art 51-1" in version.not_yet_in_force
        assert version.label.startswith("as amended by Law 188-VIII of 19.05.2025 (in part)")


def test_law_86_vii_art_9_sub_13_excluded_from_1_1_2026_by_law_188_viii():
    assert provision_in_force("law-86-VII", "Art 9 sub 13", D(2025, 12, 31)) is True
    assert provision_in_force("law-86-VII", "Art 9 sub 13", D(2026, 1, 1)) is False


def test_law_86_vii_art_48_offtake_as_amended_by_law_107_viii_from_1_1_2025():
    before = version_on("law-86-VII", D(2024, 12, 31))
    after = version_on("law-86-VII", D(2025, 1, 1))
    assert any(c.by == "law-107-VIII" for c in before.pending)
    assert any(c.by == "law-107-VIII" and "Art 48" in c.provisions for c in after.applied)


def test_law_86_vii_art_68_suspension_noted_before_29_6_2023():
    notes = version_on("law-86-VII", D(2023, 6, 28)).notes
    assert any("Art 29 sub 7" in note and "suspended" in note for note in notes)
    assert not any("suspended" in note for note in version_on("law-86-VII",
                                                              D(2023, 6, 29)).notes)


def test_law_86_vii_in_force_from_8_1_2022_is_an_unverified_inference():
    result = explain_in_force("law-86-VII", D(2022, 1, 8))
    assert result.value is True
    uses = [use for step in result.steps for use in step.parameters]
    assert any(use.name == "law-86-VII.in_force_by" and not use.verified for use in uses)
    assert in_force("law-86-VII", D(2022, 1, 6)) is False  # 27.12.2021 + 10 + 1


# --- laws on the republican budget -------------------------------------------------------

def test_budget_law_2026_in_force_from_1_1_2026():
    assert in_force("budget-2026", D(2025, 12, 31)) is False
    assert in_force("budget-2026", D(2026, 1, 1)) is True
