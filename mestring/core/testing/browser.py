"""Browser tests: Playwright driving Debian's chromium, with axe-core for WCAG 2.1 AA.

Mark tests with `@pytest.mark.browser` and use the `page` and `live_server` fixtures. Without chromium the
tests skip, except when MESTRING_REQUIRE_BROWSER is set (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.core.world import DEMO_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("MESTRING_REQUIRE_BROWSER"):
            pytest.fail("chromium is required for browser tests here (MESTRING_REQUIRE_BROWSER is set)")
        pytest.skip("chromium is not installed")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls in tests are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser: Any, live_server: Any, world: Any) -> Iterator[Any]:
    context = chromium_browser.new_context(locale="nb-NO", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def current_totp(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, name="demo")
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def browser_login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form, and through the TOTP step when the role needs it."""
    page.goto("/konto/logg-inn/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
    if "/konto/tofaktor/" in page.url:
        page.get_by_label("Engangskode fra autentiseringsappen").fill(current_totp(username))
        page.get_by_role("button", name="Bekreft").click()
        page.wait_for_load_state()


def assert_accessible(page: Any) -> None:
    """axe-core on the current page: no serious or critical WCAG 2.1 A/AA violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
    )
    assert not violations, f"axe-core violations on {page.url}:\n{details}"
