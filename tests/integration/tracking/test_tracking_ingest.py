"""The tracking service over real TCP sockets, stored in SQLite and PostgreSQL.

A Wialon IPS 2.0 device logs in, sends data and black-box packets and gets each
acknowledgement only once its data are in the database; resent records are dropped;
corrupt frames are answered and logged without disturbing another device; an unknown
device is quarantined; a seal not under control is stored but not judged; an opened seal
raises an unauthorized-removal situation (Order 407 §3(8)).
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select

from kzreg.law.settings import override
from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingDevice, TrackingPosition, TrackingSituation
from kzreg.tracking.pipeline import Pipeline
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.wialon_ips import encode_blackbox, encode_data, encode_login
from kzreg.tracking.server import TrackingServer

IMEI, OTHER, STRANGER = "860000000000001", "860000000000002", "869999999999999"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _register(db: str, *, active: bool = True) -> dt.datetime:
    activated = _now() - dt.timedelta(hours=1)
    with unit_of_work(db) as session:
        registry.register_seal(session, "KZ-0001", device_id=IMEI, protocol="wialon-ips")
        registry.register_seal(session, "KZ-0002", device_id=OTHER, protocol="wialon-ips")
        if active:
            registry.activate(session, "KZ-0001", at=activated, route=None, corridor_m=None,
                              escort_ref="ESC-1", departure_office="55201",
                              destination_office="55202")
    return activated


class Device:
    """A device on a real TCP connection: send a line, read the reply line."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> Device:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, data: bytes) -> bytes:
        self.writer.write(data)
        await self.writer.drain()
        return await asyncio.wait_for(self.reader.readline(), 10)

    async def close(self) -> None:
        self.writer.close()


def _rows(db: str, model=TrackingPosition, **where) -> list:
    with unit_of_work(db) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(session.scalars(query))


async def _with_service(db: str, scenario) -> Pipeline:
    pipeline = Pipeline(db)
    await pipeline.start()
    server = TrackingServer(pipeline, host="127.0.0.1", ports={"wialon-ips": 0})
    await server.start()
    try:
        await scenario(server.ports["wialon-ips"], pipeline)
    finally:
        await server.stop()
        await pipeline.stop()
    return pipeline


def test_login_data_blackbox_acknowledged_after_storage(db):
    _register(db)
    now = _now()

    async def scenario(port: int, pipeline: Pipeline) -> None:
        device = await Device.connect(port)
        assert await device.send(encode_login(IMEI)) == b"#AL#1\r\n"
        fix = Position(IMEI, now - dt.timedelta(seconds=30), 43.238949, 76.889709,
                       speed_kmh=61.0, course=90.0, seal_state=SealState.CLOSED)
        assert await device.send(encode_data(fix)) == b"#AD#1\r\n"
        # acknowledged means stored: the row is there the moment the ack arrives
        assert [(r.seal, r.fix_time, r.archive) for r in _rows(db, device=IMEI)] == \
            [("KZ-0001", fix.fix_time, False)]
        old = [Position(IMEI, now - dt.timedelta(minutes=50 - i), 43.0 + i / 100, 76.5)
               for i in range(3)]
        assert await device.send(encode_blackbox(old)) == b"#AB#3\r\n"
        rows = _rows(db, device=IMEI)
        assert len(rows) == 4 and sum(r.archive for r in rows) == 3
        await device.close()

    asyncio.run(_with_service(db, scenario))
    with unit_of_work(db) as session:
        track = registry.track(session, "KZ-0001")
        assert [p.fix_time for p in track] == sorted(p.fix_time for p in track)  # fix order
        assert track[-1].seal_state is SealState.CLOSED
        assert registry.last_signals(session, ["KZ-0001"])["KZ-0001"] >= now
        assert registry.open_situations(session) == []


def test_resent_records_are_acknowledged_and_stored_once(db):
    _register(db)
    now = _now()

    async def scenario(port: int, pipeline: Pipeline) -> None:
        device = await Device.connect(port)
        await device.send(encode_login(IMEI))
        records = [Position(IMEI, now - dt.timedelta(seconds=60 - i), 43.2, 76.9)
                   for i in range(5)]
        assert await device.send(encode_blackbox(records)) == b"#AB#5\r\n"
        # the ack was lost: the device sends the same black box again, and one more record
        assert await device.send(encode_blackbox(records)) == b"#AB#5\r\n"
        assert await device.send(encode_data(records[0])) == b"#AD#1\r\n"
        await device.close()

    pipeline = asyncio.run(_with_service(db, scenario))
    assert len(_rows(db, device=IMEI)) == 5
    assert pipeline.stats["stored"] == 5 and pipeline.stats["duplicates"] == 6


