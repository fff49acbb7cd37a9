"""Municipality frame import: good file, each kind of bad row, all or nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mestring.organisations.models import MunicipalityFrame, Organisation, population_class
from mestring.organisations.selectors import group_assignments
from mestring.organisations.services import FrameImportError, frame_import

HEADER = "kommunenummer,navn,fylke,helseregion,kostragruppe,innbyggere\n"
GOOD = HEADER + (
    "9901,Nordvik,Testfylke,Nord,KG 16,1999\n"
    "9902,Sørby,Testfylke,Sør-Øst,KG 11,2000\n"
    "9903,Midtdal,Annet fylke,Midt,KG 13,50000\n"
    "9904,Vestøy,Annet fylke,Vest,KG 14,50001\n"
)

pytestmark = pytest.mark.django_db


def test_good_file_creates_frame_and_municipalities() -> None:
    report = frame_import(year=2030, text=GOOD)
    assert report.ok and report.created == 4
    rows = {r.kommunenummer: r for r in MunicipalityFrame.objects.filter(year=2030)}
    assert rows["9902"].name == "Sørby" and rows["9902"].helseregion == "Sør-Øst"
    assert rows["9901"].befolkningsklasse == "Under 2 000"
    assert rows["9902"].befolkningsklasse == "2 000–4 999"
    assert rows["9903"].befolkningsklasse == "20 000–50 000"
    assert rows["9904"].befolkningsklasse == "Over 50 000"
    assert Organisation.objects.get(kommunenummer="9903", kind="municipality").name == "Midtdal"
    assert group_assignments(2030, "fylke") == {
        "9901": "Testfylke",
        "9902": "Testfylke",
        "9903": "Annet fylke",
        "9904": "Annet fylke",
    }
    assert group_assignments(2030, "helseregion")["9904"] == "Vest"


def test_reimport_replaces_the_year_and_renames() -> None:
    frame_import(year=2030, text=GOOD)
    report = frame_import(year=2030, text=HEADER + "9901,Nordvik og Ny,Testfylke,Nord,KG 16,2100\n")
    assert report.updated == 1
    assert list(MunicipalityFrame.objects.filter(year=2030).values_list("kommunenummer", flat=True)) == [
        "9901"
    ]
    assert Organisation.objects.get(kommunenummer="9901").name == "Nordvik og Ny"


def test_an_older_year_fills_history_without_renaming_or_reviving_municipalities() -> None:
    frame_import(year=2030, text=GOOD)
    report = frame_import(
        year=2020,
        text=HEADER + "9901,Gamle Nordvik,Testfylke,Nord,KG 16,2100\n9988,Slått sammen,F,Nord,KG,50\n",
    )
    assert report.ok and report.imported == 2
    assert MunicipalityFrame.objects.get(year=2020, kommunenummer="9901").name == "Gamle Nordvik"
    assert Organisation.objects.get(kommunenummer="9901").name == "Nordvik"
    assert not Organisation.objects.filter(kommunenummer="9988").exists()


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("991,Kort,F,Nord,KG,10", "må være fire sifre"),
        ("99A1,Bokstav,F,Nord,KG,10", "må være fire sifre"),
        ("9901,Dobbel,F,Nord,KG,10", "står mer enn én gang"),
        ("9905,,F,Nord,KG,10", "navn mangler"),
        ("9905,Ukjent,F,Sørvest,KG,10", "ukjent helseregion «Sørvest»"),
        ("9905,Tekst,F,Nord,KG,mange", "må være et heltall"),
        ("9905,Negativ,F,Nord,KG,-5", "må være et heltall"),
        ("9905,Hevet,F,Nord,KG,2²", "må være et heltall"),
        ("99٠5,Arabisk,F,Nord,KG,10", "må være fire sifre"),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(bad_row: str, message: str) -> None:
    before_orgs = Organisation.objects.count()
    with pytest.raises(FrameImportError) as exc:
        frame_import(year=2031, text=GOOD + bad_row + "\n")
    errors = exc.value.report.errors
    assert any(e.startswith("Linje 6:") and message in e for e in errors), errors
    assert not MunicipalityFrame.objects.filter(year=2031).exists()
    assert Organisation.objects.count() == before_orgs


def test_missing_header_column() -> None:
    with pytest.raises(FrameImportError) as exc:
        frame_import(year=2031, text="kommunenummer,navn\n9901,X\n")
    assert "mangler kolonnene fylke, helseregion, kostragruppe, innbyggere" in exc.value.report.errors[0]


def test_population_classes_boundaries() -> None:
    assert [
        population_class(n) for n in (0, 1999, 2000, 4999, 5000, 9999, 10000, 19999, 20000, 50000, 50001)
    ] == [
        "Under 2 000",
        "Under 2 000",
        "2 000–4 999",
        "2 000–4 999",
        "5 000–9 999",
        "5 000–9 999",
        "10 000–19 999",
        "10 000–19 999",
        "20 000–50 000",
        "20 000–50 000",
        "Over 50 000",
    ]


def test_command_good_and_bad(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_municipalities", str(good), "--year", "2032", stdout=out)
    assert "4 kommuner" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "9901,Dobbel,F,Nord,KG,10\n9906,,F,Vest,KG,1\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="Ingenting ble importert: 2 feil"):
        call_command("import_municipalities", str(bad), "--year", "2033", stderr=err)
    assert "Linje 6: kommunenummer 9901 står mer enn én gang i filen" in err.getvalue()
    assert "Linje 7: navn mangler" in err.getvalue()
    assert not MunicipalityFrame.objects.filter(year=2033).exists()


def test_command_rejects_non_utf8(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "9901,Sørby,F,Nord,KG,10\n").encode("latin-1"))
    with pytest.raises(CommandError, match="ikke UTF-8"):
        call_command("import_municipalities", str(latin), "--year", "2034")
