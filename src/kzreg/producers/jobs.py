"""Periodic work of the producers room: quarters without a monitoring run (Law 86-VII
Art 51-4(1)) are recorded as breaches of the duty to monitor."""

from kzreg.producers.service import monitoring_breaches

JOBS = [monitoring_breaches]
