"""Batched, idempotent storage of what the devices sent: one transaction per batch.

PostgreSQL: the positions are COPYed into a per-connection temporary staging table, then
`INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING` moves them into `tracking_positions` —
COPY is the fastest way in, and RETURNING names exactly the rows that were new. SQLite (the
embedded default): `INSERT OR IGNORE` row by row on the raw connection inside one
transaction, its row count telling a new row from a duplicate.

Per batch, in the same transaction: positions of known devices are stored under the seal
the device is bound to (a seal not under control is stored too, and not judged); frames of
unknown devices, positions with impossible times and messages a listener could not decode
but had to accept (MQTT) go to `tracking_quarantine` with the reason; every device heard
from gets `last_seen` (any transmission is a signal, setting
escort.signal_loss_signal_meaning). The caller sends the devices' acknowledgements only
after `write()` returns, so an acknowledged record is on disk (Order 407 §11, §18(3)).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from kzreg.platform.db import get_engine
from kzreg.tracking.models import DEVICE_KNOWN, DEVICE_QUARANTINED
from kzreg.tracking.position import Position

log = logging.getLogger("kzreg.tracking.store")

COLUMNS = ("device", "fix_time", "seal", "server_time", "lat", "lon", "speed", "course",
           "valid", "seal_state", "battery", "archive")
UNKNOWN_DEVICE = "unknown device: no seal is registered for it"
UNIQUE_VIOLATION = "23505"            # PostgreSQL's SQLSTATE for a duplicate key
# after a batch that held a resent record, this many go through staging (resends come in
# bursts: a device emptying its black box); then COPY goes straight into the table again
DIRECT_SKIP_AFTER_DUPLICATE = 20


@dataclass(slots=True)
class Incoming:
    """What one device sent in one read (one `Decoded`), stamped with its receipt time.
    A message with no positions (login, ping) still tells that the device is alive."""

    device: str
    protocol: str
    received_at: dt.datetime
    positions: Sequence[Position] = ()
    rejected: Sequence[tuple[str, str]] = ()   # (reason, payload): kept in quarantine
    signal: bool = True            # False: only rejected frames, not a sign of life


@dataclass(slots=True)
class BatchResult:
    # the new rows: (seal, position, receipt time)
    stored: list[tuple[str | None, Position, dt.datetime]] = field(default_factory=list)
    heard: dict[str, tuple[str | None, dt.datetime]] = field(default_factory=dict)
    duplicates: int = 0
    quarantined: int = 0


def _utc(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC)


NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str | None) -> str:
    """A value in COPY's text format: device ids come from devices, so escape them."""
    if value is None:
        return NULL
    return value.translate(_COPY_ESCAPES) if ("\\" in value or "\t" in value
                                              or "\n" in value or "\r" in value) else value


_ISO: dict[dt.datetime, str] = {}


def _iso(instant: dt.datetime) -> str:
    """`instant.isoformat()`, remembered: live devices' fixes fall on the same whole
    seconds, so a batch repeats a few hundred instants (a datetime caches its hash)."""
    text = _ISO.get(instant)
    if text is None:
        if len(_ISO) >= 50_000:
            _ISO.clear()
        text = _ISO[instant] = instant.isoformat()
    return text


def _copy_number(value: float | None) -> str:
    return NULL if value is None else repr(float(value))


def _sqlite_time(t: dt.datetime | None) -> str | None:
    # the text SQLAlchemy's SQLite DATETIME writes, so keys and comparisons agree with it
    return None if t is None else _utc(t).strftime("%Y-%m-%d %H:%M:%S.%f")


