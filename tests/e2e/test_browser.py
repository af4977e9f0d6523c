"""One real browser run: Debian's Chromium, driven by Playwright, against `kzreg serve`.

A fresh SQLite database gets the demo (`kzreg demo load`), the server runs as a
subprocess on a free port, and the browser signs in, sees the dashboard, switches the
language to Kazakh and Russian and opens the API docs; screenshots go to test-artifacts/.
Skipped only on a developer's machine without /usr/bin/chromium; CI must run it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from support.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM

pytestmark = BROWSER_MARKS


@pytest.fixture
def server(demo_site) -> str:
    assert "kzreg-demo" in demo_site.demo_output and "manufacturer" in demo_site.demo_output
    return demo_site.url


def test_login_dashboard_languages_and_docs(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    own_host = urlsplit(server).netloc
    outside: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860},
                                    locale="ru-RU")
            page.on("request", lambda r: outside.append(r.url)
                    if urlsplit(r.url).scheme in ("http", "https")
                    and urlsplit(r.url).netloc != own_host else None)
            page.on("console", lambda m: problems.append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            page.goto(f"{server}/")
            expect(page).to_have_url(f"{server}/login?next=/")
            expect(page.locator("h1")).to_have_text("Вход в рабочее место")
            page.screenshot(path=str(ARTIFACTS / "login-ru.png"), full_page=True)

            page.fill("#username", "manufacturer")
            page.fill("#password", "kzreg-demo")
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{server}/")
            expect(page.locator("h1")).to_have_text("Рабочий стол")
            expect(page.locator(".card")).to_have_count(2)  # assembly, producers
            expect(page.locator(".user-name")).to_have_text("Ольга Ким")

            page.click("a.lang[lang=kk]")
            expect(page.locator("h1")).to_have_text("Жұмыс үстелі")
            expect(page.locator("html")).to_have_attribute("lang", "kk")
            expect(page.get_by_text("Менің ашық тапсырмаларым")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "dashboard-kk.png"), full_page=True)

            page.click("a.lang[lang=ru]")
            expect(page.locator("h1")).to_have_text("Рабочий стол")
            expect(page.get_by_text("Мои открытые задачи")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "dashboard-ru.png"), full_page=True)

            page.click("a.lang[lang=en]")
            expect(page.locator("h1")).to_have_text("Dashboard")
            page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)

            page.click("a.card[href='/assembly/']")
            expect(page).to_have_url(f"{server}/assembly/")  # the room's own page

            page.goto(f"{server}/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("kzreg")
            expect(page.locator(".opblock-summary-path").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "api-docs.png"))

            page.goto(f"{server}/")
            page.click("button:has-text('Sign out')")
            expect(page).to_have_url(f"{server}/login")
        finally:
            browser.close()
    assert outside == [], "the browser asked another host"
    assert problems == [], problems
