"""Services for editing a questionnaire draft: edit, delete and reorder sections and questions.

The draft is `conftest.small_spec()` owned by Evje: section 1 has q1 (single 1/2), q1_hvorfor (shown when
q1 = 2), q2 (scale) and antall; section 2 has verktoy, tilbud, samarbeid and utfordringer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from mestring.surveys import authoring, engine
from mestring.surveys.authoring import QuestionSpec
from mestring.surveys.models import (
    AuthoringChange,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    SatisfactionAnswer,
    SatisfactionRound,
    SatisfactionSurvey,
    Section,
)
from mestring.surveys.tests.conftest import small_spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world: Any) -> QuestionnaireVersion:
    questionnaire = authoring.questionnaire_from_spec(
        spec=small_spec(),
        owner=world.org("evje-og-hornnes"),
        kind=Questionnaire.Kind.NATIONAL,
        slug="utkast",
        publish=False,
    )
    return questionnaire.versions.get()


def q(version: QuestionnaireVersion, name: str) -> Question:
    return version.questions.get(name=name)


def names(version: QuestionnaireVersion) -> list[str]:
    """The order respondents and exports see."""
    return list(engine.load_form(version).questions)


def spec_of(question: Question, **changes: Any) -> QuestionSpec:
    spec = authoring._spec_of(question)
    for key, value in changes.items():
        setattr(spec, key, value)
    return spec


def first_section(version: QuestionnaireVersion) -> Section:
    return version.sections.get(title="Første del")


def second_section(version: QuestionnaireVersion) -> Section:
    return version.sections.get(title="Andre del")


def test_edit_question_text_options_and_required(draft: QuestionnaireVersion) -> None:
    question = q(draft, "q2")
    spec = spec_of(
        question,
        text="Hvor godt fungerer det?",
        required=True,
        help_text="Tenk på siste år.",
        options=[("3", "Godt"), ("2", "Middels"), ("1", "Dårlig")],
    )
    authoring.question_update(actor=None, question=question, section=first_section(draft), spec=spec)
    question.refresh_from_db()
    assert question.text == "Hvor godt fungerer det?" and question.required
    assert question.help_text == "Tenk på siste år."
    assert [(o.value, o.label) for o in question.options.all()] == [
        ("3", "Godt"),
        ("2", "Middels"),
        ("1", "Dårlig"),
    ]
    form = engine.load_form(draft)
    assert form.questions["q2"].option_labels == {"3": "Godt", "2": "Middels", "1": "Dårlig"}
    change = AuthoringChange.objects.get(version=draft, action="changed")
    assert set(change.changes) == {"text", "required", "help_text", "options"}
    assert change.changes["text"] == ["Hvor godt?", "Hvor godt fungerer det?"]


def test_edit_with_the_same_validation_as_adding(draft: QuestionnaireVersion) -> None:
    question = q(draft, "q2")
    with pytest.raises(ValidationError) as exc:
        authoring.question_update(
            actor=None,
            question=question,
            section=first_section(draft),
            spec=spec_of(question, name="antall", text=" ", options=[("1", "Bare én")]),
        )
    assert set(exc.value.message_dict) == {"name", "text", "options"}
    assert "allerede brukt" in exc.value.message_dict["name"][0]
    question.refresh_from_db()
    assert question.name == "q2" and question.options.count() == 4
    assert not AuthoringChange.objects.filter(action="changed").exists()


def test_renaming_a_question_carries_its_conditions_along(draft: QuestionnaireVersion) -> None:
    question = q(draft, "q1")
    authoring.question_update(
        actor=None, question=question, section=first_section(draft), spec=spec_of(question, name="har_plan")
    )
    assert q(draft, "q1_hvorfor").condition_question == "har_plan"
    form = engine.load_form(draft)
    assert engine.is_shown(form.questions["q1_hvorfor"], {"har_plan": "2"}, form)
    change = AuthoringChange.objects.get(version=draft, action="changed")
    assert change.changes["name"] == ["q1", "har_plan"]
    assert change.changes["conditions_renamed"] == [None, ["q1_hvorfor"]]


def test_edit_refused_when_it_breaks_a_condition(draft: QuestionnaireVersion) -> None:
    question = q(draft, "q1")
    section = first_section(draft)
    with pytest.raises(ValidationError) as exc:
        authoring.question_update(
            actor=None,
            question=question,
            section=section,
            spec=spec_of(question, options=[("1", "Ja"), ("3", "Vet ikke")]),
        )
    message = exc.value.message_dict["options"][0]
    assert "q1_hvorfor" in message and "(2)" in message
    with pytest.raises(ValidationError) as exc:
        authoring.question_update(
            actor=None,
            question=question,
            section=section,
            spec=spec_of(question, type=QuestionType.TEXT, options=[]),
        )
    assert "q1_hvorfor" in exc.value.message_dict["type"][0]
    # Moving it to a later section would put it after the question that builds on it.
    with pytest.raises(ValidationError) as exc:
        authoring.question_update(
            actor=None, question=question, section=second_section(draft), spec=spec_of(question)
        )
    assert "q1_hvorfor" in exc.value.message_dict["section"][0]
    assert [o.value for o in q(draft, "q1").options.all()] == ["1", "2"]
    assert q(draft, "q1").section == section


def test_condition_must_build_on_an_earlier_question(draft: QuestionnaireVersion) -> None:
    question = q(draft, "antall")
    with pytest.raises(ValidationError) as exc:
        authoring.question_update(
            actor=None,
            question=question,
            section=first_section(draft),
            spec=spec_of(question, condition_question="verktoy", condition_values=["a"]),
        )
    assert "kommer etter" in exc.value.message_dict["condition_question"][0]


def test_move_question_to_another_section_goes_last_there(draft: QuestionnaireVersion) -> None:
    question = q(draft, "antall")
    authoring.question_update(
        actor=None, question=question, section=second_section(draft), spec=spec_of(question)
    )
    assert names(draft) == [
        "q1",
        "q1_hvorfor",
        "q2",
        "verktoy",
        "tilbud",
        "samarbeid",
        "utfordringer",
        "antall",
    ]
    assert list(draft.questions.order_by("order").values_list("order", flat=True)) == list(range(1, 9))


def test_reorder_questions_within_a_section(draft: QuestionnaireVersion) -> None:
    authoring.question_move(actor=None, question=q(draft, "q2"), direction=authoring.UP)
    assert names(draft)[:4] == ["q1", "q2", "q1_hvorfor", "antall"]
    form = engine.load_form(draft)
    assert [form.questions[n].number for n in ("q1", "q2", "q1_hvorfor")] == [1, 2, 3]
    # Exports follow the new order.
    assert [v[0] for v in engine.variables(form)][:3] == ["q1", "q2", "q1_hvorfor"]
    authoring.question_move(actor=None, question=q(draft, "q1"), direction=authoring.DOWN)
    assert names(draft)[:3] == ["q2", "q1", "q1_hvorfor"]
    moved = AuthoringChange.objects.filter(version=draft, action="moved").order_by("pk")
    assert [c.object_label for c in moved] == ["q2", "q1"]
    assert moved[0].changes == {"order": [3, 2]}


def test_move_refusals(draft: QuestionnaireVersion) -> None:
    with pytest.raises(ValidationError, match="allerede det første"):
        authoring.question_move(actor=None, question=q(draft, "q1"), direction=authoring.UP)
    with pytest.raises(ValidationError, match="allerede det siste"):
        authoring.question_move(actor=None, question=q(draft, "utfordringer"), direction=authoring.DOWN)
    with pytest.raises(ValidationError, match="opp eller ned"):
        authoring.question_move(actor=None, question=q(draft, "q2"), direction="sideways")
    # A follow-up question cannot move above the question its condition builds on (nor that one below it).
    with pytest.raises(ValidationError, match=r"q1_hvorfor .* må komme etter q1"):
        authoring.question_move(actor=None, question=q(draft, "q1_hvorfor"), direction=authoring.UP)
    with pytest.raises(ValidationError, match="må komme etter"):
        authoring.question_move(actor=None, question=q(draft, "q1"), direction=authoring.DOWN)
    assert names(draft)[:3] == ["q1", "q1_hvorfor", "q2"]


def test_reorder_sections(draft: QuestionnaireVersion) -> None:
    authoring.section_move(actor=None, section=second_section(draft), direction=authoring.UP)
    form = engine.load_form(draft)
    assert [s.title for s in form.sections] == ["Andre del", "Første del"]
    assert names(draft)[:2] == ["verktoy", "tilbud"] and names(draft)[-1] == "antall"
    assert engine.variables(form)[0][0] == "verktoy_a"
    with pytest.raises(ValidationError, match="allerede den første"):
        authoring.section_move(actor=None, section=second_section(draft), direction=authoring.UP)


def test_section_move_refused_when_a_condition_would_come_first(draft: QuestionnaireVersion) -> None:
    question = q(draft, "verktoy")
    authoring.question_update(
        actor=None,
        question=question,
        section=second_section(draft),
        spec=spec_of(question, condition_question="q1", condition_values=["1"]),
    )
    with pytest.raises(ValidationError, match=r"verktoy .* må komme etter q1"):
        authoring.section_move(actor=None, section=second_section(draft), direction=authoring.UP)
    assert [s.title for s in engine.load_form(draft).sections] == ["Første del", "Andre del"]


def test_delete_question(draft: QuestionnaireVersion) -> None:
    with pytest.raises(ValidationError) as exc:
        authoring.question_delete(actor=None, question=q(draft, "q1"))
    assert "q1_hvorfor «Hvorfor ikke?»" in exc.value.messages[0]
    assert draft.questions.filter(name="q1").exists()
    authoring.question_delete(actor=None, question=q(draft, "q1_hvorfor"))
    authoring.question_delete(actor=None, question=q(draft, "q1"))
    assert names(draft)[:2] == ["q2", "antall"]
    assert list(draft.questions.order_by("order").values_list("order", flat=True)) == list(range(1, 7))
    removed = AuthoringChange.objects.filter(version=draft, action="removed").order_by("pk").last()
    assert removed is not None and removed.object_label == "q1" and removed.changes["name"] == ["q1", None]


def test_delete_section_with_its_questions(draft: QuestionnaireVersion) -> None:
    question = q(draft, "verktoy")
    authoring.question_update(
        actor=None,
        question=question,
        section=second_section(draft),
        spec=spec_of(question, condition_question="q1", condition_values=["1"]),
    )
    with pytest.raises(ValidationError) as exc:
        authoring.section_delete(actor=None, section=first_section(draft))
    assert "verktoy" in exc.value.messages[0]
    assert authoring.section_outside_dependents(first_section(draft)) == [q(draft, "verktoy")]
    assert authoring.section_delete(actor=None, section=second_section(draft)) == 4
    assert names(draft) == ["q1", "q1_hvorfor", "q2", "antall"]
    assert list(draft.sections.values_list("title", "order")) == [("Første del", 1)]
    change = AuthoringChange.objects.get(version=draft, object_type="section", action="removed")
    assert change.changes["questions"][0] == ["verktoy", "tilbud", "samarbeid", "utfordringer"]


def test_edit_section(draft: QuestionnaireVersion, world: Any) -> None:
    from mestring.accounts.models import Membership

    membership = Membership.objects.get(
        user__username="admin.evje", organisation=world.org("evje-og-hornnes")
    )
    section = first_section(draft)
    with pytest.raises(ValidationError) as exc:
        authoring.section_update(actor=membership, section=section, title="  ")
    assert "title" in exc.value.message_dict
    authoring.section_update(
        actor=membership, section=section, title="Om planen", description="Kort om planen"
    )
    section.refresh_from_db()
    assert (section.title, section.description) == ("Om planen", "Kort om planen")
    change = AuthoringChange.objects.get(version=draft, action="changed")
    assert change.username == "admin.evje" and change.organisation == world.org("evje-og-hornnes")
    assert change.changes == {
        "title": ["Første del", "Om planen"],
        "description": ["Innledning", "Kort om planen"],
    }


def test_add_goes_last_in_its_section(draft: QuestionnaireVersion) -> None:
    authoring.question_add(
        version=draft,
        section=first_section(draft),
        spec=QuestionSpec(name="ny", text="Nytt?", type=QuestionType.TEXT),
    )
    assert names(draft)[:6] == ["q1", "q1_hvorfor", "q2", "antall", "ny", "verktoy"]


def _refusals(version: QuestionnaireVersion) -> list[str]:
    question = version.questions.get(name="q2")
    section = question.section
    attempts = [
        lambda: authoring.question_update(
            actor=None, question=question, section=section, spec=spec_of(question, text="Nytt")
        ),
        lambda: authoring.question_delete(actor=None, question=question),
        lambda: authoring.question_move(actor=None, question=question, direction=authoring.UP),
        lambda: authoring.section_update(actor=None, section=section, title="Nytt"),
        lambda: authoring.section_delete(actor=None, section=section),
        lambda: authoring.section_move(actor=None, section=section, direction=authoring.DOWN),
    ]
    messages = []
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        messages.append(exc.value.messages[0])
    return messages


def test_published_version_refuses_every_change(draft: QuestionnaireVersion) -> None:
    authoring.version_publish(version=draft)
    before = names(draft)
    messages = _refusals(draft)
    assert all("er publisert og kan ikke endres" in m for m in messages)
    assert names(draft) == before and q(draft, "q2").text == "Hvor godt?"
    assert AuthoringChange.objects.filter(version=draft).values_list("action", flat=True).get() == "published"


def test_version_with_answers_refuses_every_change(draft: QuestionnaireVersion, world: Any) -> None:
    # Only published versions are handed out, but answers on a version freeze it in any case.
    survey = SatisfactionSurvey.objects.create(
        unit=world.org("evje-rus-psykisk-helse"), version=draft, title="T"
    )
    round_ = SatisfactionRound.objects.create(survey=survey, name="2026", opened_on=date(2026, 1, 1))
    SatisfactionAnswer.objects.create(
        round=round_, version=draft, data={"q1": "1"}, submitted_on=date(2026, 1, 2)
    )
    assert all("har svar" in m for m in _refusals(draft))


def test_a_question_gone_meanwhile_gives_a_message(draft: QuestionnaireVersion) -> None:
    stale = q(draft, "antall")
    Question.objects.filter(pk=stale.pk).delete()
    with pytest.raises(ValidationError, match="finnes ikke lenger"):
        authoring.question_move(actor=None, question=stale, direction=authoring.UP)
    with pytest.raises(ValidationError, match="finnes ikke lenger"):
        authoring.question_delete(actor=None, question=stale)
