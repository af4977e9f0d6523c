"""`kzreg tracking serve --workers 2`: listener processes store, one judge detects.

Devices on real TCP connections spread over the worker processes; each acknowledgement
means the record is in the database; an opened seal (Order 407 §3(8)) raises its
unauthorized-removal situation in the judge process, whichever worker stored the report; a
worker killed with SIGKILL is started again and the service keeps answering; SIGTERM stops
everything cleanly. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time

from sqlalchemy import select

from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingPosition, TrackingSituation
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.wialon_ips import encode_data, encode_login

IMEI, OTHER = "860000000000011", "860000000000012"


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
        return [int(child) for child in listing.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"     # not a zombie
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _exchange(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = sock.recv(1024)
        assert chunk, "connection closed without a reply"
        reply += chunk
    return reply


def _device(port: int, imei: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert _exchange(sock, encode_login(imei)) == b"#AL#1\r\n"
    return sock


def _report(imei: str, at: dt.datetime, state: SealState) -> bytes:
    return encode_data(Position(imei, at, 43.25, 76.9, speed_kmh=40.0, course=90.0,
                                satellites=9, seal_state=state, battery=90.0))


def _count(db: str, device: str) -> int:
    with unit_of_work(db) as session:
        return len(session.scalars(select(TrackingPosition)
                                   .where(TrackingPosition.device == device)).all())


def _wait(predicate, seconds: float, what: str) -> None:
    until = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < until, what
        time.sleep(0.2)


def test_workers_store_acknowledge_and_one_judge_detects(db, tmp_path):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with unit_of_work(db) as session:
        registry.register_seal(session, "KZ-W1", device_id=IMEI, protocol="wialon-ips")
        registry.register_seal(session, "KZ-W2", device_id=OTHER, protocol="wialon-ips")
        registry.activate(session, "KZ-W1", at=now - dt.timedelta(hours=1), route=None,
                          corridor_m=None, escort_ref="ESC-W", departure_office="55201",
                          destination_office="55202")
    port = _free_port()
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"tracking.listen_host: 127.0.0.1\ntracking.wialon_ips_port: {port}\n"
                        f"tracking.listeners: [wialon-ips]\n", encoding="utf-8")
    env = dict(os.environ, KZREG_DATABASE_URL=db, KZREG_SETTINGS_FILE=str(settings))
    log = tmp_path / "serve.log"
    process = subprocess.Popen([sys.executable, "-m", "kzreg.cli", "tracking", "serve",
                                "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                               stderr=log.open("wb"))
    try:
        _wait(lambda: log.read_text().count("listening for wialon-ips") == 2, 60,
              "both workers listen")
        workers = _children(process.pid)
        assert len(workers) == 2
        # many connections: the kernel hands them to both workers
        devices = [_device(port, IMEI if n % 2 == 0 else OTHER) for n in range(8)]
        for n, sock in enumerate(devices):
            imei = IMEI if n % 2 == 0 else OTHER
            at = now - dt.timedelta(minutes=10) + dt.timedelta(seconds=n)
            assert _exchange(sock, _report(imei, at, SealState.CLOSED)) == b"#AD#1\r\n"
        assert _count(db, IMEI) == 4 and _count(db, OTHER) == 4     # acked = stored
        opened = now - dt.timedelta(minutes=5)
        assert _exchange(devices[2], _report(IMEI, opened, SealState.OPENED)) == b"#AD#1\r\n"

        def removal() -> list:
            with unit_of_work(db) as session:
                return session.scalars(select(TrackingSituation).where(
                    TrackingSituation.type == "unauthorized_removal")).all()
        _wait(removal, 15, "the judge raised the removal")
        assert [(s.seal, s.started_at) for s in removal()] == [("KZ-W1", opened)]
        for sock in devices:
            sock.close()

        os.kill(workers[0], signal.SIGKILL)                 # a worker dies
        _wait(lambda: "starting it again" in log.read_text(), 15,
              "the judge restarts a dead worker")
        _wait(lambda: len(_children(process.pid)) == 2, 30, "two workers")
        for n in range(4):                                   # still served, by either worker
            sock = _device(port, OTHER)
            at = now - dt.timedelta(minutes=2) + dt.timedelta(seconds=n)
            assert _exchange(sock, _report(OTHER, at, SealState.CLOSED)) == b"#AD#1\r\n"
            sock.close()
        assert _count(db, OTHER) == 8
        workers += _children(process.pid)                    # the restarted one too
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
    assert "stopping" in log.read_text()
    assert not [pid for pid in workers if _alive(pid)]
