"""E-mail delivery from the outbox to a real SMTP server (aiosmtpd on localhost).

Each notice's mail is delivered once, with the right recipient, subject and body; a server
that fails (451, or not listening) is retried with backoff and the attempts are recorded;
a permanent refusal (550) is not retried; two delivery passes at once never send a message
twice (PostgreSQL: SKIP LOCKED; SQLite: a conditional UPDATE under the write lock).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kzreg.law.citations import cite
from kzreg.platform.config import reset_config
from kzreg.platform.db import get_engine, unit_of_work
from kzreg.platform.notifications import (
    FAILED,
    PENDING,
    SENT,
    DeliveryPolicy,
    Notice,
    OutboxMessage,
    claim_due,
    deliver_due,
    notify,
    outbox_messages,
)
from kzreg.platform.users import create_user

T0 = dt.datetime(2025, 3, 14, 8, 0, tzinfo=dt.UTC)
POLICY = DeliveryPolicy(max_attempts=3, base_delay=dt.timedelta(seconds=30), timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it receives and fails when told to."""

    def __init__(self) -> None:
        self.messages = []
        self.fail_next = 0            # answer DATA with 451 this many times
        self.refuse: set[str] = set()  # answer RCPT with 550 for these
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_next:
            self.fail_next -= 1
            return "451 4.3.0 try again later"
        msg = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.box = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port(db, monkeypatch):
    port = free_port()
    monkeypatch.setenv("KZREG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KZREG_SMTP_PORT", str(port))
    monkeypatch.setenv("KZREG_SMTP_FROM", "kzreg@kgd.gov.kz")
    reset_config()
    yield port
    reset_config()


@pytest.fixture
def server(smtp_port):
    srv = Server(smtp_port)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def officer(db):
    with unit_of_work() as s:
        return create_user(s, "dest.officer", "customs_officer", "correct-horse-1",
                           offices=["39501"], email="dest@kgd.gov.kz").id


def send_notice(user_id: int, subject: str = "Нештатная ситуация: пломба KZ-000123") -> int:
    with unit_of_work() as s:
        [notice] = notify(s, recipients=[user_id], subject=subject,
                          body="Потеря сигнала более 3 часов. Қостанай кедені.",
                          kind="alert", basis=cite("order-407", "Rules §11"),
                          due_ack_within=dt.timedelta(hours=1), at=T0)
        return notice.id


def the_row(notice_id: int) -> OutboxMessage:
    with unit_of_work() as s:
        [row] = outbox_messages(s, notice_ids=[notice_id])
        return row


def test_a_notice_is_mailed_once_to_its_recipient(server, officer):
    notice_id = send_notice(officer)
    assert deliver_due(None, T0, policy=POLICY) == 1
    assert deliver_due(None, T0 + dt.timedelta(hours=1), policy=POLICY) == 0
    [(rcpts, msg)] = server.box.messages
    assert rcpts == ["dest@kgd.gov.kz"]
    assert msg["To"] == "dest@kgd.gov.kz" and msg["From"] == "kzreg@kgd.gov.kz"
    assert msg["Subject"] == "Нештатная ситуация: пломба KZ-000123"
    body = msg.get_content()
    assert "Потеря сигнала более 3 часов. Қостанай кедені." in body
    assert "Order 407, Rules §11" in body
    row = the_row(notice_id)
    assert (row.status, row.attempts, row.last_error) == (SENT, 1, None)
    assert msg["Message-ID"] == row.message_id
    assert T0 <= row.sent_at < T0 + dt.timedelta(minutes=1)
    assert row.claimed_by is None
    with unit_of_work() as s:
        assert s.get(Notice, notice_id).emailed_at == row.sent_at


def test_a_temporary_failure_is_retried_with_backoff_then_delivered(server, officer):
    server.box.fail_next = 1
    notice_id = send_notice(officer)
    assert deliver_due(None, T0, policy=POLICY) == 0
    row = the_row(notice_id)
    assert (row.status, row.attempts) == (PENDING, 1)
    assert row.last_error.startswith("451")
    assert T0 + dt.timedelta(seconds=30) <= row.next_attempt_at < T0 + dt.timedelta(seconds=90)
    assert deliver_due(None, T0 + dt.timedelta(seconds=10), policy=POLICY) == 0  # not yet due
    assert deliver_due(None, row.next_attempt_at, policy=POLICY) == 1
    row = the_row(notice_id)
    assert (row.status, row.attempts, row.last_error) == (SENT, 2, None)
    assert len(server.box.messages) == 1


def test_a_server_that_is_down_is_retried_until_it_comes_back(smtp_port, officer):
    notice_id = send_notice(officer)
    assert deliver_due(None, T0, policy=POLICY) == 0          # nobody listening
    row = the_row(notice_id)
    assert (row.status, row.attempts) == (PENDING, 1)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    srv = Server(smtp_port)
    srv.start()
    try:
        assert deliver_due(None, row.next_attempt_at, policy=POLICY) == 1
    finally:
        srv.stop()
    assert the_row(notice_id).attempts == 2
    assert len(srv.box.messages) == 1


