"""Anonymous unit satisfaction surveys: nothing identifying is stored; results only from 10 answers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.surveys import analysis, services
from mestring.surveys.defaults import ensure_default_questionnaires
from mestring.surveys.models import SatisfactionAnswer, SatisfactionRound, SatisfactionSurvey
from mestring.surveys.tests import fixtures

pytestmark = pytest.mark.django_db


def _published(questionnaire: Any) -> Any:
    version = questionnaire.latest_published()
    assert version is not None
    return version


ANSWER = {"q-tilgjengelig": "3", "q-respekt": "2", "q-nytte": "3", "q-forbedring": "Mer tid"}


def test_default_questionnaire_uses_the_four_step_scale(world: Any) -> None:
    satisfaction, _national = ensure_default_questionnaires()
    version = satisfaction.latest_published()
    assert version is not None and version.is_locked
    question = version.questions.get(name="tilgjengelig")
    assert [o.label for o in question.options.all()] == [
        "I stor grad",
        "I noen grad",
        "I liten grad",
        "Ikke relevant",
    ]
    assert question.options.get(label="Ikke relevant").not_applicable


def test_no_identifier_is_stored_with_an_answer(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Kiosk-nettbrett/1.0")
    client.get(reverse("surveys:unit_form", args=[survey.code]))  # gets a CSRF cookie like a browser would
    session = client.session
    session["probe"] = "x"
    session.save()
    response = client.post(reverse("surveys:unit_form", args=[survey.code]), ANSWER)
    assert response.status_code == 302
    answer = SatisfactionAnswer.objects.get(round__survey=survey)
    # The model has no place for an identifier ...
    fields = {f.name for f in SatisfactionAnswer._meta.get_fields()}
    assert fields == {"id", "round", "version", "data", "submitted_on"}
    assert isinstance(answer.pk, uuid.UUID) and answer.pk.version == 4
    # ... and the stored values hold none of the request's identifiers.
    stored = repr({f.attname: getattr(answer, f.attname) for f in SatisfactionAnswer._meta.concrete_fields})
    for secret in (
        "203.0.113.77",
        "Kiosk-nettbrett",
        str(session.session_key),
        client.cookies["csrftoken"].value,
    ):
        assert secret not in stored
    assert answer.data == {"tilgjengelig": "3", "respekt": "2", "nytte": "3", "forbedring": "Mer tid"}
    # No session was created or changed by answering anonymously.
    assert "_auth_user_id" not in client.session


def test_kiosk_resets_after_each_answer(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    client = Client()
    response = client.post(reverse("surveys:unit_kiosk", args=[survey.code]), ANSWER)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:unit_thanks", args=[survey.code]) + "?kiosk=1"
    thanks = client.get(response["Location"]).content.decode()
    kiosk_url = reverse("surveys:unit_kiosk", args=[survey.code])
    assert f'data-kiosk-url="{kiosk_url}"' in thanks and "kiosk.js" in thanks
    fresh = client.get(kiosk_url).content.decode()
    assert "checked" not in fresh and "Mer tid" not in fresh


def test_empty_or_bad_answer_gets_a_message_and_stores_nothing(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    client = Client()
    response = client.post(reverse("surveys:unit_form", args=[survey.code]), {})
    assert response.status_code == 400
    assert "Svar på minst ett spørsmål" in response.content.decode()
    response = client.post(reverse("surveys:unit_form", args=[survey.code]), {"q-tilgjengelig": "7"})
    assert response.status_code == 400
    assert "Velg et av alternativene." in response.content.decode()
    assert not SatisfactionAnswer.objects.filter(round__survey=survey).exists()


def test_closed_survey_and_unknown_code(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    SatisfactionRound.objects.filter(survey=survey).update(closed_on=date(2026, 2, 1))
    assert Client().get(reverse("surveys:unit_form", args=[survey.code])).status_code == 410
    response = Client().get(reverse("surveys:unit_form", args=["zzzzzzzz"]))
    assert response.status_code == 404 and "Vi finner ikke" in response.content.decode()


def _answers(survey: SatisfactionSurvey, n: int, value: str = "3") -> None:
    for _ in range(n):
        assert services.satisfaction_submit(survey=survey, data={"tilgjengelig": value}) == {}


def test_results_hidden_below_minimum(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    _answers(survey, 9)
    result = analysis.satisfaction_results(survey)
    assert result.n == 9 and not result.enough and result.tables == []
    page = (
        client_for("admin.evje")
        .get(reverse("surveys:unit_survey_results", args=[survey.pk]))
        .content.decode()
    )
    assert "Resultatene vises når minst 10 har svart" in page
    api = client_for("admin.evje").get(reverse("survey-unit-results", args=[survey.pk])).json()
    assert api["shown"] is False and api["answers"] is None and api["tables"] == []


def test_results_shown_from_minimum_beside_municipality_and_earlier_round(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    _answers(survey, 6, "3")
    _answers(survey, 6, "2")
    other = fixtures.unit_survey(world, code="annenenhet", unit="evje-rus-psykisk-helse")
    _answers(other, 10, "1")
    result = analysis.satisfaction_results(survey)
    assert result.enough and result.n == 12
    table = next(t for t in result.tables if t.title.startswith("Får du kontakt"))
    assert table.header[1].startswith("Enheten, 2026") and table.header[2].startswith("Kommunen, 2026")
    rows = {row[0]: row for row in table.rows}
    assert rows["I stor grad"][1] == "50,0" and rows["I noen grad"][1] == "50,0"
    assert rows["I stor grad"][2] == "27,3" and rows["I liten grad"][2] == "45,5"
    assert rows["n"][1:] == ["12", "22"]
    # Earlier rounds appear as their own column.
    services.satisfaction_round_start(survey=survey, name="Høst 2026")
    _answers(survey, 10, "1")
    later = analysis.satisfaction_results(survey)
    assert any("Enheten, 2026" in h for h in later.tables[0].header)


def test_min_answers_may_be_raised_but_not_set_below_the_minimum_group_size(world: Any) -> None:
    satisfaction, _n = ensure_default_questionnaires()
    version = _published(satisfaction)
    with pytest.raises(ValidationError) as refused:
        services.satisfaction_survey_create(unit=world.org("bykle-helse-rus"), version=version, min_answers=3)
    assert refused.value.message_dict["min_answers"] == ["Minste antall svar kan ikke være lavere enn 10."]
    assert not SatisfactionSurvey.objects.filter(unit=world.org("bykle-helse-rus")).exists()
    survey = services.satisfaction_survey_create(
        unit=world.org("bykle-helse-rus"), version=version, min_answers=12
    )
    _answers(survey, 10)
    assert not analysis.satisfaction_results(survey).enough
    _answers(survey, 2)
    assert analysis.satisfaction_results(survey).enough


def test_min_answers_follows_the_configured_minimum_group_size(world: Any, settings: Any) -> None:
    settings.MESTRING_SUPPRESSION = {**settings.MESTRING_SUPPRESSION, "min_group_size": 15}
    satisfaction, _n = ensure_default_questionnaires()
    version = _published(satisfaction)
    with pytest.raises(ValidationError):
        services.satisfaction_survey_create(
            unit=world.org("bykle-helse-rus"), version=version, min_answers=10
        )
    survey = services.satisfaction_survey_create(unit=world.org("bykle-helse-rus"), version=version)
    assert survey.min_answers == 15


def test_an_older_survey_with_a_lower_minimum_shows_nothing_below_the_minimum_group_size(world: Any) -> None:
    # Saved before the check (QA: 2 was accepted): treated as max(value, setting) when results are made.
    survey = fixtures.unit_survey(world)
    SatisfactionSurvey.objects.filter(pk=survey.pk).update(min_answers=2)
    survey.refresh_from_db()
    _answers(survey, 9)
    result = analysis.satisfaction_results(survey)
    assert not result.enough and result.minimum == 10 and result.tables == []
    _answers(survey, 1)
    assert analysis.satisfaction_results(survey).enough


def test_migration_raises_lower_minimums(world: Any) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("mestring.surveys.migrations.0004_no_address_bookkeeping_min_answers")
    survey = fixtures.unit_survey(world)
    other = fixtures.unit_survey(world, code="hoyere")
    SatisfactionSurvey.objects.filter(pk=survey.pk).update(min_answers=2)
    SatisfactionSurvey.objects.filter(pk=other.pk).update(min_answers=25)
    migration.raise_min_answers(apps, None)
    assert SatisfactionSurvey.objects.get(pk=survey.pk).min_answers == 10
    assert SatisfactionSurvey.objects.get(pk=other.pk).min_answers == 25


def test_create_page_refuses_a_minimum_below_ten(world: Any) -> None:
    satisfaction, _n = ensure_default_questionnaires()
    client = client_for("planlegger.osterdalen")
    form_page = client.get(reverse("surveys:unit_survey_create")).content.decode()
    assert 'min="10"' in form_page and 'value="10"' in form_page
    unit = world.org("tynset-rus-psykisk-helse")
    response = client.post(
        reverse("surveys:unit_survey_create"),
        {"unit": unit.pk, "version": _published(satisfaction).pk, "title": "For få", "min_answers": 2},
    )
    assert response.status_code == 200
    assert "Minste antall svar kan ikke være lavere enn 10." in response.content.decode()
    assert not SatisfactionSurvey.objects.filter(title="For få").exists()


def test_unit_survey_detail_has_qr_and_short_link(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    page = (
        client_for("admin.evje").get(reverse("surveys:unit_survey_detail", args=[survey.pk])).content.decode()
    )
    assert "<svg" in page and f"/undersokelser/u/{survey.code}/" in page
    assert reverse("surveys:unit_kiosk", args=[survey.code]) in page


def test_create_unit_survey_through_the_page(world: Any) -> None:
    satisfaction, _n = ensure_default_questionnaires()
    client = client_for("admin.evje")
    unit = world.org("evje-rus-psykisk-helse")
    response = client.post(
        reverse("surveys:unit_survey_create"),
        {
            "unit": unit.pk,
            "version": _published(satisfaction).pk,
            "title": "Vår 2026",
            "min_answers": 10,
        },
    )
    assert response.status_code == 302
    survey = SatisfactionSurvey.objects.get(title="Vår 2026")
    assert survey.unit == unit and survey.current_round() is not None
    # A unit of another municipality cannot be chosen.
    response = client.post(
        reverse("surveys:unit_survey_create"),
        {
            "unit": world.org("tynset-rus-psykisk-helse").pk,
            "version": _published(satisfaction).pk,
            "min_answers": 10,
        },
    )
    assert response.status_code == 200
    assert "Velg et gyldig valg" in response.content.decode()


def test_new_round_needs_a_unique_name(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    client = client_for("admin.evje")
    client.post(reverse("surveys:unit_survey_round", args=[survey.pk]), {"name": "2026"})
    assert survey.rounds.count() == 1
    client.post(reverse("surveys:unit_survey_round", args=[survey.pk]), {"name": "Høst 2026"})
    current = survey.current_round()
    assert survey.rounds.count() == 2 and current is not None and current.name == "Høst 2026"
