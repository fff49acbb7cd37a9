"""The questionnaire engine: conditions, validation, versions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from mestring.surveys import authoring, engine, services
from mestring.surveys.authoring import QuestionSpec
from mestring.surveys.models import Questionnaire, QuestionnaireVersion, QuestionType

pytestmark = pytest.mark.django_db


def test_condition_shows_and_hides(small_version: Any) -> None:
    form = engine.load_form(small_version)
    follow_up = form.question("q1_hvorfor")
    assert not engine.is_shown(follow_up, {}, form)
    assert not engine.is_shown(follow_up, {"q1": "1"}, form)
    assert engine.is_shown(follow_up, {"q1": "2"}, form)


def test_nested_condition_hides_when_parent_hidden(db: Any) -> None:
    spec = authoring.FormSpec(
        title="Kjede",
        sections=[
            (
                "Del",
                "",
                [
                    QuestionSpec(
                        name="a", text="A", type=QuestionType.SINGLE, options=[("1", "Ja"), ("2", "Nei")]
                    ),
                    QuestionSpec(
                        name="b",
                        text="B",
                        type=QuestionType.MULTIPLE,
                        options=[("x", "X"), ("y", "Y")],
                        condition_question="a",
                        condition_values=["1"],
                    ),
                    QuestionSpec(
                        name="c",
                        text="C",
                        type=QuestionType.TEXT,
                        condition_question="b",
                        condition_values=["y"],
                    ),
                ],
            )
        ],
    )
    version = authoring.questionnaire_from_spec(
        spec=spec, owner=None, kind="national", slug="kjede"
    ).versions.get()
    form = engine.load_form(version)
    assert engine.is_shown(form.question("c"), {"a": "1", "b": ["x", "y"]}, form)
    # b is hidden when a is "2", so c is hidden too even though b's old answer says "y".
    assert not engine.is_shown(form.question("c"), {"a": "2", "b": ["y"]}, form)
    cleaned, errors = engine.clean_answers(form, {"a": "2", "b": ["y"], "c": "tekst"}, final=True)
    assert cleaned == {"a": "2"} and errors == {}


def test_validation_messages(small_version: Any) -> None:
    form = engine.load_form(small_version)
    cleaned, errors = engine.clean_answers(
        form,
        {
            "q1": "7",
            "antall": "mange",
            "verktoy": ["a", "z"],
            "tilbud": {"x": "9"},
            "samarbeid": {"nav": {"need": "0"}},
        },
        final=False,
    )
    assert set(errors) == {"q1", "antall", "verktoy", "tilbud", "samarbeid"}
    assert errors["q1"] == "Velg et av alternativene."
    assert errors["antall"] == "Skriv et tall, for eksempel 12."
    assert cleaned == {}


def test_number_bounds_and_decimal_comma(small_version: Any) -> None:
    form = engine.load_form(small_version)
    assert engine.clean_answers(form, {"antall": "2,5"}, final=False)[0] == {"antall": 2.5}
    assert engine.clean_answers(form, {"antall": "12"}, final=False)[0] == {"antall": 12}
    assert "større enn 100" in engine.clean_answers(form, {"antall": "101"}, final=False)[1]["antall"]
    assert "mindre enn 0" in engine.clean_answers(form, {"antall": "-1"}, final=False)[1]["antall"]


def test_absurd_numbers_are_refused(small_version: Any) -> None:
    form = engine.load_form(small_version)
    for raw in ("NaN", "Infinity", "1e999999999", "-1e30"):
        assert "antall" in engine.clean_answers(form, {"antall": raw}, final=False)[1], raw


def test_required_only_on_final(small_version: Any) -> None:
    form = engine.load_form(small_version)
    assert engine.clean_answers(form, {}, final=False)[1] == {}
    assert engine.clean_answers(form, {}, final=True)[1] == {"q1": "Dette spørsmålet må besvares."}


def test_read_post_all_types(small_version: Any) -> None:
    form = engine.load_form(small_version)
    post = QueryDict(mutable=True)
    post.update(
        {
            "q-q1": "2",
            "q-q1_hvorfor": " fordi ",
            "q-antall": "3",
            "q-tilbud-x": "1",
            "q-samarbeid-nav-need": "4",
        }
    )
    post.setlist("q-verktoy", ["a", "c"])
    data = engine.read_post(form, post)
    cleaned, errors = engine.clean_answers(form, data, final=True)
    assert errors == {}
    assert cleaned == {
        "q1": "2",
        "q1_hvorfor": "fordi",
        "antall": 3,
        "verktoy": ["a", "c"],
        "tilbud": {"x": "1"},
        "samarbeid": {"nav": {"need": "4"}},
    }


def test_published_version_never_changes(small_version: QuestionnaireVersion) -> None:
    assert small_version.is_locked
    section = small_version.sections.first()
    assert section is not None
    with pytest.raises(ValidationError, match="publisert"):
        authoring.section_add(version=small_version, title="Ny")
    with pytest.raises(ValidationError, match="publisert"):
        authoring.question_add(
            version=small_version,
            section=section,
            spec=QuestionSpec(name="ny", text="Ny?", type=QuestionType.TEXT),
        )
    with pytest.raises(ValidationError):
        authoring.version_publish(version=small_version)


def test_new_version_copies_and_leaves_old_alone(small_version: QuestionnaireVersion) -> None:
    new = authoring.version_new_from(version=small_version)
    assert new.number == 2 and not new.is_locked
    assert engine.load_form(new).questions.keys() == engine.load_form(small_version).questions.keys()
    section = new.sections.first()
    assert section is not None
    authoring.question_add(
        version=new, section=section, spec=QuestionSpec(name="ny", text="Ny?", type=QuestionType.TEXT)
    )
    assert "ny" not in engine.load_form(small_version).questions
    assert "ny" in engine.load_form(new).questions
    with pytest.raises(ValidationError, match="utkast"):
        authoring.version_new_from(version=small_version)


def test_answers_point_to_their_version(hand_survey: Any) -> None:
    invitation = hand_survey.invitations.first()
    response, errors = services.response_save(invitation=invitation, data={"q1": "1"}, final=True)
    assert errors == {} and response is not None
    authoring.version_new_from(version=hand_survey.version)
    response.refresh_from_db()
    assert response.version == hand_survey.version
    assert response.version.number == 1


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (QuestionSpec(name="Stor", text="x", type=QuestionType.TEXT), "name"),
        (QuestionSpec(name="a", text="", type=QuestionType.TEXT), "text"),
        (QuestionSpec(name="a", text="x", type=QuestionType.SINGLE, options=[("1", "Ja")]), "options"),
        (
            QuestionSpec(name="a", text="x", type=QuestionType.SINGLE, options=[("1", "Ja"), ("1", "Nei")]),
            "options",
        ),
        (
            QuestionSpec(name="a", text="x", type=QuestionType.MATRIX, options=[("1", "Ja"), ("2", "Nei")]),
            "items",
        ),
        (
            QuestionSpec(
                name="a",
                text="x",
                type=QuestionType.TEXT,
                condition_question="senere",
                condition_values=["1"],
            ),
            "condition_question",
        ),
        (QuestionSpec(name="a", text="x", type="ukjent"), "type"),
        (QuestionSpec(name="a", text="x", type=QuestionType.NUMBER, min_value=5, max_value=1), "max_value"),
    ],
)
def test_question_problems(spec: QuestionSpec, field: str) -> None:
    assert field in authoring.question_problems(spec, earlier={})


def test_condition_must_use_known_codes() -> None:
    parent = QuestionSpec(name="p", text="P", type=QuestionType.SINGLE, options=[("1", "Ja"), ("2", "Nei")])
    child = QuestionSpec(
        name="c", text="C", type=QuestionType.TEXT, condition_question="p", condition_values=["3"]
    )
    assert "condition_values" in authoring.question_problems(child, earlier={"p": parent})


def test_duplicate_name_in_version_is_refused(db: Any) -> None:
    questionnaire = authoring.questionnaire_create(
        owner=None, title="Utkast", kind=Questionnaire.Kind.SATISFACTION
    )
    version = questionnaire.versions.get()
    section = authoring.section_add(version=version, title="Del")
    authoring.question_add(
        version=version, section=section, spec=QuestionSpec(name="a", text="A", type=QuestionType.TEXT)
    )
    with pytest.raises(ValidationError) as info:
        authoring.question_add(
            version=version, section=section, spec=QuestionSpec(name="a", text="B", type=QuestionType.TEXT)
        )
    assert "allerede brukt" in str(info.value)
    assert version.questions.count() == 1


def test_publish_refuses_empty_version(db: Any) -> None:
    questionnaire = authoring.questionnaire_create(
        owner=None, title="Tomt", kind=Questionnaire.Kind.SATISFACTION
    )
    with pytest.raises(ValidationError, match="ingen spørsmål"):
        authoring.version_publish(version=questionnaire.versions.get())
