"""Browser walk of the person record: register (bad id first), see, reveal the id (htmx), consent and sharing,
relatives and the children routine, innsyn. axe-core on every page."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mestring.audit.models import AccessLog
from mestring.core.testing.browser import assert_accessible, browser_login
from mestring.people.fnr import synthetic_fodselsnummer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_person_record_walk(page) -> None:  # type: ignore[no-untyped-def]
    number = synthetic_fodselsnummer(date(1988, 8, 8), 123, female=True)
    browser_login(page, "koordinator.evje")
    page.get_by_role("link", name="Personer", exact=True).first.click()
    page.wait_for_load_state()
    assert_accessible(page)

    page.get_by_role("link", name="Registrer person").click()
    page.get_by_label("Fornavn").fill("Nettleser")
    page.get_by_label("Etternavn").fill("Testesen")
    page.get_by_label("Fødselsnummer eller D-nummer").fill(number[:-1] + str((int(number[-1]) + 1) % 10))
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    assert page.get_by_text("Kontrollsifrene stemmer ikke").is_visible()
    assert_accessible(page)
    page.get_by_label("Fødselsnummer eller D-nummer").fill(f"{number[:6]} {number[6:]}")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    person_id = int(re.search(r"/personer/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    assert page.get_by_role("heading", level=1).inner_text().startswith("Nettleser Testesen")
    assert page.get_by_text("Personen er ikke spurt om barn under 18 år").is_visible()
    assert_accessible(page)

    # Reveal the national id through htmx: one more log row.
    before = AccessLog.objects.filter(person_id=person_id).count()
    page.get_by_role("button", name="Vis (logges)").click()
    page.get_by_text(number).wait_for()
    assert AccessLog.objects.filter(person_id=person_id).count() == before + 1

    # Children routine answered in place (htmx).
    page.get_by_role("link", name="Svar nå").click()
    page.get_by_label("Er personen spurt om barn under 18 år?").select_option(
        label="Spurt: har ikke barn under 18 år"
    )
    page.get_by_role("button", name="Lagre svar").click()
    page.get_by_text("Svaret er lagret.").wait_for()

    # Sharing without consent is refused; with consent it is recorded.
    page.get_by_role("navigation", name="Personmeny").get_by_role("link", name="Samtykke og deling").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.locator("#id_s-recipient").select_option(label="NAV")
    page.locator("#id_s-what").fill("Bekreftelse på oppmøte")
    page.get_by_role("button", name="Registrer deling").click()
    page.get_by_text("Kan ikke dele med NAV").wait_for()
    page.locator("#id_c-recipient").select_option(label="NAV")
    page.get_by_role("button", name="Lagre samtykke").click()
    page.wait_for_load_state()
    assert page.get_by_text("Samtykket er registrert.").is_visible()
    page.locator("#id_s-recipient").select_option(label="NAV")
    page.locator("#id_s-what").fill("Bekreftelse på oppmøte")
    page.get_by_role("button", name="Registrer deling").click()
    page.get_by_text("Delingen er registrert.").wait_for()

    # Relatives, history and innsyn.
    page.get_by_role("navigation", name="Personmeny").get_by_role("link", name="Pårørende").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("navigation", name="Personmeny").get_by_role("link", name="Endringshistorikk").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("navigation", name="Personmeny").get_by_role("link", name="Innsyn og logg").click()
    page.wait_for_load_state()
    assert page.get_by_text("fødselsnummer vist").first.is_visible()
    assert_accessible(page)
