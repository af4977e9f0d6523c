"""One normalized position: what every protocol decoder produces and the pipeline stores.

Times are aware UTC datetimes. `fix_time` is the device's clock (when the fix was taken);
`server_time` is when the operator's system received it (`None` until a listener stamps it).
Coordinates are WGS-84 degrees as `float` (a device's resolution is ~1e-6°; money and
points are exact elsewhere, positions need not be).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field, replace
from typing import Any

from kzreg.law.errors import InputError


class SealState(enum.StrEnum):
    """The integrity state a navigation seal reports (§3(8) "unauthorized removal")."""

    CLOSED = "closed"
    OPENED = "opened"
    REMOVED = "removed"    # removed or cable cut
    TAMPER = "tamper"


@dataclass(slots=True)  # not frozen: a frozen __init__ costs ~2x on the ingest hot path
class Position:
    device: str                       # the device's identity as it logs in ("" if unknown)
    fix_time: dt.datetime             # aware, UTC
    lat: float
    lon: float
    valid: bool = True                # the device's own fix-validity flag
    speed_kmh: float | None = None
    course: float | None = None       # degrees clockwise from north
    altitude_m: float | None = None
    satellites: int | None = None
    seal_state: SealState | None = None
    battery: float | None = None      # percent, or volts where the device sends volts
    server_time: dt.datetime | None = None
    protocol: str = ""
    archive: bool = False             # black-box (stored, resent) record
    attributes: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.fix_time.tzinfo is None:
            raise InputError("fix time must carry a time zone", field="time")
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            field_name = "lat" if not -90.0 <= self.lat <= 90.0 else "lon"
            raise InputError(f"{field_name} {getattr(self, field_name)} is out of range",
                             field=field_name)

    def received(self, at: dt.datetime) -> Position:
        """This position stamped with the time the operator's system received it."""
        return replace(self, server_time=at)

    def to_json(self) -> dict[str, Any]:
        """The JSON form `kzreg tracking decode` prints (ISO 8601 times, UTC)."""
        out: dict[str, Any] = {
            "device": self.device,
            "time": self.fix_time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "lat": self.lat, "lon": self.lon, "valid": self.valid,
            "speed_kmh": self.speed_kmh, "course": self.course,
            "altitude_m": self.altitude_m, "satellites": self.satellites,
            "seal_state": self.seal_state.value if self.seal_state else None,
            "battery": self.battery, "protocol": self.protocol, "archive": self.archive,
        }
        if self.server_time is not None:
            out["server_time"] = self.server_time.astimezone(dt.UTC).isoformat()
        if self.attributes:
            out["attributes"] = self.attributes
        return out
