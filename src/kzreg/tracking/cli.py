"""`kzreg tracking …`: the national operator's tracking system from the command line.

`decode` turns one device message into normalized positions, one JSON object per line
(docs/tracking-protocols.md). Other commands (serve, loadgen, simulate) are appended below.
"""

from __future__ import annotations

import json

import typer

from kzreg.tracking.protocols import MESSAGE_PROTOCOLS, decode_message

app = typer.Typer(help="The national operator's tracking system: device protocols, "
                       "listeners, load generator, simulator.", no_args_is_help=True)


@app.command()
def decode(
    message: str = typer.Argument(..., help="One message: the text line (Wialon IPS), hex "
                                            "(EGTS), query string or JSON body (OsmAnd), "
                                            "JSON payload (mqtt-json)."),
    protocol: str = typer.Option(..., "--protocol", "-p",
                                 help=f"One of: {', '.join(MESSAGE_PROTOCOLS)}."),
) -> None:
    """Decode one device message; print one JSON object per position (none if it has none)."""
    for position in decode_message(protocol, message):
        line = json.dumps(position.to_json(), ensure_ascii=False)
        if not line.isascii():
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate from the message: JSON's \u escape
                line = json.dumps(position.to_json())
        typer.echo(line)


# -- the service, its partitioned workers and the load generator (kzreg.tracking.server,
#    .jetstream, .loadgen; docs/tracking-service.md) -----------------------------------

def _log_to_stderr(verbose: bool) -> None:
    import logging
    import sys

    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command()
def serve(
    partitioned: bool = typer.Option(False, "--partitioned", help="Publish to NATS "
                                     "JetStream for `jetstream-worker`s instead of storing "
                                     "in this process."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Listener processes "
                                "sharing the ports, each storing its own batches; this "
                                "process then judges every seal."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Run the enabled listeners (settings tracking.*) and the pipeline until SIGTERM."""
    import asyncio

    from kzreg.tracking.server import event_loop_factory, serve_until_stopped

    _log_to_stderr(verbose)
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(serve_until_stopped(partitioned=partitioned, workers=workers))


@app.command("jetstream-worker")
def jetstream_worker(
    partition: int = typer.Option(..., "--partition", help="This worker's partition."),
    partitions: int = typer.Option(None, help="Default: tracking.jetstream_partitions."),
    batch: int = typer.Option(None, help="Default: tracking.batch_max_positions."),
    ack_wait: float = typer.Option(None, help="Default: tracking.jetstream_ack_wait_seconds."),
    stream: str = typer.Option("KZREG_TRACK", help="The JetStream stream."),
    subject_prefix: str = typer.Option("kzreg.track", help="Subjects <prefix>.<partition>."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Store and judge one partition of the partitioned mode until SIGTERM."""
    import asyncio
    import signal

    from kzreg.tracking.jetstream import JetStreamWorker

    _log_to_stderr(verbose)
    worker = JetStreamWorker(partition, partitions=partitions, batch=batch, ack_wait=ack_wait,
                             stream=stream, prefix=subject_prefix)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await worker.run(stop)

    asyncio.run(run())


@app.command()
def loadgen(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(None, help="Default: tracking.wialon_ips_port."),
    connections: int = typer.Option(1000, help="Concurrent device connections."),
    rate: float = typer.Option(20000, help="Messages per second in total."),
    seconds: float = typer.Option(30, help="How long to send."),
    processes: int = typer.Option(1, help="Generator processes."),
    register: bool = typer.Option(False, "--register", help="First register and activate "
                                  "the simulated seals in the database."),
) -> None:
    """Many Wialon IPS 2.0 devices over TCP; prints messages/s and acknowledgement latency."""
    from kzreg.law.settings import get_setting
    from kzreg.tracking.loadgen import register_fleet, run_loadgen

    if register:
        from kzreg.platform.db import unit_of_work

        with unit_of_work() as session:
            register_fleet(session, connections)
    result = run_loadgen(host, port or get_setting("tracking.wialon_ips_port").value,
                         connections=connections, rate=rate, seconds=seconds,
                         processes=processes)
    typer.echo(json.dumps(result.summary()))


@app.command()
def simulate(
    seals: int = typer.Option(4, "--seals", "-n", min=1, max=500, help="How many seals."),
    scenarios: str = typer.Option("normal,deviate,open,silent", help="Comma-separated, "
                                  "cycled over the seals: normal, deviate, open, silent."),
    accel: float = typer.Option(20.0, help="Vehicles move this many times faster than real."),
    interval: float = typer.Option(5.0, help="Real seconds between a seal's reports."),
    event_after: float = typer.Option(60.0, help="Seconds before a scenario's event."),
    silence_lead: float = typer.Option(120.0, help="A silent seal's signal loss is due this "
                                       "many seconds after start (activation back-dated)."),
    duration: float = typer.Option(0.0, help="Seconds to run; 0 = until Ctrl-C."),
    host: str = typer.Option("127.0.0.1", help="Where `kzreg tracking serve` listens."),
    wialon_port: int = typer.Option(None, help="Default: tracking.wialon_ips_port."),
    egts_port: int = typer.Option(None, help="Default: tracking.egts_port."),
    prefix: str = typer.Option("SIM", help="Seal numbers are <prefix>-001, …"),
    register: bool = typer.Option(True, "--register/--no-register", help="Register and "
                                  "activate the seals in the database first (§9)."),
) -> None:
    """Demo seals driving Almaty ↔ Khorgos over Wialon IPS 2.0 and EGTS (docs/escort-console.md)."""
    import asyncio
    import datetime as dt
    import signal

    from kzreg.law.errors import InputError
    from kzreg.law.settings import get_setting
    from kzreg.tracking import simulator

    try:
        chosen = [simulator.Scenario(s.strip()) for s in scenarios.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"unknown scenario in {scenarios!r}; use "
                         f"{', '.join(simulator.Scenario)}", field="scenarios") from None
    if not chosen:
        raise InputError("name at least one scenario", field="scenarios")
    options = simulator.Options(accel=accel, interval=interval, event_after=event_after,
                                silence_lead=silence_lead, duration=duration)
    run_id = dt.datetime.now(dt.UTC).strftime("%y%m%d%H%M%S")
    fleet = simulator.plan(seals, chosen, prefix=prefix, run=run_id)
    if register:
        from kzreg.platform.db import unit_of_work

        with unit_of_work() as session:
            simulator.register(session, fleet, now=dt.datetime.now(dt.UTC),
                               corridor_m=get_setting("escort.route_corridor_half_width_m").value,
                               options=options)
    ports = {"wialon-ips": wialon_port or get_setting("tracking.wialon_ips_port").value,
             "egts": egts_port or get_setting("tracking.egts_port").value}
    for seal in fleet:
        typer.echo(f"{seal.seal_number}  {seal.protocol:<10} {seal.device_id}  "
                   f"{seal.scenario:<8} {seal.departure} → {seal.destination}")

    async def main() -> list:
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        return await simulator.run(fleet, host, ports, options, stop)

    for seal in asyncio.run(main()):
        typer.echo(json.dumps({"seal": seal.seal_number, "protocol": seal.protocol,
                               "scenario": str(seal.scenario), "sent": seal.sent,
                               "acknowledged": seal.acked, "errors": len(seal.errors)}))
