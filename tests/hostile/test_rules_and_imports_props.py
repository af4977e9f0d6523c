"""Rule entry points and file imports under hostile input: every registered rule (the
scoring inputs of assembly and risk, the defense and producers checks, the law kernel) on
inputs valid by its own schema and on arbitrary JSON, on any date; the risk batch import
(CSV, JSON array, JSON lines); the escort replay trace.

Property: a result, or a `KzregError` (InputError, LegalRuleError, NotFound, NotInForce)
naming what is wrong; never another exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostile.budget import budget
from hostile.known_bugs import only_documented_rejects
from hostile.schema_strategy import from_schema
from hostile.strategies import NASTY_TOKENS, json_values
from kzreg.law.errors import KzregError
from kzreg.law.rules import all_rules

RULES = all_rules()
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))


def run_rule(rule, data, day):
    with only_documented_rejects():
        try:
            rule.run(data, day)
        except KzregError as error:
            assert error.message, error


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_on_schema_valid_inputs(rule):
    """Inputs that pass the schema reach the rule's own logic: it must answer or refuse."""

    @budget(12, lenient=True)
    @given(data=from_schema(rule.input_schema()), day=dates)
    def check(data, day):
        run_rule(rule, data, day)

    check()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_on_arbitrary_json(rule):
    @budget(8)
    @given(data=json_values | st.dictionaries(
        st.sampled_from(sorted(rule.input_schema().get("properties", {})) or ["x"]),
        json_values, max_size=8), day=dates)
    def check(data, day):
        run_rule(rule, data, day)

    check()


# -- risk: the batch import (CSV / JSON / JSON lines) -------------------------------------

_RISK_FIELDS = ("id", "type", "gross", "considerable_found", "considerable_total",
                "insignificant_found", "insignificant_total", "insured", "sro_recognized",
                "legally_exempt")
_risk_values = st.one_of(st.sampled_from(NASTY_TOKENS), json_values,
                         st.integers(0, 10**20), st.sampled_from(["industrial", "true", "no"]))


@st.composite
def risk_rows(draw):
    return {key: draw(_risk_values) for key in draw(st.sets(st.sampled_from(_RISK_FIELDS)))}


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_RISK_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (v if isinstance(v, str) else json.dumps(v)) for k, v in row.items()})
    return out.getvalue()


@budget(120)
@given(st.lists(risk_rows(), max_size=5), st.sampled_from(["csv", "json", "jsonl", "raw"]),
       st.text(max_size=60))
def test_risk_batch_import_and_scoring(tmp_path_factory, rows, form, raw):
    from kzreg.risk.batch import parse_rows, read_rows, score

    path = tmp_path_factory.mktemp("batch") / f"subjects.{'csv' if form == 'csv' else 'json'}"
    text = {"csv": lambda: _csv(rows), "json": lambda: json.dumps(rows),
            "jsonl": lambda: "\n".join(map(json.dumps, rows)), "raw": lambda: raw}[form]()
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with only_documented_rejects():
        try:
            loaded = read_rows(path)
        except KzregError:
            return
        good, bad = parse_rows(loaded if isinstance(loaded, list) else [loaded])
        results = list(score(good))
        assert len(results) == len(good)
        assert all(0 <= r["indicator"] <= 100 for r in results)
        assert all(error.field and error.message for error in bad)


# -- escort: the replay trace ------------------------------------------------------------

_TRACE_KEYS = ("time", "received", "seal", "lat", "lon", "state", "valid", "event",
               "corridor_m", "route")
_trace_values = st.one_of(st.sampled_from(["2026-11-21T10:00:00Z", "2026-11-21T13:00:01Z",
                                           "activated", "deactivated", "clock", "closed",
                                           "opened", "SIM-001"]),
                          st.sampled_from(NASTY_TOKENS), json_values)


@st.composite
def trace_lines(draw):
    entry = {key: draw(_trace_values) for key in draw(st.sets(st.sampled_from(_TRACE_KEYS)))}
    return draw(st.sampled_from([json.dumps(entry), draw(st.text(max_size=30))]))


@budget(150)
@given(st.lists(trace_lines(), max_size=8))
def test_escort_replay_trace(lines):
    from kzreg.escort.replay import replay

    prologue = ['{"event": "activated", "seal": "SIM-001", "time": "2026-11-21T09:00:00Z"}']
    with only_documented_rejects():
        try:
            replay(prologue + lines)
        except KzregError as error:
            assert error.field and error.field.startswith("line "), error
