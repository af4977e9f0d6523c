"""The live pipeline: store a batch, then acknowledge, then judge (Order 407 §3(8), §11).

Listeners hand each device's decoded data to `Pipeline.submit()`, which returns once the
data are committed; only then do they send the device its acknowledgement, so a device keeps
a record in its black box until the operator has it. Writer tasks gather what is queued
into batches (`tracking.batch_max_positions`) and write them through `PositionStore` in a
worker thread; then the newly stored positions go to the detection engine
(`kzreg.escort.engine.DetectionEngine`) and the situations it raises or ends are written to
`tracking_situations` (idempotent on seal, type, start), where the escort room picks them up
to send the §11 notices.

Signal loss is timer-driven: the engine keeps at most one heap entry per active seal (the
instant its silence becomes "more than 3 hours"); a ticker calls `advance(now)` at the
earliest deadline or each second, whichever comes first, and only due entries are touched —
no scan over the seals, whatever their number. On start the engine is rebuilt from the
database (active seals, last receipt, open situations, and the positions of the last minutes
judged again), so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable, Container, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kzreg.escort.engine import STATE_CODES, DetectionEngine, Report, from_us, to_us
from kzreg.escort.situations import Situation, SituationType
from kzreg.law.settings import get_setting
from kzreg.platform.db import get_engine, unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import SEAL_ACTIVE, TrackingPosition, TrackingSituation
from kzreg.tracking.store import BatchResult, Incoming, PositionStore

log = logging.getLogger("kzreg.tracking.pipeline")

Clock = Callable[[], dt.datetime]
SEAL_POLL_SECONDS = 1.0   # how soon an activation made in the web reaches the engine


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _situation(row: TrackingSituation) -> Situation:
    return Situation(row.seal, SituationType(row.type), row.started_at, row.occurred_at,
                     row.detected_at, row.notify_by, row.ended_at, dict(row.evidence or {}),
                     row.retracted_at)


class Pipeline:
    """Store → acknowledge → detect, for one process (or one JetStream partition)."""

    def __init__(self, url: str | None = None, *, clock: Clock = utc_now,
                 owns_device: Callable[[str], bool] | None = None,
                 forward: Callable[[Columns], None] | None = None) -> None:
        self.url = url
        self.forward = forward
        self.clock = clock
        self.owns_device = owns_device or (lambda device: True)
        self.store = PositionStore(
            url, max_future=dt.timedelta(seconds=get_setting("tracking.max_future_seconds").value))
        self.engine = DetectionEngine()
        self._activated: dict[str, dt.datetime] = {}    # seals under control here
        self.batch_max = get_setting("tracking.batch_max_positions").value
        self.batch_wait = get_setting("tracking.batch_max_wait_ms").value / 1000
        self.replay_window = dt.timedelta(
            minutes=get_setting("escort.route_deviation_min_minutes").value + 1)
        # PostgreSQL: two batches in flight, so one fills while the other commits (a device
        # has at most one message in flight, so its order is kept); SQLite has one writer
        self.writers = 2 if self.store.postgres else 1
        self._executor = ThreadPoolExecutor(self.writers + 1, thread_name_prefix="tracking-db")
        self._queue: asyncio.Queue[tuple[Incoming, Callable]] | None = None
        self._tasks: list[asyncio.Task] = []
        self._seals_seen: dict[str, tuple] = {}
        self._poll_since: dt.datetime | None = None
        self.stats = {"batches": 0, "stored": 0, "duplicates": 0, "quarantined": 0,
                      "situations": 0}

    # -- life cycle ---------------------------------------------------------------------
    async def start(self) -> None:
        self._queue = asyncio.Queue()
        await self._db(self.rebuild)
        self._tasks = [*(asyncio.create_task(self._writer(), name=f"tracking-writer-{n}")
                         for n in range(self.writers)),
                       asyncio.create_task(self._ticker(), name="tracking-ticker"),
                       asyncio.create_task(self._seal_poller(), name="tracking-seals")]

    async def stop(self, drain_seconds: float = 10.0) -> None:
        """Store what is queued (its senders are waiting for their acknowledgement), then
        stop; whatever could not be stored in time is refused, so it is not acknowledged."""
        loop = asyncio.get_running_loop()
        until = loop.time() + drain_seconds
        while self._queue is not None and not self._queue.empty() and loop.time() < until:
            await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        while self._queue is not None and not self._queue.empty():
            _, done = self._queue.get_nowait()
            done(ConnectionAbortedError("the tracking service stopped"))
        self._executor.shutdown(wait=True)
        self.store.close()
        log.info("stopped: %s", json.dumps(self.stats))

    async def _db(self, fn: Callable, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- the way in ---------------------------------------------------------------------
    async def submit(self, incoming: Incoming) -> None:
        """Returns when `incoming` is committed (then the caller acknowledges); raises if
        the batch could not be stored (then the caller must not acknowledge)."""
        future = asyncio.get_running_loop().create_future()

        def done(error: BaseException | None) -> None:
            if not future.done():
                future.set_exception(error) if error else future.set_result(None)
        self.submit_nowait(incoming, done)
        await future

    def submit_nowait(self, incoming: Incoming,
                      done: Callable[[BaseException | None], None]) -> None:
        """The callback form of `submit` (the TCP listeners use it: no task per message)."""
        self._queue.put_nowait((incoming, done))

    async def _writer(self) -> None:
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            items = [await queue.get()]
            count = len(items[0][0].positions) or 1
            until = loop.time() + self.batch_wait
            while count < self.batch_max:
                if queue.empty():
                    left = until - loop.time()
                    if left <= 0:
                        break
                    try:
                        items.append(await asyncio.wait_for(queue.get(), left))
                    except TimeoutError:
                        break
                else:
                    items.append(queue.get_nowait())
                count += len(items[-1][0].positions) or 1
            try:
                await self.process([incoming for incoming, _ in items],
                                   acknowledge=partial(_call_all, items, None))
            except Exception as exc:               # the devices get no ack and resend
                log.exception("storing a batch of %d messages failed", len(items))
                _call_all(items, exc)

    async def process(self, batch: Sequence[Incoming],
                      acknowledge: Callable[[], Any] | None = None) -> BatchResult:
        """Store one batch; then (the caller acknowledges) judge it and record situations.
        The JetStream worker calls this directly with its own acknowledgement."""
        result = await self._db(self.store.write, batch)
        self.stats["batches"] += 1
        self.stats["stored"] += len(result.stored)
        self.stats["duplicates"] += result.duplicates
        self.stats["quarantined"] += result.quarantined
        if acknowledge is not None:
            acknowledged = acknowledge()
            if asyncio.iscoroutine(acknowledged):
                await acknowledged
        if self.forward is not None:         # a listener worker: the judge is elsewhere
            self.forward(columns(result))
            return result
        events = self.judge(result)
        if events:
            await self._db(self.record, events)
        return result

    def judge(self, result: BatchResult) -> list[Situation]:
        """The new positions (each seal's in fix-time order: a black-box packet is judged
        in its own order) and, for seals that sent nothing new, the signal alone."""
        return self.judge_columns(columns(result, self._activated))

    def judge_columns(self, batch: Columns) -> list[Situation]:
        """`judge` on a batch in column form (`columns`), as a listener worker process
        forwards it (kzreg.tracking.workers); rows of seals not under control here are
        left out."""
        seals, fix_us, recv_us, lats, lons, states, valid, heard = batch
        active = self._activated
        if not all(seal in active for seal in seals):
            keep = [n for n, seal in enumerate(seals) if seal in active]
            seals, fix_us, recv_us, lats, lons, states, valid = (
                [column[n] for n in keep]
                for column in (seals, fix_us, recv_us, lats, lons, states, valid))
        found = (self.engine.observe_columns(seals, fix_us, recv_us, lats, lons, states, valid)
                 if seals else [])
        reports = [Report(seal, at, at) for seal, at in
                   ((seal, from_us(us)) for seal, us in heard if seal in active)]
        return found + self.engine.observe_many(reports) if reports else found

    # -- situations ---------------------------------------------------------------------
    def record(self, found: Sequence[Situation]) -> None:
        """Write the situations' newest versions in one transaction: new ones are inserted
        (a duplicate is ignored), ended or retracted ones update their row."""
        latest = {situation.key: situation for situation in found}    # newest version wins
        items = list(latest.values())
        for start in range(0, len(items), 5000):       # bound the statements' parameters
            self._record({s.key: s for s in items[start:start + 5000]})

    def _record(self, latest: dict[tuple, Situation]) -> None:
        postgres = get_engine(self.url).dialect.name == "postgresql"
        insert = (postgresql.insert if postgres else sqlite.insert)(TrackingSituation)
        table = TrackingSituation.__table__
        with unit_of_work(self.url) as session:
            seals = sorted({key[0] for key in latest})
            known = {(seal, kind, started) for seal, kind, started in session.execute(
                select(table.c.seal, table.c.type, table.c.started_at)
                .where(table.c.seal.in_(seals))
                .where(table.c.started_at >= min(s.started_at for s in latest.values())))}
            new = [s for key, s in latest.items() if key not in known]
            if new:
                session.execute(insert.on_conflict_do_nothing(), [_row(s) for s in new])
                self.stats["situations"] += len(new)
                for situation in new:
                    log.warning("non-routine situation: %s", situation)
            changed = [s for key, s in latest.items() if key in known
                       and (s.ended_at is not None or s.retracted_at is not None)]
            if changed:
                session.execute(
                    update(table).where(table.c.seal == bindparam("k_seal"),
                                        table.c.type == bindparam("k_type"),
                                        table.c.started_at == bindparam("k_started"))
                    .values(ended_at=bindparam("ended_at"),
                            retracted_at=bindparam("retracted_at"),
                            evidence=bindparam("evidence")),
                    [{"k_seal": s.seal, "k_type": s.type.value, "k_started": s.started_at,
                      "ended_at": s.ended_at, "retracted_at": s.retracted_at,
                      "evidence": _jsonable(s.evidence)} for s in changed])

    async def tick(self) -> list[Situation]:
        """Fire the signal-loss deadlines due now (the ticker calls it; tests may too)."""
        events = self.engine.advance(self.clock())
        if events:
            await self._db(self.record, events)
        return events

    async def _ticker(self) -> None:
        while True:
            await self.tick()
            wait = 1.0
            deadline = self.engine.next_deadline()
            if deadline is not None:
                wait = min(wait, max(0.0, (deadline - self.clock()).total_seconds()))
            await asyncio.sleep(wait)

    # -- the seals under control --------------------------------------------------------
    def rebuild(self) -> list[Situation]:
        """Engine state from the database: active seals, last receipts, open situations,
        and the positions received in the last minutes judged again (a situation they find
        that was already recorded is ignored as a duplicate). Runs before the tasks start."""
        self.engine = DetectionEngine()
        self._activated.clear()
        self._seals_seen.clear()
        now = self.clock()
        with unit_of_work(self.url) as session:
            for seal in registry.seal_rows(session):
                self._apply_seal(seal)
            active = list(self._activated)
            signals = registry.last_signals(session, active)
            opened: dict[str, list[Situation]] = {}
            for row in registry.open_situations(session):       # few: filtered here
                if row.seal in self._activated:
                    opened.setdefault(row.seal, []).append(_situation(row))
            latest = max((t for t in signals.values() if t is not None), default=None)
            replay: list[Report] = []
            if latest is not None:
                query = (select(TrackingPosition)
                         .where(TrackingPosition.server_time >= latest - self.replay_window)
                         .order_by(TrackingPosition.server_time, TrackingPosition.fix_time))
                replay = [Report.from_position(row.seal, registry._position(row))
                          for row in session.scalars(query) if row.seal in self._activated]
        for seal in active:
            self.engine.restore(seal, last_signal=signals.get(seal),
                    open_situations=opened.get(seal, ()))
        found = self.engine.observe_many(replay) + self.engine.advance(now)
        self._poll_since = utc_now() - dt.timedelta(seconds=5)
        if found:
            self.record(found)
        log.info("engine rebuilt: %d active seals, %d positions judged again, %d situations",
                 len(active), len(replay), len(found))
        return found

    def _apply_seal(self, seal) -> list[Situation]:
        """Bring the engine and the device bindings in line with one `tracking_seals` row."""
        state = (seal.device_id, seal.status, seal.activated_at, seal.deactivated_at)
        if self._seals_seen.get(seal.seal_number) == state:
            return []
        self._seals_seen[seal.seal_number] = state
        if seal.device_id is not None:
            self.store.bind(seal.device_id, seal.seal_number)
        if seal.device_id is None or not self.owns_device(seal.device_id):
            return []
        number, engine, active = seal.seal_number, self.engine, self._activated
        found: list[Situation] = []
        if number in active and (seal.status != SEAL_ACTIVE
                                 or active[number] != seal.activated_at):
            found = engine.deactivate(number, max(seal.deactivated_at or active[number],
                                                  active[number]))
            engine.forget(number)
            del active[number]
        if seal.status == SEAL_ACTIVE and number not in active:
            engine.activate(number, seal.activated_at, seal.route, seal.corridor_m)
            active[number] = seal.activated_at
        return found

    def changed_seals(self) -> list:
        """Seals changed since the last poll (an index range on updated_at, not a scan);
        rows committed late carry an earlier updated_at, so each poll looks back 5 s."""
        since = self._poll_since or utc_now() - dt.timedelta(seconds=5)
        now = utc_now()
        with unit_of_work(self.url) as session:
            rows = registry.seal_rows(session, changed_since=since)
        self._poll_since = now - dt.timedelta(seconds=5)
        return rows

    async def poll_seals(self) -> list[Situation]:
        events: list[Situation] = []
        for seal in await self._db(self.changed_seals):
            events += self._apply_seal(seal)        # on the event loop: the engine's thread
        if events:
            await self._db(self.record, events)
        return events

    async def _seal_poller(self) -> None:
        while True:
            await asyncio.sleep(SEAL_POLL_SECONDS)
            try:
                await self.poll_seals()
            except Exception:
                log.exception("polling seal changes failed; retrying")


# a batch for the detection engine: seals, fix and receipt instants (µs), lat, lon, state
# codes, validity, and (seal, receipt µs) of the seals heard from without a new position
Columns = tuple[list, list, list, list, list, list, list, list]
_US: dict[dt.datetime, int] = {}


def _us(instant: dt.datetime) -> int:
    """`to_us`, remembered: live fixes fall on the same whole seconds (see store._iso)."""
    us = _US.get(instant)
    if us is None:
        if len(_US) >= 50_000:
            _US.clear()
        us = _US[instant] = to_us(instant)
    return us


def columns(result: BatchResult, active: Container[str] | None = None) -> Columns:
    """The newly stored positions of `result` with a seal (of the `active` ones, if given)
    in column form, each seal's in fix-time order, and the seals heard from otherwise."""
    rows = [(seal, p, received) for seal, p, received in result.stored
            if seal is not None and (active is None or seal in active)]
    if len(rows) > 1:
        rows.sort(key=lambda row: (row[0], row[1].fix_time))
    received_us: dict[int, int] = {}              # one receipt instant per message
    recv = []
    for _, _, received in rows:
        us = received_us.get(id(received))
        if us is None:
            us = received_us[id(received)] = to_us(received)
        recv.append(us)
    seals = [row[0] for row in rows]
    judged = set(seals)
    heard = [(seal, to_us(received)) for seal, received in result.heard.values()
             if seal is not None and seal not in judged
             and (active is None or seal in active)]
    return (seals, [_us(row[1].fix_time) for row in rows], recv,
            [row[1].lat for row in rows], [row[1].lon for row in rows],
            [STATE_CODES[row[1].seal_state.value if row[1].seal_state else None]
             for row in rows],
            [row[1].valid for row in rows], heard)


def _row(situation: Situation) -> dict[str, Any]:
    return {"seal": situation.seal, "type": situation.type.value,
            "started_at": situation.started_at, "occurred_at": situation.occurred_at,
            "detected_at": situation.detected_at, "notify_by": situation.notify_by,
            "ended_at": situation.ended_at, "retracted_at": situation.retracted_at,
            "evidence": _jsonable(situation.evidence)}


def _call_all(items, error: BaseException | None) -> None:
    for _, done in items:
        try:
            done(error)
        except Exception:  # noqa: BLE001 - one listener's failure must not stop the others
            log.exception("acknowledging a device failed")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
