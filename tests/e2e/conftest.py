"""The browser tests' live site: a fresh SQLite database with the demo, and `kzreg serve`
running on it as a subprocess on a free port (its log in the test's tmp_path)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class DemoSite:
    url: str           # http://127.0.0.1:<port>
    db: Path           # the SQLite file the server uses
    demo_output: str   # what `kzreg demo load` printed


def _kzreg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kzreg.cli", *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"kzreg serve did not come up:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.fixture
def demo_site(tmp_path, monkeypatch) -> Iterator[DemoSite]:
    """The demo served live. The test's own process points at the same database (for tests
    that also write to it directly)."""
    from kzreg.platform.config import reset_config
    from kzreg.platform.db import reset_engines

    db = tmp_path / "kzreg.db"
    env = {**os.environ, "KZREG_DATA_DIR": str(tmp_path / "data"),
           "KZREG_DATABASE_URL": f"sqlite:///{db}"}
    for name in ("KZREG_DATA_DIR", "KZREG_DATABASE_URL"):
        monkeypatch.setenv(name, env[name])
    reset_config()
    reset_engines()
    demo = subprocess.run(_kzreg("demo", "load"), env=env, capture_output=True, text=True,
                          timeout=300)
    assert demo.returncode == 0, demo.stderr
    log_path = tmp_path / "serve.log"
    url = f"http://127.0.0.1:{_free_port()}"
    with log_path.open("w") as log:
        proc = subprocess.Popen(_kzreg("serve", "--host", "127.0.0.1", "--port",
                                       url.rsplit(":", 1)[1]),
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url, proc, log_path)
            yield DemoSite(url, db, demo.stdout)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            reset_engines()
            reset_config()
