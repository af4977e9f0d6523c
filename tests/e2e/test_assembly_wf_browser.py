"""A manufacturer scores itself and applies; an officer reviews — in Debian's Chromium.

`kzreg demo load` on a fresh SQLite database, `kzreg serve` as a subprocess, Playwright
drives the pages of the assembly room; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, login

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(demo_site) -> str:
    assert "assembly:" in demo_site.demo_output
    return demo_site.url


def test_manufacturer_scores_and_applies_officer_reviews(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(server) and not r.url.startswith("data:") else None)

        # the manufacturer scores itself (R-App2: 3,000 + engine 500 + battery 500 × 0.5)
        login(page, server, "manufacturer")
        page.goto(f"{server}/assembly/calculator?vehicle=car")
        page.check("#claim_1")
        page.check("#claim_8_1")
        page.check("#claim_8_4")
        page.select_option("select[name=origin_8_4]", "CN")
        page.check("input[name=documented_8_4]")
        page.fill("#concluded_on", "2021-03-01")
        page.click("#score")
        expect(page.locator("#total")).to_have_text("3750")
        expect(page.locator("#verdict")).to_be_visible()
        expect(page.locator("svg.asm-chart rect")).to_have_count(4)   # 3 lines + total
        expect(page.locator("#breakdown")).to_contain_text("R-App2 8.4")
        page.screenshot(path=str(ARTIFACTS / "assembly-calculator.png"), full_page=True)

        # … and applies with these claims, under the Law (Order 493's routes are closed)
        page.click("#apply-with-claims")
        page.select_option("#route-switch", "law_scored_vehicles")
        page.locator("form.inline-form [type=submit]").click()
        page.fill("#company", "Steppe Motors LLP")
        page.fill("#vehicle_name", "Steppe Q1 hatchback")
        for box in page.locator("input[name=documents]").all():
            box.check()
        expect(page.locator("#claims")).to_contain_text("8.4")
        page.screenshot(path=str(ARTIFACTS / "assembly-apply.png"), full_page=True)
        page.click("#submit-application")
        page.wait_for_url(f"{server}/assembly/agreements/*", timeout=30000)
        case_url = page.url
        expect(page.locator("#state")).to_have_attribute("data-state", "review")
        expect(page.locator("#deadlines")).to_contain_text("R §13")
        expect(page.locator("#actions")).to_have_count(0)   # nothing for the maker to do
        page.screenshot(path=str(ARTIFACTS / "assembly-request.png"), full_page=True)
        page.locator("form[action='/logout'] button").click()

        # the officer finds it in the queue and sends the draft agreement and schedule
        login(page, server, "industry")
        page.goto(f"{server}/assembly/queue")
        expect(page.locator("#queue")).to_contain_text("Steppe Q1 hatchback")
        page.screenshot(path=str(ARTIFACTS / "assembly-queue.png"), full_page=True)
        page.goto(case_url)
        page.locator("#action-send_draft summary").click()
        with page.expect_navigation(timeout=30000):
            page.click("#do-send_draft")
        expect(page.locator(".alert-error")).to_have_count(0)
        expect(page.locator("#state")).to_have_attribute("data-state", "draft_sent",
                                                          timeout=20000)
        expect(page.locator("#schedule")).to_contain_text("8703")
        expect(page.locator("#deadlines")).to_contain_text("R §15-16")
        page.screenshot(path=str(ARTIFACTS / "assembly-draft-sent.png"), full_page=True)

        # the other manufacturer does not see the case
        page.locator("form[action='/logout'] button").click()
        login(page, server, "manufacturer2")
        response = page.goto(case_url)
        assert response is not None and response.status == 404
        browser.close()
    assert not outside, f"requests left the server: {outside}"
