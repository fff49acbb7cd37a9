from __future__ import annotations

from typing import Any

import pytest

from mestring.organisations.models import Organisation
from mestring.organisations.services import frame_import
from mestring.surveys import authoring, services
from mestring.surveys.authoring import FormSpec, QuestionSpec
from mestring.surveys.models import NationalSurvey, Questionnaire, QuestionType

HAND_YEAR = 2099


def small_spec() -> FormSpec:
    return FormSpec(
        title="Lite skjema",
        sections=[
            (
                "Første del",
                "Innledning",
                [
                    QuestionSpec(
                        name="q1",
                        text="Har dere plan?",
                        type=QuestionType.SINGLE,
                        required=True,
                        options=[("1", "Ja"), ("2", "Nei")],
                    ),
                    QuestionSpec(
                        name="q1_hvorfor",
                        text="Hvorfor ikke?",
                        type=QuestionType.TEXT,
                        condition_question="q1",
                        condition_values=["2"],
                    ),
                    QuestionSpec(
                        name="q2",
                        text="Hvor godt?",
                        type=QuestionType.SCALE,
                        options=[
                            ("3", "I stor grad"),
                            ("2", "I noen grad"),
                            ("1", "I liten grad"),
                            ("9", "Ikke relevant", True),
                        ],
                    ),
                    QuestionSpec(
                        name="antall",
                        text="Antall årsverk",
                        type=QuestionType.NUMBER,
                        min_value=0,
                        max_value=100,
                    ),
                ],
            ),
            (
                "Andre del",
                "",
                [
                    QuestionSpec(
                        name="verktoy",
                        text="Verktøy",
                        type=QuestionType.MULTIPLE,
                        options=[("a", "A"), ("b", "B"), ("c", "C")],
                    ),
                    QuestionSpec(
                        name="tilbud",
                        text="Tilbudet er …",
                        type=QuestionType.MATRIX,
                        options=[("1", "Lite"), ("2", "Mye")],
                        items=[("x", "X"), ("y", "Y")],
                    ),
                    QuestionSpec(
                        name="samarbeid",
                        text="Samarbeid",
                        type=QuestionType.COLLABORATION,
                        items=[("nav", "NAV"), ("tsb", "TSB")],
                    ),
                    QuestionSpec(name="utfordringer", text="Utfordringer", type=QuestionType.LONGTEXT),
                ],
            ),
        ],
    )


@pytest.fixture
def small_version(db: Any) -> Any:
    questionnaire = authoring.questionnaire_from_spec(
        spec=small_spec(), owner=None, kind=Questionnaire.Kind.NATIONAL, slug="lite-skjema"
    )
    return questionnaire.versions.get()


def hand_frame_csv() -> str:
    """20 municipalities: fylke A (9001–9010, small, Sør-Øst, KG 1) and B (9011–9020, large, Vest, KG 2)."""
    lines = ["kommunenummer,navn,fylke,helseregion,kostragruppe,innbyggere"]
    for n in range(1, 21):
        a = n <= 10
        lines.append(
            f"90{n:02d},Testkommune {n},{'Fylke A' if a else 'Fylke B'},{'Sør-Øst' if a else 'Vest'},"
            f"{'KG 1' if a else 'KG 2'},{1000 if a else 30000}"
        )
    return "\n".join(lines) + "\n"


def hand_address(kommunenummer: str) -> str:
    return f"postmottak@testkommune-{kommunenummer}.example"


def give_contact_addresses(*, without: tuple[str, ...] = ()) -> None:
    """Contact addresses for the hand frame's municipalities, except those in `without`."""
    for org in Organisation.objects.filter(
        kind=Organisation.Kind.MUNICIPALITY, kommunenummer__startswith="90"
    ):
        org.contact_email = "" if org.kommunenummer in without else hand_address(org.kommunenummer)
        org.save(update_fields=["contact_email"])


def _hand_survey(world: Any, version: Any, *, without: tuple[str, ...] = (), slug: str) -> NationalSurvey:
    frame_import(year=HAND_YEAR, text=hand_frame_csv())
    give_contact_addresses(without=without)
    survey = services.national_survey_create(
        owner=world.org("nasjonalt-kompetansemiljo"),
        title="Håndregnet",
        version=version,
        frame_year=HAND_YEAR,
        slug=slug,
    )
    return services.national_survey_open(survey=survey, base_url="http://testserver")


@pytest.fixture
def hand_survey(world: Any, small_version: Any) -> NationalSurvey:
    """Open; all 20 municipalities have a contact address."""
    return _hand_survey(world, small_version, slug="handregnet")


MISSING = ("9019", "9020")


@pytest.fixture
def gap_survey(world: Any, small_version: Any) -> NationalSurvey:
    """Open; municipalities 9019 and 9020 (`MISSING`) have no contact address."""
    return _hand_survey(world, small_version, without=MISSING, slug="handregnet-hull")


@pytest.fixture
def immediate_tasks(settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings
