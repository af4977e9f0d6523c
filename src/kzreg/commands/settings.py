"""`kzreg settings` — the named settings: what the acts leave open and how it is decided.

Values come from `law/data/settings/*.yaml`, overridden by the file named in
`KZREG_SETTINGS_FILE`; `docs/decisions.md` explains each decision.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from kzreg.commands._common import echo_json
from kzreg.law.errors import InputError
from kzreg.law.settings import Setting, all_settings, get_setting

app = typer.Typer(help="Named settings: each gap or contradiction in the acts, the value the "
                       "system uses, the clause and the reason (see docs/decisions.md).",
                  no_args_is_help=True)


def _text(value: Any) -> str:
    """A value as one readable line: exact, no Python reprs."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps({str(k): str(v) for k, v in value.items()}, ensure_ascii=False)
    return str(value)


def _changed(s: Setting) -> bool:
    return s.value != s.default


def _as_dict(s: Setting) -> dict[str, Any]:
    return {"name": s.name, "value": s.value, "default": s.default, "overridden": _changed(s),
            "type": s.type, "choices": list(s.choices),
            "clause": s.citation.to_dict() if s.citation else None,
            "gap": s.gap, "reason": s.reason}


@app.command("list")
def list_settings(
    module: Annotated[str | None, typer.Option(
        help="Only this module's settings (escort, assembly, risk, producers, defense, "
             "calendar, acts).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the settings with their current values; `*` marks a value that differs from
    the default."""
    settings = all_settings()
    if module is not None:
        modules = sorted({s.name.split(".", 1)[0] for s in settings})
        settings = [s for s in settings if s.name.split(".", 1)[0] == module]
        if not settings:
            raise InputError(f"no settings for module {module!r} (modules: "
                             f"{', '.join(modules)})", field="--module")
    if as_json:
        echo_json([_as_dict(s) for s in settings])
        return
    width = max((len(s.name) for s in settings), default=0)
    for s in settings:
        mark = "*" if _changed(s) else " "
        clause = f"  [{s.citation}]" if s.citation else ""
        typer.echo(f"{s.name:<{width}} {mark} {_text(s.value)}{clause}")


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Setting name, e.g. "
                                             "escort.signal_loss_boundary.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one setting: value, default, clause, gap and reason."""
    s = get_setting(name)
    if as_json:
        echo_json(_as_dict(s))
        return
    lines = [s.name,
             f"  value:   {_text(s.value)}" + ("   (overridden)" if _changed(s) else ""),
             f"  default: {_text(s.default)}",
             f"  type:    {s.type}"]
    if s.choices:
        lines.append(f"  choices: {', '.join(_text(c) for c in s.choices)}")
    lines += [f"  clause:  {s.citation if s.citation else '(none)'}",
              f"  gap:     {s.gap}",
              f"  reason:  {s.reason}"]
    typer.echo("\n".join(lines))
