"""QA walk (unit surveys): kiosk idle reset, per-question n, one open survey per unit and questionnaire,
exports of the unit's results, numbers in the tables XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from mestring.core.testing.personas import client_for
from mestring.surveys import analysis, exports, services
from mestring.surveys.defaults import ensure_default_questionnaires
from mestring.surveys.models import SatisfactionSurvey
from mestring.surveys.tests import fixtures

pytestmark = pytest.mark.django_db


def _answers(survey: SatisfactionSurvey, n: int, data: dict[str, str]) -> None:
    for _ in range(n):
        assert services.satisfaction_submit(survey=survey, data=data) == {}


# 1. Kiosk idle reset ---------------------------------------------------------------------------------------


def test_kiosk_form_carries_the_idle_reset(world: Any, settings: Any) -> None:
    survey = fixtures.unit_survey(world)
    kiosk_url = reverse("surveys:unit_kiosk", args=[survey.code])
    page = Client().get(kiosk_url).content.decode()
    assert "data-kiosk-idle" in page and f'data-idle-url="{kiosk_url}"' in page
    assert 'data-idle-seconds="180"' in page and 'data-warning-seconds="30"' in page
    assert "data-armed" not in page  # an untouched blank form is not reset
    assert "Trykk hvor som helst for å fortsette." in page and 'aria-live="polite"' in page
    assert "surveys/kiosk.js" in page and "<script>" not in page  # CSP: no inline script
    # An answer with an error arms the reset at once: the next person must not see it.
    error_page = Client().post(kiosk_url, {"q-tilgjengelig": "99"})
    assert error_page.status_code == 400 and "data-armed" in error_page.content.decode()
    # The personal link (a respondent's own phone) has no idle reset.
    assert (
        "data-kiosk-idle"
        not in Client().get(reverse("surveys:unit_form", args=[survey.code])).content.decode()
    )
    settings.MESTRING_KIOSK_IDLE_SECONDS = 20
    page = Client().get(kiosk_url).content.decode()
    assert 'data-idle-seconds="20"' in page and 'data-warning-seconds="20"' in page


# 2. Per-question n ------------------------------------------------------------------------------------------


def test_results_show_each_questions_own_n_and_no_answers(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    _answers(survey, 12, {"tilgjengelig": "3"})  # nobody answers "respekt"
    _answers(survey, 2, {"tilgjengelig": "3", "nytte": "2"})
    result = analysis.satisfaction_results(survey)
    assert result.n == 14
    by_name = {t.title: t for t in result.tables}
    access = next(t for title, t in by_name.items() if title.startswith("Får du kontakt"))
    assert access.n == 14
    empty = [t for t in result.tables if t.n == 0]
    assert empty and all(t.rows == [] for t in empty)
    assert all(t.notes == ("Ingen svar på dette spørsmålet.",) for t in empty)
    partial = [t for t in result.tables if t.n not in (0, 14)]
    assert all(t.n is None for t in partial)  # two answers: hidden, never the round's 14
    page = (
        client_for("admin.evje")
        .get(reverse("surveys:unit_survey_results", args=[survey.pk]))
        .content.decode()
    )
    assert "Ingen svar på dette spørsmålet." in page
    assert f"{empty[0].title} (n = 0)" in page
    assert f"{empty[0].title} (n = 14)" not in page


# 3. One open survey per unit and questionnaire --------------------------------------------------------------


def test_second_open_survey_for_the_same_unit_and_questionnaire_is_refused(world: Any) -> None:
    satisfaction, _n = ensure_default_questionnaires()
    version = satisfaction.latest_published()
    assert version is not None
    unit = world.org("evje-rus-psykisk-helse")
    first = services.satisfaction_survey_create(unit=unit, version=version, round_name="2026")
    with pytest.raises(ValidationError) as exc:
        services.satisfaction_survey_create(unit=unit, version=version, title="Annen tittel")
    assert "allerede en åpen brukerundersøkelse" in str(exc.value.message_dict["version"])
    assert SatisfactionSurvey.objects.filter(unit=unit).count() == 1
    response = client_for("admin.evje").post(
        reverse("surveys:unit_survey_create"),
        {"unit": unit.pk, "version": version.pk, "title": "", "min_answers": 10},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "allerede en åpen brukerundersøkelse" in page
    assert reverse("surveys:unit_survey_detail", args=[first.pk]) in page
    assert SatisfactionSurvey.objects.filter(unit=unit).count() == 1


# 4. Export of the unit's results ----------------------------------------------------------------------------


def test_unit_results_export_gives_the_pages_figures(world: Any) -> None:
    survey = fixtures.unit_survey(world)
    _answers(survey, 8, {"tilgjengelig": "3"})
    client = client_for("admin.evje")
    response = client.get(reverse("surveys:unit_survey_results_export", args=[survey.pk, "csv"]))
    assert response.status_code == 302  # below the minimum: nothing to export
    _answers(survey, 2, {"tilgjengelig": "2"})
    tables = analysis.satisfaction_results(survey).tables
    response = client.get(reverse("surveys:unit_survey_results_export", args=[survey.pk, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [tables[0].caption] in lines and tables[0].rows[0] in lines
    assert ["Ingen svar på dette spørsmålet."] in lines
    response = client.get(reverse("surveys:unit_survey_results_export", args=[survey.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [tables[0].caption, None, None] in rows
    n_row = next(row for row in tables[0].rows if row[0] == "n")
    assert ["n", 10, *(None if v == "" else (v if v == ":" else int(v)) for v in n_row[2:])] in rows
    assert (
        client.get(reverse("surveys:unit_survey_results_export", args=[survey.pk, "pdf"])).status_code == 404
    )
    assert (
        client_for("leder.valle")
        .get(reverse("surveys:unit_survey_results_export", args=[survey.pk, "csv"]))
        .status_code
        == 404
    )


# 5. Numbers in the tables XLSX ------------------------------------------------------------------------------


def test_tables_xlsx_writes_numbers_as_numbers() -> None:
    table = analysis.Published(
        title="Spørsmål",
        header=["Svar", "Antall", "Prosent"],
        rows=[["Ja", "8", "62,5"], ["Nei", ":", ":"], ["2026", "5", "37,5"]],
        notes=(),
        n=13,
    )
    sheet = load_workbook(io.BytesIO(exports.tables_to_xlsx([table]))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, max_row=5))
    assert [c.value for c in rows[0]] == ["Ja", 8, 62.5]
    assert rows[0][2].number_format == "0.0" and rows[0][1].number_format == "0"
    assert [c.value for c in rows[1]] == ["Nei", ":", ":"]  # suppressed cells stay the symbol
    assert rows[2][0].value == "2026"  # labels stay text
