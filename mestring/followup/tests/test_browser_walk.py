"""Browser walk: register a person → own goals → mapping → plan → care-team meeting → feedback → the FACT
board shows the flag. axe-core on every page on the way."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mestring.core.testing.browser import assert_accessible, browser_login
from mestring.followup.instruments import ensure_builtin_instruments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_followup_walk(page) -> None:  # type: ignore[no-untyped-def]
    ensure_builtin_instruments()
    browser_login(page, "koordinator.evje")

    # Register a person (people app).
    page.goto("/personer/ny/")
    page.get_by_label("Fornavn").fill("Vandre")
    page.get_by_label("Etternavn").fill("Testesen")
    page.get_by_label("Fødselsår").fill("1985")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"/personer/\d+/$"))
    person_id = re.search(r"/personer/(\d+)/", page.url).group(1)  # type: ignore[union-attr]

    # The follow-up page (from the person record's menu): start an episode with a coordinator.
    page.get_by_role("navigation", name="Personmeny").get_by_role("link", name="Oppfølging").click()
    page.wait_for_url(f"**/oppfolging/person/{person_id}/")
    assert_accessible(page)
    expect(page.get_by_role("link", name="Kriseplan")).to_be_visible()
    page.get_by_role("link", name="Start forløp").click()
    page.get_by_label("Fase i forløpet").select_option(label="Tidlig innsats")
    page.get_by_label("Rus og psykisk helse Evje og Hornnes").check()
    page.get_by_label("Koordinator").select_option(label="Kari Fjellstad")
    assert_accessible(page)
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Forløpet er startet.")).to_be_visible()

    # Own goals first.
    page.get_by_role("navigation", name="Oppfølging").get_by_role(
        "link", name="Hva er viktig for deg?"
    ).click()
    page.get_by_label("Hva er viktig for deg?").fill("Å få en egen leilighet")
    page.get_by_role("button", name="Lagre målet").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Å få en egen leilighet")).to_be_visible()
    assert_accessible(page)

    # Living-condition mapping.
    page.get_by_role("navigation", name="Oppfølging").get_by_role("link", name="Kartlegging").click()
    page.get_by_role("link", name="Ny kartlegging").click()
    for area in (
        "Bolig",
        "Meningsfull aktivitet",
        "Økonomi",
        "Fysisk helse",
        "Psykisk helse",
        "Rusmiddelbruk",
        "Sosial fungering",
        "Sosialt nettverk",
    ):
        label = "Rød – alvorlige problemer" if area == "Bolig" else "Gul – noen problemer"
        page.get_by_role("group", name=area, exact=True).get_by_label(label).check()
    page.get_by_label("Merknad om bolig").fill("Bor på sofaen hos en venn")
    assert_accessible(page)
    page.get_by_role("button", name="Lagre kartleggingen").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Bor på sofaen hos en venn")).to_be_visible()
    assert_accessible(page)

    # Individual plan, then a revision with a visible diff.
    page.get_by_role("navigation", name="Oppfølging").get_by_role("link", name="Individuell plan").click()
    page.get_by_role("link", name="Lag plan").click()
    page.get_by_label("Personens ressurser").fill("Flink med dyr")
    page.get_by_label("Neste evaluering").fill("2027-03-01")
    assert_accessible(page)
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Planen er lagret som versjon 1.")).to_be_visible()
    page.get_by_role("link", name="Revider planen").click()
    page.get_by_label("Personens behov").fill("Hjelp med å søke bolig")
    page.get_by_label("Hva er endret (kort)").fill("Behov lagt til")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Planen er lagret som versjon 2.")).to_be_visible()
    expect(page.get_by_role("heading", name="Hva er endret fra versjon 1 til 2")).to_be_visible()
    assert_accessible(page)

    # Care team and a meeting with minutes and a decision that creates a measure.
    page.get_by_role("navigation", name="Oppfølging").get_by_role(
        "link", name="Ansvarsgruppe og møter"
    ).click()
    page.get_by_label("Navn (eksterne)").fill("Nina NAV")
    page.get_by_label("Instans").select_option(label="NAV")
    page.get_by_label("Personen har samtykket til at denne deltakeren får informasjon").check()
    assert_accessible(page)
    page.get_by_role("button", name="Legg til").click()
    expect(page.get_by_text("Deltakeren er lagt til i ansvarsgruppen.")).to_be_visible()
    page.get_by_role("link", name="Nytt møte").click()
    # held below, so it took place: yesterday (a held meeting cannot lie in the future)
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Tidspunkt").fill(f"{yesterday.isoformat()}T10:00")
    page.get_by_label("Saksliste").fill("1. Bolig\n2. Aktivitet")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Møtet er satt opp.")).to_be_visible()
    page.get_by_label("Status", exact=True).select_option(label="Avholdt")
    page.get_by_label("Nina NAV").check()
    page.get_by_label("Referat").fill("Vi ble enige om å søke kommunal bolig.")
    page.get_by_role("button", name="Lagre møtet").click()
    expect(page.get_by_text("Møtet er lagret.")).to_be_visible()
    page.get_by_text("Ny beslutning").click()
    page.get_by_label("Beslutning", exact=True).fill("Søke kommunal bolig")
    page.get_by_label("Påvirker tiltak").select_option(label="Opprett nytt tiltak")
    page.get_by_label("Navn på nytt tiltak").fill("Boligsøknad")
    page.get_by_label("Ansvarlig (nytt tiltak)").fill("Koordinator")
    page.get_by_role("button", name="Lagre beslutningen").click()
    page.wait_for_load_state()
    expect(page.get_by_text("nytt tiltak: Boligsøknad")).to_be_visible()
    assert_accessible(page)

    # Feedback after the session: a low score is flagged with concrete prompts.
    page.goto(f"/oppfolging/person/{person_id}/tilbakemelding/")
    page.get_by_role("link", name="Registrer svar: Hvordan var samtalen i dag?").click()
    expect(page.get_by_role("heading", name="Hvordan var samtalen i dag?", level=1)).to_be_visible()
    groups = page.get_by_role("group").all()
    assert len(groups) == 4
    for group in groups:
        group.get_by_label("5", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Lagre svarene").click()
    page.wait_for_load_state()
    expect(page.get_by_text("personen er ikke i rute", exact=False).first).to_be_visible()
    expect(page.get_by_text("Ta opp tilbakemeldingen i neste samtale")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert_accessible(page)

    # The person page and the FACT board show the flag.
    page.goto(f"/oppfolging/person/{person_id}/")
    expect(page.get_by_role("heading", name="Ikke i rute")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="FACT-tavle").first.click()
    page.wait_for_url("**/oppfolging/fact-tavle/")
    suggestion = page.get_by_role("listitem").filter(has_text="Vandre Testesen")
    expect(suggestion.get_by_text("Ikke i rute")).to_be_visible()
    assert_accessible(page)
    suggestion.get_by_role("link", name=re.compile("Sett på tavla")).click()
    page.get_by_label("Hvorfor trengs tett oppfølging nå?").fill("Lav skår på samtalen, uten bolig")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role("row").filter(has_text="Vandre Testesen").get_by_text("Ikke i rute")
    ).to_be_visible()
    assert_accessible(page)

    # Taking someone off the board asks first (hx-confirm); no keeps them, yes swaps the board in place.
    remove = (
        page.get_by_role("row").filter(has_text="Vandre Testesen").get_by_role("link", name="Ta av tavla")
    )
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    page.wait_for_timeout(300)
    expect(page.get_by_role("row").filter(has_text="Vandre Testesen")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.get_by_role("row").filter(has_text="Vandre Testesen")).to_have_count(0)
    assert "/fjern/" not in page.url  # no confirmation page with JavaScript: the htmx partial update

    # The caseload carries the same flag.
    page.get_by_role("link", name="Saksliste").first.click()
    page.wait_for_url("**/oppfolging/")
    expect(
        page.get_by_role("row").filter(has_text="Vandre Testesen").get_by_text("Ikke i rute")
    ).to_be_visible()
    assert_accessible(page)


def test_unit_leader_quality_figures(page, world) -> None:  # type: ignore[no-untyped-def]
    from mestring.people.tests.fixtures import make_person

    for i in range(12):
        make_person(world, unit_slug="valle-psykisk-helse-rus", team=(), first_name=f"Kvalitet{i}")
    browser_login(page, "leder.valle")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Kvalitetstall").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kvalitetstall for")
    assert page.get_by_role("img").first.is_visible()  # the chart, with the table beside it
    expect(page.get_by_role("table").first).to_contain_text("Har koordinator")
    assert_accessible(page)
