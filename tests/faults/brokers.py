"""Private broker processes for restart tests: a Mosquitto and a NATS JetStream server of
the test's own, on free ports with their storage in the test's directory. The machine's
shared brokers are never touched (other work uses them meanwhile)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from faults.helpers import free_port, port_open, wait_for


class Broker:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        log = (self.workdir / f"{type(self).__name__.lower()}.log").open("ab")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: port_open(self.port), 30, f"{type(self).__name__} on {self.port}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(30)
        self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop(signal.SIGKILL)


class Mosquitto(Broker):
    """Persistent sessions survive a restart: persistence on, saved at shutdown."""

    def command(self) -> list[str]:
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                        f"persistence true\npersistence_location {self.workdir}/\n"
                        "user root\n", encoding="utf-8")
        return ["mosquitto", "-c", str(conf)]


class Nats(Broker):
    """JetStream with file storage in the test's directory."""

    def command(self) -> list[str]:
        return ["nats-server", "-a", "127.0.0.1", "-p", str(self.port), "-js",
                "-sd", str(self.workdir / "jetstream")]

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"
