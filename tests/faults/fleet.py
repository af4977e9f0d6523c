"""Simulated Wialon IPS 2.0 devices that behave like real ones under faults: each sends one
fix at a time and waits for its `#AD#1`; when the connection breaks or no answer comes, it
reconnects and sends the same fix again (a device keeps unacknowledged data in its black
box). `acked` is what the service promised to have stored."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from kzreg.tracking.position import Position
from kzreg.tracking.protocols.wialon_ips import encode_data, encode_login


class Fleet(threading.Thread):
    def __init__(self, port: int, devices: list[str], start: dt.datetime,
                 pause: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.port, self.devices, self.start_at, self.pause = port, devices, start, pause
        self.acked: dict[str, list[dt.datetime]] = {d: [] for d in devices}
        self.reconnects = 0
        self.stop = threading.Event()

    @property
    def total(self) -> int:
        return sum(map(len, self.acked.values()))

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        await asyncio.gather(*(self._device(d) for d in self.devices))

    async def _device(self, device: str) -> None:
        k = 0
        while not self.stop.is_set():
            writer = None
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", self.port), 2)
                writer.write(encode_login(device))
                if not (await asyncio.wait_for(reader.readline(), 5)).startswith(b"#AL#1"):
                    raise ConnectionError("login refused")
                while not self.stop.is_set():
                    fix = self.start_at + dt.timedelta(seconds=k)
                    writer.write(encode_data(Position(device, fix, 43.2 + k / 1e5, 76.9)))
                    reply = await asyncio.wait_for(reader.readline(), 5)
                    if not reply.startswith(b"#AD#1"):
                        raise ConnectionError(f"no acknowledgement: {reply!r}")
                    self.acked[device].append(fix)
                    k += 1
                    await asyncio.sleep(self.pause)
            except (OSError, TimeoutError, ConnectionError):
                self.reconnects += 1
                await asyncio.sleep(0.1)
            finally:
                if writer is not None:
                    writer.close()
