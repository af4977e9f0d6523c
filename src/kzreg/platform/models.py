"""Where the platform's and the rooms' table modules are listed, so Alembic sees them all."""

import importlib

MODEL_MODULES: tuple[str, ...] = (
    "kzreg.platform.users",
    "kzreg.platform.audit",
    "kzreg.platform.cases",
    "kzreg.platform.notifications",
    "kzreg.platform.documents",
)


def load_all_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)
