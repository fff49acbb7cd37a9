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


def _book(
    header: list[str],
    survey_rows: list[list[Any]],
    choices: list[list[Any]] | None = None,
    settings: list[list[Any]] | None = None,
) -> bytes:
    """An XLSForm with any survey columns, and a settings sheet when given."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(header)
    for row in survey_rows:
        sheet.append(row)
    choice_sheet = workbook.create_sheet("choices")
    choice_sheet.append(["list_name", "name", "label"])
    for row in choices if choices is not None else [["ja", "1", "Ja"], ["ja", "2", "Nei"]]:
        choice_sheet.append(row)
    if settings:
        settings_sheet = workbook.create_sheet("settings")
        for row in settings:
            settings_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _problems(content: bytes) -> list[str]:
    with pytest.raises(xlsform.XLSFormError) as info:
        xlsform.parse_xlsform(content)
    return info.value.problems


_BASIC = ["type", "name", "label"]


def _with(column: str) -> list[str]:
    return ["type", "name", "label", column]


# Mistakes our own rules now catch before pyxform (which said them in English, without a row, or not at all).


def test_duplicate_choice_code_names_the_choices_row() -> None:
    # pyxform: "[row : 3] On the 'choices' sheet, the 'name' value is invalid. Choice names must be unique..."
    # (also for a list no question uses).
    content = _book(
        _BASIC,
        [["select_one ja", "a", "A?"]],
        [["ja", "1", "Ja"], ["ja", "2", "Nei"], ["nei", "1", "x"], ["nei", "1", "y"]],
    )
    assert _problems(content) == [
        "choices, rad 5: koden «1» finnes allerede i svarlisten «nei» (rad 4). Kodene i en svarliste må "
        "være ulike."
    ]


def test_select_without_list_name() -> None:
    # pyxform: "Unknown question type 'select_one'." (no row); we said: svarlisten «» finnes ikke.
    assert _problems(_book(_BASIC, [["select_one", "a", "A?"]])) == [
        "survey, rad 2: «select_one» mangler navnet på svarlisten (skriv for eksempel «select_one ja_nei»)."
    ]


@pytest.mark.parametrize("kind", ["select_one ja or_other", "select_multiple ja nei", "select_one j a"])
def test_malformed_select_line(kind: str) -> None:
    # pyxform: "Unknown question type 'select_one j a'." or accepts or_other, which we would lose.
    problems = _problems(_book(_BASIC, [[kind, "a", "A?"]]))
    assert problems == [
        f"survey, rad 2: typen «{kind}» må skrives «{kind.split()[0]} listenavn», med ett listenavn uten "
        "mellomrom (or_other støttes ikke)."
    ]


def test_end_group_without_begin_group() -> None:
    # pyxform: "[row : 3] Unmatched 'end_group'. No matching 'begin_group' was found for the name 'unknown'."
    assert _problems(_book(_BASIC, [["text", "a", "A?"], ["end_group", None, None]])) == [
        "survey, rad 3: end_group uten en begin_group foran."
    ]


@pytest.mark.parametrize(
    ("kind", "constraint"),
    [
        ("integer", ". >= 0 and and . <= 5"),  # pyxform accepts it; we silently took 0..5
        ("integer", ". >= ${b"),  # pyxform: "Reference variables must start with '${'..."
        ("decimal", ". > 3"),  # was silently dropped
        ("text", "regex(., '^[0-9]+$')"),  # was silently dropped
    ],
)
def test_unsupported_constraint_is_refused(kind: str, constraint: str) -> None:
    problems = _problems(_book(_with("constraint"), [[kind, "a", "A?", constraint]]))
    assert problems == [
        f"survey, rad 2: begrensningen «{constraint}» støttes ikke (bare tallspørsmål kan ha en begrensning, "
        "skrevet . >= minst and . <= høyst, med hele tall)."
    ]


def test_supported_constraint_gives_the_limits() -> None:
    spec, _form_id = xlsform.parse_xlsform(
        _book(_with("constraint"), [["integer", "a", "A?", ". >= -2 and . <= 7"]])
    )
    question = spec.sections[0][2][0]
    assert (question.min_value, question.max_value) == (-2, 7)


def test_note_without_text() -> None:
    # pyxform: "The survey element named 'n' has no label or hint." (no row)
    assert _problems(_book(_BASIC, [["note", "n", None], ["text", "a", "A?"]])) == [
        "survey, rad 2: merknaden «n» mangler tekst (kolonnen «label»)."
    ]


def test_duplicate_column() -> None:
    # pyxform: "Duplicate column header: label"; we silently used the last one.
    assert _problems(_book(["type", "name", "label", "label"], [["text", "a", "A?", "B?"]])) == [
        "Arket «survey» har kolonnen «label» to ganger. Fjern eller gi nytt navn til den ene."
    ]


# Mistakes only pyxform catches: its message, translated, with the sheet and row.

_PYXFORM_CASES = [
    pytest.param(
        _BASIC,
        [
            ["begin_group", "del", "Del 1"],
            ["text", "a", "A?"],
            ["end_group", None, None],
            ["begin_group", "del", "Del 2"],
            ["text", "b", "B?"],
            ["end_group", None, None],
        ],
        None,
        "survey, rad 5: navnet «del» er brukt før i samme gruppe (eller øverst i skjemaet). "
        "Spørsmål og grupper må ha ulike navn.",
        id="duplicate-group-name",
    ),
    pytest.param(
        _BASIC,
        [["begin_group", "del 1", "Del 1"], ["text", "a", "A?"], ["end_group", None, None]],
        None,
        "survey, rad 2: verdien i kolonnen «name» er ikke et gyldig navn. Et navn må begynne med en bokstav "
        "eller _, og kan ellers bare ha bokstaver, tall, _, - og punktum (ikke mellomrom).",
        id="invalid-group-name",
    ),
    pytest.param(
        _BASIC,
        [["begin_group", None, "Del 1"], ["text", "a", "A?"], ["end_group", None, None]],
        None,
        "survey, rad 2: spørsmålet eller gruppen mangler navn (kolonnen «name»).",
        id="group-without-name",
    ),
    pytest.param(
        _BASIC,
        [["text", "meta", "A?"]],
        None,
        "survey, rad 2: navnet «meta» er reservert for skjemaets metadata. Velg et annet navn.",
        id="reserved-name-meta",
    ),
    pytest.param(
        _BASIC,
        [["note", "n", "Hei ${zz}"], ["text", "a", "A?"]],
        None,
        "survey, rad 2: kolonnen «label» viser til ${zz}, men det finnes ikke noe spørsmål som heter «zz» "
        "i arket «survey».",
        id="reference-to-unknown-question",
    ),
    pytest.param(
        _BASIC,
        [["text", "a", "A ${b"]],
        None,
        "survey, rad 2: kolonnen «label» har en ufullstendig henvisning. En henvisning skrives "
        "${spørsmålsnavn}.",
        id="unfinished-reference",
    ),
    pytest.param(
        _with("calculation"),
        [["calculate", "c", None, None], ["text", "a", "A?", None]],
        None,
        "survey, rad 2: en calculate-rad må ha en formel i kolonnen «calculation».",
        id="calculate-without-calculation",
    ),
    pytest.param(
        _with("parameters"),
        [["text", "a", "A?", "foo"]],
        None,
        "survey, rad 2: kolonnen «parameters» må ha formen nøkkel=verdi nøkkel2=verdi2.",
        id="parameters-not-key-value",
    ),
    pytest.param(
        _with("parameters"),
        [["select_one ja", "a", "A?", "foo=bar"]],
        None,
        "survey, rad 2: kolonnen «parameters» har ukjente nøkler: foo (denne spørsmålstypen tar randomize, "
        "seed).",
        id="parameters-unknown-key",
    ),
    pytest.param(
        _with("parameters"),
        [["select_one ja", "a", "A?", "randomize=kanskje"]],
        None,
        "Parameteren randomize må være true eller false, ikke «kanskje».",
        id="parameters-randomize-value",
    ),
    pytest.param(
        _with("parameters"),
        [["select_one ja", "a", "A?", "seed=3"]],
        None,
        "Parameteren seed kan bare brukes sammen med randomize=true.",
        id="parameters-seed-without-randomize",
    ),
    pytest.param(
        _BASIC,
        [["text", "a", "A?"]],
        [["form_title", "name"], ["Skjema", "1 2 3"]],
        "settings, rad 1: verdien i kolonnen «name» er ikke et gyldig navn. Et navn må begynne med en "
        "bokstav "
        "eller _, og kan ellers bare ha bokstaver, tall, _, - og punktum (ikke mellomrom).",
        id="settings-invalid-name",
    ),
    pytest.param(
        _BASIC,
        [["text", "a", "A?"]],
        [["form_title", "instance_name"], ["Skjema", "${zz}"]],
        "settings, rad 2: kolonnen «instance_name» viser til ${zz}, men det finnes ikke noe spørsmål som "
        "heter "
        "«zz» i arket «survey».",
        id="settings-reference-to-unknown-question",
    ),
]


@pytest.mark.parametrize(("header", "rows", "settings_rows", "expected"), _PYXFORM_CASES)
def test_pyxform_problem_in_norwegian(
    header: list[str], rows: list[list[Any]], settings_rows: list[list[Any]] | None, expected: str
) -> None:
    assert _problems(_book(header, rows, settings=settings_rows)) == [expected]


# pyxform messages our own rules now stop first; the translation stays for pyxform's other paths (recorded
# from pyxform 4.5 as they are raised).
@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Unknown question type 'select_one j a'.", "Spørsmålstypen «select_one j a» finnes ikke i XLSForm."),
        (
            "[row : 2] List name not in choices sheet: nei",
            "survey, rad 2: svarlisten «nei» finnes ikke i arket «choices».",
        ),
        (
            "[row : 3] Unmatched 'end_group'. No matching 'begin_group' was found for the name 'unknown'.",
            "survey, rad 3: end_group uten en begin_group foran.",
        ),
        (
            "[row : 2] Unmatched 'begin_repeat'. No matching 'end_repeat' was found for the name 'r'.",
            "survey, rad 2: begin_repeat «r» mangler end_repeat.",
        ),
        (
            "[row : 3] On the 'survey' sheet, the 'name' value 'a' is invalid. Questions, groups, and "
            "repeats "
            "must be unique within their nearest parent group or repeat, or the survey if not inside a "
            "group or repeat.",
            "survey, rad 3: navnet «a» er brukt før i samme gruppe (eller øverst i skjemaet). Spørsmål og "
            "grupper "
            "må ha ulike navn.",
        ),
        (
            "[row : 3] On the 'choices' sheet, the 'name' value is invalid. Choice names must be unique for "
            "each "
            "choice list. If this is intentional, use the setting 'allow_choice_duplicates'. "
            "Learn more: https://xlsform.org/#choice-names.",
            "choices, rad 3: koden finnes allerede i samme svarliste. Kodene i en svarliste må være ulike.",
        ),
        (
            "[row : 4] On the 'choices' sheet, the 'name' value is invalid. Choices must have a name. "
            "Learn more: https://xlsform.org/en/#setting-up-your-worksheets",
            "choices, rad 4: svaralternativet mangler kode (kolonnen «name»).",
        ),
        (
            "[row : 4] On the 'choices' sheet, the 'label' value is invalid. Choices should have a label. "
            "Learn more: https://xlsform.org/en/#setting-up-your-worksheets",
            "choices, rad 4: svaralternativet mangler tekst (kolonnen «label»).",
        ),
        ("[row : 2] Question with no type.\n", "survey, rad 2: raden mangler type (kolonnen «type»)."),
        (
            "The survey element named 'n' has no label or hint.",
            "«n» mangler tekst (kolonnen «label» eller «hint»).",
        ),
        (
            "[row : 3] On the 'survey' sheet, the 'relevant' value is invalid. Reference variables must "
            "start "
            "with '${', then a question name, and end with '}'.",
            "survey, rad 3: kolonnen «relevant» har en ufullstendig henvisning. En henvisning skrives "
            "${spørsmålsnavn}.",
        ),
        (
            "[row : 3] On the 'survey' sheet, the 'relevant' value is invalid. Reference variable lists must "
            "have a comma between each variable.",
            "survey, rad 3: kolonnen «relevant»: flere henvisninger etter hverandre må skilles med komma.",
        ),
        (
            "[row : 3] On the 'survey' sheet, the 'relevant' value is invalid. Reference variables names "
            "must be "
            "unique anywhere in the 'survey'. The name 'a' appears more than once.",
            "survey, rad 3: kolonnen «relevant» viser til ${a}, men navnet «a» finnes flere steder i "
            "skjemaet.",
        ),
        (
            "Duplicate column header: label",
            "Kolonnen «label» finnes to ganger. Fjern eller gi nytt navn til den ene.",
        ),
        (
            "Invalid headers provided for sheet: 'survey'. One or more required column headers were not "
            "found: "
            "'type'. Learn more: https://xlsform.org/en/#setting-up-your-worksheets",
            "Arket «survey» mangler kolonnen 'type'.",
        ),
        (
            "Invalid headers provided for sheet: 'survey'. Headers that are different names for the same "
            "column "
            "were found: 'label', 'label::English (en)'. Rename or remove one of these columns.",
            "Arket «survey» har både kolonnen «label» og «label::English (en)», som betyr det samme. Fjern "
            "eller "
            "gi nytt navn til den ene.",
        ),
        (
            "[row : 1] On the 'choices' sheet, the 'my col' value is invalid. Column headers must not be "
            "empty "
            "and must not contain spaces. Learn more: https://xlsform.org/en/#setting-up-your-worksheets",
            "choices, rad 1: kolonneoverskriften «my col» kan ikke være tom eller ha mellomrom.",
        ),
    ],
)
def test_pyxform_message_translation(message: str, expected: str) -> None:
    assert xlsform.translate_pyxform_message(message) == expected


def test_unknown_pyxform_message_keeps_the_english_text() -> None:
    assert xlsform.translate_pyxform_message(
        "[row : 7] On the 'survey' sheet, the 'save_to' value is invalid. Something new."
    ) == (
        "survey, rad 7: pyxform godtar ikke raden (On the 'survey' sheet, the 'save_to' value is invalid. "
        "Something new.)."
    )
    assert xlsform.translate_pyxform_message("Something else entirely.") == (
        "pyxform godtar ikke skjemaet (Something else entirely.)."
    )


def test_unknown_pyxform_error_reaches_the_author_in_norwegian(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyxform import xls2xform
    from pyxform.errors import PyXFormError

    def refuse(**kwargs: Any) -> Any:
        raise PyXFormError("[row : 2] A brand new pyxform rule.")

    monkeypatch.setattr(xls2xform, "convert", refuse)
    assert _problems(_book(_BASIC, [["text", "a", "A?"]])) == [
        "survey, rad 2: pyxform godtar ikke raden (A brand new pyxform rule.)."
    ]


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


def test_import_page_shows_pyxform_problem_in_norwegian(world: Any) -> None:
    client = client_for("forsker.nasjonal")
    before = Questionnaire.objects.count()
    content = _book(_BASIC, [["text", "meta", "A?"]])
    response = client.post(
        reverse("surveys:xlsform_import"),
        {"file": SimpleUploadedFile("meta.xlsx", content), "kind": "national"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "survey, rad 2: navnet «meta» er reservert for skjemaets metadata." in page
    assert "reserved for form metadata" not in page
    assert Questionnaire.objects.count() == before


# Texts in several languages (label::nb, label::English (en), hint::nn …), as KoboToolbox, Nettskjema and
# ODK files often have them: one language is imported and the author is told which.


def _languages_book(
    survey_header: list[str],
    survey_rows: list[list[Any]],
    choice_header: list[str],
    choices: list[list[Any]],
    settings: list[list[Any]] | None = None,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    for row in [survey_header, *survey_rows]:
        sheet.append(row)
    choice_sheet = workbook.create_sheet("choices")
    for row in [choice_header, *choices]:
        choice_sheet.append(row)
    if settings:
        settings_sheet = workbook.create_sheet("settings")
        for row in settings:
            settings_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _texts(result: xlsform.XLSFormImport) -> list[tuple[str, str, list[str]]]:
    return [(q.text, q.help_text, [o[1] for o in q.options]) for s in result.spec.sections for q in s[2]]


def test_only_bokmal_labels_are_imported() -> None:
    content = _languages_book(
        ["type", "name", "label::nb"],
        [["select_one ja", "a", "Røyker du?"], ["text", "b", "Hvorfor?"]],
        ["list_name", "name", "label::nb"],
        [["ja", "1", "Ja"], ["ja", "2", "Nei"]],
    )
    result = xlsform.read_xlsform(content)
    assert _texts(result) == [("Røyker du?", "", ["Ja", "Nei"]), ("Hvorfor?", "", [])]
    assert result.notices == []  # one language: nothing to tell
    assert xlsform.parse_xlsform(content)[0] == result.spec


def test_bokmal_is_picked_before_english_and_the_author_is_told() -> None:
    content = _languages_book(
        ["type", "name", "label::English (en)", "label::Norsk bokmål (nb)", "hint::en", "hint::nb"],
        [["select_one ja", "a", "Do you smoke?", "Røyker du?", "Daily", "Daglig"]],
        ["list_name", "name", "label::English (en)", "label::Norsk bokmål (nb)"],
        [["ja", "1", "Yes", "Ja"], ["ja", "2", "No", "Nei"]],
    )
    result = xlsform.read_xlsform(content)
    assert _texts(result) == [("Røyker du?", "Daglig", ["Ja", "Nei"])]
    assert result.notices == ["Skjemaet har tekster på flere språk (nb, en); importerte bokmål (nb)."]


@pytest.mark.parametrize(
    ("columns", "expected", "notice"),
    [
        (
            ["label::en", "label::nn", "label"],
            "Uten",
            "(uten språkkode, en, nn); importerte teksten uten språkkode.",
        ),
        (["label::en", "label::nn", "label::nob"], "Bokmål", "(nob, en, nn); importerte bokmål (nob)."),
        (["label::English", "label::Norsk"], "Bokmål", "(Norsk, English); importerte bokmål."),
        (["label::en", "label::Norsk nynorsk (nn)"], "Nynorsk", "(nn, en); importerte nynorsk (nn)."),
        (["label::de", "label::en-GB"], "English", "(en, de); importerte engelsk (en)."),
        (["label::de", "label::fr"], "Deutsch", "(de, fr); importerte de."),
    ],
)
def test_language_order(columns: list[str], expected: str, notice: str) -> None:
    texts = {
        "label": "Uten",
        "label::en": "English",
        "label::English": "English",
        "label::en-GB": "English",
        "label::nn": "Nynorsk",
        "label::Norsk nynorsk (nn)": "Nynorsk",
        "label::nob": "Bokmål",
        "label::Norsk": "Bokmål",
        "label::de": "Deutsch",
        "label::fr": "Français",
    }
    content = _languages_book(
        ["type", "name", *columns], [["text", "a", *(texts[c] for c in columns)]], ["list_name", "name"], []
    )
    result = xlsform.read_xlsform(content)
    assert _texts(result) == [(expected, "", [])]
    assert result.notices == [f"Skjemaet har tekster på flere språk {notice}"]


def test_default_language_in_settings_is_preferred() -> None:
    content = _languages_book(
        ["type", "name", "label::Norsk bokmål (nb)", "label::English (en)", "hint::nb", "hint::en"],
        [["select_one ja", "a", "Røyker du?", "Do you smoke?", "Daglig", "Daily"]],
        ["list_name", "name", "label::Norsk bokmål (nb)", "label::English (en)"],
        [["ja", "1", "Ja", "Yes"], ["ja", "2", "Nei", "No"]],
        settings=[["form_title", "default_language"], ["Røyking", "English (en)"]],
    )
    result = xlsform.read_xlsform(content)
    assert result.spec.title == "Røyking"
    assert _texts(result) == [("Do you smoke?", "Daily", ["Yes", "No"])]
    assert result.notices == ["Skjemaet har tekster på flere språk (en, nb); importerte engelsk (en)."]


def test_choices_with_bokmal_labels_next_to_unsuffixed_survey_labels() -> None:
    content = _languages_book(
        ["type", "name", "label"],
        [["select_one ja", "a", "Røyker du?"]],
        ["list_name", "name", "label::nb"],
        [["ja", "1", "Ja"], ["ja", "2", "Nei"]],
    )
    result = xlsform.read_xlsform(content)
    assert _texts(result) == [("Røyker du?", "", ["Ja", "Nei"])]
    assert result.notices == [
        "Skjemaet har tekster på flere språk (uten språkkode, nb); importerte teksten uten språkkode.",
        "Tekstene på svaralternativene er hentet fra bokmål (nb), fordi de ikke finnes på samme språk som "
        "spørsmålene.",
    ]


def test_suffixed_hint() -> None:
    content = _languages_book(
        ["type", "name", "label::nb", "hint::nb"],
        [["integer", "a", "Hvor mange?", "Skriv et helt tall"]],
        ["list_name", "name"],
        [],
    )
    result = xlsform.read_xlsform(content)
    assert _texts(result) == [("Hvor mange?", "Skriv et helt tall", [])]
    assert result.notices == []


def test_checks_name_the_suffixed_column_and_keep_row_numbers() -> None:
    content = _languages_book(
        ["type", "name", "label::en", "label::Norsk bokmål (nb)"],
        [["note", "n", "Welcome", None], ["geopoint", "b", "Where?", "Hvor?"]],
        ["list_name", "name", "label::nb"],
        [],
    )
    assert _problems(content) == [
        "survey, rad 2: merknaden «n» mangler tekst (kolonnen «label::Norsk bokmål (nb)»).",
        "survey, rad 3: spørsmålstypen «geopoint» støttes ikke.",
    ]


def test_duplicate_suffixed_column() -> None:
    content = _languages_book(
        ["type", "name", "label::nb", "label::nb"], [["text", "a", "A?", "A?"]], ["list_name", "name"], []
    )
    assert _problems(content) == [
        "Arket «survey» har kolonnen «label::nb» to ganger. Fjern eller gi nytt navn til den ene."
    ]


@pytest.mark.parametrize(
    "columns", [["type", "name"], ["type", "name", "hint::nb"], ["type", "name", "labels::nb"]]
)
def test_form_without_any_label_column_is_still_refused(columns: list[str]) -> None:
    content = _languages_book(
        columns, [["text", "a", *(["A?"] * (len(columns) - 2))]], ["list_name", "name"], []
    )
    assert _problems(content) == ["Arket «survey» mangler kolonnen «label»."]


def test_import_page_tells_which_language_was_imported(world: Any) -> None:
    client = client_for("forsker.nasjonal")
    content = _languages_book(
        ["type", "name", "label::en", "label::nb"],
        [["select_one ja", "a", "Do you smoke?", "Røyker du?"]],
        ["list_name", "name", "label::en", "label::nb"],
        [["ja", "1", "Yes", "Ja"], ["ja", "2", "No", "Nei"]],
    )
    response = client.post(
        reverse("surveys:xlsform_import"),
        {"file": SimpleUploadedFile("sprak.xlsx", content), "kind": "national"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Skjemaet har tekster på flere språk (nb, en); importerte bokmål (nb)." in page
    questionnaire = Questionnaire.objects.get(
        owner__slug="nasjonalt-kompetansemiljo", title="Importert skjema"
    )
    question = engine.load_form(questionnaire.versions.get()).question("a")
    assert question.text == "Røyker du?"
    assert [o.label for o in question.options] == ["Ja", "Nei"]
