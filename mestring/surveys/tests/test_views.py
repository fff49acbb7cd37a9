"""Pages and API: authoring in the UI, national survey creation, analysis pages, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.surveys import services
from mestring.surveys.models import NationalSurvey, Questionnaire
from mestring.surveys.tests import fixtures

pytestmark = pytest.mark.django_db


def test_author_a_questionnaire_in_the_ui(world: Any) -> None:
    client = client_for("admin.evje")
    response = client.post(
        reverse("surveys:questionnaire_create"), {"title": "Vårt skjema", "description": ""}
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(title="Vårt skjema")
    assert questionnaire.owner == world.org("evje-og-hornnes") and questionnaire.kind == "satisfaction"
    slug = questionnaire.slug
    assert client.post(reverse("surveys:section_add", args=[slug]), {"title": "Om oss"}).status_code == 302
    section = questionnaire.versions.get().sections.get()
    response = client.post(
        reverse("surveys:question_add", args=[slug]),
        {
            "section": section.pk,
            "name": "trygg",
            "text": "Føler du deg trygg her?",
            "type": "scale",
            "required": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("surveys:question_add", args=[slug]),
        {
            "section": section.pk,
            "name": "hvorfor",
            "text": "Hvorfor ikke?",
            "type": "text",
            "condition_question": "trygg",
            "condition_values": "1",
        },
    )
    assert response.status_code == 302
    # Bad input: a clear Norwegian message on the form, nothing written.
    response = client.post(
        reverse("surveys:question_add", args=[slug]),
        {"section": section.pk, "name": "trygg", "text": "Igjen", "type": "single", "options": "1|Ja"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "allerede brukt" in page and "minst to svaralternativer" in page
    version = questionnaire.versions.get()
    assert version.questions.count() == 2
    assert [o.label for o in version.questions.get(name="trygg").options.all()][-1] == "Ikke relevant"
    # Publish, then the version is locked and a new one can be made.
    client.post(reverse("surveys:version_publish", args=[slug]), {"versjon": 1})
    version.refresh_from_db()
    assert version.is_locked
    detail = client.get(reverse("surveys:questionnaire_detail", args=[slug])).content.decode()
    assert "Ny versjon fra denne" in detail and "Nytt spørsmål" not in detail
    assert client.post(reverse("surveys:version_new", args=[slug]), {"versjon": 1}).status_code == 302
    assert questionnaire.versions.count() == 2
    # The published version refuses edits through the page too.
    response = client.post(reverse("surveys:section_add", args=[slug]) + "?versjon=1", {"title": "Ny"})
    assert response.status_code == 200 and "kan ikke endres" in response.content.decode()


def test_publish_empty_draft_shows_problem(world: Any) -> None:
    client = client_for("admin.evje")
    client.post(reverse("surveys:questionnaire_create"), {"title": "Tomt"})
    questionnaire = Questionnaire.objects.get(title="Tomt")
    response = client.post(reverse("surveys:version_publish", args=[questionnaire.slug]), follow=True)
    assert "Skjemaet har ingen spørsmål." in response.content.decode()
    assert not questionnaire.versions.get().is_locked


def test_shipped_questionnaire_is_read_only(world: Any) -> None:
    client = client_for("admin.evje")
    fixtures.unit_survey(world)
    response = client.get(reverse("surveys:section_add", args=["brukertilfredshet-standard"]))
    assert response.status_code == 403


def test_create_national_survey_in_the_ui(world: Any) -> None:
    client = client_for("forsker.nasjonal")
    page = client.get(reverse("surveys:national_create")).content.decode()
    assert "Kommunenes rusarbeid" in page
    from mestring.surveys.defaults import ensure_default_questionnaires

    _s, national = ensure_default_questionnaires()
    response = client.post(
        reverse("surveys:national_create"),
        {
            "title": "Kartlegging 2026",
            "slug": "kartlegging-2026",
            "version": national.latest_published().pk,  # type: ignore[union-attr]
            "frame_year": 2026,
            "reminder_interval_days": 7,
            "max_reminders": 2,
        },
    )
    assert response.status_code == 302
    survey = NationalSurvey.objects.get(slug="kartlegging-2026")
    assert survey.invitations.count() == 38 and survey.status == "draft"
    response = client.post(
        reverse("surveys:national_create"),
        {
            "title": "Igjen",
            "slug": "kartlegging-2026",
            "version": national.latest_published().pk,  # type: ignore[union-attr]
            "frame_year": 2026,
            "reminder_interval_days": 7,
            "max_reminders": 2,
        },
    )
    assert response.status_code == 200 and "er i bruk" in response.content.decode()


def test_analysis_pages_render(world: Any) -> None:
    from mestring.surveys.demo import load_national

    survey = load_national(world)
    client = client_for("forsker.nasjonal")
    page = client.get(reverse("surveys:national_analysis", args=[survey.slug])).content.decode()
    assert "Representativitet etter befolkningsklasse" in page and "Tegnet «:» betyr" in page
    page = client.get(
        reverse("surveys:national_crosstab", args=[survey.slug])
        + "?sporsmal=organisering_fungerer&mot=organisering"
    ).content.decode()
    assert "Kjikvadrattest" in page or "skjult" in page
    response = client.get(reverse("surveys:national_crosstab", args=[survey.slug]) + "?sporsmal=finnes_ikke")
    assert (
        response.status_code == 400
        and "Velg spørsmål med faste svaralternativer" in response.content.decode()
    )
    page = client.get(
        reverse("surveys:national_open_answers", args=[survey.slug]) + "?sporsmal=utfordringer"
    ).content.decode()
    assert "Kodebok" in page and "Bolig" in page
    assert (
        client.get(
            reverse("surveys:national_open_answers", args=[survey.slug]) + "?sporsmal=tull"
        ).status_code
        == 404
    )


def test_code_open_answers_in_the_ui(world: Any, hand_survey: NationalSurvey) -> None:
    services.response_save(
        invitation=hand_survey.invitations.get(kommunenummer="9001"),
        data={"q1": "1", "utfordringer": "Bolig"},
        final=True,
    )
    client = client_for("forsker.nasjonal")
    url = reverse("surveys:national_open_answers", args=[hand_survey.slug]) + "?sporsmal=utfordringer"
    assert (
        client.post(url, {"action": "theme", "sporsmal": "utfordringer", "name": "Bolig"}).status_code == 302
    )
    theme = hand_survey.themes.get()
    response_id = hand_survey.invitations.get(kommunenummer="9001").response.pk
    assert (
        client.post(
            url, {"action": "code", "sporsmal": "utfordringer", f"tema-{response_id}": theme.pk}
        ).status_code
        == 302
    )
    assert theme.codes.count() == 1
    response = client.post(url, {"action": "theme", "sporsmal": "utfordringer", "name": "bolig"})
    assert response.status_code == 200 and "finnes allerede" in response.content.decode()


def test_api_tables_and_bad_group_set(world: Any) -> None:
    survey = fixtures.national_survey(world)
    client = client_for("forsker.nasjonal")
    data = client.get(reverse("survey-national-tables", args=[survey.slug]) + "?by=fylke").json()
    assert data["representativeness"][0]["header"][0] == "Fylke"
    response = client.get(reverse("survey-national-tables", args=[survey.slug]) + "?by=tull")
    assert response.status_code == 400 and "by" in response.json()
    status = client.get(reverse("survey-national-status", args=[survey.slug])).json()
    assert status["total"] == 38 and len(status["municipalities"]) == 38


def test_other_national_organisation_sees_404(world: Any) -> None:
    from django.test import Client

    from mestring.accounts.models import Membership
    from mestring.accounts.roles import Role
    from mestring.core.testing.personas import login
    from mestring.organisations.models import Organisation

    survey = fixtures.national_survey(world)
    other = Organisation.objects.create(kind="national", name="Et annet forskningsmiljø", slug="annet-miljo")
    Membership.objects.create(user=world.user("drift"), organisation=other, role=Role.NATIONAL_ANALYST)
    client = Client()
    login(client, "drift", org_slug="annet-miljo")
    assert client.get(reverse("surveys:national_detail", args=[survey.slug])).status_code == 404
    assert client.get(reverse("survey-national-status", args=[survey.slug])).status_code == 404


def test_demo_is_idempotent_and_deterministic(world: Any) -> None:
    from mestring.surveys import demo
    from mestring.surveys.models import Response, SatisfactionAnswer

    demo.load(world)
    first = (
        sorted(
            (r.invitation.kommunenummer, r.submitted_at is None)
            for r in Response.objects.select_related("invitation")
        ),
        SatisfactionAnswer.objects.count(),
    )
    demo.load(world)
    assert (
        sorted(
            (r.invitation.kommunenummer, r.submitted_at is None)
            for r in Response.objects.select_related("invitation")
        ),
        SatisfactionAnswer.objects.count(),
    ) == first
    survey = NationalSurvey.objects.get(slug=demo.NATIONAL_DEMO_SLUG)
    assert survey.invitations.get(kommunenummer="4221").covered_by is not None  # Evje answered for Valle
    assert SatisfactionAnswer.objects.filter(round__survey__code="suldal-fact").count() >= 10


def test_unit_reads_but_does_not_edit_its_municipalitys_questionnaire(world: Any) -> None:
    from django.test import Client

    from mestring.accounts.models import Membership
    from mestring.accounts.roles import Role
    from mestring.core.testing.personas import login

    questionnaire = fixtures.owned_questionnaire(world)  # owned by Evje og Hornnes
    Membership.objects.create(
        user=world.user("leder.valle"),
        organisation=world.org("evje-rus-psykisk-helse"),
        role=Role.UNIT_LEADER,
    )
    client = Client()
    login(client, "leder.valle", org_slug="evje-rus-psykisk-helse")
    assert client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.slug])).status_code == 200
    assert client.get(reverse("surveys:section_add", args=[questionnaire.slug])).status_code == 403


def test_copy_the_shipped_questionnaire_to_adapt_it(world: Any) -> None:
    from mestring.surveys.defaults import SATISFACTION_SLUG, ensure_default_questionnaires

    ensure_default_questionnaires()
    client = client_for("admin.evje")
    response = client.post(reverse("surveys:questionnaire_copy", args=[SATISFACTION_SLUG]))
    assert response.status_code == 302
    copy = Questionnaire.objects.get(
        owner=world.org("evje-og-hornnes"), title="Hva synes du om tjenesten? (kopi)"
    )
    draft = copy.versions.get()
    assert not draft.is_locked and draft.questions.count() == 15
    assert client.get(reverse("surveys:section_add", args=[copy.slug])).status_code == 200
    # A unit manager cannot copy a national questionnaire.
    from mestring.surveys.defaults import NATIONAL_SLUG

    assert client.post(reverse("surveys:questionnaire_copy", args=[NATIONAL_SLUG])).status_code == 403