def test_corrupt_frames_do_not_disturb_other_devices(db, caplog):
    _register(db)
    now = _now()
    frame = encode_data(Position(OTHER, now, 43.2, 76.9))
    broken = frame[:-8] + (b"0000" if frame[-6:-2] != b"0000" else b"FFFF") + b"\r\n"

    async def scenario(port: int, pipeline: Pipeline) -> None:
        bad, good = await Device.connect(port), await Device.connect(port)
        assert await bad.send(encode_login(OTHER)) == b"#AL#1\r\n"
        assert await good.send(encode_login(IMEI)) == b"#AL#1\r\n"
        assert await bad.send(broken) == b"#AD#16\r\n"              # CRC refused
        assert (await bad.send(b"#D#garbage;;\r\n")).startswith(b"#AD#")
        assert await good.send(encode_data(Position(IMEI, now, 43.3, 76.9))) == b"#AD#1\r\n"
        # the corrupt connection still works for valid data
        assert await bad.send(encode_data(Position(OTHER, now, 43.4, 76.9))) == b"#AD#1\r\n"
        # an oversized frame (no line end within the limit) drops only that connection
        bad.writer.write(b"#D#" + b"9" * 70_000)
        await bad.writer.drain()
        assert await asyncio.wait_for(bad.reader.read(), 10) == b""   # closed by the server
        assert await good.send(encode_data(Position(IMEI, now - dt.timedelta(seconds=1),
                                                    43.3, 76.9))) == b"#AD#1\r\n"
        await good.close()

    with caplog.at_level("WARNING", logger="kzreg.tracking.server"):
        asyncio.run(_with_service(db, scenario))
    assert "CRC-16 does not match" in caplog.text
    assert len(_rows(db, device=IMEI)) == 2 and len(_rows(db, device=OTHER)) == 1
    # the rejected frames are kept for the operator with their reason and device
    with unit_of_work(db) as session:
        kept = sorted((q.reason, q.payload) for q in registry.quarantined(session, device=OTHER))
    assert [reason for reason, _ in kept] == [
        "frame rejected: D packet CRC-16 does not match"] * 2 + [
        "frame rejected: no line end within 65536 bytes"]
    payloads = {payload for _, payload in kept}
    assert {"#D#garbage;;", broken.decode().strip(), "#D#" + "9" * 253} == payloads


def test_rejected_frame_is_not_a_signal(db):
    _register(db)

    async def scenario(port: int, pipeline: Pipeline) -> None:
        device = await Device.connect(port)
        assert await device.send(encode_login(IMEI)) == b"#AL#1\r\n"     # a signal
        await asyncio.sleep(0.05)
        assert await device.send(b"#D#garbage;;\r\n") == b"#AD#16\r\n"  # not one
        await device.close()

    asyncio.run(_with_service(db, scenario))
    with unit_of_work(db) as session:
        seen = session.get(TrackingDevice, IMEI).last_seen
        kept = registry.quarantined(session, device=IMEI)
    assert [q.payload for q in kept] == ["#D#garbage;;"]
    assert seen is not None and seen < kept[0].received_at


def test_connections_beyond_the_limit_are_refused(db):
    _register(db)

    async def scenario(port: int, pipeline: Pipeline) -> None:
        first, second = await Device.connect(port), await Device.connect(port)
        assert await first.send(encode_login(IMEI)) == b"#AL#1\r\n"
        assert await second.send(encode_login(OTHER)) == b"#AL#1\r\n"
        third = await Device.connect(port)
        try:
            assert await asyncio.wait_for(third.reader.read(), 10) == b""   # closed at once
        except ConnectionResetError:
            pass
        await first.close()
        await asyncio.sleep(0.2)
        fourth = await Device.connect(port)                       # room again
        assert await fourth.send(encode_login(IMEI)) == b"#AL#1\r\n"
        await second.close()
        await fourth.close()

    with override(tracking__max_connections_per_listener=2):
        asyncio.run(_with_service(db, scenario))


