"""Where the rooms plug in: by convention, not by registration lists.

A room is a package `kzreg.<room>`. The platform looks for these optional modules in
each room and uses the ones that exist, so a new room (or a new part of one) needs no
edit outside its own package:

    kzreg.<room>.rules       registers rules (`kzreg.law.rules.rule`)
    kzreg.<room>.models      SQLAlchemy tables (Alembic sees them)
    kzreg.<room>.workflow    registers case types (`kzreg.platform.casetypes`)
    kzreg.<room>.cli         `app: typer.Typer`, mounted as `kzreg <room> …`
    kzreg.<room>.demo        `load(session) -> str | None`, idempotent demo data
    kzreg.<room>.jobs        `JOBS: list[(session, now) -> int]`, periodic worker jobs
    kzreg/<room>/migrations/ Alembic revisions, a branch of their own off the platform's

Only a *missing* module means "not there"; an error inside an existing one is raised.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

# The rooms, in the order the workplace lists them. `tracking` is the national operator's
# information system that feeds the escort room.
ROOM_PACKAGES: tuple[str, ...] = (
    "escort", "tracking", "assembly", "risk", "producers", "defense")


def _exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the room's package itself is not there
        return False


def room_module_names(part: str) -> list[str]:
    """Names of the existing `kzreg.<room>.<part>` modules."""
    return [f"kzreg.{room}.{part}" for room in ROOM_PACKAGES
            if _exists(f"kzreg.{room}") and _exists(f"kzreg.{room}.{part}")]


def room_modules(part: str) -> list[tuple[str, ModuleType]]:
    """(room, module) for each room that has `part`, imported."""
    return [(name.split(".")[1], importlib.import_module(name))
            for name in room_module_names(part)]


def migration_dirs() -> list[Path]:
    """The rooms' Alembic version directories that exist."""
    dirs = []
    for room in ROOM_PACKAGES:
        spec = importlib.util.find_spec(f"kzreg.{room}") if _exists(f"kzreg.{room}") else None
        if spec and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                path = Path(location) / "migrations"
                if path.is_dir():
                    dirs.append(path)
    return dirs
