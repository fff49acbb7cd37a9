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


def test_correct_and_delete_an_entry_is_accessible(page, world) -> None:  # type: ignore[no-untyped-def]
    from mestring.mapping.models import EntryChange, MappingEntry
    from mestring.organisations.models import Organisation

    mapping_round = ensure_round("4219", 2026)
    add_entries(mapping_round, 2, unit=Organisation.objects.get(slug="evje-rus-psykisk-helse"), bolig="rod")
    browser_login(page, "koordinator.evje")
    page.goto(f"/kartlegging/runder/{mapping_round.pk}/")
    page.get_by_role("link", name="Registrerte kartlegginger").click()
    page.wait_for_load_state()
    assert "Registrerte kartlegginger 2026" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("table").first.is_visible()
    assert_accessible(page)
    # Correct the first entry: housing from red to green.
    page.get_by_role("link", name="Endre kartlegging").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Endre kartlegging"
    assert_accessible(page)
    page.get_by_label("Bolig", exact=True).select_option("gronn")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kartleggingen er endret.").is_visible()
    assert MappingEntry.objects.filter(round=mapping_round, bolig="gronn").count() == 1
    # Delete the other one, after the confirmation page.
    page.get_by_role("link", name="Slett kartlegging").last.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Slett kartlegging"
    assert_accessible(page)
    page.get_by_role("button", name="Slett kartleggingen").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kartleggingen er slettet.").is_visible()
    assert_accessible(page)
    assert MappingEntry.objects.filter(round=mapping_round).count() == 1
    assert EntryChange.objects.filter(round=mapping_round).count() == 2
