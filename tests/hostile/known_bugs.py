"""Bugs the hostile-input suite found in files this suite does not own, until they are fixed.

Each has a strict-xfail regression test (`xfail(bug_id)`): when the fix lands the test
passes, strict xfail turns that into a failure, and the entry is deleted here. Until then
the property tests tolerate exactly that failure (`only_documented_rejects`), so they keep
guarding everything else.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class KnownBug:
    reason: str     # the bug, as the xfail reason
    fix: str        # file, function, change
    signature: str  # regex over "ExceptionType: message" of the failure it causes


BUGS: dict[str, KnownBug] = {
}


def xfail(bug_id: str) -> pytest.MarkDecorator:
    bug = BUGS[bug_id]
    return pytest.mark.xfail(strict=True, reason=f"{bug.reason} (fix: {bug.fix})")


def known(failure: str) -> str | None:
    """The id of the known bug a failure's text shows, if any."""
    return next((bug_id for bug_id, bug in BUGS.items()
                 if re.search(bug.signature, failure)), None)


@contextlib.contextmanager
def only_documented_rejects() -> Iterator[None]:
    """Let a known bug's exception pass silently; any other one propagates."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - filtered, re-raised unless known
        from kzreg.law.errors import KzregError

        if isinstance(error, KzregError) or known(f"{type(error).__name__}: {error}") is None:
            raise
