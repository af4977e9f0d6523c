"""The contracts board in Debian's Chromium: the officer sends a contract, sees a refused
modification with its findings, marks a penalty recovered (the sums follow) and sees a
contract accepted line by line; the clearance-1 contractor signs its own contract, answers an
information request, and never reaches the top-secret one (board, search, CSV export, page,
PDF) — on the live demo (`kzreg demo load`, `kzreg serve`). Screenshots go to
test-artifacts/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, login

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(demo_site) -> str:
    assert "defense contracts: 12 contracts" in demo_site.demo_output
    return demo_site.url


def _contract_id(subject: str) -> int:
    from kzreg.defense.contracts_models import DefenseContract
    from kzreg.platform.db import unit_of_work

    with unit_of_work() as s:
        return s.scalars(select(DefenseContract.case_id)
                         .where(DefenseContract.subject == subject)).one()


def test_officer_sends_contractor_signs_and_never_sees_top_secret(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    secret = _contract_id("Air defense radar components, demo")
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

        officer = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        officer.on("request", lambda r: outside.append(r.url)
                   if not r.url.startswith(server) and not r.url.startswith("data:") else None)
        login(officer, server, "defense")
        officer.goto(f"{server}/defense/contracts")
        board = officer.locator("#contracts")
        expect(board).to_contain_text("Air defense radar components, demo")
        expect(board.locator("tr.overdue").first).to_be_visible()   # the send term ran out
        officer.screenshot(path=str(ARTIFACTS / "defense-contracts-board.png"), full_page=True)

        officer.click("text=Field radio stations R-1, demo")
        with officer.expect_navigation():         # a loaded machine answers slowly
            officer.click("#do-send")
        expect(officer.locator("#state")).to_have_attribute("data-state", "sent")
        expect(officer.locator("tr[data-term=send][data-status='on time']")).to_have_count(1)

        officer.goto(f"{server}/defense/contracts")
        officer.click("text=Armoured vehicle cabins, demo")
        refused = officer.locator("#modifications tr[data-allowed=false]")
        expect(refused).to_contain_text("Art 23 p.2 sub 3")
        expect(officer.locator("#modifications tr[data-allowed=true]")).to_have_count(1)
        expect(officer.locator("#lots")).to_contain_text("failed_tests")
        expect(officer.locator("#control-approved")).to_be_visible()          # Art 27 p.2
        expect(officer.locator(
            "#information-requests tr[data-status='reply date passed']")).to_have_count(1)
        officer.screenshot(path=str(ARTIFACTS / "defense-contract-page.png"), full_page=True)

        officer.goto(f"{server}/defense/contracts/{_contract_id('Body armour vests, demo')}")
        expect(officer.locator("#penalty-sums .outstanding")).to_have_text("750000.00 ₸")
        with officer.expect_navigation():
            officer.locator("#penalty-list li[data-status=outstanding] button").click()
        expect(officer.locator("#penalty-sums .outstanding")).to_have_text("0.00 ₸")
        expect(officer.locator("#penalty-sums .recovered")).to_have_text("762500.50 ₸")
        spares = _contract_id("Spare parts for radar sets, demo")
        officer.goto(f"{server}/defense/contracts/{spares}")
        expect(officer.locator("#lines tr[data-accepted=true]")).to_have_count(1)
        expect(officer.locator("#lines tr[data-accepted=false]")).to_contain_text("kit")

        officer.goto(f"{server}/defense/contracts/{secret}")
        with officer.expect_navigation():
            officer.click("#do-document")
        pdf = officer.locator("#documents a").first.get_attribute("href")

        contractor = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        login(contractor, server, "contractor")
        contractor.goto(f"{server}/defense/contracts")
        expect(contractor.locator("#contracts")).not_to_contain_text("radar components")
        expect(contractor.locator("#contracts")).not_to_contain_text("Secure radio relay")
        contractor.click("text=Tactical headsets, demo")
        with contractor.expect_navigation():
            contractor.click("#do-sign")
        expect(contractor.locator("#state")).to_have_attribute("data-state", "in_execution")

        for path in (f"/defense/contracts/{secret}", pdf, f"/api/defense/contracts/{secret}"):
            response = contractor.goto(f"{server}{path}")
            assert response.status == 404, path
            assert "radar" not in contractor.content().lower()
        contractor.goto(f"{server}/defense/reserve")
        expect(contractor.locator("body")).to_contain_text("Diesel fuel (demo)")
        expect(contractor.locator("body")).not_to_contain_text("Ammunition")
        contractor.screenshot(path=str(ARTIFACTS / "defense-reserve-contractor.png"),
                              full_page=True)
        contractor.goto(f"{server}/defense/contracts?q=radar")
        expect(contractor.locator("#contracts")).to_contain_text("Spare parts for radar sets")
        expect(contractor.locator("#contracts")).not_to_contain_text("Air defense radar")
        exported = contractor.request.get(f"{server}/defense/contracts.csv").text()
        assert "Tactical headsets" in exported and "radar components" not in exported
        cabins = _contract_id("Armoured vehicle cabins, demo")
        contractor.goto(f"{server}/defense/contracts/{cabins}")
        asked = contractor.locator("#information-requests tr[data-status='reply date passed']")
        asked.locator("textarea").fill("Schedule attached (demo)")
        with contractor.expect_navigation():
            asked.locator("button").click()
        expect(contractor.locator("#information-requests")).to_contain_text("Schedule attached")
        browser.close()
    assert outside == []
