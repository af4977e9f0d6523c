"""The §3(8) detector as a law rule: one seal's records in, its non-routine situations out."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from kzreg.escort._law import SIGNAL_LOSS_THRESHOLD, rules, utc
from kzreg.escort.geo import Route
from kzreg.escort.messages import parse_route
from kzreg.escort.situations import DetectorConfig, SealTracker, Situation, SituationType
from kzreg.escort.versions import check_wording
from kzreg.law.calendar import local_date
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting


class TelemetryRecord(BaseModel):
    time: AwareDatetime = Field(description="The seal's own timestamp of the record")
    received_at: AwareDatetime | None = Field(
        None, description="When the tracking system received it; default: `time`")
    seal: str | None = Field(None, description="The seal that sent it; default: this seal")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    valid: bool = Field(True, description="Is the position fix valid?")
    state: Literal["closed", "opened", "removed", "tamper"] | None = Field(
        None, description="Seal integrity reported with the record")
    in_destination_zone: bool = False


class DetectionInput(BaseModel):
    seal: str = Field(description="The seal's unique number")
    activated_at: AwareDatetime | None = Field(None, description="Activation (§9): the "
                                               "silence is counted from it")
    deactivated_at: AwareDatetime | None = Field(None, description="Deactivation (§14), if any")
    route: Any = Field(None, description='GeoJSON LineString, or null / "not established"')
    corridor_half_width_m: int | None = Field(
        None, gt=0, description="This escort's corridor; default: the setting")
    records: list[TelemetryRecord] = Field(
        default_factory=list, description="In the order they were received")
    observed_until: AwareDatetime | None = Field(
        None, description="The time up to which the seal is watched (an open silence is "
        "judged up to it); default: the last record or the deactivation")


def detect(inp: DetectionInput) -> tuple[list[Situation], DetectorConfig, dict[str, int]]:
    """The situations of one seal, in one pass over its records (no explanation)."""
    config = DetectorConfig.from_settings(inp.corridor_half_width_m)
    points = parse_route(inp.route)
    route = Route(points) if points else None
    per_seal = get_setting("escort.signal_loss_measured_per").value == "seal"
    records = inp.records
    if not config.receipt_clock:    # silence between the device's timestamps: their order
        records = sorted(records, key=lambda r: r.time)
    tracker = SealTracker(inp.seal, config, route,
                          utc(inp.activated_at, "activated_at") if inp.activated_at else None)
    deactivated = utc(inp.deactivated_at, "deactivated_at") if inp.deactivated_at else None
    counts = {"records": 0, "other_seals": 0}
    last_received: dt.datetime | None = None
    for n, rec in enumerate(records):
        time = rec.time.astimezone(dt.UTC)
        received = rec.received_at.astimezone(dt.UTC) if rec.received_at else time
        if config.receipt_clock and last_received is not None and received < last_received:
            raise InputError("records must be given in the order they were received "
                             "(give received_at for buffered black-box records)",
                             field=f"records[{n}].received_at")
        last_received = received
        if deactivated is not None and received >= deactivated:
            tracker.deactivate(deactivated)
        other = rec.seal is not None and rec.seal != inp.seal
        if other:
            counts["other_seals"] += 1
            if per_seal:
                continue
        counts["records"] += 1
        tracker.observe(time, received, rec.lat, rec.lon, rec.state, rec.valid,
                        rec.in_destination_zone, signal_only=other)
    if deactivated is not None:
        tracker.deactivate(deactivated)
    end = inp.observed_until or deactivated or last_received
    if end is not None:
        tracker.advance(utc(end, "observed_until"))
    return tracker.situations, config, counts


def _z(instant: dt.datetime) -> str:
    return f"{instant:%Y-%m-%d %H:%M:%S}Z"


_WHAT = {
    SituationType.SIGNAL_LOSS: "loss of the navigation seal signal for more than 3 hours",
    SituationType.UNAUTHORIZED_REMOVAL: "unauthorized removal (opening) of the navigation seal",
    SituationType.ROUTE_DEVIATION: "deviation from the established route",
}


@rule("escort.non-routine-situations", title="Non-routine situations of a seal and the "
      "one-hour notice deadline", citation=rules("§3(8)"), inputs=DetectionInput)
def explain_situations(inp: DetectionInput, as_of: dt.date) -> Explained[list[Situation]]:
    trace = Trace("escort.non-routine-situations", as_of)
    start = inp.activated_at or (inp.records[0].time if inp.records else None)
    if start is not None:
        check_wording(trace, ["Rules §3(8)", "Rules §11"], local_date(start),
                      field="activated_at" if inp.activated_at else "records[0].time")
    situations, config, counts = detect(inp)
    trace.step("settings applied by the detector (read once for the whole trace)",
               None, citation=rules("§3(8)"), parameters=list(config.uses))
    trace.step(f"{counts['records']} records judged in the order received; signal loss is "
               f"more than {SIGNAL_LOSS_THRESHOLD} of continuous silence, measured to "
               f"{config.resolution.total_seconds():g} s"
               + (f"; {counts['other_seals']} records of other seals "
                  + ("not counted (measured per seal)" if counts["other_seals"] and
                     get_setting("escort.signal_loss_measured_per").value == "seal"
                     else "counted as the vehicle's signal") if counts["other_seals"] else ""),
               counts["records"], citation=rules("§3(8)"))
    if parse_route(inp.route) is None:
        trace.step("no route is established: deviation from the route cannot occur "
                   "(\"if such a route is established\")", None, citation=rules("§3(8)"))
    else:
        trace.step(f"route established: a deviation is a valid fix more than "
                   f"{config.corridor_m:g} m from it (corridor from the {config.corridor_from})"
                   f" for at least {config.deviation_min}", None, citation=rules("§3(8)"))
    for found in situations:
        trace.step(f"{found.type.value}: {_WHAT[found.type]}, began {_z(found.started_at)}, "
                   f"a non-routine situation from {_z(found.occurred_at)}", found.occurred_at,
                   citation=rules("§3(8)"),
                   inputs=found.evidence)
        trace.step(f"the departure and destination offices must be informed within one hour "
                   f"after it occurs: by {_z(found.notify_by)}",
                   found.notify_by, citation=rules("§11"))
    if not situations:
        trace.step("no non-routine situation", None, citation=rules("§3(8)"))
    return trace.done(situations)
