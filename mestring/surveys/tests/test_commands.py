"""Management commands for analysts: XLSForm import, response import (all or nothing), tables."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from mestring.surveys import xlsform
from mestring.surveys.models import NationalSurvey, Response
from mestring.surveys.tests.conftest import HAND_YEAR

pytestmark = pytest.mark.django_db


def test_import_xlsform_creates_national_survey(world: Any, small_version: Any, tmp_path: Path) -> None:
    path = tmp_path / "skjema.xlsx"
    path.write_bytes(xlsform.export_xlsform(small_version))
    out = io.StringIO()
    call_command(
        "survey_import_xlsform", str(path), "--slug", "kartlegging-2026", "--frame-year", "2026", stdout=out
    )
    survey = NationalSurvey.objects.get(slug="kartlegging-2026")
    assert survey.invitations.count() == 38 and survey.version.is_locked
    assert survey.owner.kind == "national"
    assert "38 kommuner" in out.getvalue()


def test_import_xlsform_bad_file_and_frame(world: Any, small_version: Any, tmp_path: Path) -> None:
    bad = tmp_path / "feil.xlsx"
    bad.write_bytes(b"tull")
    with pytest.raises(CommandError, match="ingenting er importert"):
        call_command(
            "survey_import_xlsform", str(bad), "--slug", "x", "--frame-year", "2026", stderr=io.StringIO()
        )
    good = tmp_path / "ok.xlsx"
    good.write_bytes(xlsform.export_xlsform(small_version))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("survey_import_xlsform", str(good), "--slug", "y", "--frame-year", "1990", stderr=err)
    assert "kommuneramme for 1990" in err.getvalue()
    assert not NationalSurvey.objects.filter(slug="y").exists()


def _csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def test_import_responses_all_or_nothing(hand_survey: NationalSurvey, tmp_path: Path) -> None:
    path = tmp_path / "svar.csv"
    path.write_text(
        _csv(
            [
                {
                    "kommunenummer": "9001",
                    "q1": "1",
                    "antall": "3",
                    "verktoy_a": "1",
                    "tilbud_x": "2",
                    "samarbeid_nav_need": "4",
                },
                {
                    "kommunenummer": "9002",
                    "q1": "7",
                    "antall": "mange",
                    "verktoy_a": "",
                    "tilbud_x": "",
                    "samarbeid_nav_need": "",
                },
                {
                    "kommunenummer": "8888",
                    "q1": "1",
                    "antall": "",
                    "verktoy_a": "",
                    "tilbud_x": "",
                    "samarbeid_nav_need": "",
                },
                {
                    "kommunenummer": "9001",
                    "q1": "1",
                    "antall": "",
                    "verktoy_a": "",
                    "tilbud_x": "",
                    "samarbeid_nav_need": "",
                },
            ]
        ),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="ingenting er importert"):
        call_command("survey_import_responses", hand_survey.slug, str(path), stderr=err)
    report = err.getvalue()
    assert "Linje 3, q1: Velg et av alternativene." in report
    assert "Linje 3, antall: Skriv et tall" in report
    assert f"Linje 4: kommunenummer 8888 er ikke i kommunerammen for {HAND_YEAR}" in report
    assert "Linje 5: kommune 9001 står flere ganger" in report
    assert not Response.objects.filter(invitation__survey=hand_survey).exists()

    path.write_text(
        _csv(
            [
                {
                    "kommunenummer": "9001",
                    "q1": "1",
                    "verktoy_a": "1",
                    "tilbud_x": "2",
                    "samarbeid_nav_need": "4",
                },
                {
                    "kommunenummer": "9002",
                    "q1": "2",
                    "verktoy_a": "0",
                    "tilbud_x": "",
                    "samarbeid_nav_need": "",
                },
            ]
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("survey_import_responses", hand_survey.slug, str(path), stdout=out)
    assert "2 svar er importert" in out.getvalue()
    data = Response.objects.get(invitation__kommunenummer="9001", invitation__survey=hand_survey).data
    assert data == {"q1": "1", "verktoy": ["a"], "tilbud": {"x": "2"}, "samarbeid": {"nav": {"need": "4"}}}
    assert hand_survey.invitations.filter(completed_at__isnull=False).count() == 2


def test_import_responses_ragged_row(hand_survey: NationalSurvey, tmp_path: Path) -> None:
    path = tmp_path / "svar.csv"
    path.write_text("kommunenummer,q1\n9001,1,2,3\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("survey_import_responses", hand_survey.slug, str(path), stderr=err)
    assert "Linje 2: flere verdier enn kolonner" in err.getvalue()


def test_import_responses_unknown_column(hand_survey: NationalSurvey, tmp_path: Path) -> None:
    path = tmp_path / "svar.csv"
    path.write_text("kommunenummer,hva\n9001,1\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("survey_import_responses", hand_survey.slug, str(path), stderr=err)
    assert "ukjente kolonner: hva" in err.getvalue()


def test_survey_table_md_and_csv(hand_survey: NationalSurvey) -> None:
    from mestring.surveys import services

    for n in [1, 2, 3, 4, 5, *range(11, 21)]:
        services.response_save(
            invitation=hand_survey.invitations.get(kommunenummer=f"90{n:02d}"), data={"q1": "1"}, final=True
        )
    out = io.StringIO()
    call_command("survey_table", hand_survey.slug, "--by", "fylke", "--format", "md", stdout=out)
    assert "| Fylke A | 10 | 5 | 50,0 |" in out.getvalue()
    out = io.StringIO()
    call_command(
        "survey_table", hand_survey.slug, "--by", "fylke", "--question", "q1", "--format", "csv", stdout=out
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert ["Fylke B", "100,0", "0,0", "10"] in rows
    with pytest.raises(CommandError, match="Ukjent gruppering"):
        call_command("survey_table", hand_survey.slug, "--by", "tull")
    with pytest.raises(CommandError, match="kan ikke krysses"):
        call_command("survey_table", hand_survey.slug, "--by", "fylke", "--question", "utfordringer")


def test_import_xlsform_prints_the_language_notice(world: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "survey"
    for row in [
        ["type", "name", "label::en", "label::nb"],
        ["begin_group", "del1", "Part 1", "Del 1"],
        ["text", "a", "Why?", "Hvorfor?"],
        ["end_group", None, None, None],
    ]:
        sheet.append(row)
    workbook.create_sheet("choices").append(["list_name", "name", "label::en", "label::nb"])
    path = tmp_path / "sprak.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command(
        "survey_import_xlsform", str(path), "--slug", "sprak-2026", "--frame-year", "2026", stdout=out
    )
    assert "Skjemaet har tekster på flere språk (nb, en); importerte bokmål (nb)." in out.getvalue()
    survey = NationalSurvey.objects.get(slug="sprak-2026")
    assert survey.version.questions.get(name="a").text == "Hvorfor?"
