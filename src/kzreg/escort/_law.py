"""Shared pieces of the escort rules: citations to Order 407, instants, settings in traces."""

from __future__ import annotations

import datetime as dt

from kzreg.law.calendar import to_utc
from kzreg.law.citations import Citation, cite

ORDER_407 = "order-407"
ORDER_487 = "order-487"

#: "loss of the navigation seal signal for more than 3 (three) hours" (Rules §3(8)): the
#: number is the act's, not a setting; only the boundary and the measuring are settings.
SIGNAL_LOSS_THRESHOLD = dt.timedelta(hours=3)
#: "within one hour after the emergency situation occurs" (Rules §11).
NOTICE_PERIOD_HOURS = 1
#: "not later than 24 (twenty-four) hours from the moment of adoption of such decision" (§5).
ORGANISE_PERIOD_HOURS = 24
#: "within a period not later than one hour" after receiving the §13 information (§14).
DEACTIVATION_PERIOD_HOURS = 1
#: "stored for a period of five years" (§18(3)).
RETENTION_YEARS = 5


def rules(locator: str) -> Citation:
    """A citation to a paragraph of the Rules approved by Order 407: rules("§3(8)")."""
    return cite(ORDER_407, f"Rules {locator}")


def utc(value: dt.datetime, field: str) -> dt.datetime:
    """An aware instant in UTC (a naive one is refused, naming the field)."""
    return to_utc(value, field=field)
