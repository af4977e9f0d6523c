"""Fixtures of the security tests: a populated world (see `world.py`) per engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from security.world import World, build, database


@pytest.fixture(autouse=True, scope="session")
def _fast_hashing() -> Iterator[None]:
    """argon2id with its cheapest parameters: these tests are about access, not cost."""
    from argon2 import PasswordHasher

    import kzreg.platform.users as users

    saved = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = saved


@pytest.fixture(scope="module")
def world_factory(tmp_path_factory):
    """Build a world on the given engine (once per module and engine)."""
    built: dict[str, World] = {}
    stack: list[Iterator[str]] = []
    patch = pytest.MonkeyPatch()

    def make(kind: str) -> World:
        if kind not in built:
            tmp = tmp_path_factory.mktemp(f"world-{kind}")
            urls = database(kind, tmp)
            url = next(urls)
            stack.append(urls)
            built[kind] = build(kind, url, tmp, patch)
        return built[kind]

    yield make
    for world in built.values():
        world.client.close()
    patch.undo()
    for urls in stack:
        next(urls, None)
    from kzreg.platform.config import reset_config
    from kzreg.platform.db import reset_engines

    reset_engines()
    reset_config()


