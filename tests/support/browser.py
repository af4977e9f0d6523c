"""What every browser test shares: Debian's Chromium, where screenshots go, the marks that
skip the tests where Chromium is not installed (outside CI), and signing in as a demo user."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                       reason="Debian's Chromium is not installed (scripts/setup-system.sh)"),
]


def login(page, url: str, username: str, *, timeout: float | None = None) -> None:
    """Sign in on the login form with the demo password and land on the dashboard."""
    page.goto(f"{url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "kzreg-demo")
    page.locator("form[action='/login'] [type=submit]").click()
    page.wait_for_url(f"{url}/", timeout=timeout)
