"""Browser: an analyst opens the mapping report (chart + table), and it passes axe-core."""

from __future__ import annotations

import pytest

from mestring.core.testing.browser import assert_accessible, browser_login
from mestring.mapping.tests.fixtures import add_entries, ensure_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_page_is_accessible(page, world, settings) -> None:  # type: ignore[no-untyped-def]
    # The cooperation's first build is a background task; run it inline here.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    for knr, count in (("4219", 30), ("4221", 12), ("4220", 3)):
        add_entries(ensure_round(knr, 2026), count, bolig="rod" if knr == "4220" else "gronn")
    browser_login(page, "analytiker.setesdal")
    page.goto("/kartlegging/rapport/?aar=2026")
    assert "Levekårskartlegging 2026" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("img", name="Vurdering per levekårsområde").first.is_visible()
    assert page.get_by_role("table").first.is_visible()
    assert page.get_by_text("Tegnet «:» betyr at tallet er skjult.").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Evje og Hornnes").first.click()
    page.wait_for_load_state()
    assert "Evje og Hornnes" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
