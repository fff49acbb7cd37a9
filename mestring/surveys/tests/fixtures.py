"""Builders for survey tests and the role × URL matrix. Idempotent: they find what already exists."""

from __future__ import annotations

from datetime import date

from mestring.core.world import World
from mestring.surveys import authoring, services
from mestring.surveys.authoring import FormSpec, QuestionSpec
from mestring.surveys.defaults import ensure_default_questionnaires
from mestring.surveys.models import (
    Invitation,
    NationalSurvey,
    Question,
    Questionnaire,
    QuestionType,
    SatisfactionRound,
    SatisfactionSurvey,
    Section,
)

MATRIX_NATIONAL = "matrise-nasjonal"
MATRIX_UNIT_CODE = "matriseevje"
MATRIX_QUESTIONNAIRE = "matrise-skjema"


def national_survey(world: World, slug: str = MATRIX_NATIONAL, *, open_: bool = True) -> NationalSurvey:
    survey = NationalSurvey.objects.filter(slug=slug).first()
    if survey is None:
        _s, national = ensure_default_questionnaires()
        version = national.latest_published()
        assert version is not None
        survey = services.national_survey_create(
            owner=world.org("nasjonalt-kompetansemiljo"),
            title="Matrise",
            version=version,
            frame_year=2026,
            slug=slug,
        )
        if open_:
            survey = services.national_survey_open(survey=survey, base_url="http://testserver")
    return survey


def invitation(world: World, kommunenummer: str = "1134", slug: str = MATRIX_NATIONAL) -> Invitation:
    return national_survey(world, slug).invitations.get(kommunenummer=kommunenummer)


def unit_survey(
    world: World, code: str = MATRIX_UNIT_CODE, unit: str = "evje-rus-psykisk-helse"
) -> SatisfactionSurvey:
    survey = SatisfactionSurvey.objects.filter(code=code).first()
    if survey is None:
        satisfaction, _n = ensure_default_questionnaires()
        version = satisfaction.latest_published()
        assert version is not None
        survey = SatisfactionSurvey.objects.create(
            unit=world.org(unit), version=version, title="Matrise", code=code
        )
        SatisfactionRound.objects.create(survey=survey, name="2026", opened_on=date(2026, 1, 1))
    return survey


def owned_questionnaire(
    world: World, slug: str = MATRIX_QUESTIONNAIRE, owner: str = "evje-og-hornnes"
) -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    if questionnaire is None:
        questionnaire = authoring.questionnaire_from_spec(
            spec=FormSpec(
                title="Matriseskjema",
                sections=[
                    (
                        "Del",
                        "",
                        [
                            QuestionSpec(
                                name="a",
                                text="A?",
                                type=QuestionType.SINGLE,
                                options=[("1", "Ja"), ("2", "Nei")],
                            )
                        ],
                    )
                ],
            ),
            owner=world.org(owner),
            kind=Questionnaire.Kind.SATISFACTION,
            slug=slug,
            publish=False,
        )
    return questionnaire


def owned_question(world: World) -> Question:
    """The first question of Evje's draft questionnaire."""
    return owned_questionnaire(world).versions.get().questions.order_by("order").first()  # type: ignore[return-value]


def owned_section(world: World) -> Section:
    return owned_questionnaire(world).versions.get().sections.order_by("order").first()  # type: ignore[return-value]


def shipped_question(world: World) -> Question:
    """A question of the shipped satisfaction questionnaire (readable by every author, editable by none)."""
    satisfaction, _n = ensure_default_questionnaires()
    return Question.objects.filter(version__questionnaire=satisfaction).order_by("pk").first()  # type: ignore[return-value]
