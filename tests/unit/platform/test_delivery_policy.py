"""The outbox's retry policy and the e-mail it builds (no database, no server).

(Named apart from tests/integration/test_notifications.py: the test tree has no
__init__.py files, so two test modules may not share a basename.)
"""

import datetime as dt

import pytest

from kzreg.law.errors import InputError
from kzreg.platform.notifications import DeliveryPolicy, Notice, OutboxMessage, build_email

T0 = dt.datetime(2025, 3, 14, 8, 0, tzinfo=dt.UTC)


def test_backoff_doubles_from_the_base_delay():
    policy = DeliveryPolicy(base_delay=dt.timedelta(seconds=30),
                            max_delay=dt.timedelta(hours=1))
    waits = [policy.backoff(n).total_seconds() for n in range(1, 6)]
    assert waits == [30, 60, 120, 240, 480]


def test_backoff_is_capped_and_survives_huge_attempt_counts():
    policy = DeliveryPolicy(base_delay=dt.timedelta(seconds=30),
                            max_delay=dt.timedelta(minutes=30))
    assert policy.backoff(7) == dt.timedelta(minutes=30)   # 30 s · 64 = 32 min > cap
    assert policy.backoff(10_000) == dt.timedelta(minutes=30)


def test_no_wait_before_the_first_attempt():
    assert DeliveryPolicy().backoff(0) == dt.timedelta(0)


def test_policy_reads_the_environment(monkeypatch):
    monkeypatch.setenv("KZREG_SMTP_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("KZREG_SMTP_RETRY_SECONDS", "5")
    policy = DeliveryPolicy.from_env()
    assert policy.max_attempts == 3
    assert policy.backoff(2) == dt.timedelta(seconds=10)


@pytest.mark.parametrize("name, value", [("KZREG_SMTP_MAX_ATTEMPTS", "many"),
                                         ("KZREG_SMTP_MAX_ATTEMPTS", "0"),
                                         ("KZREG_SMTP_RETRY_SECONDS", "-1")])
def test_bad_policy_settings_name_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(InputError) as err:
        DeliveryPolicy.from_env()
    assert err.value.field == name


def test_email_carries_recipient_subject_body_and_a_stable_message_id():
    row = OutboxMessage(to_address="officer@kgd.gov.kz", subject="Нештатная ситуация: Қостанай",
                        body="Пломба KZ-000123", message_id="<notice1.x@kgd.gov.kz>",
                        created_at=T0)
    msg = build_email(row, "kzreg@kgd.gov.kz")
    assert msg["To"] == "officer@kgd.gov.kz"
    assert msg["From"] == "kzreg@kgd.gov.kz"
    assert msg["Subject"] == "Нештатная ситуация: Қостанай"
    assert msg["Message-ID"] == "<notice1.x@kgd.gov.kz>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content().strip() == "Пломба KZ-000123"
    assert "Нештатная" not in msg.as_string().split("\n\n", 1)[0]  # header is RFC 2047 encoded


def test_notice_overdue_and_late_acknowledgement():
    due = T0 + dt.timedelta(hours=1)
    notice = Notice(ack_due_at=due)
    assert not notice.overdue(due)                    # at the deadline it is still in time
    assert notice.overdue(due + dt.timedelta(seconds=1))
    notice.acknowledged_at = due + dt.timedelta(minutes=5)
    assert not notice.overdue(due + dt.timedelta(hours=2))
    assert notice.acknowledged_late
