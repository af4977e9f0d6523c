"""Hypothesis profiles for the hostile-input suite.

The suite's property tests take their example counts from `budget()` (tests/hostile/
budget.py): modest by default, so CI stays quick. A long run:

    .venv/bin/python -m pytest tests/hostile --hypothesis-profile=deep -p no:cacheprovider

(`deep` is registered here, so name tests/hostile — or a file in it — on the command line.)
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "deep", max_examples=20_000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402


@dataclass(frozen=True)
class DemoApi:
    app: object                # the ASGI app from create_app()
    tokens: dict[str, str]     # demo username -> a real bearer token
    db_url: str


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory) -> Iterator[DemoApi]:
    """A fresh migrated SQLite database with the demo data (`kzreg demo load`), real
    bearer tokens for some demo users, and `create_app()` on it, in this process."""
    from kzreg.platform.config import reset_config
    from kzreg.platform.db import reset_engines, unit_of_work
    from kzreg.platform.users import issue_token

    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'kzreg.db'}"
    env = {"KZREG_DATABASE_URL": url, "KZREG_DATA_DIR": str(folder / "data")}
    loaded = subprocess.run([sys.executable, "-m", "kzreg.cli", "demo", "load"],
                            env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=600)
    assert loaded.returncode == 0, loaded.stderr
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        reset_config()
        reset_engines()
        from kzreg.web.app import create_app

        with unit_of_work() as session:
            tokens = {name: issue_token(session, name) for name in
                      ("admin", "auditor", "manufacturer", "customs.almaty", "inspector",
                       "industry", "defense", "contractor", "carrier")}
        yield DemoApi(create_app(), tokens, url)
        reset_engines()
        reset_config()
