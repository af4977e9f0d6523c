"""`kzreg serve`: the web workplace and the HTTP API (uvicorn)."""

from __future__ import annotations

import os

import typer

app = typer.Typer(help="Serve the web workplace and the API.")


@app.callback(invoke_without_command=True)
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    proxy: str = typer.Option(
        os.environ.get("KZREG_FORWARDED_ALLOW_IPS", "127.0.0.1"), "--forwarded-allow-ips",
        help="Reverse proxies trusted for X-Forwarded-Proto/For (https → Secure cookies)."),
    workers: int = typer.Option(1, "--workers", min=1),
    log_level: str = typer.Option("info", "--log-level"),
) -> None:
    """Serve on http://HOST:PORT (the database comes from KZREG_DATABASE_URL)."""
    import uvicorn

    typer.echo(f"kzreg: serving on http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run("kzreg.commands.serve:create_app", factory=True, host=host, port=port,
                proxy_headers=True, forwarded_allow_ips=proxy, workers=workers,
                log_level=log_level, server_header=False)


def create_app():
    """`kzreg.web.create_app` with every case type the worker knows registered first (incl.
    KZREG_EXTRA_MODULES), not only those the rooms' routers import — in each worker process,
    so a case of any registered type can be read and moved whatever `--workers` is."""
    from kzreg.platform.casetypes import load_case_types
    from kzreg.web import create_app as web_app

    load_case_types()
    return web_app()
