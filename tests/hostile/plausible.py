"""What every decoded position must satisfy, whatever bytes produced it.

The ranges are physical, not legal: latitude -90..90, longitude -180..180, an aware fix
time no further ahead of the server clock than the decoders' tolerance, and, when present,
a finite speed >= 0, a course 0..360 degrees, a finite altitude, 0..255 satellites (EGTS
carries one byte; no receiver tracks more) and a finite battery reading >= 0.
"""

from __future__ import annotations

import datetime as dt
import math

from hostile.known_bugs import known
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.base import Decoded
from kzreg.tracking.protocols.sanity import FUTURE_TOLERANCE


def out_of_range(position: Position, now: dt.datetime) -> list[str]:
    """The fields of `position` outside their ranges (empty when it is plausible)."""
    bad = []
    if not (isinstance(position.lat, float) and -90 <= position.lat <= 90):
        bad.append(f"lat={position.lat!r}")
    if not (isinstance(position.lon, float) and -180 <= position.lon <= 180):
        bad.append(f"lon={position.lon!r}")
    if position.fix_time.tzinfo is None or position.fix_time - now > FUTURE_TOLERANCE:
        bad.append(f"fix_time={position.fix_time!r}")
    checks = (("speed_kmh", lambda v: math.isfinite(v) and v >= 0),
              ("course", lambda v: math.isfinite(v) and 0 <= v <= 360),
              ("altitude_m", math.isfinite),
              ("satellites", lambda v: isinstance(v, int) and 0 <= v <= 255),
              ("battery", lambda v: math.isfinite(v) and v >= 0))
    for name, ok in checks:
        value = getattr(position, name)
        if value is not None and not ok(value):
            bad.append(f"{name}={value!r}")
    if position.seal_state is not None and not isinstance(position.seal_state, SealState):
        bad.append(f"seal_state={position.seal_state!r}")
    if not isinstance(position.device, str):
        bad.append(f"device={position.device!r}")
    return bad


def assert_plausible(position: Position, now: dt.datetime) -> None:
    """No field out of range, but for a known unfixed bug (tests/hostile/known_bugs.py)."""
    problems = [problem for problem in out_of_range(position, now)
                if not known(f"{position.protocol}: {problem}")]
    assert not problems, (problems, position)


def assert_sound(decoded: Decoded, now: dt.datetime) -> None:
    """A session's answer: no decoder crash hidden in `rejected`, only plausible positions."""
    crashes = [r.reason for r in decoded.rejected
               if r.reason.startswith("decoder error") and not known(r.reason)]
    assert not crashes, crashes
    for position in decoded.positions:
        assert_plausible(position, now)
