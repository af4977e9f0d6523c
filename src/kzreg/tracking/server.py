"""The device listeners: Wialon IPS and EGTS over TCP, OsmAnd over HTTP, JSON over MQTT.

Order 407 §11 (24/7 tracking) needs the seals' reports received from whatever protocol they
speak. Each TCP connection gets its own sans-IO `DeviceSession` (`kzreg.tracking.protocols`);
the listener reads, feeds, hands the decoded data to the sink (the in-process `Pipeline`, or
the JetStream publisher of the partitioned mode) and sends the device's acknowledgement only
when the sink says the data are safe. A corrupt frame is logged with its reason and answered
as the protocol says; it never raises out of the connection's task, so no other device is
affected. Idle connections are closed after `tracking.idle_timeout_seconds`; frames above
`tracking.max_frame_bytes` are refused and the connection dropped. A failure to store closes
the connection without an acknowledgement: the device keeps the data and sends it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from kzreg.law.errors import InputError, KzregError
from kzreg.law.settings import get_setting
from kzreg.tracking.protocols import PROTOCOLS
from kzreg.tracking.protocols.base import Decoded
from kzreg.tracking.store import Incoming

log = logging.getLogger("kzreg.tracking.server")
READ_SIZE = 64 * 1024
# corrupt frames of one connection kept in quarantine; beyond, a garbage stream is only
# logged (the operator has seen enough of it; the database is not flooded)
QUARANTINED_PER_CONNECTION = 100
BACKLOG = 4096                  # thousands of devices reconnect at once after an outage


class Sink(Protocol):
    """Where listeners hand decoded data: `submit` returns (or `done(None)` is called) once
    the data are safe; an error means they are not, and the device is not acknowledged."""

    clock: Callable[[], dt.datetime]

    async def submit(self, incoming: Incoming) -> None: ...

    def submit_nowait(self, incoming: Incoming,
                      done: Callable[[BaseException | None], None]) -> None: ...


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when it is installed (its transports are C: a receive and a send
    cost a fraction of asyncio's), else asyncio's default (None)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _setting(name: str) -> Any:
    return get_setting(f"tracking.{name}").value


def _new_session(factory: Callable, max_frame: int):
    try:
        return factory(max_frame=max_frame)
    except TypeError:                       # a decoder without a frame-size parameter
        return factory()


class TrackingServer:
    """The enabled listeners around one sink. `ports` maps a listener name to its port
    (0 = any free port, as tests use); `self.ports` holds the ports actually bound."""

    def __init__(self, sink: Sink, *, host: str | None = None,
                 ports: dict[str, int] | None = None, mqtt_client_id: str = "kzreg-tracking",
                 mqtt_persistent: bool = True,
                 sockets: dict[str, socket.socket] | None = None) -> None:
        self.sink = sink
        # listening sockets made by a parent process (`serve --workers`), shared by workers
        self.sockets = sockets or {}
        self.mqtt_client_id, self.mqtt_persistent = mqtt_client_id, mqtt_persistent
        self.host = host or _setting("listen_host")
        if ports is None:
            ports = {name: _setting(f"{name.replace('-', '_')}_port")
                     for name in _setting("listeners") if name != "mqtt"}
            if "mqtt" in _setting("listeners"):
                ports["mqtt"] = _setting("mqtt_port")
        self.wanted = ports
        self.idle_timeout = _setting("idle_timeout_seconds")
        self.max_frame = _setting("max_frame_bytes")
        self.max_connections = _setting("max_connections_per_listener")
        self.ports: dict[str, int] = {}
        self.connections = 0
        self.per_listener: dict[str, int] = {}
        self.refused = 0
        self.open_connections: set[DeviceConnection] = set()
        self._servers: list[asyncio.AbstractServer] = []
        self._mqtt: MqttSubscriber | None = None

    async def start(self) -> None:
        for name, port in self.wanted.items():
            if name == "mqtt":
                self._mqtt = MqttSubscriber(self.sink, host=_setting("mqtt_host"), port=port,
                                            topic=_setting("mqtt_topic"),
                                            client_id=self.mqtt_client_id,
                                            persistent=self.mqtt_persistent)
                await self._mqtt.start()
                self.ports[name] = port
                continue
            where: dict[str, Any] = ({"sock": self.sockets[name]} if name in self.sockets
                                     else {"host": self.host, "port": port,
                                           "reuse_address": True})
            if name == "osmand":
                server = await asyncio.start_server(self._serve_http, limit=READ_SIZE,
                                                    backlog=BACKLOG, **where)
            elif name in PROTOCOLS:
                server = await asyncio.get_running_loop().create_server(
                    self._tcp_handler(name, PROTOCOLS[name]), backlog=BACKLOG, **where)
            else:
                log.warning("listener %s: no decoder for it in this build; not started", name)
                continue
            self._servers.append(server)
            self.ports[name] = server.sockets[0].getsockname()[1]
            log.info("listening for %s on %s:%d", name, self.host, self.ports[name])

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for connection in list(self.open_connections):   # Python 3.11 keeps them open
            if connection.transport is not None:
                connection.transport.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers = []
        if self._mqtt is not None:
            self._mqtt.stop()
            self._mqtt = None

    # -- TCP devices -------------------------------------------------------------------
    def admit(self, listener: str, peer) -> bool:
        """Count a new connection of `listener`, or refuse it beyond
        `tracking.max_connections_per_listener` (logged once per 1,000 refused)."""
        count = self.per_listener.get(listener, 0)
        if count >= self.max_connections:
            if self.refused % 1000 == 0:
                log.warning("%s: %d connections open, the limit (setting tracking."
                            "max_connections_per_listener); %s refused (%d so far)",
                            listener, count, peer, self.refused + 1)
            self.refused += 1
            return False
        self.per_listener[listener] = count + 1
        return True

    def _tcp_handler(self, protocol: str, factory: Callable):
        return lambda: DeviceConnection(self, protocol, _new_session(factory, self.max_frame))

    # -- OsmAnd over HTTP --------------------------------------------------------------
    async def _serve_http(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        """A minimal HTTP/1.1 server for Traccar Client / OsmAnd: GET with a query string
        or POST with a JSON (or form) body; 200 only once the positions are stored."""
        peer = writer.get_extra_info("peername")
        if not self.admit("osmand", peer):
            writer.transport.abort()
            return
        try:
            while True:
                try:
                    request = await asyncio.wait_for(_read_request(reader, self.max_frame),
                                                     self.idle_timeout)
                except TimeoutError:
                    break
                if request is None:
                    break
                method, target, headers, body = request
                status, text = await self._osmand(method, target, body, peer)
                keep = headers.get("connection", "").lower() != "close"
                writer.write(_response(status, text, keep))
                await writer.drain()
                if not keep or status == 413:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:
            log.exception("osmand %s: connection dropped", peer)
        finally:
            self.per_listener["osmand"] -= 1
            writer.close()

    async def _osmand(self, method: str, target: str, body: bytes,
                      peer) -> tuple[int, str]:
        if method == "TOO-LARGE":
            return 413, "request too large"
        if method not in ("GET", "POST"):
            return 405, "use GET or POST"
        from kzreg.tracking.protocols.osmand import decode_osmand

        query = urlsplit(target).query
        message: str | bytes = body if body.strip() else query
        if not message:
            return 400, "no position: expected a query string or a JSON body"
        try:
            positions = decode_osmand(message)
        except Exception as error:  # noqa: BLE001 - bad input must not end the listener
            reason = str(error) if isinstance(error, KzregError) else "malformed message"
            log.warning("osmand %s: rejected: %s", peer, reason)
            text = message if isinstance(message, str) else message.decode("utf-8", "replace")
            await self.sink.submit(Incoming("", "osmand", self.sink.clock(), (),
                                            [(f"request rejected: {reason}"[:300],
                                              text[:4096])], signal=False))
            return 400, reason
        if positions:
            device = positions[0].device
            await self.sink.submit(Incoming(device, "osmand", self.sink.clock(), positions))
        return 200, "OK"


class DeviceConnection(asyncio.Protocol):
    """One device's TCP connection: bytes in, `DeviceSession.feed`, store, then reply.

    A protocol object rather than a stream task: no task switch per message, which is what
    a listener serving thousands of devices spends most of its time on. At most one batch of
    a connection is being stored at a time; bytes arriving meanwhile wait (reading is paused)
    so a device's messages are stored and acknowledged in order."""

    def __init__(self, server: TrackingServer, protocol: str, session) -> None:
        self.server, self.protocol, self.session = server, protocol, session
        self.transport: asyncio.Transport | None = None
        self.peer = None
        self.waiting = False
        self.backlog: list[bytes] = []
        self.last_active = 0.0
        self.quarantined = 0
        self.refused = False
        self._idle: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        self.transport, self.peer = transport, transport.get_extra_info("peername")
        server = self.server
        if not server.admit(self.protocol, self.peer):
            self.refused = True
            transport.abort()
            return
        server.connections += 1
        self.server.open_connections.add(self)
        self.last_active = asyncio.get_running_loop().time()
        self._arm_idle(self.server.idle_timeout)

    def connection_lost(self, exc) -> None:
        if self.refused:
            return
        self.server.per_listener[self.protocol] -= 1
        self.server.connections -= 1
        self.server.open_connections.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        self.transport = None

    def _arm_idle(self, delay: float) -> None:
        self._idle = asyncio.get_running_loop().call_later(delay, self._check_idle)

    def _check_idle(self) -> None:
        """One timer per connection, re-armed only when it fires (not per message)."""
        if self.transport is None:
            return
        left = self.last_active + self.server.idle_timeout - asyncio.get_running_loop().time()
        if left > 0 or self.waiting:
            self._arm_idle(max(left, 1.0))
            return
        log.info("%s %s (%s): idle for %d s, closed", self.protocol, self.peer,
                 self.session.device, self.server.idle_timeout)
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        self.last_active = asyncio.get_running_loop().time()
        if self.waiting:                  # keep order: after the batch in flight
            self.backlog.append(data)
            self.transport.pause_reading()
            return
        self._handle(data)

    def _handle(self, data: bytes) -> None:
        try:
            decoded: Decoded = self.session.feed(data)
        except Exception:                 # a decoder bug: this connection only
            log.exception("%s %s: decoder failed; connection closed", self.protocol, self.peer)
            self.transport.close()
            return
        device = decoded.device or self.session.device or ""
        kept = []
        for rejected in decoded.rejected:
            log.warning("%s %s (%s): frame rejected: %s %r", self.protocol, self.peer,
                        device or "not logged in", rejected.reason, rejected.frame[:80])
            if self.quarantined < QUARANTINED_PER_CONNECTION:
                self.quarantined += 1
                kept.append((f"frame rejected: {rejected.reason}"[:300],
                             _payload(self.protocol, rejected.frame)))
        # any valid packet of an identified device is a transmission (a signal)
        signal = bool(decoded.positions) or bool(device and decoded.reply
                                                 and not decoded.rejected)
        if signal or kept:
            self.waiting = True
            self.server.sink.submit_nowait(
                Incoming(device, self.protocol, self.server.sink.clock(), decoded.positions,
                         kept, signal),
                lambda error: self._stored(decoded, error))
        else:
            self._answer(decoded)

    def _stored(self, decoded: Decoded, error: BaseException | None) -> None:
        self.waiting = False
        if self.transport is None:
            return
        if error is not None:             # not stored: no ack, the device sends it again
            log.error("%s %s (%s): not stored (%s); connection dropped", self.protocol,
                      self.peer, self.session.device, error)
            self.transport.close()
            return
        self._answer(decoded)
        if self.backlog and self.transport is not None and not self.transport.is_closing():
            data = b"".join(self.backlog)
            self.backlog.clear()
            self.transport.resume_reading()
            self._handle(data)

    def _answer(self, decoded: Decoded) -> None:
        if decoded.reply:
            self.transport.write(decoded.reply)
        if decoded.close:
            log.warning("%s %s (%s): connection closed after a corrupt stream",
                        self.protocol, self.peer, self.session.device)
            self.transport.close()


