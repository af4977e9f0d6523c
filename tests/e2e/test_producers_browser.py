"""An officer walks an application for a state incentive to a decision; a manufacturer sees
only its own applications (Law 86-VII Arts 25-27) — in Debian's Chromium.

`kzreg demo load` on a fresh SQLite database, `kzreg serve` as a subprocess (the `demo_site`
fixture); screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, login

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(demo_site) -> str:
    assert "producers incentives and contracts:" in demo_site.demo_output
    return demo_site.url


def test_officer_decides_an_incentive_and_a_maker_sees_only_its_own(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(server) and not r.url.startswith("data:") else None)

        # the officer's queue and dashboard
        login(page, server, "industry", timeout=90000)
        page.goto(f"{server}/producers/incentives/")
        expect(page.locator("#chart-states svg rect").first).to_be_visible()
        rows = page.locator("#queue tbody tr")
        filed = rows.filter(has_text="Steppe Motors LLP").filter(
            has=page.locator('[data-state="filed"]'))
        expect(filed).to_have_count(1)
        altyn_url = rows.filter(has_text="Altyn Machinery LLP").locator("a").first \
            .get_attribute("href")
        page.screenshot(path=str(ARTIFACTS / "producers-incentives.png"), full_page=True)
        filed.locator("a").click()
        expect(page.locator("#state")).to_have_attribute("data-state", "filed")
        case_url = page.url

        # checks it against the four conditions of Art 25(5): the producer is in the register
        page.check("#check-documents")
        page.click("#run-check")
        page.wait_for_url(re.compile(r".*/check$"), timeout=30000)
        expect(page.locator("#gate-result")).to_have_attribute("data-eligible", "yes")
        expect(page.locator("#gate-result")).to_contain_text("Art 25(5)")
        page.screenshot(path=str(ARTIFACTS / "producers-incentive-check.png"), full_page=True)

        # … and grants the measure under an agreement with counter-obligations
        page.locator("#action-grant summary").click()
        page.check("#grant-documents_compliant")
        page.fill("#grant-agreement_no", "DV-E2E/001")
        page.fill("#grant-amount", "850000000")
        due = (dt.date.today() + dt.timedelta(days=365)).isoformat()
        page.fill("#grant-obligations_due_on", due)
        page.fill("#grant-counter_obligations",
                  "labour_productivity | output per employee | +10%")
        page.click("#do-grant")
        page.wait_for_url(re.compile(r".*/producers/cases/\d+$"), timeout=30000)
        expect(page.locator(".alert-error")).to_have_count(0)
        expect(page.locator("#state")).to_have_attribute("data-state", "performing",
                                                          timeout=20000)
        expect(page.locator("#decision")).to_contain_text("DV-E2E/001")
        expect(page.locator("#deadlines")).to_contain_text("Art 27(1)")
        page.screenshot(path=str(ARTIFACTS / "producers-incentive-granted.png"),
                        full_page=True)
        page.locator("form[action='/logout'] button").click()

        # the manufacturer sees its own applications only; another's is not found
        login(page, server, "manufacturer", timeout=90000)
        page.goto(f"{server}/producers/incentives/")
        expect(page.locator("#queue")).to_contain_text("Steppe Motors LLP")
        expect(page.locator("#queue")).not_to_contain_text("Altyn Machinery LLP")
        expect(page.locator("#queue")).not_to_contain_text("Qazaq Soft LLP")
        page.goto(f"{server}{case_url.removeprefix(server)}")
        expect(page.locator("#state")).to_have_attribute("data-state", "performing")
        expect(page.locator("#actions")).to_have_count(0)    # nothing for the maker to do
        response = page.goto(f"{server}{altyn_url}")
        assert response is not None and response.status == 404

        # its personal account in the register: its entry, the extract, the way to apply
        page.goto(f"{server}/producers/register/")
        expect(page.locator("#entries")).to_contain_text("Steppe Motors LLP")
        expect(page.locator("#dashboard")).to_have_count(0)
        page.locator("#entries a").first.click()
        expect(page.locator("#status")).to_have_attribute("data-status", "included")
        expect(page.locator("#extract a")).to_have_count(3)     # kk, ru, en (Art 51-1(8))
        page.screenshot(path=str(ARTIFACTS / "producers-register-entry.png"), full_page=True)
        browser.close()
    assert not outside, f"requests left the server: {outside}"
