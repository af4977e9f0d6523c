"""An officer completes an escort in a real browser (Chromium via Playwright, `kzreg serve`).

The demo (`kzreg demo load`) holds an escort that has arrived in the destination control
zone. Its destination office's officer signs in, registers the completion documents and
inspects the vehicle (Order 407 §13): the escort is completed and a deactivation request
per seal is made (PDF). The operator deactivates the seal (§14) and the officer removes it:
the case closes. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo_server(demo_site) -> tuple[str, Path]:
    return demo_site.url, demo_site.db


def _arrived_escort(db: Path) -> tuple[int, str]:
    """The demo escort that has arrived, and its destination office's officer."""
    with sqlite3.connect(db) as conn:
        escort_id, office = conn.execute(
            "SELECT e.id, e.destination_office FROM escort_escorts e JOIN cases c "
            "ON c.id = e.case_id WHERE c.state = 'arrived'").fetchone()
    return escort_id, {"50511": "customs.almaty", "51730": "customs.khorgos"}[office]


def test_officer_completes_an_escort_in_the_browser(demo_server):
    from playwright.sync_api import expect, sync_playwright

    server, db = demo_server
    escort_id, officer = _arrived_escort(db)
    ARTIFACTS.mkdir(exist_ok=True)
    own_host = urlsplit(server).netloc
    outside: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ru-RU")
            page.on("request", lambda r: outside.append(r.url)
                    if urlsplit(r.url).scheme in ("http", "https")
                    and urlsplit(r.url).netloc != own_host else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            def sign_in(username: str) -> None:
                page.goto(f"{server}/login?next=/escort/")
                page.fill("#username", username)
                page.fill("#password", "kzreg-demo")
                page.click("button[type=submit]")
                expect(page).to_have_url(f"{server}/escort/")

            def sign_out() -> None:
                page.click("form[action='/logout'] button")
                expect(page).to_have_url(f"{server}/login")

            def state() -> str:
                return page.locator(".escort-state").get_attribute("data-state")

            sign_in(officer)
            page.click(f"tr[data-state=arrived] a[href='/escort/{escort_id}']")
            expect(page).to_have_url(f"{server}/escort/{escort_id}")
            assert state() == "arrived"
            page.click("#step-submit_documents button[type=submit]")
            expect(page.locator(".escort-state")).to_have_attribute(
                "data-state", "documents_submitted")
            page.fill("#step-inspect_destination input[name=act_number]", "51730/E2E-1")
            page.screenshot(path=str(ARTIFACTS / "escort-inspection.png"), full_page=True)
            page.click("#step-inspect_destination button[type=submit]")
            expect(page.locator(".escort-state")).to_have_attribute(
                "data-state", "deactivation_requested")
            pdf = page.locator("ul.documents a", has_text="PDF").last
            expect(pdf).to_be_visible()
            response = page.request.get(server + pdf.get_attribute("href"))
            assert response.ok and response.body().startswith(b"%PDF")
            page.screenshot(path=str(ARTIFACTS / "escort-completed.png"), full_page=True)
            sign_out()

            sign_in("operator")
            page.goto(f"{server}/escort/{escort_id}")
            page.click("#step-deactivate_seal button[type=submit]")
            expect(page.locator(".escort-state")).to_have_attribute("data-state",
                                                                    "deactivated")
            sign_out()

            sign_in(officer)
            page.goto(f"{server}/escort/{escort_id}")
            page.click("#step-remove_seal button[type=submit]")
            expect(page.locator(".escort-state")).to_have_attribute("data-state", "closed")
            expect(page.locator("table.history tr")).to_have_count(14)
            page.screenshot(path=str(ARTIFACTS / "escort-closed.png"), full_page=True)
        finally:
            browser.close()
    assert outside == [], "the browser asked another host"
    assert problems == [], problems
