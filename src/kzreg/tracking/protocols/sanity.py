"""The plausibility limits every decoder applies to a fix before it becomes a `Position`.

A fix outside them is rejected (with a reason, never an exception out of `feed`): the
detectors judge signal loss and removal by fix time (Order 407 §3(8), §11), so a fix
dated in the future would hide a silent seal until that time passes. These are technical
limits, not legal numbers (the Order sets none); they are documented in
docs/tracking-protocols.md ("Plausibility limits").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kzreg.tracking.position import SealState

UTC = dt.UTC
# How far ahead of the server's clock a device's fix time may be (clock skew, rounding).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)


class BadFix(ValueError):
    """A fix that fails a plausibility check; `kind` is "time" or "coordinates"."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def check_fix(fix_time: dt.datetime, lat: float, lon: float, now: dt.datetime) -> None:
    """Raise `BadFix` when the coordinates are out of range or the time is in the future."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):  # also rejects NaN
        raise BadFix("coordinates", f"coordinates {lat},{lon} out of range")
    if fix_time - now > FUTURE_TOLERANCE:
        raise BadFix("time", f"fix time {fix_time.isoformat()} is ahead of the server clock "
                             f"{now.isoformat()} by more than {FUTURE_TOLERANCE}")


def preview(frame: bytes, limit: int = 256) -> bytes:
    """The start of an offending frame, for the log and the quarantine view."""
    return frame[:limit]


# kzreg's convention for the seal's integrity state where a protocol has no field for it
# (docs/tracking-protocols.md, "Seal state"): a name, or the code 0..3 in this order.
_SEAL_NAMES = {state.value: state for state in SealState}
_SEAL_CODES = (SealState.CLOSED, SealState.OPENED, SealState.REMOVED, SealState.TAMPER)


def seal_state(value: object) -> SealState | None:
    """The seal state a device reported as a name ("closed") or a code (0..3); else None."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            value = int(text)
        else:
            return _SEAL_NAMES.get(text)
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value) \
            and 0 <= value < len(_SEAL_CODES):
        return _SEAL_CODES[int(value)]
    return None
