"""An inspector works the risk register in Debian's Chromium (JO 1199/826): filters the
register of the demo's thousands of subjects, opens a subject with its explanation, fills a
checklist whose violated §16-2 item starts a prohibition, sees the order's thirty calendar
days; a manufacturer is refused. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, login

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(demo_site) -> str:
    assert "risk: 3000 subjects" in demo_site.demo_output
    return demo_site.url


def test_inspector_register_checklist_prohibition(server):
    from playwright.sync_api import expect, sync_playwright

    from kzreg.law.calendar import local_date, now_utc

    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(server) and not r.url.startswith("data:") else None)
        login(page, server, "inspector")

        # the register: one page of 50 of the 3,000, the chart of both degrees
        page.goto(f"{server}/risk/")
        expect(page.locator("#register tbody tr")).to_have_count(50)
        expect(page.locator("figure.risk-chart")).to_have_count(2)
        expect(page.locator("figure.risk-chart[data-kind=subjective] rect")).to_have_count(3)
        expect(page.locator("#register-count")).to_contain_text("3000")
        page.select_option("select[name=type]", "regulated_product_seller")
        page.select_option("select[name=degree]", "high")
        page.locator("#filters [type=submit]").click()
        page.wait_for_url("**/risk/?*type=regulated_product_seller*")
        rows = page.locator("#register tbody tr")
        expect(rows.first).to_be_visible()
        assert rows.count() <= 50
        for k in range(rows.count()):
            assert rows.nth(k).locator("td").nth(1).get_attribute("data-type") == \
                "regulated_product_seller"
            expect(rows.nth(k).locator("td.degree-high")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "risk-register.png"), full_page=True)

        # a subject with its explanation, and the checklist of an unscheduled inspection
        rows.first.locator("a").first.click()
        page.wait_for_url("**/risk/subjects/KZ-*")
        expect(page.locator("#objective .trace")).to_contain_text("Cr §6")
        expect(page.locator("#indicator .trace")).to_contain_text("Cr §13")
        expect(page.locator("#subjective-degree")).to_be_visible()
        page.locator("#checklist a[href*='control=unscheduled']").click()
        expect(page.locator("#checklist-form")).to_be_visible()
        page.select_option("select[name='req:cr-app5-01']", "violated")
        page.select_option("select[name='req:cr-app5-02']", "na")
        page.fill("input[name=items]", "17")   # Cr §16-2: a prohibition
        page.screenshot(path=str(ARTIFACTS / "risk-checklist.png"), full_page=True)
        page.locator("#checklist-form [type=submit]").click()
        page.wait_for_url("**/risk/subjects/KZ-*")
        expect(page.locator("#history tbody tr").first).to_contain_text("17")

        # the order, its thirty calendar days counted from the day after the decision
        page.locator("#orders a[href^='/risk/orders/']").first.click()
        page.wait_for_url("**/risk/orders/*")
        decided = local_date(now_utc())
        expect(page.locator("#state")).to_have_attribute("data-state", "in_force")
        expect(page.locator("#items")).to_contain_text("17")
        expect(page.locator("#first-day")).to_have_text(
            (decided + dt.timedelta(days=1)).isoformat())
        expect(page.locator("#last-day")).to_have_text(
            (decided + dt.timedelta(days=30)).isoformat())
        expect(page.locator("#documents a.pdf")).to_have_count(1)
        pdf = page.request.get(server + page.locator("#documents a.pdf").get_attribute("href"))
        assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"
        page.screenshot(path=str(ARTIFACTS / "risk-prohibition.png"), full_page=True)
        page.locator("form[action='/logout'] button").click()

        # a manufacturer does not read the control body's register
        login(page, server, "manufacturer")
        response = page.goto(f"{server}/risk/")
        assert response is not None and response.status == 403
        response = page.goto(f"{server}/risk/orders")
        assert response is not None and response.status == 403
        browser.close()
    assert not outside, f"requests left the server: {outside}"