def _payload(protocol: str, frame: bytes) -> str:
    """A rejected frame as quarantine text: hexadecimal for a binary protocol."""
    return frame.hex() if protocol == "egts" else frame.decode("utf-8", "replace")


async def _read_request(reader: asyncio.StreamReader, limit: int):
    line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3:
        return "BAD", "/", {}, b""
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        length = -1
    if length < 0 or length > limit:
        return "TOO-LARGE", parts[1], {"connection": "close"}, b""
    body = await reader.readexactly(length) if length else b""
    return parts[0].upper(), parts[1], headers, body


def _response(status: int, text: str, keep: bool) -> bytes:
    reason = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed",
              413: "Payload Too Large"}.get(status, "Error")
    body = text.encode("utf-8")
    return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: {'keep-alive' if keep else 'close'}"
            f"\r\n\r\n").encode("ascii") + body


class MqttSubscriber:
    """Seals' JSON messages through Mosquitto (QoS 1). paho-mqtt 2 runs its network loop in
    a thread; each message is stored on the event loop and only then acknowledged (manual
    PUBACK), and the session is persistent (clean_session false), so a message received
    but not stored when the service stops is delivered again: at-least-once, duplicates
    dropped by the store."""

    def __init__(self, sink: Sink, *, host: str, port: int, topic: str,
                 client_id: str = "kzreg-tracking", persistent: bool = True) -> None:
        self.sink, self.host, self.port, self.topic = sink, host, port, topic
        self.client_id, self.persistent = client_id, persistent
        self._client = None
        self._subscribed = threading.Event()

    async def start(self) -> None:
        import paho.mqtt.client as mqtt

        loop = asyncio.get_running_loop()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             clean_session=not self.persistent, protocol=mqtt.MQTTv311,
                             manual_ack=True)

        def on_connect(client, _userdata, _flags, reason_code, _properties) -> None:
            if reason_code.is_failure:
                log.error("mqtt: connection refused: %s", reason_code)
                return
            client.subscribe(self.topic, qos=1)

        def on_subscribe(*_args) -> None:
            self._subscribed.set()

        def on_message(client, _userdata, message) -> None:
            future = asyncio.run_coroutine_threadsafe(
                self._store(message.topic, message.payload), loop)

            def done(f) -> None:
                if f.exception() is None:
                    client.ack(message.mid, message.qos)
                else:
                    log.error("mqtt %s: not stored, not acknowledged: %s", message.topic,
                              f.exception())
            future.add_done_callback(done)

        client.on_connect, client.on_message = on_connect, on_message
        client.on_subscribe = on_subscribe
        client.connect(self.host, self.port, keepalive=30)
        client.loop_start()
        self._client = client
        await loop.run_in_executor(None, self._subscribed.wait, 10)
        log.info("subscribed to mqtt://%s:%d/%s", self.host, self.port, self.topic)

    async def _store(self, topic: str, payload: bytes) -> None:
        """Store, or quarantine with the reason what does not decode (the sender gets no
        error over MQTT, so the operator must see it); either way it is then acknowledged."""
        from kzreg.tracking.protocols.mqtt_json import decode_mqtt_json, topic_device

        try:
            device = topic_device(topic)
        except Exception:  # noqa: BLE001 - not a seal's topic: name it by the topic
            device = topic[:64]
        try:
            positions, rejected = decode_mqtt_json(topic, payload), []
        except Exception as error:  # noqa: BLE001 - resending will not mend it
            log.warning("mqtt %s: rejected: %s %r", topic, error, payload[:80])
            positions = []
            rejected = [(f"undecodable MQTT message: {error}",
                         payload[:4096].decode("utf-8", "replace"))]
        await self.sink.submit(Incoming(device, "mqtt-json", self.sink.clock(), positions,
                                        rejected))

    def stop(self) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None


