"""QA walk of the surveys: respondent pages are never cached (shared tablets, reopened surveys), a draft keeps
what was typed next to its error, XLSForm problems name the sheet row in Norwegian and never reach the
database, and the SPSS file marks «ikke relevant» as missing."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from mestring.core.testing.personas import client_for
from mestring.surveys import exports, services, xlsform
from mestring.surveys.models import NationalSurvey, Questionnaire, Response, SatisfactionAnswer
from mestring.surveys.tests import fixtures

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parent.parent / "static" / "surveys"


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# -- respondent pages are never stored by the browser --------------------------------------------------------


def test_unit_survey_pages_are_never_cached(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    client = Client()
    for name in ("surveys:unit_form", "surveys:unit_kiosk", "surveys:unit_thanks"):
        assert _no_store(client.get(reverse(name, args=[survey.code]))), name
    # The page with an error shows the typed answers again: not to be kept either.
    bad = client.post(reverse("surveys:unit_kiosk", args=[survey.code]), {"q-forbedring": "x" * 5001})
    assert bad.status_code == 400 and _no_store(bad)
    assert not SatisfactionAnswer.objects.filter(round__survey=survey).exists()


def test_kiosk_back_button_cannot_show_the_previous_answer(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    form = Client().get(reverse("surveys:unit_kiosk", args=[survey.code])).content.decode()
    # A form page restored from the back/forward cache is emptied and fetched again ...
    assert "data-blank-on-restore" in form and "surveys/kiosk.js" in form
    script = (STATIC / "kiosk.js").read_text()
    assert "event.persisted" in script and "form.reset()" in script
    # ... and the countdown replaces the thank-you page in the history instead of adding to it.
    assert "location.replace(" in script and "location.assign(" not in script


def test_national_link_opened_while_closed_works_after_reopening(hand_survey: NationalSurvey) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9001")
    url = reverse("surveys:respond", args=[invitation.token])
    client = Client()
    services.national_survey_close(survey=hand_survey)
    closed = client.get(url)
    assert closed.status_code == 410 and _no_store(closed)  # a browser must not keep serving this 410
    services.national_survey_reopen(survey=hand_survey)
    opened = client.get(url)
    assert opened.status_code == 200 and _no_store(opened)
    assert _no_store(client.get(reverse("surveys:respond_done", args=[invitation.token])))


# -- the municipality's draft --------------------------------------------------------------------------------


def test_draft_with_a_bad_answer_keeps_what_was_typed_and_says_it_was_not_saved(
    hand_survey: NationalSurvey,
) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9002")
    url = reverse("surveys:respond", args=[invitation.token])
    response = Client().post(url, {"q-q1": "1", "q-antall": "mange", "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Skriv et tall, for eksempel 12." in page
    assert 'value="mange"' in page  # the typed value stays next to its message
    assert "svarene som er merket under, er ikke lagret" in page
    assert "Svarene er lagret. Du kan fortsette" not in page
    assert Response.objects.get(invitation=invitation).data == {"q1": "1"}


def test_cover_problem_is_shown_to_the_respondent(hand_survey: NationalSurvey) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9003")
    url = reverse("surveys:respond", args=[invitation.token])
    data = {"q-q1": "1", "q-q2": "3", "covers": "9004", "action": "submit"}
    response = Client().post(url, data)
    assert response.status_code == 400
    assert "Svaret kan bare gjelde kommuner i samme samarbeid" in response.content.decode()
    assert not Response.objects.filter(invitation=invitation).exists()


def test_nul_character_is_not_stored_in_a_text_answer(hand_survey: NationalSurvey) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9005")
    _r, errors = services.response_save(
        invitation=invitation, data={"q1": "1", "q2": "3", "utfordringer": "Bo\x00lig"}, final=True
    )
    assert errors == {}
    assert Response.objects.get(invitation=invitation).data["utfordringer"] == "Bolig"


# -- XLSForm import ------------------------------------------------------------------------------------------


def _workbook(
    survey_rows: list[list[Any]],
    choices: list[list[Any]] | None = None,
    title: str = "Testskjema",
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "relevant"])
    for row in survey_rows:
        sheet.append(row)
    choice_sheet = workbook.create_sheet("choices")
    choice_sheet.append(["list_name", "name", "label"])
    for row in choices or [["jn", "1", "Ja"], ["jn", "2", "Nei"]]:
        choice_sheet.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_title"])
    settings.append([title])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _problems(content: bytes) -> list[str]:
    with pytest.raises(xlsform.XLSFormError) as info:
        xlsform.parse_xlsform(content)
    return info.value.problems


def test_question_problems_name_the_sheet_row_in_norwegian() -> None:
    problems = _problems(
        _workbook(
            [
                ["select_one jn", "q1", "Fornøyd?", None],
                ["text", "q1", "Igjen?", None],
                ["text", "q3", "Hvorfor?", "${q9} = '1'"],
            ],
            [["jn", "1", "Ja"], ["jn", "1", "Ja igjen"]],
        )
    )
    assert problems == [
        "choices, rad 3: koden «1» finnes allerede i svarlisten «jn» (rad 2). Kodene i en svarliste må være "
        "ulike.",
        "survey, rad 2 (q1): Kodene for svaralternativene må være ulike.",
        "survey, rad 3 (q1): Variabelnavnet q1 er allerede brukt i skjemaet.",
        "survey, rad 4 (q3): Vilkåret må vise til et spørsmål som kommer før dette (q9 finnes ikke).",
    ]
    # No internal field names (name, options, condition_question) in what the author reads.
    assert not any("(name)" in p or "(options)" in p or "condition_question" in p for p in problems)


def test_a_section_without_end_group_is_our_own_norwegian_message() -> None:
    problems = _problems(_workbook([["begin_group", "del1", "Del 1", None], ["text", "a", "A?", None]]))
    assert problems == ["survey, rad 2: gruppen «del1» mangler end_group."]


def test_texts_longer_than_the_database_allows_are_refused_with_the_row() -> None:
    problems = _problems(
        _workbook(
            [["text", "a", "A" * 501, None], ["select_one jn", "b", "B?", None]],
            [["jn", "1", "J" * 301], ["jn", "2", "Nei"]],
            title="T" * 201,
        )
    )
    assert "Tittelen kan ikke være lengre enn 200 tegn." in problems
    assert "survey, rad 2 (a): Spørsmålsteksten kan ikke være lengre enn 500 tegn (den har 501)." in problems
    assert "survey, rad 3 (b): Teksten til et svaralternativ kan ikke være lengre enn 300 tegn." in problems


def test_import_page_refuses_a_too_long_question_and_imports_nothing(world: Any) -> None:
    client = client_for("forsker.nasjonal")
    before = Questionnaire.objects.count()
    upload = SimpleUploadedFile("lang.xlsx", _workbook([["text", "a", "A" * 5000, None]]))
    response = client.post(reverse("surveys:xlsform_import"), {"file": upload, "kind": "national"})
    assert response.status_code == 200
    assert "Spørsmålsteksten kan ikke være lengre enn 500 tegn" in response.content.decode()
    assert Questionnaire.objects.count() == before


def test_a_huge_sheet_is_refused_before_it_is_read_whole() -> None:
    rows = [["text", f"q{n}", f"Spørsmål {n}", None] for n in range(xlsform.MAX_ROWS["survey"] + 1)]
    problems = _problems(_workbook(rows))
    assert problems == ["Arket «survey» har mer enn 2\u00a0000 utfylte rader (rad 2002). Del opp skjemaet."]


# -- SPSS ----------------------------------------------------------------------------------------------------


def test_sav_marks_not_applicable_as_missing_and_sets_measurement_levels(hand_survey: NationalSurvey) -> None:
    invitation = hand_survey.invitations.get(kommunenummer="9001")
    data = {"q1": "1", "q2": "9", "antall": "3", "samarbeid": {"nav": {"need": "9"}}}
    _r, errors = services.response_save(invitation=invitation, data=data, final=True)
    assert errors == {}
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        Path(path).write_bytes(exports.export_responses(hand_survey, "sav", identity=True))
        _df, meta = pyreadstat.read_sav(path, user_missing=True)
    finally:
        os.unlink(path)
    assert meta.missing_ranges["q2"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.missing_ranges["samarbeid_nav_need"] == [{"lo": 9.0, "hi": 9.0}]
    assert "q1" not in meta.missing_ranges
    assert meta.variable_measure["q1"] == "nominal"
    assert meta.variable_measure["q2"] == "ordinal"
    assert meta.variable_measure["antall"] == "scale"
    assert meta.variable_measure["utfordringer"] == "nominal"


# -- unit survey rounds --------------------------------------------------------------------------------------


def test_a_too_long_round_name_says_so_instead_of_asking_for_a_name(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    client = client_for("admin.evje")
    url = reverse("surveys:unit_survey_round", args=[survey.pk])
    page = client.post(url, {"name": "R" * 150}, follow=True).content.decode()
    assert "Navnet på runden:" in page and "100" in page
    assert "Gi runden et navn." not in page
    assert survey.rounds.count() == 1
    assert "Gi runden et navn." in client.post(url, {"name": " "}, follow=True).content.decode()


def test_invitation_does_not_promise_answers_are_saved_as_you_go(hand_survey: NationalSurvey) -> None:
    # Answers are saved only with «Lagre og fortsett senere» (there is no autosave): say so.
    invitation = hand_survey.invitations.get(kommunenummer="9001")
    body = services._invitation_message(invitation, reminder=False).body
    assert "lagres underveis" not in body
    assert "«Lagre og fortsett senere»" in body
