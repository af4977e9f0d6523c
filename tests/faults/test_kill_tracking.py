"""`kzreg tracking serve` killed with SIGKILL while devices send, on SQLite and PostgreSQL:
every fix a device got `#AD#1` for is in the database after the restart (the
acknowledgement means "stored", kzreg.tracking.server), each exactly once, and the only
stored fixes not acknowledged are the ones in flight at the kill — which the devices send
again and the store drops as duplicates. (tests/integration/tracking/test_tracking_restart
.py covers the engine's state across a clean restart; this is the hard kill.)"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from faults.fleet import Fleet
from faults.helpers import free_port, kill9, port_open, spawn, wait_for
from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingPosition

DEVICES = [f"86520000000{n:04d}" for n in range(6)]


def tracking_settings(tmp_path, port: int, extra: str = "") -> str:
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"tracking.listen_host: 127.0.0.1\ntracking.wialon_ips_port: {port}\n"
                        f"tracking.listeners: [wialon-ips]\n{extra}", encoding="utf-8")
    return str(settings)


def register(db: str, devices: list[str]) -> None:
    with unit_of_work(db) as s:
        for n, device in enumerate(devices):
            registry.register_seal(s, f"KZ-K{n}", device_id=device, protocol="wialon-ips")


def stored(db: str) -> dict[str, list[dt.datetime]]:
    with unit_of_work(db) as s:
        rows = s.execute(select(TrackingPosition.device, TrackingPosition.fix_time)).all()
    out: dict[str, list[dt.datetime]] = {}
    for device, fix in rows:
        out.setdefault(device, []).append(fix)
    return out


def check_nothing_acked_is_lost(db: str, fleet: Fleet) -> None:
    rows = stored(db)
    for device, acked in fleet.acked.items():
        have = rows.get(device, [])
        assert len(have) == len(set(have)), f"{device}: a fix stored twice"
        missing = set(acked) - set(have)
        assert not missing, f"{device}: acknowledged but not stored: {sorted(missing)[:3]}"
        extra = set(have) - set(acked)        # stored, the ack lost with the process
        assert len(extra) <= 1 and all(t > max(acked) for t in extra), (device, extra)


def test_listener_killed_while_devices_send_loses_no_acknowledged_fix(db, tmp_path):
    register(db, DEVICES)
    port = free_port()
    settings = tracking_settings(tmp_path, port)
    log = tmp_path / "tracking.log"

    def start():
        proc = spawn(db, "tracking", "serve", log=log, KZREG_SETTINGS_FILE=settings)
        wait_for(lambda: port_open(port), 60, "the listener")
        return proc

    server = start()
    start_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    fleet = Fleet(port, DEVICES, start_at)
    fleet.start()
    try:
        for _ in range(2):
            target = fleet.total + 150
            wait_for(lambda t=target: fleet.total >= t, 60, "acknowledged fixes")
            kill9(server)
            server = start()
        target = fleet.total + 150
        wait_for(lambda: fleet.total >= target, 60, "fixes after the restart")
    finally:
        fleet.stop.set()
        fleet.join(30)
        server.terminate()
        server.wait(30)
    assert fleet.reconnects >= len(DEVICES), "the kills should have cut the devices off"
    check_nothing_acked_is_lost(db, fleet)
