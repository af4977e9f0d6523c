"""Non-routine situations (Rules §3(8)) and the notice deadline (§11), detected in one pass.

§3(8): "non-routine situation — loss of the navigation seal signal for more than 3 (three)
hours, unauthorized removal of the navigation seal, deviation from the route (if such a route
is established)". §11: the operator informs the departure and destination officials "within
one hour after the emergency situation occurs" (the same events, setting
escort.emergency_situation_is_non_routine_situation).

`SealTracker` is the single-seal detector behind the law rule
`escort.non-routine-situations`: it holds a few fields per seal, reads the settings once
(`DetectorConfig.from_settings`), and judges each record as it arrives (`observe`), a
deactivation (`deactivate`) and the passing of time without records (`advance`). The live
service and `kzreg escort replay` use the multi-seal `kzreg.escort.engine.DetectionEngine`
(timers in a heap, compact state, black-box records), which a property test keeps in
agreement with `SealTracker` on traces in order.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass, field
from typing import Any

from kzreg.escort._law import NOTICE_PERIOD_HOURS, SIGNAL_LOSS_THRESHOLD
from kzreg.escort.geo import Route
from kzreg.law.errors import LegalRuleError
from kzreg.law.explain import ParameterUse
from kzreg.law.settings import get_setting

INTEGRITY_BROKEN = frozenset({"opened", "removed", "tamper"})
SEAL_STATES = frozenset({"closed"}) | INTEGRITY_BROKEN
NOTICE_PERIOD = dt.timedelta(hours=NOTICE_PERIOD_HOURS)

SETTINGS = (
    "escort.signal_loss_boundary", "escort.signal_loss_resolution_seconds",
    "escort.signal_loss_continuity", "escort.signal_loss_signal_meaning",
    "escort.signal_loss_measured_per", "escort.signal_loss_clock",
    "escort.signal_loss_occurs_at", "escort.emergency_situation_is_non_routine_situation",
    "escort.notice_deadline_anchor", "escort.event_occurrence_clock",
    "escort.unauthorized_removal_meaning", "escort.route_optional",
    "escort.route_corridor_half_width_m", "escort.route_deviation_min_minutes",
)


class SituationType(enum.Enum):
    SIGNAL_LOSS = "signal_loss"
    UNAUTHORIZED_REMOVAL = "unauthorized_removal"
    ROUTE_DEVIATION = "route_deviation"


def iso(instant: dt.datetime | None) -> str | None:
    """2025-03-03T13:00:01Z (microseconds only when there are any)."""
    if instant is None:
        return None
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Situation:
    """One non-routine situation: when it began, occurred (in law), was detected, and by when
    both offices must be informed (§11)."""

    seal: str
    type: SituationType
    started_at: dt.datetime     # signal last received / seal opened / first fix outside
    occurred_at: dt.datetime    # when it became a non-routine situation
    detected_at: dt.datetime    # when the tracking system could know it
    notify_by: dt.datetime      # §11: both offices informed by then (inclusive)
    ended_at: dt.datetime | None = None   # signal restored; None while it lasts
    evidence: dict[str, Any] = field(default_factory=dict)
    #: later data showed there was none (never deleted: kept, marked, with the evidence)
    retracted_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[str, str, dt.datetime]:
        """What identifies one situation across its versions (raised, ended, retracted)."""
        return self.seal, self.type.value, self.started_at

    @property
    def status(self) -> str:
        return ("retracted" if self.retracted_at else "ended" if self.ended_at else "open")

    def to_json(self) -> dict[str, Any]:
        """The JSON form `kzreg escort replay` prints: ISO 8601 instants in UTC."""
        return {"seal": self.seal, "type": self.type.value, "status": self.status,
                "started_at": iso(self.started_at), "occurred_at": iso(self.occurred_at),
                "detected_at": iso(self.detected_at), "notify_by": iso(self.notify_by),
                "ended_at": iso(self.ended_at), "retracted_at": iso(self.retracted_at),
                "evidence": self.evidence}

    def __str__(self) -> str:
        return (f"{self.type.value} of seal {self.seal} from {self.occurred_at:%Y-%m-%d %H:%M:%S}Z"
                f", notify by {self.notify_by:%Y-%m-%d %H:%M:%S}Z")


@dataclass(frozen=True)
class DetectorConfig:
    """The settings the detector applies, read once (not per record)."""

    strictly_greater: bool
    resolution: dt.timedelta
    signal_meaning: str
    receipt_clock: bool
    occurs_at_threshold: bool
    notice_from_occurrence: bool
    event_device_clock: bool
    removal_outside_zone_only: bool
    corridor_m: float
    corridor_from: str
    deviation_min: dt.timedelta
    uses: tuple[ParameterUse, ...]
    per_seal: bool = True

    @classmethod
    def from_settings(cls, corridor_m: float | None = None) -> DetectorConfig:
        s = {name: get_setting(name) for name in SETTINGS}
        if s["escort.signal_loss_continuity"].value != "continuous":
            # adding gaps up needs a definition of one gap (a minimum silence) that neither
            # the Rules nor any setting give; refuse rather than invent one
            raise LegalRuleError("a cumulative signal loss is not defined: no setting says "
                                 "which silences count towards it",
                                 field="settings.escort.signal_loss_continuity",
                                 citation=s["escort.signal_loss_continuity"].citation)
        if s["escort.emergency_situation_is_non_routine_situation"].value is not True:
            raise LegalRuleError("§11's emergency situation is then undefined: no notice "
                                 "deadline can be computed",
                                 field="settings.escort.emergency_situation_is_non_routine_"
                                       "situation",
                                 citation=s["escort.emergency_situation_is_non_routine_"
                                            "situation"].citation)
        resolution = s["escort.signal_loss_resolution_seconds"].value
        if resolution < 1:
            raise LegalRuleError("the resolution must be at least one second",
                                 field="settings.escort.signal_loss_resolution_seconds")
        corridor = s["escort.route_corridor_half_width_m"].value
        return cls(
            strictly_greater=s["escort.signal_loss_boundary"].value == "strictly_greater",
            resolution=dt.timedelta(seconds=resolution),
            signal_meaning=s["escort.signal_loss_signal_meaning"].value,
            receipt_clock=s["escort.signal_loss_clock"].value == "receipt_time",
            occurs_at_threshold=s["escort.signal_loss_occurs_at"].value == "threshold_crossed",
            notice_from_occurrence=s["escort.notice_deadline_anchor"].value == "occurrence",
            event_device_clock=s["escort.event_occurrence_clock"].value == "device_time",
            removal_outside_zone_only=(s["escort.unauthorized_removal_meaning"].value
                                       == "opened_outside_destination_zone"),
            corridor_m=float(corridor if corridor_m is None else corridor_m),
            corridor_from="setting" if corridor_m is None else "escort",
            deviation_min=dt.timedelta(minutes=s["escort.route_deviation_min_minutes"].value),
            uses=tuple(setting.use() for setting in s.values()),
            per_seal=s["escort.signal_loss_measured_per"].value == "seal",
        )

    def measured(self, silence: dt.timedelta) -> dt.timedelta:
        """Silence at the setting's resolution: truncated, never rounded up."""
        return silence - silence % self.resolution

    def is_loss(self, silence: dt.timedelta) -> bool:
        measured = self.measured(silence)
        return measured > SIGNAL_LOSS_THRESHOLD if self.strictly_greater else \
            measured >= SIGNAL_LOSS_THRESHOLD

    def loss_threshold(self) -> dt.timedelta:
        """The shortest silence that is a loss: with the resolution, the first multiple of
        it past (or, by the setting, at) three hours. 3 h 00 min 01 s by default."""
        res = self.resolution
        steps = (SIGNAL_LOSS_THRESHOLD // res + 1 if self.strictly_greater
                 else -(-SIGNAL_LOSS_THRESHOLD // res))
        return steps * res

    def first_loss_instant(self, since: dt.datetime) -> dt.datetime:
        """The first instant at which the silence since `since` is a loss (a timer's time)."""
        return since + SIGNAL_LOSS_THRESHOLD + (self.resolution if self.strictly_greater
                                                else dt.timedelta(0))


class SealTracker:
    """The state of one seal's tracking; feed it records in the order they are received."""

    __slots__ = ("seal", "config", "route", "last_signal", "loss_reported", "is_open",
                 "outside_since", "outside_at", "deviating", "deactivated_at", "situations")

    def __init__(self, seal: str, config: DetectorConfig, route: Route | None = None,
                 activated_at: dt.datetime | None = None) -> None:
        self.seal = seal
        self.config = config
        self.route = route
        self.last_signal = activated_at      # the silence runs from activation (§3(4))
        self.loss_reported = False           # for the silence since last_signal
        self.is_open = False
        self.outside_since: dt.datetime | None = None
        self.outside_at: tuple[float, float] | None = None
        self.deviating = False
        self.deactivated_at: dt.datetime | None = None
        self.situations: list[Situation] = []

    # -- the notice (§11) -------------------------------------------------------------
    def _raise(self, kind: SituationType, started: dt.datetime, occurred: dt.datetime,
               detected: dt.datetime, ended: dt.datetime | None = None,
               **evidence: Any) -> Situation:
        anchor = occurred if self.config.notice_from_occurrence else max(occurred, detected)
        found = Situation(self.seal, kind, started, occurred, detected, anchor + NOTICE_PERIOD,
                          ended, evidence)
        self.situations.append(found)
        return found

    # -- signal loss --------------------------------------------------------------------
    def _loss(self, until: dt.datetime, ended: dt.datetime | None) -> None:
        since = self.last_signal
        if since is None or self.loss_reported or not self.config.is_loss(until - since):
            return
        threshold = since + SIGNAL_LOSS_THRESHOLD
        occurred = threshold if self.config.occurs_at_threshold else since
        self.loss_reported = True
        self._raise(SituationType.SIGNAL_LOSS, since, occurred,
                    self.config.first_loss_instant(since), ended,
                    silence_s=int(self.config.measured(until - since).total_seconds()))

    def _counts_as_signal(self, lat: float | None, valid: bool, state: str | None) -> bool:
        meaning = self.config.signal_meaning
        if meaning == "any_transmission":
            return True
        has_fix = valid and lat is not None
        return has_fix if meaning == "position_fix" else has_fix and state is not None

    # -- the stream ---------------------------------------------------------------------
    def observe(self, time: dt.datetime, received: dt.datetime | None = None,
                lat: float | None = None, lon: float | None = None, state: str | None = None,
                valid: bool = True, in_destination_zone: bool = False,
                signal_only: bool = False) -> int:
        """Judge one record (aware UTC instants); returns how many situations it raised.
        `signal_only`: another seal's record on the same vehicle, which ends this seal's
        silence when the setting escort.signal_loss_measured_per is `vehicle`."""
        before = len(self.situations)
        received = received or time
        if self.deactivated_at is not None and received >= self.deactivated_at:
            return 0                            # no longer under control (§3(5))
        cfg = self.config
        if self._counts_as_signal(lat, valid, state):
            signal_at = received if cfg.receipt_clock else time
            if self.last_signal is None or signal_at >= self.last_signal:
                self._loss(signal_at, signal_at)
                self.last_signal, self.loss_reported = signal_at, False
        if signal_only:
            return len(self.situations) - before
        event_at = time if cfg.event_device_clock else received
        if state in INTEGRITY_BROKEN:
            if not self.is_open and not (cfg.removal_outside_zone_only and in_destination_zone):
                self.is_open = True
                self._raise(SituationType.UNAUTHORIZED_REMOVAL, event_at, event_at, received,
                            state=state)
        elif state == "closed":
            self.is_open = False
        if self.route is not None and valid and lat is not None and lon is not None:
            self._position(time, received, lat, lon)
        return len(self.situations) - before

    def _position(self, time: dt.datetime, received: dt.datetime, lat: float,
                  lon: float) -> None:
        cfg = self.config
        if self.route.is_near(lat, lon, cfg.corridor_m):
            self.outside_since, self.outside_at, self.deviating = None, None, False
            return
        if self.outside_since is None:
            self.outside_since, self.outside_at = time, (lat, lon)
        if not self.deviating and time - self.outside_since >= cfg.deviation_min:
            self.deviating = True
            first_lat, first_lon = self.outside_at
            self._raise(SituationType.ROUTE_DEVIATION, self.outside_since, self.outside_since,
                        received, first_outside={"lat": first_lat, "lon": first_lon},
                        distance_m=math.floor(self.route.distance(first_lat, first_lon)),
                        corridor_half_width_m=cfg.corridor_m)

    def deactivate(self, at: dt.datetime) -> int:
        """Deactivation (§14) ends control: a silence up to it is still judged."""
        before = len(self.situations)
        if self.deactivated_at is None:
            self._loss(at, at)
            self.deactivated_at = at
        return len(self.situations) - before

    def advance(self, now: dt.datetime) -> int:
        """Time passes with no record (a clock tick): judge the silence that is still open."""
        before = len(self.situations)
        if self.deactivated_at is None or now < self.deactivated_at:
            self._loss(now, None)
        return len(self.situations) - before

    def next_deadline(self) -> dt.datetime | None:
        """When the current silence becomes a loss (for a timer), or None."""
        if self.last_signal is None or self.loss_reported or self.deactivated_at is not None:
            return None
        return self.config.first_loss_instant(self.last_signal)
