"""Cr §12-13 and §13-1 of JO 1199/826: the digest's hand-computed cases B-T1..B-T10, B-T16,
exactly, and the vectorized scorer agreeing with the exact one on every small case."""

from fractions import Fraction as F
from itertools import product

import numpy as np
import pytest

from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.settings import override
from kzreg.risk.indicator import (
    Counts,
    band,
    normalise_sample,
    score_arrays,
    subjective_criteria_indicator,
    violation_indicator,
)
from kzreg.risk.subjects import Degree

CASES = [  # (gross, cf, ct, if, it) -> (SP, degree)   digest B.11
    ((1, 0, 10, 0, 10), F(100), Degree.HIGH),                 # B-T1
    ((0, 2, 10, 3, 20), F(37, 2), Degree.LOW),                # B-T2 14 + 4.5
    ((0, 5, 10, 2, 10), F(41), Degree.AVERAGE),               # B-T3
    ((0, 9, 10, 4, 10), F(75), Degree.HIGH),                  # B-T4
    ((0, 10, 10, 10, 10), F(100), Degree.HIGH),               # B-T5
    ((0, 3, 7, 0, 5), F(30), Degree.LOW),                     # B-T6: float gives 29.999…
    ((0, 7, 16, 0, 4), F(245, 8), Degree.AVERAGE),            # B-T7: 30.625
    ((0, 0, 10, 0, 20), F(0), Degree.LOW),                    # B-T8
    ((0, 1, 3, 1, 3), F(100, 3), Degree.AVERAGE),             # B-T9
    ((0, 0, 0, 2, 4), F(15), Degree.LOW),                     # B-T10
]


@pytest.mark.parametrize(("counts", "sp", "degree"), CASES)
def test_indicator_matches_hand_computed_cases(counts, sp, degree):
    result = violation_indicator(Counts(*counts))
    assert result.value.value == sp
    assert result.value.degree is degree
    assert all(step.citation is not None for step in result.steps)


def test_float_would_have_failed_b_t6():
    assert (3 * 100 / 7) * 0.7 != 30   # the trap the exact arithmetic avoids
    assert violation_indicator(Counts(0, 3, 7, 0, 5)).value.srz == 30


def test_gross_overrides_everything_and_is_explained():
    result = violation_indicator(Counts(2, 0, 10, 0, 10))
    assert result.value.gross and result.value.value == 100
    assert "gross" in result.steps[0].description


@pytest.mark.parametrize(("field", "counts"), [
    ("considerable_found", Counts(0, 11, 10, 0, 1)),
    ("insignificant_found", Counts(0, 0, 1, 3, 2)),
    ("gross", Counts(-1, 0, 1, 0, 1)),
])
def test_impossible_counts_are_refused_naming_the_field(field, counts):
    with pytest.raises(InputError) as err:
        violation_indicator(counts)
    assert err.value.field == field


def test_no_applicable_requirements_setting_refuse():
    with override(risk__no_applicable_requirements="refuse"), pytest.raises(LegalRuleError):
        violation_indicator(Counts(0, 0, 0, 1, 2))


def test_band_boundaries():
    assert band(F(30)).value is Degree.LOW
    assert band(F(3001, 100)).value is Degree.AVERAGE
    assert band(F(70)).value is Degree.AVERAGE
    assert band(F(7001, 100)).value is Degree.HIGH
    with override(risk__band_boundaries="round_half_up_first"):
        assert band(F(3049, 100)).value is Degree.LOW
        assert band(F(61, 2)).value is Degree.AVERAGE   # 30.5 rounds half up to 31
    with pytest.raises(InputError):
        band(F(101))


def test_vectorized_scorer_agrees_with_exact_rule_everywhere_small():
    rows = [(g, cf, ct, i_f, it) for g in (0, 1) for ct in range(0, 6) for it in range(0, 6)
            for cf, i_f in product(range(ct + 1), range(it + 1))]
    cols = [np.array(c) for c in zip(*rows, strict=True)]
    num, den, degree = score_arrays(*cols)
    for k, row in enumerate(rows):
        exact = violation_indicator(Counts(*row)).value
        assert F(int(num[k]), int(den[k])) == exact.value, row
        assert int(degree[k]) == exact.degree.rank, row


def test_information_system_mode_refuses_until_reconstruction_chosen():
    with pytest.raises(LegalRuleError) as err:
        subjective_criteria_indicator({"a": F(1)}, {"a": F(1)})
    assert err.value.field == "risk.subjective_indicator_formula"
    with pytest.raises(LegalRuleError):
        normalise_sample({"s": (F(10), F(0), False)})


def test_b_t16_min_max_reconstruction():
    with override(risk__normalisation_formula="min_max_reconstruction"):
        sample = {"a": (F(10), F(0), False), "b": (F(40), F(0), False),
                  "c": (F(70), F(0), False)}
        out = normalise_sample(sample).value
        assert [out[k].r for k in "abc"] == [0, 50, 100]
        assert [out[k].degree for k in "abc"] == [Degree.LOW, Degree.AVERAGE, Degree.HIGH]
        gross = normalise_sample({"a": (F(100), F(0), True), "b": (F(100), F(50), False)}).value
        assert gross["a"].r == 100 and gross["a"].degree is Degree.HIGH
        alone = normalise_sample({"a": (F(40), F(5), False)}).value
        assert alone["a"].r == 45   # degenerate sample keeps its own R_prom


def test_sc_weighted_sum_reconstruction():
    with override(risk__subjective_indicator_formula="weighted_sum_reconstruction"):
        sc = subjective_criteria_indicator({"x1": F(100), "x2": F(50)},
                                           {"x1": F(3, 10), "x2": F(7, 10)})
        assert sc.value == 65 and "reconstruction" in sc.steps[-1].description
        with pytest.raises(InputError) as err:
            subjective_criteria_indicator({"x1": F(1)}, {"x1": F(1), "x2": F(1)})
        assert err.value.field == "indicators.x2"
        with pytest.raises(LegalRuleError):
            subjective_criteria_indicator({"x1": F(1)}, {})
