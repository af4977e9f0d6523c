"""The production detector of non-routine situations (Rules §3(8)) for many seals at once.

§3(8): "loss of the navigation seal signal for more than 3 (three) hours, unauthorized removal
of the navigation seal, deviation from the route (if such a route is established)"; §11: both
offices are informed "within one hour after the emergency situation occurs" (`notify_by`).

`DetectionEngine` holds a few slots per active seal (instants as integer microseconds since
the epoch, UTC) and is driven by four calls: `activate`, `observe` (one report, or many with
`observe_many` / `observe_columns`), `deactivate`, and `advance(now)`. Signal loss is timer-
driven: each seal has at most one entry in a heap keyed by the instant its silence becomes a
loss; `advance` pops only the entries that are due (no scan of all seals) and re-arms those
whose signal came back meanwhile, so a loss is raised at the first instant it exists (three
hours and one second, by escort.signal_loss_boundary and escort.signal_loss_resolution_seconds).

Every call returns the situations it raised or changed, each as its newest version (the same
`Situation.key` means the same situation): raised, then `ended_at` set (signal restored,
back in the corridor, seal closed again, deactivation), or `retracted_at` set when late data
show it never was (only with escort.signal_loss_clock = device_time) — never deleted.

Late (black-box) reports: with the receipt clock (the default setting) a late report ends a
silence when it is received, not when it was recorded, so a gap the operator lived through is
a loss even if buffered fixes later cover it; with the device clock the silence is between the
seal's own timestamps and a late fix inside a raised loss retracts it (and raises what is left
of it, if that is still more than three hours). Removal and deviation are judged on the seal's
own time (escort.event_occurrence_clock): a late fix is judged in order with the other late
fixes of its batch, apart from the live stream.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from weakref import WeakValueDictionary

import numpy as np

from kzreg.escort._law import SIGNAL_LOSS_THRESHOLD, rules
from kzreg.escort.geo import M_PER_DEG, RAD, Route
from kzreg.escort.messages import parse_route
from kzreg.escort.situations import (
    NOTICE_PERIOD,
    DetectorConfig,
    Situation,
    SituationType,
    iso,
)
from kzreg.law.errors import Conflict, InputError, LegalRuleError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
US = dt.timedelta(microseconds=1)
#: seal states as small integers in the hot path; 0 = not reported
STATE_CODES = {None: 0, "closed": 1, "opened": 2, "removed": 3, "tamper": 4}
STATE_NAMES = {code: name for name, code in STATE_CODES.items()}
LOSS, REMOVAL, DEVIATION = (SituationType.SIGNAL_LOSS, SituationType.UNAUTHORIZED_REMOVAL,
                            SituationType.ROUTE_DEVIATION)


def to_us(instant: dt.datetime, field: str = "time") -> int:
    """An aware instant as integer microseconds since 1970-01-01 UTC (exact)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InputError("the instant carries no time zone", field=field)
    return (instant - EPOCH) // US


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=us)


def _seconds(us: int) -> int | float:
    return us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000


