"""The defense officer walks the order pages and sees a content finding with its clause, the
approved order's versions, opens a line's contract from the version in force, and reads the
research pipeline and a requirement's versions; the contractor (clearance 1) sees its task
and no top-secret item — in Debian's Chromium.

`kzreg demo load` on a fresh SQLite database, `kzreg serve` as a subprocess; screenshots go
to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, login

TOP_SECRET = ("Strategic air defense", "Medium-range air defense", "Counter-battery",
              "Long-range air surveillance")

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(demo_site) -> str:
    assert "defense order:" in demo_site.demo_output
    return demo_site.url


def test_officer_sees_findings_contractor_sees_nothing_classified(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(server) and not r.url.startswith("data:") else None)

        # the officer (clearance 2): home → orders → the draft and its content check
        login(page, server, "defense")
        page.goto(f"{server}/defense/")
        expect(page.locator("#defense-contracts-links a[href='/defense/contracts']")) \
            .to_have_count(1)
        page.click("#defense-order-links a[href='/defense/orders']")
        expect(page.locator("#orders")).to_contain_text("Strategic air defense")
        page.get_by_role("link", name="Draft state defense order 2026-2028 (demo)").click()
        expect(page.locator("#order-lines")).to_contain_text("Long-range air surveillance")
        finding = page.locator("#findings tr.finding", has_text="deadline")
        expect(finding).to_have_count(1)
        expect(finding.locator("td.clause")).to_have_text("Law 236-VI, Art 19 p.3 sub 1")
        page.screenshot(path=str(ARTIFACTS / "defense-order-draft.png"), full_page=True)
        secret_url = None
        page.goto(f"{server}/defense/orders")
        secret_url = page.get_by_role("link", name="Strategic air defense programme "
                                      "2026-2028 (demo)").get_attribute("href")
        page.goto(f"{server}/defense/selections")
        page.locator("#selections a").last.click()
        expect(page.locator("#opening-record")).to_contain_text("AV archive")

        # the approved order: version 2 in force; a line's contract opened from it
        page.goto(f"{server}/defense/orders")
        page.get_by_role("link", name="State defense order 2025-2027 (demo)").click()
        expect(page.locator("#versions-history tr.in-force")).to_contain_text(
            "Government decree No 1-DEMO")
        expect(page.locator("#lines-in-force")).to_contain_text("14000")
        order_url = page.url
        row = page.locator("#lines-in-force tr", has_text="Armoured personnel carrier")
        row.locator("form.open-contract button").click()
        page.wait_for_url(re.compile(r".*/defense/contracts/\d+$"))
        contract_url = page.url
        expect(page.locator("body")).to_contain_text("Armoured personnel carrier")
        page.goto(order_url)
        expect(page.locator("#lines-in-force a.contract-link")).to_have_attribute(
            "href", contract_url.removeprefix(server))
        page.screenshot(path=str(ARTIFACTS / "defense-order-versions.png"), full_page=True)
        # research: the area's expert council; the requirement frozen, then revised
        page.goto(f"{server}/defense/research")
        expect(page.locator("#expert-councils")).to_contain_text(
            "Expert council on unmanned aerial systems")
        page.goto(f"{server}/defense/requirements")
        page.locator("#requirements a", has_text="Armoured personnel carrier").click()
        expect(page.locator("#requirement-versions tr[data-version]")).to_have_count(2)
        expect(page.locator("#requirement-versions tr[data-version='1'] td.frozen")) \
            .to_contain_text("selection-")
        page.locator("form[action='/logout'] button").click()

        # the contractor (clearance 1): its task only, nothing top secret anywhere
        login(page, server, "contractor")
        for path in ("/defense/", "/defense/orders", "/defense/selections",
                     "/defense/register", "/defense/search?q=radar",
                     "/defense/search?q=Strategic"):
            page.goto(f"{server}{path}")
            body = page.locator("body").inner_text()
            assert not [w for w in TOP_SECRET if w in body], path
        page.goto(f"{server}/defense/orders")
        page.get_by_role("link", name="State defense order 2025-2027 (demo)").click()
        expect(page.locator("#order-lines")).to_contain_text("Armoured personnel carrier")
        expect(page.locator("#order-lines tbody tr")).to_have_count(1)
        expect(page.locator("#lines-in-force tbody tr")).to_have_count(1)
        expect(page.locator("form.open-contract")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "defense-order-contractor.png"), full_page=True)
        response = page.goto(f"{server}{secret_url}")
        assert response is not None and response.status == 404
        assert "Strategic" not in page.locator("body").inner_text()
        browser.close()
    assert not outside, f"requests left the server: {outside}"
