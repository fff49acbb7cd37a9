"""Exports: CSV, XLSX and SPSS .sav (read back with pyreadstat); identity only for roles allowed to see it."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from typing import Any

import pyreadstat
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from mestring.core.testing.personas import client_for
from mestring.surveys import exports, services
from mestring.surveys.models import NationalSurvey

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(hand_survey: NationalSurvey) -> NationalSurvey:
    answers: list[dict[str, Any]] = [
        {
            "q1": "1",
            "q2": "3",
            "antall": "2,5",
            "verktoy": ["a", "c"],
            "tilbud": {"x": "2"},
            "samarbeid": {"nav": {"need": "4", "quality": "9"}},
            "utfordringer": "Bolig",
        },
        {"q1": "2", "q1_hvorfor": "Ikke tid", "q2": "9"},
    ]
    for n, data in enumerate(answers, start=1):
        invitation = hand_survey.invitations.get(kommunenummer=f"900{n}")
        _r, errors = services.response_save(invitation=invitation, data=data, final=True)
        assert errors == {}
    return hand_survey


def _read_sav(content: bytes) -> tuple[Any, Any]:
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        with open(path, "wb") as file:
            file.write(content)
        return pyreadstat.read_sav(path, user_missing=True)  # keep «ikke relevant» (9) as its code
    finally:
        os.unlink(path)


def test_sav_has_variable_and_value_labels(answered: NationalSurvey) -> None:
    df, meta = _read_sav(exports.export_responses(answered, "sav", identity=True))
    assert list(df["kommunenummer"]) == ["9001", "9002"]
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["q1"] == "Har dere plan?"
    assert labels["verktoy_a"] == "Verktøy: A"
    assert labels["samarbeid_nav_need"] == "NAV: Behov for samarbeid"
    assert meta.variable_value_labels["q1"] == {1.0: "Ja", 2.0: "Nei"}
    assert meta.variable_value_labels["q2"][9.0] == "Ikke relevant"
    assert meta.variable_value_labels["samarbeid_nav_quality"][9.0] == "Ikke relevant"
    first = df.iloc[0]
    assert first["q1"] == 1 and first["q2"] == 3 and first["antall"] == 2.5
    assert first["verktoy_a"] == 1 and first["verktoy_b"] == 0 and first["verktoy_c"] == 1
    assert first["tilbud_x"] == 2 and first["samarbeid_nav_need"] == 4 and first["samarbeid_nav_quality"] == 9
    assert first["utfordringer"] == "Bolig"
    assert df.iloc[1]["q1_hvorfor"] == "Ikke tid"


def test_without_identity_no_municipality_columns(answered: NationalSurvey) -> None:
    df, _meta = _read_sav(exports.export_responses(answered, "sav", identity=False))
    assert "kommunenummer" not in df.columns and "kommune" not in df.columns
    assert list(df["lopenr"]) == [1.0, 2.0]
    text = exports.export_responses(answered, "csv", identity=False).decode("utf-8-sig")
    assert "9001" not in text and "Testkommune" not in text


def test_csv_and_xlsx(answered: NationalSurvey) -> None:
    rows = list(
        csv.reader(io.StringIO(exports.export_responses(answered, "csv", identity=True).decode("utf-8-sig")))
    )
    assert rows[0][:3] == ["kommunenummer", "kommune", "q1"]
    assert rows[1][:3] == ["9001", "Testkommune 1", "1"]
    workbook = load_workbook(io.BytesIO(exports.export_responses(answered, "xlsx", identity=True)))
    assert workbook.sheetnames == ["Svar", "Variabler"]
    assert workbook["Svar"]["A2"].value == "9001"
    labels = {row[0]: row for row in workbook["Variabler"].iter_rows(values_only=True)}
    assert labels["q1"][2] == "1 = Ja; 2 = Nei"


def test_export_view_uses_identity_permission(answered: NationalSurvey, world: Any) -> None:
    client = client_for("forsker.nasjonal")
    response = client.get(reverse("surveys:national_export", args=[answered.slug, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-svar.csv"')
    assert "9001" in response.content.decode("utf-8-sig")  # the national analyst has SURVEY_IDENTITY_VIEW
    assert client.get(reverse("surveys:national_export", args=[answered.slug, "pdf"])).status_code == 404


def test_export_view_without_identity_permission(answered: NationalSurvey, monkeypatch: Any) -> None:
    from mestring.accounts import roles

    reduced = roles.PERMISSIONS[roles.Role.NATIONAL_ANALYST] - {roles.Perm.SURVEY_IDENTITY_VIEW}
    monkeypatch.setitem(roles.PERMISSIONS, roles.Role.NATIONAL_ANALYST, reduced)
    client = client_for("forsker.nasjonal")
    content = client.get(reverse("surveys:national_export", args=[answered.slug, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert "9001" not in content and "lopenr" in content
    page = client.get(reverse("surveys:national_detail", args=[answered.slug])).content.decode()
    assert "Testkommune 1" not in page  # no per-municipality status list either


def test_tables_export_is_suppressed(answered: NationalSurvey) -> None:
    client = client_for("forsker.nasjonal")
    content = client.get(
        reverse("surveys:national_tables_export", args=[answered.slug, "csv"])
    ).content.decode("utf-8-sig")
    assert "Representativitet etter fylke" in content
    assert ":" in content  # two answers: everything small is hidden
