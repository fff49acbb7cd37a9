"""Browser walk of the foundation: log in (with TOTP), see the start page, switch organisation; axe-core."""

from __future__ import annotations

import pytest

from mestring.core.testing.browser import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_with_totp_and_start_page(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert "/konto/logg-inn/" in page.url
    assert_accessible(page)
    browser_login(page, "koordinator.evje")
    assert page.get_by_role("heading", level=1).inner_text() == "Rus og psykisk helse Evje og Hornnes"
    assert_accessible(page)


def test_wrong_password_gives_norwegian_message(page) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, "admin.evje", password="feil-passord-123")
    assert page.get_by_text("Feil brukernavn eller passord").is_visible()
    assert_accessible(page)


def test_switch_organisation(page) -> None:  # type: ignore[no-untyped-def]
    browser_login(page, "admin.evje")
    assert page.get_by_role("heading", level=1).inner_text() == "Evje og Hornnes"
    page.get_by_label("Handler som").select_option(
        label="Setesdal interkommunale rus- og psykisk helsesamarbeid – Analytiker"
    )
    page.get_by_role("button", name="Bytt").click()
    page.wait_for_load_state()
    assert "Setesdal" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("Du handler nå som").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Organisasjon").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Medlemskommuner").is_visible()
    assert_accessible(page)
