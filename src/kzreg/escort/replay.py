"""`kzreg escort replay`: the detection engine run over a JSONL trace (format:
docs/escort-replay.md), as the live system would have run it.

Lines are in reception order. The reception clock is the latest instant seen so far: a
position whose `time` is earlier than the clock is a late (black-box) report, received at the
clock (or at its explicit `received`). Before each line the simulated timers due by its
reception fire at their own instants, so a signal loss is detected exactly when the live
service's timer would fire — three hours and one second after the last signal — provided the
trace reaches that instant (a report or a `clock` line at or after it).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kzreg.escort.engine import STATE_CODES, DetectionEngine, to_us
from kzreg.escort.situations import Situation
from kzreg.law.errors import InputError, KzregError

BATCH = 4096
EVENTS = ("activated", "deactivated", "clock")


@dataclass
class ReplayResult:
    situations: list[Situation]        # newest version of each, in order of detection
    lines: int = 0
    reports: int = 0
    ignored: int = 0                   # reports of seals not under control
    timings: dict[str, float] = field(default_factory=dict)


def _bad(n: int, name: str, message: str) -> InputError:
    return InputError(message, field=f"line {n}: {name}")


def _instant(obj: dict[str, Any], n: int, name: str) -> int:
    raw = obj.get(name)
    if not isinstance(raw, str):
        raise _bad(n, name, "missing" if raw is None else f"{raw!r} is not an ISO 8601 "
                   "date-time")
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(n, name, f"{raw!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise _bad(n, name, f"{raw!r} has no offset (write Z for UTC)")
    return to_us(value)


def _seal(obj: dict[str, Any], n: int) -> str:
    seal = obj.get("seal")
    if not isinstance(seal, str) or not seal.strip():
        raise _bad(n, "seal", "missing" if seal is None else f"{seal!r} is not a seal number")
    return seal


def _coordinate(obj: dict[str, Any], n: int, name: str, limit: float) -> float | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or not -limit <= value <= limit:
        raise _bad(n, name, f"{value!r} is not a number in -{limit:g}..{limit:g}")
    return float(value)


def _with_line(n: int, err: KzregError) -> KzregError:
    return type(err)(err.message, field=f"line {n}: {err.field or 'line'}",
                     citation=err.citation)


class _Replay:
    def __init__(self, engine: DetectionEngine) -> None:
        self.engine = engine
        self.latest: dict[tuple, Situation] = {}
        self.columns: tuple[list, ...] = ([], [], [], [], [], [], [])
        self.limit = 0                 # records of one batch are received before this

    def keep(self, found: list[Situation]) -> None:
        for s in found:
            self.latest[s.key] = s

    def flush(self) -> None:
        if self.columns[0]:
            self.keep(self.engine.observe_columns(*self.columns))
            self.columns = ([], [], [], [], [], [], [])

    def until(self, now: int) -> None:
        """Before anything received at `now`: judge the batch, fire the timers due."""
        self.flush()
        self.keep(self.engine.replay_until(now))

    def position(self, seal: str, fix: int, recv: int, lat: float | None,
                 lon: float | None, code: int, valid: bool) -> None:
        if not self.columns[0] or recv >= self.limit:
            self.flush()
            self.keep(self.engine.replay_until(recv))
            heap = self.engine._heap
            # a timer armed inside the batch is due at least three hours after its start
            self.limit = min(heap[0][0] if heap else recv + self.engine._thr,
                             recv + self.engine._thr)
        seals, fixes, recvs, lats, lons, codes, valids = self.columns
        seals.append(seal)
        fixes.append(fix)
        recvs.append(recv)
        lats.append(lat)
        lons.append(lon)
        codes.append(code)
        valids.append(valid)
        if len(seals) >= BATCH:
            self.flush()


def replay(lines: Iterable[str], engine: DetectionEngine | None = None) -> ReplayResult:
    """Run the engine over the trace's lines; raises InputError naming the line and field."""
    engine = engine or DetectionEngine()
    run = _Replay(engine)
    clock = None
    result = ReplayResult([])
    loads = json.loads
    n = 0
    for n, line in enumerate(lines, 1):  # noqa: B007 - n is reported after the loop
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except ValueError as err:
            raise _bad(n, "line", f"not JSON ({err})") from None
        if not isinstance(obj, dict):
            raise _bad(n, "line", "expected a JSON object")
        try:
            t = _instant(obj, n, "time")
            recv = _instant(obj, n, "received") if "received" in obj else None
            event = obj.get("event")
            if event is None:                      # a position report
                seal = _seal(obj, n)
                if recv is None:
                    recv = t if clock is None or t > clock else clock
                elif clock is not None and recv < clock:
                    raise _bad(n, "received", "earlier than a line before it: lines must "
                               "be in reception order")
                clock = recv
                lat, lon = _coordinate(obj, n, "lat", 90), _coordinate(obj, n, "lon", 180)
                if (lat is None) != (lon is None):
                    raise _bad(n, "lon" if lon is None else "lat", "missing (give both "
                               "lat and lon, or neither for a report without a fix)")
                state = obj.get("state")
                code = STATE_CODES.get(state, -1) if isinstance(state, (str, type(None))) \
                    else -1
                if code < 0:
                    raise _bad(n, "state", f"{state!r} is not one of closed, opened, "
                               "removed, tamper")
                valid = obj.get("valid", True)
                if not isinstance(valid, bool):
                    raise _bad(n, "valid", f"{valid!r} is not true or false")
                result.reports += 1
                run.position(seal, t, recv, lat, lon, code, valid and lat is not None)
                continue
            if event not in EVENTS:
                raise _bad(n, "event", f"{event!r} is not one of {', '.join(EVENTS)}")
            at = recv if recv is not None else t
            if clock is not None and at < clock:
                raise _bad(n, "time", "earlier than a line before it: lines must be in "
                           "reception order")
            clock = at
            run.until(at)
            when = dt.datetime.fromtimestamp(0, dt.UTC) + dt.timedelta(microseconds=at)
            if event == "activated":
                corridor = obj.get("corridor_m")
                if corridor is not None and (isinstance(corridor, bool) or not isinstance(
                        corridor, (int, float)) or not corridor > 0):
                    raise _bad(n, "corridor_m", f"{corridor!r} is not a positive number of "
                               "metres (or null for the setting)")
                engine.activate(_seal(obj, n), when, obj.get("route"), corridor)
            elif event == "deactivated":
                run.keep(engine.deactivate(_seal(obj, n), when))
        except KzregError as err:
            if err.field and err.field.startswith(f"line {n}:"):
                raise
            raise _with_line(n, err) from None
    run.flush()
    result.lines = n
    result.ignored = engine.ignored
    result.situations = list(run.latest.values())
    return result
