"""The plausibility limits every decoder applies to a fix before it becomes a `Position`.

A fix outside them is rejected (with a reason, never an exception out of `feed`): the
detectors judge signal loss and removal by fix time (Order 407 §3(8), §11), so a fix
dated in the future would hide a silent seal until that time passes. These are technical
limits, not legal numbers (the Order sets none); they are documented in
docs/tracking-protocols.md ("Plausibility limits").
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

from kzreg.tracking.position import SealState

UTC = dt.UTC
# How far ahead of the server's clock a device's fix time may be (clock skew, rounding).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)


class BadFix(ValueError):
    """A fix that fails a plausibility check; `kind` is "time", "coordinates" or "values"
    (then `field` names the value: speed_kmh, course, satellites or battery)."""

    def __init__(self, kind: str, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.field = field


def check_fix(fix_time: dt.datetime, lat: float, lon: float, now: dt.datetime) -> None:
    """Raise `BadFix` when the coordinates are out of range or the time is in the future."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):  # also rejects NaN
        raise BadFix("coordinates", f"coordinates {lat},{lon} out of range")
    if fix_time - now > FUTURE_TOLERANCE:
        raise BadFix("time", f"fix time {fix_time.isoformat()} is ahead of the server clock "
                             f"{now.isoformat()} by more than {FUTURE_TOLERANCE}")


# A course is degrees clockwise from north: 0..360 (360 is north again, some devices send
# it). EGTS passes 359: GOST 33472 POS_DATA's DIR (+ DIRH) is whole degrees 0..359, its
# 9 bits reaching 511 are not a course.
MAX_COURSE = 360.0
MAX_SATELLITES = 255  # EGTS EXT_POS_DATA SAT is one byte; no receiver tracks more
_FINITE = sys.float_info.max


def check_values(speed_kmh: float | None, course: float | None, satellites: int | None,
                 battery: float | None, *, max_course: float = MAX_COURSE) -> None:
    """Raise `BadFix("values", …, field)` for a value no device can measure: a negative
    speed, a course outside 0..max_course, satellites outside 0..255, a negative battery
    (percent or volts), or any of them not finite. None is "not reported"."""
    limits = (("speed_kmh", speed_kmh, 0.0, _FINITE), ("course", course, 0.0, max_course),
              ("satellites", satellites, 0, MAX_SATELLITES), ("battery", battery, 0.0, _FINITE))
    for name, value, low, high in limits:
        # Comparisons only (NaN fails them, infinity exceeds _FINITE): math.isfinite
        # would overflow on a huge integer.
        if value is not None and not low <= value <= high:
            bounds = (f"a finite number >= {low:g}" if high == _FINITE
                      else f"within {low:g}..{high:g}")
            raise BadFix("values", f"{name} {value!r} is not {bounds}", name)


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
        if text.isascii() and text.isdigit():  # int() refuses Unicode digits such as "²"
            value = int(text)
        else:
            return _SEAL_NAMES.get(text)
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and value in range(len(_SEAL_CODES)):  # no int(): JSON 1e999 is infinite
        return _SEAL_CODES[int(value)]
    return None
