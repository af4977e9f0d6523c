"""The operator's console in Debian's Chromium against a live server, with no network:
every request to a host other than the server is aborted (and recorded), so the basemap,
the map library and the styles must all come from kzreg itself. The operator signs in,
sees the active seal on the map with its route and corridor, and — without a reload —
a new position moving the seal and a non-routine situation arriving, which they
acknowledge. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM

DEVICE = "868000000000777"
ROUTE = {"type": "LineString",
         "coordinates": [[76.911, 43.252], [77.238, 43.302], [78.257, 43.596],
                         [79.796, 44.083], [80.007, 44.166], [80.403, 44.217]]}

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(demo_site) -> str:
    return demo_site.url


def _activate_seal(now: dt.datetime) -> None:
    from kzreg.platform.db import unit_of_work
    from kzreg.tracking import registry

    with unit_of_work() as s:
        registry.register_seal(s, "KZ-SEAL-777", device_id=DEVICE, protocol="egts")
        registry.activate(s, "KZ-SEAL-777", at=now - dt.timedelta(minutes=30), route=ROUTE,
                          corridor_m=1000, escort_ref="SIM-E2E-1", departure_office="50511",
                          destination_office="51730")


def _report(now: dt.datetime, lat: float, lon: float, state: str) -> None:
    from kzreg.tracking.position import Position, SealState
    from kzreg.tracking.store import Incoming, PositionStore

    PositionStore(max_future=dt.timedelta(minutes=10)).write([Incoming(
        DEVICE, "egts", now, [Position(DEVICE, now, lat, lon, seal_state=SealState(state),
                                       speed_kmh=80.0)])])


def _situation(now: dt.datetime) -> None:
    """What the pipeline stores when the seal reports itself opened (§3(8))."""
    from kzreg.platform.db import unit_of_work
    from kzreg.tracking.models import TrackingSituation

    with unit_of_work() as s:
        s.add(TrackingSituation(seal="KZ-SEAL-777", type="unauthorized_removal",
                                started_at=now, occurred_at=now, detected_at=now,
                                notify_by=now + dt.timedelta(hours=1),
                                evidence={"seal_state": "opened"}))


def test_console_map_offline_and_live_updates(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    _activate_seal(now)
    _report(now - dt.timedelta(minutes=5), 43.30, 77.24, "closed")
    own = urlsplit(server).netloc
    blocked: list[str] = []
    problems: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                          locale="en-GB")
            context.route("**/*", guard)
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            page.goto(f"{server}/login?next=/escort/console")
            page.fill("#username", "operator")
            page.fill("#password", "kzreg-demo")
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{server}/escort/console")
            page.click("a.lang[lang=en]")         # the demo operator's profile says Russian
            expect(page.locator("h1")).to_have_text("Tracking console")
            expect(page.locator("#console-map")).to_have_attribute("data-basemap", "ready")
            expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
            row = page.locator('#seals tr[data-seal="KZ-SEAL-777"]')
            expect(row).to_contain_text("50511 → 51730")
            expect(row.locator("td.position")).to_contain_text("43.3000, 77.2400")
            # the basemap is drawn: Kazakhstan's outline, roads, city labels
            assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas"
                                ).count() > 0
            expect(page.locator(".city-label", has_text="Almaty")).to_be_visible()
            page.evaluate("window.__sameDocument = true")
            page.screenshot(path=str(ARTIFACTS / "escort-console.png"), full_page=True)

            # a new position and a situation are stored: the page shows them, no reload
            _report(dt.datetime.now(dt.UTC), 43.60, 78.26, "opened")
            expect(row.locator("td.position")).to_contain_text("43.6000, 78.2600",
                                                               timeout=15000)
            expect(row.locator("td.age")).to_contain_text("s ago")
            _situation(dt.datetime.now(dt.UTC))
            item = page.locator("#situations li.situation-unauthorized_removal")
            expect(item).to_contain_text("KZ-SEAL-777", timeout=15000)
            expect(page.locator("#count-situations")).to_have_text("1")
            expect(row.locator(".badge-danger")).to_be_visible()
            assert page.evaluate("window.__sameDocument") is True
            page.screenshot(path=str(ARTIFACTS / "escort-console-alert.png"), full_page=True)

            item.locator("button[data-ack]").click()
            expect(item).to_contain_text("Acknowledged by operator")
            row.locator("button[data-focus]").click()   # zoom to the seal: route, corridor
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "escort-console-seal.png"), full_page=True)
        finally:
            browser.close()
    assert blocked == [], f"the console asked other hosts: {blocked}"
    assert problems == [], problems
