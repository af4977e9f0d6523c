"""How many examples a hostile-input property test tries: `budget(n)` in CI, the profile's
own count under `--hypothesis-profile=deep` (tests/hostile/conftest.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

DEEP = "deep"


def budget(examples: int, *, lenient: bool = False) -> settings:
    """Settings for one property test: `examples` normally, the deep profile's count in a
    deep run; no deadline (CI machines are shared and slow). `lenient` silences every
    health check (strategies built from schemas filter a lot)."""
    checks = list(HealthCheck) if lenient else [HealthCheck.too_slow]
    if settings.get_current_profile_name() == DEEP:
        return settings(deadline=None, suppress_health_check=checks)
    return settings(max_examples=examples, deadline=None, suppress_health_check=checks)
