"""Thin command-line entry points; each module exposes a Typer `app`."""
