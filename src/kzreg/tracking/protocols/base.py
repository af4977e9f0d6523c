"""The sans-IO interface every device protocol implements.

A listener owns one `DeviceSession` per connection and calls `feed(data)` with whatever
bytes arrived; the session keeps partial frames between calls and returns a `Decoded`:
the positions found, the bytes to send back (acknowledgements), the device identity once
logged in, and the frames rejected with their reason. A corrupt frame never raises out of
`feed` (the listener must keep serving other devices): it is reported in `rejected`, and
`close` is set when the stream cannot be resynchronised or a frame is oversized.

Acknowledgement discipline: a listener sends `reply` only after the positions of the same
`Decoded` are stored, so an acknowledged message is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from kzreg.tracking.position import Position

MAX_FRAME_BYTES = 64 * 1024  # oversized frames are rejected and the connection closed


@dataclass(slots=True)
class Rejected:
    reason: str          # one line, for the log and the operator's quarantine view
    frame: bytes = b""   # the offending bytes (truncated for logging)


@dataclass(slots=True)
class Decoded:
    positions: list[Position] = field(default_factory=list)
    reply: bytes = b""
    device: str | None = None        # set once the device has identified itself
    rejected: list[Rejected] = field(default_factory=list)
    close: bool = False              # the listener should drop the connection


class DeviceSession(Protocol):
    protocol: str
    device: str | None

    def feed(self, data: bytes) -> Decoded: ...
