"""XLSForm round trip through pyxform, and clear problems for invalid forms."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pyxform.xls2xform import convert

from mestring.core.testing.personas import client_for
from mestring.surveys import authoring, engine, xlsform
from mestring.surveys.defaults import national_spec
from mestring.surveys.models import Questionnaire

pytestmark = pytest.mark.django_db


def _shape(form: engine.Form) -> list[Any]:
    return [
        (
            s.title,
            s.description,
            [
                (
                    q.name,
                    q.text,
                    q.type,
                    q.required,
                    q.help_text,
                    [(o.value, o.label, o.not_applicable) for o in q.options],
                    list(q.items),
                    q.condition_question,
                    list(q.condition_values),
                    q.min_value,
                    q.max_value,
                )
                for q in s.questions
            ],
        )
        for s in form.sections
    ]


@pytest.mark.parametrize("fixture", ["small_version", "national_version"])
def test_round_trip_through_pyxform(fixture: str, request: Any) -> None:
    version = request.getfixturevalue(fixture)
    content = xlsform.export_xlsform(version)
    result = convert(xlsform=content, file_type=".xlsx")  # pyxform accepts our export
    assert "<h:html" in result.xform
    spec, form_id = xlsform.parse_xlsform(content)
    assert form_id == version.questionnaire.slug.replace("-", "_")
    imported = authoring.questionnaire_from_spec(
        spec=spec, owner=None, kind=Questionnaire.Kind.NATIONAL, slug="importert"
    )
    assert _shape(engine.load_form(imported.versions.get())) == _shape(engine.load_form(version))


@pytest.fixture
def national_version(db: Any) -> Any:
    return authoring.questionnaire_from_spec(
        spec=national_spec(), owner=None, kind=Questionnaire.Kind.NATIONAL, slug="nasjonal-rundtur"
    ).versions.get()


def _workbook(survey_rows: list[list[Any]], choices: list[list[Any]] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "relevant"])
    for row in survey_rows:
        sheet.append(row)
    choice_sheet = workbook.create_sheet("choices")
    choice_sheet.append(["list_name", "name", "label"])
    for row in choices or []:
        choice_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_invalid_form_gets_a_list_of_problems() -> None:
    content = _workbook(
        [
            ["select_one finnes_ikke", "a", "A?", None],
            ["geopoint", "b", "Hvor?", None],
            ["text", "c", "C?", "${a} > 3"],
            ["text", "Stor Bokstav", "D?", None],
        ]
    )
    with pytest.raises(xlsform.XLSFormError) as info:
        xlsform.parse_xlsform(content)
    problems = "\n".join(info.value.problems)
    assert "svarlisten «finnes_ikke» finnes ikke" in problems
    assert "spørsmålstypen «geopoint» støttes ikke" in problems
    assert "vilkåret «${a} > 3» støttes ikke" in problems
    assert "rad 2" in problems and "rad 3" in problems and "rad 4" in problems


def test_pyxform_problem_is_reported() -> None:
    # Our rules accept it, pyxform does not (a choice list with duplicate names).
    content = _workbook([["select_one ja", "a", "A?", None]], [["ja", "1", "Ja"], ["ja", "1", "Ja igjen"]])
    with pytest.raises(xlsform.XLSFormError) as info:
        xlsform.parse_xlsform(content)
    assert info.value.problems


def test_not_an_excel_file() -> None:
    with pytest.raises(xlsform.XLSFormError, match="gyldig Excel"):
        xlsform.parse_xlsform(b"dette er ikke en xlsx")


def test_import_page_lists_problems_and_imports_nothing(world: Any) -> None:
    client = client_for("forsker.nasjonal")
    before = Questionnaire.objects.count()
    upload = SimpleUploadedFile("feil.xlsx", _workbook([["geopoint", "b", "Hvor?", None]]))
    response = client.post(reverse("surveys:xlsform_import"), {"file": upload, "kind": "national"})
    assert response.status_code == 200
    assert "spørsmålstypen «geopoint» støttes ikke" in response.content.decode()
    assert Questionnaire.objects.count() == before


def test_import_page_creates_a_draft(world: Any) -> None:
    client = client_for("forsker.nasjonal")
    content = _workbook(
        [
            ["begin_group", "del1", "Del 1", None],
            ["select_one ja", "a", "A?", None],
            ["text", "b", "Hvorfor?", "${a} = '2'"],
            ["end_group", None, None, None],
        ],
        [["ja", "1", "Ja"], ["ja", "2", "Nei"]],
    )
    response = client.post(
        reverse("surveys:xlsform_import"),
        {"file": SimpleUploadedFile("ok.xlsx", content), "kind": "national"},
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(
        owner__slug="nasjonalt-kompetansemiljo", title="Importert skjema"
    )
    version = questionnaire.versions.get()
    assert not version.is_locked
    form = engine.load_form(version)
    assert form.sections[0].title == "Del 1"
    assert form.question("b").condition_question == "a" and form.question("b").condition_values == ("2",)
