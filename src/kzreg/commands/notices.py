"""`kzreg notices`: deliver the e-mail outbox, list what waits or failed, overdue receipts."""

from __future__ import annotations

import typer

app = typer.Typer(help="Notifications: e-mail delivery from the outbox, acknowledgements.",
                  no_args_is_help=True)


def _instant(text: str | None):
    from kzreg.commands.worker import parse_instant

    return parse_instant(text, "--now") if text else None


@app.command("deliver")
def deliver_command(
    now: str | None = typer.Option(None, "--now", help="Pretend it is this instant "
                                   "(ISO date-time with offset)."),
) -> None:
    """One delivery pass: send the due e-mails over SMTP (KZREG_SMTP_HOST/PORT/FROM)."""
    from kzreg.platform.config import get_config
    from kzreg.platform.notifications import deliver_due

    if not get_config().smtp_host:
        typer.echo("no SMTP host configured (KZREG_SMTP_HOST): nothing sent", err=True)
    typer.echo(f"sent {deliver_due(None, _instant(now))}")


@app.command("outbox")
def outbox_command(
    status: str | None = typer.Option(None, "--status", help="pending, sent or failed."),
) -> None:
    """List the outbox: id, status, attempts, recipient, subject, last error."""
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.notifications import outbox_messages

    with unit_of_work() as session:
        for row in outbox_messages(session, status=status):
            when = (row.sent_at or row.next_attempt_at).isoformat(timespec="seconds")
            error = f"  [{row.last_error}]" if row.last_error else ""
            typer.echo(f"{row.id}\t{row.status}\t{row.attempts}\t{when}\t{row.to_address}\t"
                       f"{row.subject}{error}")


@app.command("overdue")
def overdue_command(
    now: str | None = typer.Option(None, "--now", help="As of this instant (ISO, offset)."),
) -> None:
    """Notices whose acknowledgement deadline passed unacknowledged (exit 1 if any)."""
    from kzreg.law.calendar import to_local
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.notifications import overdue_acknowledgements

    with unit_of_work() as session:
        late = overdue_acknowledgements(session, _instant(now))
        for n in late:
            due = to_local(n.ack_due_at).isoformat(timespec="minutes")
            basis = f"  ({n.citation})" if n.basis else ""
            typer.echo(f"{n.id}\tuser {n.user_id}\tdue {due}\t{n.subject}{basis}")
    if late:
        raise typer.Exit(1)