def tune_process() -> None:
    """Interpreter settings of a service process serving thousands of devices."""
    # the writer threads wait for the GIL each time a database round trip returns; with the
    # default 5 ms switch interval and a busy event loop that wait dominates a batch's time
    sys.setswitchinterval(0.0005)
    # thousands of connections and an engine of many seals are long-lived objects: full
    # collections over them are pauses every device waits for; collect young ones less often
    gc.set_threshold(50_000, 20, 100)


def stop_event() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def serve_until_stopped(url: str | None = None, *, partitioned: bool = False,
                              workers: int = 1,
                              ready: Callable[[TrackingServer], None] | None = None) -> None:
    """`kzreg tracking serve`: the pipeline (or the JetStream publisher) and the enabled
    listeners, until SIGTERM or SIGINT; then the listeners close and queued data are stored.
    With `workers` > 1 the listeners and storage run in that many processes and this one
    judges (kzreg.tracking.workers)."""
    from kzreg.tracking.pipeline import Pipeline

    if workers > 1:
        if partitioned:
            raise InputError("--workers and --partitioned are alternatives: in the "
                             "partitioned mode the jetstream-workers scale out",
                             field="workers")
        from kzreg.tracking.workers import serve_workers

        await serve_workers(workers, url)
        return
    tune_process()
    stop = stop_event()
    if partitioned:
        from kzreg.tracking.jetstream import JetStreamPublisher

        sink: Any = JetStreamPublisher()
    else:
        sink = Pipeline(url)
    await sink.start()
    gc.freeze()                          # what start-up built is not garbage: never rescan it
    server = TrackingServer(sink)
    await server.start()
    log.info("tracking service ready: %s", json.dumps(server.ports))
    if ready is not None:
        ready(server)
    await stop.wait()
    log.info("stopping")
    await server.stop()
    await sink.stop()
