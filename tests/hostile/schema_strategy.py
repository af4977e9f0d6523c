"""A Hypothesis strategy from a pydantic JSON Schema (the rules' input schemas): values
that mostly pass the schema, so they reach the rule's own logic, with edge values
(bounds, empty strings, leap days, far dates) preferred. hypothesis-jsonschema does the
same in general but does not run with the Hypothesis this project uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from hostile.strategies import NASTY_TOKENS

_DATES = st.one_of(st.sampled_from([dt.date(2024, 2, 29), dt.date(2024, 3, 1),
                                    dt.date(2024, 12, 31), dt.date(1, 1, 1),
                                    dt.date(9999, 12, 31)]), st.dates())


def from_schema(schema: dict[str, Any], defs: dict[str, Any] | None = None,
                depth: int = 0) -> st.SearchStrategy[Any]:
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return st.deferred(lambda: from_schema(defs[schema["$ref"].rsplit("/", 1)[1]], defs,
                                               depth + 1))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(s, defs, depth) for s in schema[key]])
    if "allOf" in schema:
        return from_schema(schema["allOf"][0], defs, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}, defs, depth) for k in kind])
    if kind == "object" or "properties" in schema:
        return _object(schema, defs, depth)
    if kind == "array":
        items = from_schema(schema.get("items", {}), defs, depth + 1)
        return st.lists(items, min_size=schema.get("minItems", 0),
                        max_size=min(schema.get("maxItems", 4), 4) if depth < 3 else 1)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum")) | \
            st.sampled_from([0, 1, -1, 2**63])
    if kind == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        return st.one_of(st.integers(low and int(low), high and int(high)),
                         st.decimals(low, high, allow_nan=False, allow_infinity=False,
                                     places=4).map(str),
                         st.sampled_from(["0", "0.1", "-0.0001", "1e6", 1e308, Decimal("0.5")]))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return _DATES.map(dt.date.isoformat)
        if fmt == "date-time":
            return st.datetimes(timezones=st.just(dt.UTC)).map(dt.datetime.isoformat)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True) | st.sampled_from(NASTY_TOKENS)
        return st.text(min_size=schema.get("minLength", 0), max_size=20) | \
            st.sampled_from(NASTY_TOKENS + ("KZ", "CN", "RU", "150340012340", "8703"))
    return st.none() | st.integers() | st.text(max_size=8)


def _object(schema: dict[str, Any], defs: dict[str, Any], depth: int) -> st.SearchStrategy:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    if not properties:
        extra = schema.get("additionalProperties")
        values = from_schema(extra, defs, depth + 1) if isinstance(extra, dict) else \
            st.integers() | st.text(max_size=8)
        return st.dictionaries(st.text(max_size=8), values, max_size=3)
    fields = {name: from_schema(sub, defs, depth + 1) for name, sub in properties.items()}

    @st.composite
    def build(draw):
        return {name: draw(strategy) for name, strategy in fields.items()
                if name in required or draw(st.booleans())}

    return build()
