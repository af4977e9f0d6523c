"""Bugs the hostile-input suite found in files this suite does not own, until they are fixed.

Each has a strict-xfail regression test (`xfail(bug_id)`): when the fix lands the test
passes, strict xfail turns that into a failure, and the entry is deleted here. Until then
the property tests tolerate exactly that failure (`only_documented_rejects`), so they keep
guarding everything else.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class KnownBug:
    reason: str     # the bug, as the xfail reason
    fix: str        # file, function, change
    signature: str  # regex over "ExceptionType: message" of the failure it causes


BUGS: dict[str, KnownBug] = {
    "egts-empty-ext-pos": KnownBug(
        "an EXT_POS_DATA subrecord of length 0 makes the EGTS decoder read its flags byte "
        "past the subrecord: IndexError at the end of a frame (a 'decoder error'), else the "
        "next subrecord's byte is taken for flags",
        "src/kzreg/tracking/protocols/egts.py, _ext_pos_data: first line `if length < 1: "
        "raise FrameError(PC_INC_DATAFORM, \"EXT_POS_DATA is empty\")`",
        r"decoder error: IndexError"),
    "seal-state-non-ascii-digits": KnownBug(
        "seal_state() raises ValueError on Unicode digits ('²'.isdigit() is true, int() "
        "refuses it) and OverflowError on an infinite float (JSON 1e999); osmand `seal=`, "
        "osmand extras.seal and mqtt-json `seal` let it escape instead of an InputError",
        "src/kzreg/tracking/protocols/sanity.py, seal_state: `if text.isascii() and "
        "text.isdigit():` and test `math.isfinite(value)` before `value == int(value)`",
        r"^(ValueError: invalid literal for int\(\) with base 10|"
        r"OverflowError: cannot convert float infinity to integer)"),
    "iso-time-overflow": KnownBug(
        "parse_time: an ISO 8601 time at the calendar's edge with an offset "
        "('9999-12-31T23:59:59-05:00', '0001-01-01T00:00:00+05:00') overflows in "
        "astimezone(UTC): OverflowError escapes osmand and mqtt-json",
        "src/kzreg/tracking/protocols/osmand.py, parse_time: `except (ValueError, "
        "OverflowError)` around fromisoformat + astimezone (move the conversion into the try)",
        r"^OverflowError: date value out of range"),
    "json-depth": KnownBug(
        "deeply nested JSON ('[' * 5000) makes json.loads raise RecursionError, which escapes "
        "osmand, mqtt-json and the JSONL line decoder (they catch ValueError only)",
        "src/kzreg/tracking/protocols/osmand.py decode_osmand, mqtt_json.py decode_mqtt_json, "
        "jsonl.py decode_jsonl_line: catch `(ValueError, RecursionError)` (jsonl: add "
        "RecursionError to its tuple) and raise the same InputError",
        r"^RecursionError: maximum recursion depth exceeded while decoding a JSON"),
    "unchecked-ranges": KnownBug(
        "decoders pass out-of-range values into positions: negative speed, course over 360 "
        "(EGTS DIR+DIRH reaches 511), negative or absurd satellites, negative battery",
        "src/kzreg/tracking/protocols/sanity.py: add check_values(speed, course, satellites, "
        "battery) raising BadFix('values', ...) for speed < 0, course outside 0..360, "
        "satellites outside 0..255, battery < 0 (all finite); call it next to check_fix in "
        "wialon_ips.parse_record (reply code 11, satellites 12), osmand._position, "
        "mqtt_json._report and egts.EgtsSession._position (PC_INC_DATAFORM)",
        r"^(wialon-ips|egts|osmand|mqtt-json|jsonl): (speed_kmh|course|satellites|battery)="),
    "mqtt-truthy-strings": KnownBug(
        "mqtt-json (and the JSONL trace line) read `valid` and `archive` with bool(): the "
        "string \"false\" becomes True, so an invalid fix is stored as valid",
        "src/kzreg/tracking/protocols/mqtt_json.py, _report: accept only JSON true/false "
        "for `valid` and `archive`, else InputError(field=f\"[{index}].valid\")",
        r"^$"),
    "producers-catalogue-shape": KnownBug(
        "producers.register-assessment / register-catalogue-change: a what-if catalogue "
        "version without `version` or `effective` (KeyError), or with `products` or a "
        "product that is not an object (AttributeError), crashes the rule: 500 from "
        "POST /api/rules/{id}/explain, 'internal error' from the CLI",
        "src/kzreg/producers/register_law.py, load_catalogue (and _product): check each row "
        "is a mapping with `version` and `effective`, `products` a mapping of mappings, else "
        "InputError(field=\"catalogue[i].<key>\"); or type CatalogueChangeInput.versions and "
        "AssessmentInput.catalogue in producers/rules.py with a pydantic model",
        r"^(KeyError: '(version|effective)'|AttributeError: '\w+' object has no attribute "
        r"'(get|items)')"),
    "osmand-urlsplit": KnownBug(
        "osmand decode_query: a request starting with '//' or a scheme whose host part holds "
        "'[' ('//[?lat=1') makes urlsplit raise ValueError('Invalid IPv6 URL') (found by "
        "atheris)",
        "src/kzreg/tracking/protocols/osmand.py, decode_query: wrap `urlsplit(query).query` "
        "in try/except ValueError -> InputError(\"not a query string\", field=\"message\")",
        r"^ValueError: Invalid IPv6 URL"),
    "producers-search-like-wildcards": KnownBug(
        "the public register search puts the search text into LIKE patterns unescaped: "
        "'%' or '_' match every producer (no SQL injection, values are bound, but the "
        "search does not mean what was typed)",
        "src/kzreg/producers/service.py, search: `RegisterEntry.name.icontains(text, "
        "autoescape=True)`, `RegisterGood.code.startswith(text, autoescape=True)`, "
        "`RegisterGood.title.icontains(text, autoescape=True)` instead of ilike(f\"%{..}%\")",
        r"^$"),
    "producers-offtake-year-zero": KnownBug(
        "producers.contract-offtake-check: a year outside 1..9999 (0, or 10000) reaches "
        "dt.date(first, 1, 1) and raises ValueError('year 0 is out of range'): 500 from "
        "POST /api/rules/{id}/explain",
        "src/kzreg/producers/contracts.py, the OfftakeInput year model: `year: int = "
        "Field(ge=1, le=9999)` (or check it in offtake_check with an InputError "
        "field=\"years\")",
        r"^ValueError: year -?[0-9]+ is out of range"),
    "defense-csv-content-type": KnownBug(
        "GET /api/defense/contracts.csv answers text/csv but the OpenAPI document declares "
        "application/json (found by schemathesis)",
        "src/kzreg/defense/contracts_api.py, the contracts.csv route: "
        "response_class=PlainTextResponse or responses={200: {\"content\": "
        "{\"text/csv\": {\"schema\": {\"type\": \"string\"}}}}}",
        r"^$"),
}


def xfail(bug_id: str) -> pytest.MarkDecorator:
    bug = BUGS[bug_id]
    return pytest.mark.xfail(strict=True, reason=f"{bug.reason} (fix: {bug.fix})")


def known(failure: str) -> str | None:
    """The id of the known bug a failure's text shows, if any."""
    return next((bug_id for bug_id, bug in BUGS.items()
                 if re.search(bug.signature, failure)), None)


@contextlib.contextmanager
def only_documented_rejects() -> Iterator[None]:
    """Let a known bug's exception pass silently; any other one propagates."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - filtered, re-raised unless known
        from kzreg.law.errors import KzregError

        if isinstance(error, KzregError) or known(f"{type(error).__name__}: {error}") is None:
            raise