def test_after_max_attempts_the_row_fails_and_stays_on_record(server, officer):
    server.box.fail_next = 10
    notice_id = send_notice(officer)
    now = T0
    for attempt in range(1, POLICY.max_attempts + 1):
        assert deliver_due(None, now, policy=POLICY) == 0
        row = the_row(notice_id)
        assert row.attempts == attempt
        now = row.next_attempt_at
    assert row.status == FAILED and row.last_error.startswith("451")
    assert deliver_due(None, now + dt.timedelta(days=1), policy=POLICY) == 0
    assert the_row(notice_id).attempts == POLICY.max_attempts
    assert server.box.messages == []


def test_a_permanent_refusal_is_not_retried(server, officer):
    server.box.refuse.add("dest@kgd.gov.kz")
    notice_id = send_notice(officer)
    assert deliver_due(None, T0, policy=POLICY) == 0
    row = the_row(notice_id)
    assert (row.status, row.attempts) == (FAILED, 1)
    assert "550" in row.last_error


def test_without_an_smtp_host_nothing_is_sent_and_mail_waits(db, officer, monkeypatch):
    monkeypatch.delenv("KZREG_SMTP_HOST", raising=False)
    reset_config()
    notice_id = send_notice(officer)
    assert deliver_due(None, T0, policy=POLICY) == 0
    assert (the_row(notice_id).status, the_row(notice_id).attempts) == (PENDING, 0)


def test_a_claim_left_by_a_dead_worker_is_taken_over_when_its_lease_ends(server, officer):
    notice_id = send_notice(officer)
    with unit_of_work() as s:   # a worker claimed the row, then died before sending
        s.execute(update(OutboxMessage).values(claimed_by="dead-worker",
                                               claimed_until=T0 + dt.timedelta(minutes=5)))
    assert deliver_due(None, T0 + dt.timedelta(minutes=1), policy=POLICY) == 0
    assert deliver_due(None, T0 + dt.timedelta(minutes=5), policy=POLICY) == 1
    assert the_row(notice_id).status == SENT


def test_two_delivery_passes_at_once_never_send_a_message_twice(server, db, monkeypatch):
    with unit_of_work() as s:
        ids = [create_user(s, f"officer{i}", "industry_officer", "correct-horse-1",
                           email=f"officer{i}@mii.gov.kz").id for i in range(12)]
    for user_id in ids:
        send_notice(user_id)
    server.box.delay = 0.02              # passes overlap while the server is busy
    small = DeliveryPolicy(batch=2, timeout=5)
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait()
            while n := deliver_due(None, T0, policy=small):
                sent.append(n)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    received = [msg["Message-ID"] for _, msg in server.box.messages]
    assert len(received) == len(set(received)) == 12
    assert sum(sent) == 12
    with unit_of_work() as s:
        rows = outbox_messages(s)
        assert {r.status for r in rows} == {SENT} and {r.attempts for r in rows} == {1}


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SKIP LOCKED is PostgreSQL's
def test_postgres_claims_skip_rows_another_worker_holds(server, officer):
    first, second = send_notice(officer), send_notice(officer, subject="Второе")
    engine = get_engine()
    with Session(engine) as holder, Session(engine) as other:
        # worker A is in the middle of claiming the first row (holds its row lock)
        holder.execute(select(OutboxMessage).where(OutboxMessage.notice_id == first)
                       .with_for_update())
        claimed = claim_due(other, T0, "worker-b", POLICY)      # does not wait for A
        assert [m.notice_id for m in claimed] == [second]
        holder.rollback()


def test_kzreg_notices_deliver_runs_one_pass(server, officer):
    from typer.testing import CliRunner

    from kzreg.cli import app

    send_notice(officer)
    result = CliRunner().invoke(app, ["notices", "deliver", "--now", T0.isoformat()])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(server.box.messages) == 1


def test_the_worker_delivers_mail_as_one_of_its_jobs(server, officer):
    from kzreg.platform import worker

    send_notice(officer)
    assert deliver_due in worker.JOBS
    worker.run_once(T0 + dt.timedelta(seconds=1))
    assert len(server.box.messages) == 1


def test_a_worker_whose_lease_ran_out_does_not_send_a_row_taken_over(server, officer):
    from kzreg.platform.notifications import _renew

    notice_id = send_notice(officer)
    with Session(get_engine()) as a:
        [mail] = claim_due(a, T0, "worker-a", POLICY)
        # worker A stalls past its lease; worker B takes the row over
        later = T0 + POLICY.lease
        with Session(get_engine()) as b:
            assert [m.notice_id for m in claim_due(b, later, "worker-b", POLICY)] == [notice_id]
        assert not _renew(a, mail, "worker-a", later + POLICY.lease)
        assert _renew(a, mail, "worker-b", later + POLICY.lease)
