"""The `kzreg` command. Each command group lives in `kzreg.commands.<name>`."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from kzreg.law.errors import KzregError
from kzreg.platform.plugins import room_modules

# (command name, module) — the module's `app` becomes `kzreg <name> …`
COMMAND_GROUPS: tuple[tuple[str, str], ...] = (
    ("calendar", "kzreg.commands.calendar"),
    ("id", "kzreg.commands.ids"),
    ("acts", "kzreg.commands.acts"),
    ("params", "kzreg.commands.params"),
    ("rules", "kzreg.commands.rules"),
    ("settings", "kzreg.commands.settings"),
    ("db", "kzreg.commands.db"),
    ("audit", "kzreg.commands.audit"),
    ("backup", "kzreg.commands.backup"),
    ("restore", "kzreg.commands.restore"),
    ("worker", "kzreg.commands.worker"),
    ("cases", "kzreg.commands.cases"),
    ("user", "kzreg.commands.users"),
    ("token", "kzreg.commands.tokens"),
    ("serve", "kzreg.commands.serve"),
    ("demo", "kzreg.commands.demo"),
    ("notices", "kzreg.commands.notices"),
    ("documents", "kzreg.commands.documents"),
)

app = typer.Typer(
    help="kzreg — the regulatory information system for five acts of the Republic of "
         "Kazakhstan: customs escort, vehicle assembly, risk-based inspection, industrial "
         "policy and the state defense order.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

for _name, _module in COMMAND_GROUPS:
    app.add_typer(importlib.import_module(_module).app, name=_name)

# Each room's `kzreg.<room>.cli` becomes `kzreg <room> …` (kzreg.platform.plugins).
for _name, _room_cli in room_modules("cli"):
    app.add_typer(_room_cli.app, name=_name)


def main() -> None:
    """Run the CLI: user errors become one line on stderr and exit code 2."""
    try:
        app()
    except KzregError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line unless debugging
        if os.environ.get("KZREG_DEBUG"):
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} "
                   "(set KZREG_DEBUG=1 for the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