def test_unknown_device_is_quarantined_and_shown(db):
    _register(db)
    now = _now()

    async def scenario(port: int, pipeline: Pipeline) -> None:
        device = await Device.connect(port)
        assert await device.send(encode_login(STRANGER)) == b"#AL#1\r\n"
        # acknowledged: the data are kept (in quarantine), the device need not resend them
        assert await device.send(encode_data(Position(STRANGER, now, 43.2, 76.9))) == \
            b"#AD#1\r\n"
        await device.close()

    asyncio.run(_with_service(db, scenario))
    assert _rows(db, device=STRANGER) == []
    with unit_of_work(db) as session:
        shown = registry.quarantined(session)
        assert [(q.device, q.protocol) for q in shown] == [(STRANGER, "wialon-ips")]
        assert "unknown device" in shown[0].reason and '"lat":43.2' in shown[0].payload
        assert session.get(TrackingDevice, STRANGER).status == "quarantined"
        # registered afterwards, the device becomes known
        registry.register_seal(session, "KZ-0009", device_id=STRANGER, protocol="wialon-ips")
        assert session.get(TrackingDevice, STRANGER).status == "known"


def test_future_fix_is_quarantined_not_stored(db):
    _register(db)

    async def scenario(port: int, pipeline: Pipeline) -> None:
        device = await Device.connect(port)
        await device.send(encode_login(IMEI))
        future = Position(IMEI, _now() + dt.timedelta(days=2), 43.2, 76.9)
        reply = await device.send(encode_data(future))
        assert reply.startswith(b"#AD#")
        await device.close()

    asyncio.run(_with_service(db, scenario))
    assert _rows(db, device=IMEI) == []


def test_opened_seal_raises_removal_but_inactive_seal_is_not_judged(db):
    _register(db)
    now = _now()

    async def scenario(port: int, pipeline: Pipeline) -> None:
        active, idle = await Device.connect(port), await Device.connect(port)
        await active.send(encode_login(IMEI))
        await idle.send(encode_login(OTHER))
        opened = Position(IMEI, now - dt.timedelta(seconds=5), 43.2, 76.9,
                          seal_state=SealState.OPENED)
        assert await active.send(encode_data(opened)) == b"#AD#1\r\n"
        assert await idle.send(encode_data(Position(OTHER, now, 43.2, 76.9,
                                                    seal_state=SealState.REMOVED))) == \
            b"#AD#1\r\n"
        for _ in range(100):                 # detection runs just after the ack
            if pipeline.stats["situations"]:
                break
            await asyncio.sleep(0.02)
        await active.close()
        await idle.close()

    asyncio.run(_with_service(db, scenario))
    situations = _rows(db, TrackingSituation)
    assert [(s.seal, s.type, s.started_at) for s in situations] == \
        [("KZ-0001", "unauthorized_removal", now - dt.timedelta(seconds=5))]
    assert situations[0].notify_by == situations[0].occurred_at + dt.timedelta(hours=1)
    assert len(_rows(db, device=OTHER)) == 1            # stored, not judged
    with unit_of_work(db) as session:
        assert [s.id for s in registry.unnotified_situations(session)] == [situations[0].id]
        registry.mark_notified(session, situations[0].id, _now())
        assert registry.unnotified_situations(session) == []


def test_device_ids_with_copy_special_characters_are_stored_verbatim(db):
    from kzreg.tracking.store import Incoming, PositionStore

    odd = "dev\\01\tx"                         # a backslash and a tab: COPY must escape them
    with unit_of_work(db) as session:
        registry.register_seal(session, "KZ-ODD", device_id=odd, protocol="wialon-ips")
    store = PositionStore(db, max_future=dt.timedelta(minutes=10))
    store.bind(odd, "KZ-ODD")
    fix = _now() - dt.timedelta(seconds=3)
    result = store.write([Incoming(odd, "wialon-ips", _now(), [Position(odd, fix, 43.2, 76.9)])])
    store.close()
    assert len(result.stored) == 1
    assert [(r.device, r.seal, r.fix_time) for r in _rows(db, device=odd)] == \
        [(odd, "KZ-ODD", fix)]
