"""Browser: a respondent answers the national survey (with conditions, save and resume) and the anonymous unit
survey in kiosk mode; axe-core checks every page; the analyst sees live status and the analysis, and edits and
moves a question in a draft questionnaire."""

from __future__ import annotations

from typing import Any

import pytest

from mestring.core.testing.browser import assert_accessible, browser_login
from mestring.surveys import authoring, engine
from mestring.surveys.models import Invitation, Questionnaire, Response, SatisfactionAnswer
from mestring.surveys.tests import fixtures
from mestring.surveys.tests.conftest import small_spec

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answer_national_survey(page: Any, world: Any) -> None:
    invitation = fixtures.invitation(world, "1134")
    page.goto(f"/undersokelser/svar/{invitation.token}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Matrise"
    assert_accessible(page)
    # The follow-up question appears only for "Annet".
    follow_up = page.get_by_label("Hvilken annen stilling?")
    assert not follow_up.is_visible()
    page.locator("fieldset[data-question='stilling']").get_by_label("Annet").check()
    assert follow_up.is_visible()
    follow_up.fill("Folkehelsekoordinator")
    page.get_by_role("button", name="Lagre og fortsett senere").click()
    page.wait_for_load_state()
    assert page.get_by_text("Svarene er lagret").is_visible()
    # Resume later with the same link.
    page.goto(f"/undersokelser/svar/{invitation.token}/")
    assert page.get_by_label("Hvilken annen stilling?").input_value() == "Folkehelsekoordinator"
    # Submitting without the required questions shows what to fix.
    page.get_by_role("button", name="Send inn svaret").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    assert_accessible(page)
    page.locator("fieldset[data-question='organisering']").get_by_label(
        "Felles enhet for rus og psykisk helse"
    ).check()
    page.locator("fieldset[data-question='organisering_fungerer']").get_by_label("Ganske godt").check()
    page.locator("fieldset[data-question='handlingsplan']").get_by_label("Ja").check()
    page.get_by_label("tilgjengelig: I ganske stor grad").check()
    page.get_by_label("NAV: Behov for samarbeid").select_option(label="Svært stort")
    page.get_by_role("button", name="Send inn svaret").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Takk for svaret!"
    assert_accessible(page)
    invitation = Invitation.objects.get(pk=invitation.pk)
    assert invitation.completed_at is not None
    data = Response.objects.get(invitation=invitation).data
    assert data["stilling"] == "4" and data["stilling_annet"] == "Folkehelsekoordinator"
    assert data["samarbeid"] == {"nav": {"need": "4"}} and data["tilbud"] == {"tilgjengelig": "3"}


def test_unit_survey_in_kiosk_mode(page: Any, world: Any) -> None:
    survey = fixtures.unit_survey(world)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"/undersokelser/u/{survey.code}/kiosk/")
    assert_accessible(page)
    page.locator("fieldset[data-question='tilgjengelig']").get_by_label("I stor grad").check()
    page.get_by_label("Er det noe vi kan gjøre bedre?").fill("Lengre åpningstid")
    page.get_by_role("button", name="Send inn").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Takk for svaret!"
    assert_accessible(page)
    page.get_by_role("link", name="Nytt svar").click()
    page.wait_for_load_state()
    assert not page.locator("fieldset[data-question='tilgjengelig'] input:checked").count()
    answer = SatisfactionAnswer.objects.get(round__survey=survey)
    assert answer.data == {"tilgjengelig": "3", "forbedring": "Lengre åpningstid"}


def test_kiosk_form_left_half_filled_is_emptied(page: Any, world: Any) -> None:
    survey = fixtures.unit_survey(world)
    page.goto(f"/undersokelser/u/{survey.code}/kiosk/")
    # Shorten the idle time (180 s, the last 30 counted down) through the data attributes kiosk.js reads.
    page.evaluate(
        "() => { const box = document.querySelector('[data-kiosk-idle]');"
        " box.dataset.idleSeconds = '4'; box.dataset.warningSeconds = '2'; }"
    )
    page.locator("fieldset[data-question='tilgjengelig']").get_by_label("I stor grad").check()
    page.get_by_label("Er det noe vi kan gjøre bedre?").fill("Halvveis")
    warning = page.locator("[data-idle-warning]")
    warning.wait_for(state="visible", timeout=5000)
    assert "Trykk hvor som helst for å fortsette." in warning.inner_text()
    live = page.locator("[data-idle-live]")
    assert live.get_attribute("aria-live") == "polite" and "Skjemaet tømmes om" in live.inner_text()
    assert_accessible(page)
    # A touch anywhere continues with the answers kept ...
    page.get_by_role("heading", level=1).click()
    assert warning.is_hidden()
    assert page.get_by_label("Er det noe vi kan gjøre bedre?").input_value() == "Halvveis"
    # ... and left alone, the form is emptied and the blank start page shown, with nothing submitted.
    page.wait_for_function(
        "() => document.querySelector('[data-kiosk-idle]').dataset.idleSeconds !== '4'", timeout=8000
    )
    assert page.url.endswith(f"/undersokelser/u/{survey.code}/kiosk/")
    assert not page.locator("fieldset[data-question='tilgjengelig'] input:checked").count()
    assert page.get_by_label("Er det noe vi kan gjøre bedre?").input_value() == ""
    assert not SatisfactionAnswer.objects.filter(round__survey=survey).exists()


def test_analyst_pages(page: Any, world: Any) -> None:
    from mestring.surveys.demo import load_national

    survey = load_national(world)
    browser_login(page, "forsker.nasjonal")
    page.goto(f"/undersokelser/nasjonale/{survey.slug}/")
    assert page.get_by_role("heading", name="Svarprosent").is_visible()
    assert_accessible(page)
    page.goto(f"/undersokelser/nasjonale/{survey.slug}/analyse/")
    assert page.get_by_role("heading", name="Representativitet").is_visible()
    assert_accessible(page)
    # The analyst edits and moves a question in a draft questionnaire.
    draft = authoring.questionnaire_from_spec(
        spec=small_spec(),
        owner=world.org("nasjonalt-kompetansemiljo"),
        kind=Questionnaire.Kind.NATIONAL,
        slug="nasjonalt-utkast",
        publish=False,
    ).versions.get()
    page.goto("/undersokelser/skjema/nasjonalt-utkast/")
    assert_accessible(page)
    page.get_by_role("link", name="Endre spørsmålet q2").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Endre spørsmålet q2"
    assert_accessible(page)
    page.get_by_label("Spørsmål", exact=True).fill("Hvor godt fungerer samarbeidet?")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    assert page.get_by_text("Spørsmålet er endret.").is_visible()
    page.get_by_role("button", name="Flytt opp spørsmålet q2").click()
    page.wait_for_load_state()
    assert page.get_by_text("Spørsmålet q2 er flyttet.").is_visible()
    rows = page.locator("#del-{} tbody tr".format(draft.sections.get(title="Første del").pk))
    assert rows.nth(1).inner_text().startswith("2\tq2")
    assert_accessible(page)
    page.get_by_role("link", name="Slett spørsmålet q1", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Spørsmålet kan ikke slettes").is_visible()
    assert_accessible(page)
    names = list(engine.load_form(draft).questions)
    assert names[:3] == ["q1", "q2", "q1_hvorfor"]
    assert engine.load_form(draft).questions["q2"].text == "Hvor godt fungerer samarbeidet?"
