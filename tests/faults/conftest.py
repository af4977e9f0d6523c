"""The fault suite: processes killed with SIGKILL, brokers restarted, the database cut off,
full or read-only, and the backup/restore round trip (docs/operations.md).

Every test here carries the `faults` marker (`pytest -m faults` selects the suite); each
runs in well under 30 s, so the suite runs in CI with the rest.
"""

from __future__ import annotations

import pytest


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "faults: kills, restarts and resource faults "
                            "(tests/faults)")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "tests/faults/" in item.nodeid or item.nodeid.startswith("faults/"):
            item.add_marker(pytest.mark.faults)
