"""`kzreg documents`: show a stored case document, save its PDF/HTML, verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Case documents (HTML and PDF, stored as made).", no_args_is_help=True)


@app.command("show")
def show_command(
    document_id: int = typer.Argument(..., metavar="ID"),
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML here.")] = None,
) -> None:
    """Print what a document was made from (JSON); optionally save its PDF and HTML."""
    from kzreg.commands._common import echo_json
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.documents import get_document

    with unit_of_work() as session:
        doc = get_document(session, document_id)
        if pdf is not None:
            pdf.write_bytes(doc.pdf)
        if html is not None:
            html.write_text(doc.html, encoding="utf-8")
        echo_json({"id": doc.id, "uid": doc.uid, "case_id": doc.case_id, "kind": doc.kind,
                   "title": doc.title, "number": doc.number, "language": doc.language,
                   "version": doc.version, "supersedes": doc.supersedes_id,
                   "template": doc.template, "template_sha256": doc.template_sha256,
                   "rules_version": doc.rules_version, "created_at": doc.created_at,
                   "created_by": doc.created_by, "created_by_role": doc.created_by_role,
                   "pdf_sha256": doc.pdf_sha256, "pdf_size": doc.pdf_size,
                   "data": doc.data})


@app.command("verify")
def verify_command(document_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Check the PDF against its SHA-256 and the HTML against template + data (exit 1)."""
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.documents import get_document, verify_document

    with unit_of_work() as session:
        problems = verify_document(get_document(session, document_id))
    for problem in problems:
        typer.echo(f"document {document_id}: {problem}", err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"ok: document {document_id}")


@app.command("data-version")
def data_version_command() -> None:
    """The rules and data version new documents record."""
    from kzreg.platform.documents import data_version

    typer.echo(data_version())
