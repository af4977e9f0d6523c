"""The subjective risk indicator (Cr §12-13) and its information-system mode (Cr §13-1).

Cr §13: one gross violation sets the indicator to 100; otherwise
    SRZ = (SP2 × 100 / SP1) × 0.7   (considerable violations)
    SRN = (SP2 × 100 / SP1) × 0.3   (insignificant violations)
    SP  = SRZ + SRN                 (the formula line is blank; the prose says "summing")
Cr §12 bands: low 0-30, average 31-70, high 71-100. Everything is a Fraction: (3·100/7)·0.7
is exactly 30, never 29.999999999999996. `score_arrays` does the same in integer numpy
arithmetic for a whole country at once (SP = num/den with integer num, den).

Cr §13-1 (information system): R_prom = SP + SC, then normalized per homogeneous sample.
Ф.1 (SC) and Ф.2 (normalization) survive only as legends: their reconstructions are opt-in
settings and every explanation that uses them says "reconstruction".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import fmt
from kzreg.law.settings import get_setting
from kzreg.risk._law import criteria
from kzreg.risk.subjects import Degree

CONSIDERABLE_WEIGHT = Fraction(7, 10)   # "the coefficient of 0,7" (Cr §13)
INSIGNIFICANT_WEIGHT = Fraction(3, 10)  # "the coefficient of 0,3" (Cr §13)
GROSS_INDICATOR = Fraction(100)         # "the exponent of risk 100 is equated" (Cr §13)
LOW_UP_TO, AVERAGE_UP_TO = 30, 70       # Cr §12: "0 to 30", "31 to 70", "71 to 100"


@dataclass(frozen=True)
class Counts:
    """Violations found at earlier controls and the requirements they are counted against."""

    gross: int = 0
    considerable_found: int = 0
    considerable_total: int = 0
    insignificant_found: int = 0
    insignificant_total: int = 0

    def check(self) -> None:
        for name in ("gross", "considerable_found", "considerable_total",
                     "insignificant_found", "insignificant_total"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(f"must be a whole number ≥ 0, got {value!r}", field=name,
                                 citation=criteria("§13"))
        for kind in ("considerable", "insignificant"):
            found, total = getattr(self, f"{kind}_found"), getattr(self, f"{kind}_total")
            if found > total:
                raise InputError(f"{found} {kind} violations found but only {total} "
                                 f"{kind} requirements apply", field=f"{kind}_found",
                                 citation=criteria("§13"))


@dataclass(frozen=True)
class Indicator:
    value: Fraction
    degree: Degree
    gross: bool
    srz: Fraction | None = None
    srn: Fraction | None = None

    def __str__(self) -> str:
        return f"{fmt(self.value)} ({self.degree})"


def _share(kind: str, found: int, total: int, weight: Fraction, name: str,
           trace: Trace) -> Fraction:
    meaning = get_setting("risk.sp1_meaning")
    if total == 0:
        none = get_setting("risk.no_applicable_requirements")
        if none.value == "refuse":
            raise LegalRuleError(f"no {kind} requirement applies, so {name} divides by zero "
                                 "(setting risk.no_applicable_requirements)",
                                 field=f"{kind}_total", citation=criteria("§13"))
        return trace.step(f"{name}: no {kind} requirement applies (SP1 = 0): {name} = 0",
                          Fraction(0), citation=criteria("§13"),
                          parameters=[none.use(), meaning.use()])
    value = Fraction(found * 100, total) * weight
    return trace.step(f"{name} = ({found} × 100 / {total}) × {fmt(weight)} = {fmt(value)}",
                      value, citation=criteria("§13"),
                      inputs={"SP2": found, "SP1": total}, parameters=[meaning.use()])


def band(value: Fraction, trace: Trace | None = None) -> Explained[Degree]:
    """Cr §12: the degree of an indicator on 0-100 (fractions between bands by setting)."""
    trace = trace or Trace()
    if not 0 <= value <= 100:
        raise InputError(f"the indicator {fmt(value)} is outside 0-100", field="indicator",
                         citation=criteria("§12"))
    rule = get_setting("risk.band_boundaries")
    placed = value
    if rule.value == "round_half_up_first":
        placed = Fraction((2 * value.numerator + value.denominator) // (2 * value.denominator))
    degree = (Degree.LOW if placed <= LOW_UP_TO else
              Degree.AVERAGE if placed <= AVERAGE_UP_TO else Degree.HIGH)
    shown = fmt(value) if placed == value else f"{fmt(value)} (rounded to {fmt(placed)})"
    trace.step(f"indicator {shown}: {degree} risk (low 0-30, average 31-70, high 71-100)",
               degree, citation=criteria("§12"), parameters=[rule.use()])
    return trace.done(degree)


def violation_indicator(counts: Counts, trace: Trace | None = None) -> Explained[Indicator]:
    """Cr §13 (and the band of Cr §12): 100 for a gross violation, else SP = SRZ + SRN."""
    counts.check()
    trace = trace or Trace()
    if counts.gross:
        trace.step(f"{counts.gross} gross violation(s): the indicator is 100 and a check on "
                   "compliance or preventive control with visit is held", GROSS_INDICATOR,
                   citation=criteria("§13"), inputs={"gross": counts.gross})
        degree = band(GROSS_INDICATOR, trace).value
        return trace.done(Indicator(GROSS_INDICATOR, degree, True))
    trace.step("no gross violation: the indicator sums considerable and insignificant ones",
               None, citation=criteria("§13"))
    srz = _share("considerable", counts.considerable_found, counts.considerable_total,
                 CONSIDERABLE_WEIGHT, "SRZ", trace)
    srn = _share("insignificant", counts.insignificant_found, counts.insignificant_total,
                 INSIGNIFICANT_WEIGHT, "SRN", trace)
    formula = get_setting("risk.sp_formula")
    sp = trace.step(f"SP = SRZ + SRN = {fmt(srz)} + {fmt(srn)} = {fmt(srz + srn)}", srz + srn,
                    citation=criteria("§13"), parameters=[formula.use()])
    degree = band(sp, trace).value
    return trace.done(Indicator(sp, degree, False, srz, srn))


# --- a whole country at once ---------------------------------------------------------------

_INT64_SAFE = 2_000_000  # counts below this keep 100·found·total products inside int64


def score_arrays(gross, c_found, c_total, i_found, i_total):
    """Vectorized Cr §12-13 for validated non-negative counts (found ≤ total).

    Returns (num, den, degree) arrays: the exact indicator is num/den (integers), degree
    is 1 low, 2 average, 3 high. Settings are read once, as `violation_indicator` reads them.
    """
    gross, cf, ct, i_f, i_t = (np.asarray(a) for a in (gross, c_found, c_total, i_found,
                                                        i_total))
    dtype = np.int64
    if max((int(a.max()) if a.size else 0) for a in (cf, ct, i_f, i_t)) >= _INT64_SAFE:
        dtype = object  # exact Python integers for absurdly long checklists
    cf, ct, i_f, i_t = (a.astype(dtype) for a in (cf, ct, i_f, i_t))
    if get_setting("risk.no_applicable_requirements").value == "refuse" and (
            (ct == 0).any() or (i_t == 0).any()):
        raise LegalRuleError("some subjects have no applicable requirements of a severity "
                             "(setting risk.no_applicable_requirements)",
                             field="considerable_total", citation=criteria("§13"))
    ct1, it1 = np.where(ct == 0, 1, ct), np.where(i_t == 0, 1, i_t)
    # SP = 70·cf/ct + 30·if/it = (70·cf·it + 30·if·ct) / (ct·it); a zero total gives 0
    num = 70 * cf * it1 + 30 * i_f * ct1
    den = ct1 * it1
    is_gross = gross > 0
    num = np.where(is_gross, 100, num)
    den = np.where(is_gross, 1, den)
    if get_setting("risk.band_boundaries").value == "round_half_up_first":
        placed_num, placed_den = (2 * num + den) // (2 * den), 1
    else:
        placed_num, placed_den = num, den
    degree = np.where(placed_num <= LOW_UP_TO * placed_den, 1,
                      np.where(placed_num <= AVERAGE_UP_TO * placed_den, 2, 3))
    return num, den, degree.astype(np.int8)


# --- information-system mode (Cr §13-1) -----------------------------------------------------

def subjective_criteria_indicator(x: Mapping[str, Fraction], weights: Mapping[str, Fraction],
                                  trace: Trace | None = None) -> Explained[Fraction]:
    """SC by the reconstructed Ф.1, SC = Σ x_i·w_i, with weights an administrator loaded."""
    trace = trace or Trace()
    formula = get_setting("risk.subjective_indicator_formula")
    table = get_setting("risk.subjective_criteria_table")
    if formula.value == "unset":
        raise LegalRuleError("formula Ф.1 for SC is lost from the text; an administrator "
                             "must choose its reconstruction (setting "
                             "risk.subjective_indicator_formula)",
                             field="risk.subjective_indicator_formula",
                             citation=criteria("§13-1"))
    if not weights:
        raise LegalRuleError("no weights of subjective criteria are loaded (Appendix 7 to "
                             "the Criteria is missing; setting risk.subjective_criteria_table)",
                             field="weights", citation=criteria("§13-1"))
    unknown = sorted(set(x) - set(weights))
    missing = sorted(set(weights) - set(x))
    if unknown or missing:
        which = unknown or missing
        raise InputError(("no weight is loaded for " if unknown else "no value given for ")
                         + ", ".join(which), field=f"indicators.{which[0]}",
                         citation=criteria("§13-1"))
    terms = []
    for name in sorted(weights):
        if weights[name] < 0:
            raise InputError("a weight cannot be negative", field=f"weights.{name}")
        terms.append(Fraction(x[name]) * Fraction(weights[name]))
    sc = sum(terms, Fraction(0))
    shown = " + ".join(f"{fmt(x[n])}·{fmt(weights[n])}" for n in sorted(weights))
    trace.step(f"SC = Σ x_i·w_i = {shown} = {fmt(sc)} [reconstruction of Ф.1]", sc,
               citation=criteria("§13-1"), parameters=[formula.use(), table.use()])
    if not 0 <= sc <= 100:
        raise InputError(f"SC = {fmt(sc)} is outside the 0-100 scale Cr §13-1 requires; "
                         "check the loaded weights", field="weights", citation=criteria("§13-1"))
    return trace.done(sc)


@dataclass(frozen=True)
class Normalised:
    r_prom: Fraction
    r: Fraction
    degree: Degree
    gross: bool

    def __str__(self) -> str:
        return f"R {fmt(self.r)} ({self.degree}; R_prom {fmt(self.r_prom)})"


def normalise_sample(sample: Mapping[str, tuple[Fraction, Fraction, bool]],
                     trace: Trace | None = None) -> Explained[dict[str, Normalised]]:
    """Cr §13-1 over one homogeneous sample: {id: (SP, SC, gross)} -> R per subject.

    R_prom = SP + SC; R = (R_prom − Rmin) / (Rmax − Rmin) × 100 [reconstruction of Ф.2].
    """
    trace = trace or Trace()
    formula = get_setting("risk.normalisation_formula")
    if formula.value == "unset":
        raise LegalRuleError("formula Ф.2 (normalization) is lost from the text; an "
                             "administrator must choose its reconstruction (setting "
                             "risk.normalisation_formula)", field="risk.normalisation_formula",
                             citation=criteria("§13-1"))
    if not sample:
        raise InputError("the sample is empty", field="sample", citation=criteria("§13-1"))
    bounds = get_setting("risk.normalisation_bounds")
    degenerate = get_setting("risk.normalisation_degenerate_sample")
    override = get_setting("risk.gross_violation_overrides_information_system")
    bands = get_setting("risk.bands_apply_to_normalised")
    r_prom = {key: Fraction(sp) + Fraction(sc) for key, (sp, sc, _) in sample.items()}
    trace.step(f"R_prom = SP + SC for {len(r_prom)} subject(s) of the sample", None,
               citation=criteria("§13-1"))
    if bounds.value == "observed_sample":
        low, high = min(r_prom.values()), max(r_prom.values())
    else:
        low, high = Fraction(0), Fraction(200)
    trace.step(f"Rmin = {fmt(low)}, Rmax = {fmt(high)}", (low, high),
               citation=criteria("§13-1"), parameters=[bounds.use()])
    out: dict[str, Normalised] = {}
    for key, value in r_prom.items():
        gross = sample[key][2]
        if high == low:
            if degenerate.value == "refuse":
                raise LegalRuleError("every subject of the sample has the same R_prom, so "
                                     "Rmax = Rmin (setting risk.normalisation_degenerate_sample)",
                                     field="sample", citation=criteria("§13-1"))
            r = Fraction(0) if degenerate.value == "zero" else min(max(value, Fraction(0)),
                                                                    Fraction(100))
        else:
            r = (value - low) / (high - low) * 100
        if gross and override.value:
            r = GROSS_INDICATOR
        if not bands.value:
            raise LegalRuleError("the Cr §12 bands are set not to apply to R; no degree can be "
                                 "given (setting risk.bands_apply_to_normalised)",
                                 field="risk.bands_apply_to_normalised",
                                 citation=criteria("§13-1"))
        degree = band(r, Trace()).value
        out[key] = Normalised(value, r, degree, gross)
    trace.step("R = (R_prom − Rmin) / (Rmax − Rmin) × 100 [reconstruction of Ф.2]; a gross "
               "violation keeps 100; Cr §12 bands place R",
               {k: f"{fmt(v.r)} {v.degree}" for k, v in out.items()},
               citation=criteria("§13-1"),
               parameters=[formula.use(), degenerate.use(), override.use(), bands.use()])
    return trace.done(out)
