"""Periodic work of the producers room (Law 86-VII): quarters without a monitoring run are
recorded as breaches of the duty to monitor (Art 51-4(1)); cases of incentives, plans and
programmes moved by the worker or the platform's generic routes get the fixed-date deadlines
of their new state (Arts 27(1), 47(1), (5), (7), 61-1(2); `fixed_timers`)."""

from kzreg.producers.fixed_timers import start_fixed_timers
from kzreg.producers.service import monitoring_breaches

JOBS = [monitoring_breaches, start_fixed_timers]
