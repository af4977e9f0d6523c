"""`kzreg tracking serve --workers N`: listeners and storage in N processes, one judge.

Order 407 §11 asks for 24/7 tracking of every seal; one Python process decodes, stores and
acknowledges on one core only. With `--workers N` this process (the judge) opens the
listening sockets and starts N worker processes that inherit them: the kernel hands each
new device connection to whichever worker accepts it first (an idle one), so the devices
spread over the cores. Each worker decodes, stores its own batches in PostgreSQL and
acknowledges only after the commit, exactly as the single process does
(`kzreg.tracking.pipeline`). It then sends the newly stored rows, in column form, over a
socket pair to the judge, which runs the one detection engine for every seal — so each
seal is judged by exactly one process, in the order its device's messages were stored —
the ticker, the seal poller and the recording of situations.

Guarantees are those of the single process: acknowledged = committed; a position stored
but not yet judged when the judge dies is judged again when the service restarts (the
engine is rebuilt from the database, re-judging the last minutes). A worker that dies is
started again after a second (its devices reconnect and resend what was not
acknowledged); a worker whose judge has gone stops. MQTT is served by worker 0 only (one
persistent broker session).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import marshal
import os
import socket
import sys
from typing import Any

from kzreg.tracking.pipeline import Columns, Pipeline
from kzreg.tracking.server import (
    BACKLOG,
    TrackingServer,
    _setting,
    event_loop_factory,
    stop_event,
    tune_process,
)

log = logging.getLogger("kzreg.tracking.workers")
HEADER = 4                          # a frame on the link: 4-byte length, then marshal data
RESTART_DELAY = 1.0


def listening_sockets(host: str | None = None) -> dict[str, socket.socket]:
    """The enabled TCP/HTTP listeners' sockets, bound and listening, to be inherited."""
    host = host or _setting("listen_host")
    sockets = {}
    for name in _setting("listeners"):
        if name == "mqtt":
            continue
        port = _setting(f"{name.replace('-', '_')}_port")
        sock = socket.create_server((host, port), backlog=BACKLOG, reuse_port=False)
        sock.set_inheritable(True)
        sockets[name] = sock
    return sockets


class WorkerProcess:
    """The judge's handle on worker `index`: its process and the link it forwards on."""

    def __init__(self, index: int, sockets: dict[str, socket.socket], judge: Pipeline,
                 url: str | None) -> None:
        self.index, self.sockets, self.judge, self.url = index, sockets, judge, url
        self.process: asyncio.subprocess.Process | None = None
        self.stopping = False
        self.batches = 0
        self._reader_task: asyncio.Task | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._supervisor: asyncio.Task | None = None

    async def start(self) -> None:
        ours, theirs = socket.socketpair()
        fds = [theirs.fileno(), *(sock.fileno() for sock in self.sockets.values())]
        args = [sys.executable, "-m", "kzreg.tracking.workers", "--index", str(self.index),
                "--link", str(theirs.fileno()),
                *(f"--listen={name}:{sock.fileno()}" for name, sock in self.sockets.items())]
        env = dict(os.environ)
        if self.url:
            env["KZREG_DATABASE_URL"] = self.url
        self.process = await asyncio.create_subprocess_exec(*args, pass_fds=fds, env=env)
        theirs.close()
        # keep the writer: a dropped StreamWriter closes the link
        reader, self._writer = await asyncio.open_connection(sock=ours, limit=2**24)
        self._reader_task = asyncio.create_task(self._read(reader))
        self._supervisor = asyncio.create_task(self._supervise())

    async def _read(self, reader: asyncio.StreamReader) -> None:
        """Judge every batch the worker forwards, in the order it sent them."""
        judge = self.judge
        while True:
            try:
                size = int.from_bytes(await reader.readexactly(HEADER), "big")
                batch: Columns = marshal.loads(await reader.readexactly(size))
            except (asyncio.IncompleteReadError, ConnectionError):
                return                                  # the worker has gone
            self.batches += 1
            try:
                events = judge.judge_columns(batch)
                if events:
                    await judge._db(judge.record, events)
            except Exception:
                log.exception("worker %d: judging a batch failed", self.index)

    async def _supervise(self) -> None:
        code = await self.process.wait()
        if self._reader_task is not None:
            await self._reader_task             # what it forwarded before exiting
        self._writer.close()
        if self.stopping:
            return
        log.error("worker %d exited with %s; starting it again", self.index, code)
        await asyncio.sleep(RESTART_DELAY)
        if not self.stopping:
            await self.start()

    async def stop(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
        if self._supervisor is not None:
            await self._supervisor


async def serve_workers(count: int, url: str | None = None) -> None:
    """The judge: the detection pipeline, the shared sockets, `count` workers, until
    SIGTERM or SIGINT; then the workers stop (storing what they hold) before the judge."""
    tune_process()
    stop = stop_event()
    judge = Pipeline(url)
    await judge.start()
    sockets = listening_sockets()
    workers = [WorkerProcess(index, sockets, judge, url) for index in range(count)]
    for worker in workers:
        await worker.start()
    gc.freeze()
    log.info("tracking service ready: %d workers on %s", count,
             {name: sock.getsockname()[1] for name, sock in sockets.items()})
    await stop.wait()
    log.info("stopping")
    await asyncio.gather(*(worker.stop() for worker in workers))
    for sock in sockets.values():
        sock.close()
    await judge.stop()


# -- the worker process ------------------------------------------------------------------

async def _work(index: int, link_fd: int, listen: dict[str, int]) -> None:
    tune_process()
    stop = stop_event()
    link = socket.socket(fileno=link_fd)
    from_judge, to_judge = await asyncio.open_connection(sock=link)

    def forward(batch: Columns) -> None:
        frame = marshal.dumps(batch)
        to_judge.write(len(frame).to_bytes(HEADER, "big") + frame)

    async def judge_gone() -> None:
        await from_judge.read()                 # the judge never writes: EOF = it has gone
        log.error("worker %d: the judge has gone; stopping", index)
        stop.set()

    # bindings of devices to seals only: the judge runs the detection engine
    pipeline = Pipeline(owns_device=lambda device: False, forward=forward)
    await pipeline.start()
    sockets = {name: socket.socket(fileno=fd) for name, fd in listen.items()}
    ports: dict[str, Any] = dict.fromkeys(sockets, 0)
    if index == 0 and "mqtt" in _setting("listeners"):
        ports["mqtt"] = _setting("mqtt_port")
    server = TrackingServer(pipeline, ports=ports, sockets=sockets)
    await server.start()
    watcher = asyncio.create_task(judge_gone())
    gc.freeze()
    await stop.wait()
    watcher.cancel()
    await server.stop()
    await pipeline.stop()
    to_judge.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A listener worker of kzreg tracking serve.")
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--link", type=int, required=True)
    parser.add_argument("--listen", action="append", default=[], help="NAME:FD")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format=f"%(asctime)s %(levelname)s %(name)s[w{args.index}]: %(message)s")
    listen = {name: int(fd) for name, fd in (item.rsplit(":", 1) for item in args.listen)}
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(_work(args.index, args.link, listen))


if __name__ == "__main__":
    main()
