"""Pages for editing a questionnaire draft: edit, delete (with confirmation), move; refusals; tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.surveys import authoring, engine
from mestring.surveys.models import AuthoringChange, Question, Questionnaire, QuestionnaireVersion
from mestring.surveys.tests import fixtures
from mestring.surveys.tests.conftest import small_spec

pytestmark = pytest.mark.django_db

SLUG = "utkast-evje"


@pytest.fixture
def draft(world: Any) -> QuestionnaireVersion:
    questionnaire = authoring.questionnaire_from_spec(
        spec=small_spec(),
        owner=world.org("evje-og-hornnes"),
        kind=Questionnaire.Kind.SATISFACTION,
        slug=SLUG,
        publish=False,
    )
    return questionnaire.versions.get()


@pytest.fixture
def admin() -> Client:
    return client_for("admin.evje")


def q(version: QuestionnaireVersion, name: str) -> Question:
    return version.questions.get(name=name)


def url(name: str, pk: int, slug: str = SLUG) -> str:
    return reverse(f"surveys:{name}", args=[slug, pk])


def edit_data(question: Question, **changes: Any) -> dict[str, Any]:
    from mestring.surveys.forms import QuestionForm

    data = {k: v for k, v in QuestionForm.initial_for(question).items() if v is not None}
    if data.pop("required"):
        data["required"] = "on"
    data.update(changes)
    return data


def test_edit_page_is_filled_in_and_saves(draft: QuestionnaireVersion, admin: Client) -> None:
    question = q(draft, "q2")
    page = admin.get(url("question_edit", question.pk)).content.decode()
    assert "Endre spørsmålet q2" in page and "3|I stor grad" in page and "9|Ikke relevant|ir" in page
    response = admin.post(
        url("question_edit", question.pk),
        edit_data(question, text="Hvor godt fungerer det?", options="1|Dårlig\n2|Godt", required="on"),
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#sporsmal-{question.pk}")
    question.refresh_from_db()
    assert question.text == "Hvor godt fungerer det?" and question.required
    assert [o.value for o in question.options.all()] == ["1", "2"]
    change = AuthoringChange.objects.get(version=draft, action="changed")
    assert change.username == "admin.evje"
    detail = admin.get(reverse("surveys:questionnaire_detail", args=[SLUG])).content.decode()
    assert "Endringslogg" in detail and "spørsmålstekst" in detail


def test_edit_bad_input_shows_norwegian_messages(draft: QuestionnaireVersion, admin: Client) -> None:
    question = q(draft, "q1")
    response = admin.post(url("question_edit", question.pk), edit_data(question, name="Q 1", options="1|Ja"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Variabelnavnet må begynne med en liten bokstav" in page
    assert "minst to svaralternativer" in page
    response = admin.post(url("question_edit", question.pk), edit_data(question, options="1|Ja\n3|Kanskje"))
    assert response.status_code == 200
    assert "Vilkår i andre spørsmål bruker koder som da ikke finnes lenger" in response.content.decode()
    question.refresh_from_db()
    assert question.name == "q1" and [o.value for o in question.options.all()] == ["1", "2"]
    # The edit page says which questions build on this one.
    page = admin.get(url("question_edit", question.pk)).content.decode()
    assert "Vilkårene i disse spørsmålene bygger på dette" in page and "q1_hvorfor" in page


def test_delete_question_with_confirmation(draft: QuestionnaireVersion, admin: Client) -> None:
    parent, child = q(draft, "q1"), q(draft, "q1_hvorfor")
    page = admin.get(url("question_delete", parent.pk)).content.decode()
    assert "kan ikke slettes" in page and "q1_hvorfor" in page and "Slett spørsmålet" not in page
    response = admin.post(url("question_delete", parent.pk))
    assert response.status_code == 400 and "kan ikke slettes" in response.content.decode()
    assert Question.objects.filter(pk=parent.pk).exists()
    page = admin.get(url("question_delete", child.pk)).content.decode()
    assert "Slett spørsmålet" in page
    response = admin.post(url("question_delete", child.pk))
    assert response.status_code == 302
    assert not Question.objects.filter(pk=child.pk).exists()
    assert admin.post(url("question_delete", parent.pk)).status_code == 302
    assert list(engine.load_form(draft).questions)[:2] == ["q2", "antall"]


def test_delete_section_lists_its_questions(draft: QuestionnaireVersion, admin: Client) -> None:
    section = draft.sections.get(title="Andre del")
    page = admin.get(url("section_delete", section.pk)).content.decode()
    assert "De 4 spørsmålene i delen blir slettet sammen med den" in page and "utfordringer" in page
    assert admin.post(url("section_delete", section.pk)).status_code == 302
    assert list(draft.sections.values_list("title", flat=True)) == ["Første del"]
    assert draft.questions.count() == 4


def test_edit_section(draft: QuestionnaireVersion, admin: Client) -> None:
    section = draft.sections.get(title="Andre del")
    assert "Andre del" in admin.get(url("section_edit", section.pk)).content.decode()
    response = admin.post(url("section_edit", section.pk), {"title": "", "description": ""})
    assert response.status_code == 200 and "Dette feltet er påkrevd" in response.content.decode()
    response = admin.post(
        url("section_edit", section.pk), {"title": "Verktøy og samarbeid", "description": "Om"}
    )
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.title == "Verktøy og samarbeid" and section.description == "Om"


def test_move_buttons(draft: QuestionnaireVersion, admin: Client) -> None:
    question = q(draft, "q2")
    assert admin.get(url("question_move", question.pk)).status_code == 405
    response = admin.post(url("question_move", question.pk), {"retning": "opp"}, follow=True)
    assert "Spørsmålet q2 er flyttet." in response.content.decode()
    assert list(engine.load_form(draft).questions)[:3] == ["q1", "q2", "q1_hvorfor"]
    # Refusals come back as a message; nothing moves.
    response = admin.post(url("question_move", q(draft, "q1").pk), {"retning": "opp"}, follow=True)
    assert "allerede det første i delen" in response.content.decode()
    response = admin.post(url("question_move", question.pk), {"retning": "tilbake"}, follow=True)
    assert "Velg om du vil flytte opp eller ned." in response.content.decode()
    section = draft.sections.get(title="Andre del")
    assert admin.post(url("section_move", section.pk), {"retning": "opp"}).status_code == 302
    assert [s.title for s in engine.load_form(draft).sections] == ["Andre del", "Første del"]


def test_detail_shows_edit_controls_only_on_drafts(draft: QuestionnaireVersion, admin: Client) -> None:
    question = q(draft, "q2")
    detail = admin.get(reverse("surveys:questionnaire_detail", args=[SLUG])).content.decode()
    assert url("question_edit", question.pk) in detail and "Flytt opp" in detail
    authoring.version_publish(version=draft)
    detail = admin.get(reverse("surveys:questionnaire_detail", args=[SLUG])).content.decode()
    assert url("question_edit", question.pk) not in detail and "Flytt opp" not in detail


def test_published_version_refuses_every_page(draft: QuestionnaireVersion, admin: Client) -> None:
    authoring.version_publish(version=draft)
    question = q(draft, "q2")
    section = question.section
    attempts = [
        ("get", url("question_edit", question.pk), {}),
        ("post", url("question_edit", question.pk), edit_data(question, text="Nytt")),
        ("get", url("question_delete", question.pk), {}),
        ("post", url("question_delete", question.pk), {}),
        ("post", url("question_move", question.pk), {"retning": "opp"}),
        ("get", url("section_edit", section.pk), {}),
        ("post", url("section_edit", section.pk), {"title": "Nytt"}),
        ("post", url("section_delete", section.pk), {}),
        ("post", url("section_move", section.pk), {"retning": "ned"}),
    ]
    for method, target, data in attempts:
        response = getattr(admin, method)(target, data, follow=True)
        assert response.status_code == 200, target
        assert "Versjon 1 er publisert og kan ikke endres" in response.content.decode(), target
    question.refresh_from_db()
    assert question.text == "Hvor godt?" and draft.questions.count() == 8 and draft.sections.count() == 2


def test_other_tenants_get_404(draft: QuestionnaireVersion, world: Any) -> None:
    question = q(draft, "q2")
    section = question.section
    targets = [
        url("question_edit", question.pk),
        url("question_delete", question.pk),
        url("question_move", question.pk),
        url("section_edit", section.pk),
        url("section_delete", section.pk),
        url("section_move", section.pk),
    ]
    for username in ("leder.valle", "planlegger.osterdalen", "forsker.nasjonal"):
        client = client_for(username)
        for target in targets:
            assert client.post(target, {"text": "x", "title": "x", "retning": "opp"}).status_code == 404
    # Evje's admin cannot reach another questionnaire's question through Evje's slug.
    other = fixtures.shipped_question(world)
    admin = client_for("admin.evje")
    assert admin.get(url("question_edit", other.pk)).status_code == 404
    assert admin.post(url("question_delete", other.pk)).status_code == 404
    # The shipped questionnaire is read-only (403, as adding to it).
    assert admin.get(url("question_edit", other.pk, slug=other.version.questionnaire.slug)).status_code == 403
    assert Question.objects.filter(pk=question.pk, text="Hvor godt?").exists()
