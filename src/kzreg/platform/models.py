"""The platform's table modules; the rooms' `models` modules are found by convention."""

import importlib

MODEL_MODULES: tuple[str, ...] = (
    "kzreg.platform.users",
    "kzreg.platform.audit",
    "kzreg.platform.cases",
    "kzreg.platform.notifications",
    "kzreg.platform.documents",
)


def load_all_models() -> None:
    from kzreg.platform.plugins import room_module_names

    for module in (*MODEL_MODULES, *room_module_names("models")):
        importlib.import_module(module)