def _fast_points(raw: Any) -> np.ndarray | None:
    """A valid GeoJSON LineString's coordinates as an (n, 2) array, checked at once; None
    for anything else (then `parse_route` checks it point by point, naming the field)."""
    coords = raw.get("coordinates") if isinstance(raw, dict) and \
        raw.get("type") == "LineString" else None
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    try:
        points = np.array(coords, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if points.ndim != 2 or points.shape[1] != 2 or not np.isfinite(points).all() or \
            (np.abs(points[:, 0]) > 180).any() or (np.abs(points[:, 1]) > 90).any():
        return None
    return points


@dataclass(slots=True)
class Report:
    """One report of a seal as the engine judges it (see `from_position`)."""

    seal: str
    time: dt.datetime                      # the seal's own timestamp of the fix or event
    received: dt.datetime | None = None    # when the system received it; default `time`
    lat: float | None = None
    lon: float | None = None
    state: str | None = None               # closed | opened | removed | tamper | None
    valid: bool = True
    in_destination_zone: bool = False

    @classmethod
    def from_position(cls, seal: str, position: Any) -> Report:
        """From a `kzreg.tracking.position.Position` of that seal."""
        state = position.seal_state
        return cls(seal, position.fix_time, position.server_time, position.lat,
                   position.lon, state.value if state is not None else None, position.valid)


class _Track:
    """A stream of fixes in the seal's own time order, judged against the route."""

    __slots__ = ("last_fix", "hint", "out_since", "out_lat", "out_lon", "out_fixes",
                 "deviation")

    def __init__(self, last_fix: int, hint: int = 0) -> None:
        self.last_fix = last_fix
        self.hint = hint
        self.out_since = -1              # first fix outside the corridor; -1: inside
        self.out_lat = self.out_lon = 0.0
        self.out_fixes = 0
        self.deviation: Situation | None = None


class _Seal(_Track):
    """One active (or recently deactivated) seal; it is also its own live track."""

    __slots__ = ("seal", "route", "limit", "activated", "deactivated", "signal", "timer",
                 "loss", "losses", "opened", "late")

    def __init__(self, seal: str, at: int, route: Route | None, limit: float) -> None:
        super().__init__(at)
        self.seal = seal
        self.route = route
        self.limit = limit               # corridor half-width, metres
        self.activated = at
        self.deactivated: int | None = None
        self.signal = at                 # last signal (the silence runs from activation)
        self.timer = False               # has an entry in the engine's heap
        self.loss: Situation | None = None       # the loss of the current silence
        self.losses: list[Situation] | None = None   # device clock: raised, to retract
        self.opened: Situation | None = None     # an unauthorized removal not closed again
        self.late: _Track | None = None          # the black-box stream, when one arrives


class DetectionEngine:
    """Non-routine situations of many seals; the settings are read once, at construction.
    Not thread-safe: one owner (an event loop, a partition worker) drives it."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        cfg = config or DetectorConfig.from_settings()
        if not cfg.per_seal:
            # a vehicle-wide silence needs to know which seals share a vehicle, which the
            # engine is not told; refuse rather than measure something else
            raise LegalRuleError("the detection engine measures signal loss per seal; the "
                                 "setting asks for it per vehicle",
                                 field="settings.escort.signal_loss_measured_per",
                                 citation=rules("§3(8)"))
        self.config = cfg
        self._thr = cfg.loss_threshold() // US
        self._three_hours = SIGNAL_LOSS_THRESHOLD // US
        self._res = cfg.resolution // US
        self._receipt = cfg.receipt_clock
        self._device_events = cfg.event_device_clock
        self._debounce = cfg.deviation_min // US
        self._meaning = {"any_transmission": 0, "position_fix": 1,
                         "position_and_integrity": 2}[cfg.signal_meaning]
        self._seals: dict[str, _Seal] = {}
        self._heap: list[tuple[int, int, _Seal]] = []
        self._seq = itertools.count()
        self._routes: WeakValueDictionary[bytes, Route] = WeakValueDictionary()
        self._out: list[Situation] = []
        self._last_instant: tuple[int, dt.datetime] = (0, EPOCH)
        self._threshold_s = _seconds(self._thr)
        self._clock_name = "receipt_time" if self._receipt else "device_time"
        self.ignored = 0                 # reports of seals not under control

    # -- seals ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._seals)

    def is_active(self, seal: str) -> bool:
        st = self._seals.get(seal)
        return st is not None and st.deactivated is None

    def route_of(self, raw: Any, field: str = "route") -> Route | None:
        """A Route for a GeoJSON LineString / coordinate list / Route / None; identical
        routes are shared by all the seals that follow them."""
        if raw is None or isinstance(raw, Route):
            return raw
        points = _fast_points(raw)
        if points is None:              # not the plain case: validate, naming the field
            parsed = parse_route(raw, field=field)
            if parsed is None:
                return None
            points = np.array(parsed, dtype=np.float64)
        key = hashlib.blake2b(points.tobytes(), digest_size=16).digest()
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = Route(points)
        return route

    def activate(self, seal: str, at: dt.datetime, route: Any = None,
                 corridor_m: float | None = None, *,
                 last_signal: dt.datetime | None = None) -> None:
        """Activation (§9): control begins, and the silence is counted from it — or, when a
        restarted service reloads an active seal, from its `last_signal` stored since."""
        old = self._seals.get(seal)
        if old is not None and old.deactivated is None:
            raise Conflict(f"seal {seal} is already active", field="seal")
        if corridor_m is not None and not (isinstance(corridor_m, (int, float))
                                           and math.isfinite(corridor_m) and corridor_m > 0):
            raise InputError(f"{corridor_m!r} is not a positive number of metres",
                             field="corridor_m")
        limit = float(corridor_m) if corridor_m is not None else self.config.corridor_m
        st = _Seal(seal, to_us(at, "activated_at"), self.route_of(route), limit)
        if last_signal is not None:
            st.signal = max(st.signal, to_us(last_signal, "last_signal"))
        self._seals[seal] = st
        self._arm(st)

    def restore(self, seal: str, *, last_signal: dt.datetime | None = None,
                open_situations: Iterable[Situation] = ()) -> None:
        """Give an activated seal back what a restarted service kept in its database: the
        last signal, and its situations still open (so they are neither raised twice nor
        left open forever: a signal, a closed seal or a fix in the corridor ends them)."""
        st = self._seals.get(seal)
        if st is None or st.deactivated is not None:
            raise InputError(f"seal {seal} is not active", field="seal")
        if last_signal is not None:
            st.signal = max(st.signal, to_us(last_signal, "last_signal"))
        for found in open_situations:
            if found.seal != seal or found.ended_at or found.retracted_at:
                raise InputError("not an open situation of this seal", field="open_situations")
            if found.type is LOSS:
                st.loss = found            # its timer entry is dropped when it pops
            elif found.type is REMOVAL:
                st.opened = found
            else:
                first = found.evidence.get("first_outside") or {}
                st.deviation, st.out_since, st.out_fixes = found, to_us(found.started_at), 1
                st.out_lat = float(first.get("lat", 0.0))
                st.out_lon = float(first.get("lon", 0.0))

    def deactivate(self, seal: str, at: dt.datetime) -> list[Situation]:
        """Deactivation (§14) ends control; a silence up to it is still judged, and what is
        still open ends with it."""
        st = self._seals.get(seal)
        if st is None:
            raise InputError(f"seal {seal} was never activated", field="seal")
        out = self._out = []
        if st.deactivated is None:
            when = to_us(at, "deactivated_at")
            if st.loss is None and when - st.signal >= self._thr:   # no advance() came
                self._raise_loss(st, st.signal, when)
            for track in (st, st.late):
                if track is not None and track.deviation is not None:
                    self._end(track.deviation, when, "deactivation")
                    track.deviation = None
            if st.loss is not None:
                self._end_loss(st, when, "deactivation")
            if st.opened is not None:
                self._end(st.opened, when, "deactivation")
                st.opened = None
            st.deactivated = when
        return out

    def forget(self, seal: str) -> None:
        """Drop a deactivated seal's state (late reports of it are then ignored)."""
        st = self._seals.get(seal)
        if st is not None and st.deactivated is not None:
            del self._seals[seal]

    # -- time ----------------------------------------------------------------------------
    def _arm(self, st: _Seal) -> None:
        heapq.heappush(self._heap, (st.signal + self._thr, next(self._seq), st))
        st.timer = True

    def next_deadline(self) -> dt.datetime | None:
        """The earliest instant a timer may fire (an entry may be stale: then `advance`
        just re-arms it). The live service sleeps until then."""
        return from_us(self._heap[0][0]) if self._heap else None

    def advance(self, now: dt.datetime) -> list[Situation]:
        """Time has reached `now`: raise every signal loss due by then, detected at `now`.
        Idempotent: a second call with the same `now` raises nothing."""
        return self.advance_us(to_us(now, "now"))

    def advance_us(self, now: int) -> list[Situation]:
        out = self._out = []
        heap, thr = self._heap, self._thr
        while heap and heap[0][0] <= now:
            _, _, st = heapq.heappop(heap)
            st.timer = False
            if st.deactivated is not None or st.loss is not None or \
                    self._seals.get(st.seal) is not st:
                continue             # no longer watched, or the loss is already raised
            if st.signal + thr <= now:
                self._raise_loss(st, st.signal, now)
            else:                    # the signal came back meanwhile: re-arm
                self._arm(st)
        return out

    def replay_until(self, now: int) -> list[Situation]:
        """Fire every due timer at its own instant (a simulated clock, for replays): a loss
        is then detected exactly when a live timer would have fired."""
        found: list[Situation] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            found += self.advance_us(heap[0][0])
        return found

    # -- reports ---------------------------------------------------------------------------
    def observe(self, report: Report) -> list[Situation]:
        """Judge one report; returns the situations it raised or changed."""
        self._out = []
        self._report(report)
        return self._out

    def observe_many(self, reports: Iterable[Report]) -> list[Situation]:
        """Judge reports in the order received (a batch from the pipeline)."""
        found: list[Situation] = []
        for report in reports:
            self._out = found
            self._report(report)
        self._out = found
        return found

    def _report(self, r: Report) -> None:
        st = self._seals.get(r.seal)
        if st is None:
            self.ignored += 1
            return
        fix = to_us(r.time)
        recv = to_us(r.received, "received") if r.received is not None else fix
        code = STATE_CODES.get(r.state, -1)
        if code < 0:
            raise InputError(f"{r.state!r} is not a seal state", field="state")
        self._judge(st, fix, recv, r.lat, r.lon, code, r.valid, r.in_destination_zone)

    def observe_columns(self, seals: Sequence[str], fix_us: Sequence[int],
                        recv_us: Sequence[int], lats: Sequence[float],
                        lons: Sequence[float], states: Sequence[int],
                        valid: Sequence[bool] | None = None) -> list[Situation]:
        """The batch form: columns of equal length, instants as integer microseconds,
        states as STATE_CODES. A report of a seal on its route costs one segment test."""
        found = self._out = []
        seals_of = self._seals.get
        judge = self._judge
        thr = self._thr
        receipt = self._receipt
        any_signal = self._meaning == 0
        cos = math.cos
        for n, seal in enumerate(seals):
            st = seals_of(seal)
            if st is None:
                self.ignored += 1
                continue
            fix, recv, lat, lon, code = fix_us[n], recv_us[n], lats[n], lons[n], states[n]
            ok = True if valid is None else valid[n]
            route = st.route
            # fast path: a closed seal, in order, signal not lost, on the hinted segment
            if (any_signal and code <= 1 and ok and lon is not None and lat is not None and
                    st.deactivated is None and
                    st.loss is None and route is not None and
                    fix >= st.last_fix and st.out_since < 0):
                t = recv if receipt else fix
                if st.signal <= t < st.signal + thr:
                    # the segment it was last near, inlined (Route.near_hint tries the next)
                    i, rl, ra = st.hint, route.lons, route.lats
                    kx = M_PER_DEG * cos(lat * RAD)
                    ax, ay = (rl[i] - lon) * kx, (ra[i] - lat) * M_PER_DEG
                    dx, dy = (rl[i + 1] - lon) * kx - ax, (ra[i + 1] - lat) * M_PER_DEG - ay
                    f = -(ax * dx + ay * dy) / (dx * dx + dy * dy or 1.0)
                    f = 0.0 if f < 0.0 else 1.0 if f > 1.0 else f
                    ax, ay = ax + f * dx, ay + f * dy
                    if ax * ax + ay * ay > st.limit * st.limit:
                        i = route.near_hint(lat, lon, st.limit, i + 1)
                    if i >= 0:
                        st.hint, st.signal, st.last_fix = i, t, fix
                        if code == 1 and st.opened is not None:
                            self._close(st, fix if self._device_events else recv)
                        continue
            judge(st, fix, recv, lat, lon, code, ok, False)
        return found

    # -- judging ---------------------------------------------------------------------------
    def _judge(self, st: _Seal, fix: int, recv: int, lat: float | None, lon: float | None,
               code: int, valid: bool, zone: bool) -> None:
        has_fix = valid and lat is not None and lon is not None
        meaning = self._meaning
        if meaning == 0 or (has_fix and (meaning == 1 or code)):
            t = recv if self._receipt else fix
            if st.activated <= t and (st.deactivated is None or t < st.deactivated):
                self._signal(st, t, recv)
        event = fix if self._device_events else recv
        if event < st.activated or (st.deactivated is not None and event >= st.deactivated):
            return                         # the event is outside control (§9, §14)
        if code >= 2:
            if st.opened is None and not (self.config.removal_outside_zone_only and zone):
                st.opened = self._raise(st, REMOVAL, event, event, recv, {
                    "state": STATE_NAMES[code], "received_at": iso(from_us(recv)),
                    **({"lat": lat, "lon": lon} if has_fix else {})})
        elif code == 1 and st.opened is not None:
            self._close(st, event)
        if st.route is not None and has_fix:
            if fix >= st.last_fix:
                track = st
            else:                          # a late fix: judged with its own batch
                track = st.late
                if track is None or fix < track.last_fix:
                    track = st.late = _Track(fix, st.hint)
            track.last_fix = fix
            self._position(st, track, event, recv, lat, lon)

    def _close(self, st: _Seal, event: int) -> None:
        opened = st.opened
        if opened is not None and event > to_us(opened.started_at):
            self._end(opened, event, "closed")
            st.opened = None

    def _signal(self, st: _Seal, t: int, recv: int) -> None:
        last = st.signal
        if t > last:
            if st.loss is not None:
                self._end_loss(st, t, "signal")
            elif t - last >= self._thr:    # the timer was not run in time: judge it now
                self._raise_loss(st, last, recv)
                self._end_loss(st, t, "signal")
            st.signal = t
            if not st.timer:
                self._arm(st)
        elif t < last and st.losses:       # device clock: a late fix inside a raised loss
            self._late_signal(st, t, recv)

    def _position(self, st: _Seal, track: _Track, event: int, recv: int, lat: float,
                  lon: float) -> None:
        i = st.route.near_segment(lat, lon, st.limit, track.hint)
        if i >= 0:
            track.hint = i
            if track.out_since >= 0:
                track.out_since, track.out_fixes = -1, 0
                if track.deviation is not None:
                    self._end(track.deviation, event, "back in the corridor")
                    track.deviation = None
            return
        if track.out_since < 0:
            track.out_since, track.out_lat, track.out_lon = event, lat, lon
        track.out_fixes += 1
        if track.deviation is None and event - track.out_since >= self._debounce:
            route = st.route
            track.deviation = self._raise(st, DEVIATION, track.out_since, track.out_since,
                                          recv, {
                "first_outside": {"lat": track.out_lat, "lon": track.out_lon},
                "distance_m": math.floor(route.distance(track.out_lat, track.out_lon)),
                "corridor_half_width_m": st.limit, "fixes_outside": track.out_fixes,
                "debounce_s": self._debounce // 1_000_000,
                "confirmed_by": {"lat": lat, "lon": lon, "time": iso(from_us(event))}})

    # -- situations --------------------------------------------------------------------------
    def _raise(self, st: _Seal, kind: SituationType, started: int, occurred: int,
               detected: int, evidence: dict[str, Any]) -> Situation:
        start = from_us(started)
        occ = start if occurred == started else start + dt.timedelta(
            microseconds=occurred - started)
        det = self._instant(detected)
        anchor = occ if self.config.notice_from_occurrence or det <= occ else det
        found = Situation(st.seal, kind, start, occ, det, anchor + NOTICE_PERIOD, None,
                          evidence)
        self._out.append(found)
        return found

    def _instant(self, us: int) -> dt.datetime:
        """from_us, remembering the last one: a burst of timers shares one `now`."""
        last = self._last_instant
        if last[0] != us:
            last = self._last_instant = (us, from_us(us))
        return last[1]

    def _end(self, found: Situation, at: int, why: str) -> Situation:
        ended = replace(found, ended_at=from_us(at), evidence={**found.evidence,
                                                               "ended_by": why})
        self._out.append(ended)
        return ended

    def _raise_loss(self, st: _Seal, since: int, detected: int) -> None:
        occurred = since + self._three_hours if self.config.occurs_at_threshold else since
        st.loss = self._raise(st, LOSS, since, occurred, detected, {
            "threshold_s": self._threshold_s, "clock": self._clock_name})

    def _end_loss(self, st: _Seal, at: int, why: str) -> None:
        loss = st.loss
        silence = at - to_us(loss.started_at)
        ended = replace(loss, ended_at=from_us(at), evidence={
            **loss.evidence, "ended_by": why,
            "silence_s": (silence - silence % self._res) // 1_000_000})
        self._out.append(ended)
        st.loss = None
        if not self._receipt:
            st.losses = [*(st.losses or ()), ended]

    def _late_signal(self, st: _Seal, t: int, recv: int) -> None:
        """Device clock: a fix recorded inside a loss already raised splits its silence.
        The loss is retracted (kept, marked, with the fix as evidence) and each part that
        is still a loss is raised again, detected now."""
        current = st.loss                  # the open loss of the present silence, if any
        for n, loss in enumerate(st.losses):
            start, end = to_us(loss.started_at), to_us(loss.ended_at)
            if start < t < end:
                self._out.append(replace(loss, retracted_at=from_us(recv), evidence={
                    **loss.evidence, "retracted_by": {"fix_time": iso(from_us(t)),
                                                      "received_at": iso(from_us(recv))}}))
                parts = []
                for a, b in ((start, t), (t, end)):
                    if b - a >= self._thr:
                        self._raise_loss(st, a, recv)
                        self._end_loss(st, b, "signal")
                        parts.append(st.losses.pop())
                st.losses[n:n + 1] = parts
                break
        st.loss = current