class PositionStore:
    """Writes batches to the database at `url`; safe to call from one thread at a time per
    instance (the pipeline runs it in a worker thread so the event loop keeps serving)."""

    def __init__(self, url: str | None = None, *, max_future: dt.timedelta) -> None:
        self.engine: Engine = get_engine(url)
        self.postgres = self.engine.dialect.name == "postgresql"
        self.max_future = max_future
        self.bindings: dict[str, str | None] = {}     # known device -> seal number
        self._local = threading.local()    # each writer thread keeps its own connection
        self._open: list = []
        self._direct_skip = 0
        self._devices: set[str] = set()    # devices whose tracking_devices row exists

    def _connection(self):
        """This thread's connection, held open between batches: no pool checkout and no
        pre-ping per batch. A connection that failed is dropped and replaced next time."""
        raw = getattr(self._local, "raw", None)
        if raw is None:
            raw = self._local.raw = self.engine.raw_connection()
            self._open.append(raw)
        return raw

    def close(self) -> None:
        """Return every writer thread's connection (call when the writers have stopped)."""
        for raw in self._open:
            try:
                raw.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
        self._open.clear()
        self._local = threading.local()

    def bind(self, device: str, seal: str | None) -> None:
        """A device is known (registered), bound to `seal` (from the registry)."""
        self.bindings[device] = seal

    def unbind(self, device: str) -> None:
        self.bindings.pop(device, None)

    # -- the batch ---------------------------------------------------------------------
    def write(self, batch: Sequence[Incoming]) -> BatchResult:
        raw = self._connection()
        try:
            try:
                result, seen = self._write(raw, batch, direct=self._direct_ok())
            except Exception as error:
                if not self._duplicate_error(error):
                    raise
                # a row of the batch is stored already (a resent record): the whole batch
                # again, through staging, which tells the duplicates from the new rows
                raw.rollback()
                self._forget_staging(raw)
                self._direct_skip = DIRECT_SKIP_AFTER_DUPLICATE
                result, seen = self._write(raw, batch, direct=False)
            raw.commit()
            if raw.info.get("tracking_staging") == "created":
                raw.info["tracking_staging"] = "committed"   # exists from now on
            self._devices.update(seen)                         # their rows exist now
        except BaseException:
            self._local.raw = None
            if raw in self._open:
                self._open.remove(raw)
            try:
                raw.rollback()
                raw.close()
            except Exception:  # noqa: BLE001 - the connection is being dropped anyway
                pass
            raise
        return result

    def _write(self, raw, batch: Sequence[Incoming], *, direct: bool):
        """One batch in the open transaction: (result, devices heard from)."""
        result = BatchResult()
        cur = raw.cursor()
        self._resolve(cur, {item.device for item in batch
                            if item.device and item.device not in self.bindings})
        rows, quarantine, seen = self._sort(batch, result)
        if rows:
            new = self._insert_positions(raw, cur, rows, direct)
            for seal, position, key, received in rows:
                if new is None or key in new:
                    result.stored.append((seal, position, received))
                else:
                    result.duplicates += 1
        self._insert_quarantine(cur, quarantine)
        self._heard(cur, seen)
        return result, seen

    def _direct_ok(self) -> bool:
        """COPY straight into the table unless a batch lately held a resent record."""
        if not self.postgres:
            return False
        if self._direct_skip > 0:
            self._direct_skip -= 1
            return False
        return True

    @staticmethod
    def _duplicate_error(error: BaseException) -> bool:
        return getattr(error, "sqlstate", None) == UNIQUE_VIOLATION

    @staticmethod
    def _forget_staging(raw) -> None:
        if raw.info.get("tracking_staging") == "created":    # rolled back with the batch
            raw.info.pop("tracking_staging")

    def _sort(self, batch: Sequence[Incoming], result: BatchResult):
        rows: list[tuple[str | None, Position, tuple[str, dt.datetime], dt.datetime]] = []
        quarantine: list[tuple] = []
        seen: dict[str, tuple[str, dt.datetime]] = {}
        keys: set[tuple[str, dt.datetime]] = set()
        for item in batch:
            received = _utc(item.received_at)
            for reason, payload in item.rejected:
                quarantine.append((received, item.device, item.protocol, reason[:300], None,
                                   payload))
                result.quarantined += 1
            if item.device and item.signal:
                last = seen.get(item.device)
                if last is None or received > last[1]:
                    seen[item.device] = (item.protocol, received)
                    result.heard[item.device] = (self.bindings.get(item.device), received)
            for position in item.positions:
                device = position.device or item.device
                if not device:
                    reason = "position without a device identity (no login)"
                elif device not in self.bindings:
                    reason = UNKNOWN_DEVICE
                elif position.fix_time > received + self.max_future:
                    reason = (f"fix time {position.fix_time.isoformat()} is more than "
                              f"{int(self.max_future.total_seconds())} s after its receipt "
                              f"(setting tracking.max_future_seconds)")
                else:
                    key = (device, _utc(position.fix_time))
                    if key in keys:                    # its twin earlier in the batch
                        result.duplicates += 1
                    else:
                        keys.add(key)
                        rows.append((self.bindings[device], position, key, received))
                    continue
                quarantine.append((received, device or "", item.protocol, reason,
                                   position.fix_time,
                                   json.dumps(position.to_json(), separators=(",", ":"))))
                result.quarantined += 1
        return rows, quarantine, seen

    # -- devices -----------------------------------------------------------------------
    def _resolve(self, cur, devices: set[str]) -> None:
        """Learn the bindings of devices not in the cache (registered since we started)."""
        if not devices:
            return
        names = sorted(devices)
        marks = ",".join(["%s" if self.postgres else "?"] * len(names))
        cur.execute(f"SELECT device_id, seal_number, status FROM tracking_devices "
                    f"WHERE device_id IN ({marks})", names)
        for device, seal, status in cur.fetchall():
            if status == DEVICE_KNOWN:
                self.bindings[device] = seal

    def _heard(self, cur, seen: dict[str, tuple[str, dt.datetime]]) -> None:
        """last_seen of every device heard from; an unknown one is recorded as quarantined."""
        if not seen:
            return
        items = sorted(seen.items())         # one lock order: concurrent batches never deadlock
        if self.postgres:
            # the rows as one JSON parameter: encoding arrays element by element in Python
            # cost more than the statement itself. A device whose row exists gets a plain
            # UPDATE: a fifth of the CPU PostgreSQL spends on INSERT … ON CONFLICT DO UPDATE
            known = self._devices
            old = [{"d": d, "t": t.isoformat()} for d, (_, t) in items if d in known]
            new = [{"d": d, "p": p, "t": t.isoformat()} for d, (p, t) in items
                   if d not in known]
            if old:
                cur.execute(
                    "UPDATE tracking_devices AS x SET last_seen = v.t FROM "
                    "json_to_recordset(%s::json) AS v(d text, t timestamptz) "
                    "WHERE x.device_id = v.d AND (x.last_seen IS NULL OR x.last_seen < v.t)",
                    (json.dumps(old, separators=(",", ":")),))
            if new:
                cur.execute(
                    "INSERT INTO tracking_devices (device_id, protocol, status, first_seen, "
                    "last_seen) SELECT d, p, %s, t, t FROM json_to_recordset(%s::json) "
                    "AS v(d text, p text, t timestamptz) ON CONFLICT (device_id) DO UPDATE "
                    "SET last_seen = GREATEST(tracking_devices.last_seen, EXCLUDED.last_seen),"
                    " first_seen = COALESCE(tracking_devices.first_seen, EXCLUDED.first_seen)",
                    (DEVICE_QUARANTINED, json.dumps(new, separators=(",", ":"))))
        else:
            cur.executemany(
                "INSERT INTO tracking_devices (device_id, protocol, status, first_seen, "
                "last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET "
                "last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen),"
                " first_seen = coalesce(first_seen, excluded.first_seen)",
                [(d, p, DEVICE_QUARANTINED, _sqlite_time(t), _sqlite_time(t))
                 for d, (p, t) in items])

    # -- positions ---------------------------------------------------------------------
    def _insert_positions(self, raw, cur, rows, direct: bool):
        """The keys of the rows that were new, or None when all were."""
        if self.postgres:
            return self._copy_postgres(raw, cur, rows, direct)
        new: set[tuple[str, dt.datetime]] = set()
        sql = (f"INSERT OR IGNORE INTO tracking_positions ({', '.join(COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(COLUMNS))})")
        for seal, p, key, received in rows:
            cur.execute(sql, (key[0], _sqlite_time(key[1]), seal, _sqlite_time(received),
                              p.lat, p.lon, p.speed_kmh, p.course, int(p.valid),
                              p.seal_state.value if p.seal_state else None, p.battery,
                              int(p.archive)))
            if cur.rowcount == 1:
                new.add(key)
        return new

    def _copy_postgres(self, raw, cur, rows, direct: bool):
        columns = ", ".join(COLUMNS)
        # COPY's text format written directly: several times cheaper than write_row
        lines = []
        stamp_of, stamp = None, ""
        for seal, p, key, received in rows:
            if received is not stamp_of:               # one receipt stamp per message
                stamp_of, stamp = received, received.isoformat()
            state = p.seal_state
            lines.append(f"{_copy_text(key[0])}\t{_iso(key[1])}\t"
                         f"{_copy_text(seal)}\t{stamp}\t{p.lat!r}\t{p.lon!r}\t"
                         f"{_copy_number(p.speed_kmh)}\t{_copy_number(p.course)}\t"
                         f"{'t' if p.valid else 'f'}\t{state.value if state else NULL}\t"
                         f"{_copy_number(p.battery)}\t{'t' if p.archive else 'f'}\n")
        if direct:
            # no resent record lately: every row is new, so straight into the table (a
            # duplicate fails the COPY, and `write` redoes the batch through staging)
            with cur.copy(f"COPY tracking_positions ({columns}) FROM STDIN") as copy:
                copy.write("".join(lines))
            return None
        if raw.info.get("tracking_staging") != "committed":
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS tracking_staging "
                        "(LIKE tracking_positions) ON COMMIT DELETE ROWS")
            raw.info["tracking_staging"] = "created"
        with cur.copy(f"COPY tracking_staging ({columns}) FROM STDIN") as copy:
            copy.write("".join(lines))
        cur.execute(f"INSERT INTO tracking_positions ({columns}) SELECT {columns} FROM "
                    f"tracking_staging ON CONFLICT DO NOTHING RETURNING device, fix_time")
        # aware datetimes hash and compare by instant, whatever the session's time zone
        return set(cur.fetchall())

    def _insert_quarantine(self, cur, quarantine: list[tuple]) -> None:
        if not quarantine:
            return
        if self.postgres:
            cur.executemany("INSERT INTO tracking_quarantine (received_at, device, protocol, "
                            "reason, fix_time, payload) VALUES (%s, %s, %s, %s, %s, %s)",
                            quarantine)
        else:
            cur.executemany("INSERT INTO tracking_quarantine (received_at, device, protocol, "
                            "reason, fix_time, payload) VALUES (?, ?, ?, ?, ?, ?)",
                            [(_sqlite_time(r), d, p, why, _sqlite_time(f), j)
                             for r, d, p, why, f, j in quarantine])
