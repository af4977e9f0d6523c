"""The JSONL replay trace as device input: one line -> a `Position`, or None for an event.

The trace format is `kzreg escort replay`'s (docs/tracking-protocols.md): position reports
`{"time", "seal", "lat", "lon", "state"}` (state closed|opened|removed|tamper, optional
`device`, `speed_kmh`, `course`, `archive`); lines with an `event` (activated, deactivated,
clock) carry no position. The device id is the line's `device`, else its seal number; the
seal number is kept in `attributes["seal"]`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from kzreg.law.errors import InputError
from kzreg.tracking.position import Position
from kzreg.tracking.protocols.mqtt_json import decode_mqtt_json

PROTOCOL = "jsonl"
_NO_FUTURE_CHECK = dt.datetime.max.replace(tzinfo=dt.UTC)  # a replay is judged on its own clock


def decode_jsonl_line(line: str | bytes) -> Position | None:
    """The position a replay line reports, None for an event line; InputError if malformed."""
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError,
        # an integer over 4300 digits, or nesting deeper than json's recursion limit
        raise InputError(f"the line is not JSON: {error}", field="line") from None
    if not isinstance(entry, dict):
        raise InputError("a trace line is a JSON object", field="line")
    if "event" in entry:
        return None
    seal = entry.pop("seal", None)
    if not seal:
        raise InputError("is required", field="seal")
    if "state" in entry:
        entry["seal"] = entry.pop("state")
    entry.setdefault("device", str(seal))
    [position] = decode_mqtt_json("", json.dumps(entry), clock=lambda: _NO_FUTURE_CHECK)
    return replace(position, protocol=PROTOCOL,
                   attributes={**position.attributes, "seal": str(seal)})
