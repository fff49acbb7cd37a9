"""Import from CSV and XLSX: every kind of error, reported per line, and all or nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from mestring.mapping import services
from mestring.mapping.models import ImportJob, MappingEntry, MappingRound
from mestring.mapping.tests.fixtures import ensure_cooperation_round, ensure_round
from mestring.organisations.models import Organisation

pytestmark = pytest.mark.django_db

HEADER = (
    "fodselsaar,kjonn,bolig,meningsfull_aktivitet,okonomi,fysisk_helse,psykisk_helse,rusmiddelbruk,"
    "sosial_fungering,sosialt_nettverk"
)
ROW = "1980,k,gronn,gul,rod,gronn,gronn,gul,gronn,gronn"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def run(mapping_round: MappingRound, content: bytes, filename: str = "fil.csv") -> ImportJob:
    return services.import_request(
        actor=None, mapping_round=mapping_round, municipality=None, filename=filename, content=content
    )


def test_good_csv_is_imported(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("1134", 2026)
    job = run(mapping_round, csv_bytes(ROW, ROW.replace(",k,", ",m,")))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.imported == 2
    assert MappingEntry.objects.filter(round=mapping_round, source="import").count() == 2
    entry = MappingEntry.objects.filter(round=mapping_round, gender="m").get()
    assert entry.red_count == 1 and entry.municipality.kommunenummer == "1134"


def test_semicolon_csv_with_bom_and_optional_columns(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("1134", 2026)
    header = HEADER.replace(",", ";") + ";ip;lar;fase;mottar_botilbud;trenger_botilbud;enhet;dato"
    row = ROW.replace(",", ";") + ";ja;nei;under_tsb;nei;ja;suldal-fact-light;2026-02-03"
    job = run(mapping_round, "\ufeff".encode() + csv_bytes(row, header=header))
    assert job.status == ImportJob.Status.DONE, job.errors
    entry = MappingEntry.objects.get(round=mapping_round)
    assert entry.has_ip and not entry.lar and entry.phase == "under_tsb"
    assert entry.needed_botilbud and not entry.received_botilbud
    assert entry.unit is not None and entry.unit.slug == "suldal-fact-light"
    assert entry.assessed_on.isoformat() == "2026-02-03"


def test_xlsx_is_imported(world) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append([1975, "m", "rod", "rod", "rod", "gul", "gul", "rod", "gronn", "gronn"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mapping_round = ensure_round("1134", 2026)
    job = run(mapping_round, buffer.getvalue(), "fil.xlsx")
    assert job.status == ImportJob.Status.DONE, job.errors
    assert MappingEntry.objects.get(round=mapping_round).red_count == 4


@pytest.mark.parametrize(
    ("content", "filename", "fragment"),
    [
        (b"", "fil.csv", "tom"),
        (HEADER.replace(",okonomi", "").encode(), "fil.csv", "mangler i overskriften: okonomi"),
        (
            (HEADER + ",skonumer").encode() + b"\n" + ROW.encode() + b",1\n",
            "fil.csv",
            "Ukjente kolonner: skonumer",
        ),
        ((HEADER + ",kjonn").encode(), "fil.csv", "mer enn én gang: kjonn"),
        (HEADER.encode() + b"\n", "fil.csv", "ingen rader"),
        (HEADER.encode("utf-16"), "fil.csv", "ikke UTF-8"),
        (b"not a workbook", "fil.xlsx", "Excel-ark"),
    ],
)
def test_file_level_errors(world, content: bytes, filename: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("1134", 2026)
    job = run(mapping_round, content, filename)
    assert job.status == ImportJob.Status.FAILED
    assert any(fragment in error for error in job.errors), job.errors
    assert not MappingEntry.objects.filter(round=mapping_round).exists()


def test_row_errors_are_reported_per_line_and_nothing_is_imported(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("1134", 2026)
    bad_gender = ROW.replace(",k,", ",x,")
    too_young = ROW.replace("1980", "2012")
    bad_area = ROW.replace(",rod,", ",lilla,")
    job = run(mapping_round, csv_bytes(ROW, bad_gender, "", too_young, bad_area, ROW))
    assert job.status == ImportJob.Status.FAILED
    assert job.imported == 0
    text = "\n".join(job.errors)
    assert "Linje 3, kjonn:" in text
    assert "Linje 5, fodselsaar:" in text and "16 år" in text
    assert "Linje 6, okonomi:" in text and "lilla" in text
    assert "Linje 2" not in text and "Linje 7" not in text
    assert not MappingEntry.objects.filter(round=mapping_round).exists()


def test_unknown_unit_and_cooperation_rows_need_a_member(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("1134", 2026)
    job = run(mapping_round, csv_bytes(ROW + ",finnes-ikke", header=HEADER + ",enhet"))
    assert any("Enheten «finnes-ikke» finnes ikke" in e for e in job.errors)
    cooperation_round = ensure_cooperation_round("setesdal", 2026)
    job = run(cooperation_round, csv_bytes(ROW))
    assert any("Kommunenummer mangler" in e for e in job.errors)
    job = run(cooperation_round, csv_bytes(ROW + ",1134", header=HEADER + ",kommunenummer"))
    assert any("1134 er ikke med i runden" in e for e in job.errors)
    job = run(cooperation_round, csv_bytes(ROW + ",4222", ROW + ",4219", header=HEADER + ",kommunenummer"))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert set(
        MappingEntry.objects.filter(round=cooperation_round).values_list(
            "municipality__kommunenummer", flat=True
        )
    ) == {"4222", "4219"}


def test_row_for_another_member_than_the_chosen_municipality_says_so(world) -> None:  # type: ignore[no-untyped-def]
    # A member's kommunenummer in a file imported for another member was reported as «not in the round».
    cooperation_round = ensure_cooperation_round("setesdal", 2026)
    bykle = Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, kommunenummer="4222")
    job = services.import_request(
        actor=None,
        mapping_round=cooperation_round,
        municipality=bykle,
        filename="fil.csv",
        content=csv_bytes(ROW + ",4219", header=HEADER + ",kommunenummer"),
    )
    assert job.status == ImportJob.Status.FAILED
    assert not any("ikke med i runden" in e for e in job.errors)
    assert any(
        "4219 (Evje og Hornnes) er ikke kommunen du valgte for importen (Bykle)" in e for e in job.errors
    )
    assert not MappingEntry.objects.filter(round=cooperation_round).exists()


def test_closed_round_refuses_import(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("1134", 2025, status=MappingRound.Status.CLOSED)
    with pytest.raises(services.ValidationError):
        run(mapping_round, csv_bytes(ROW))


def test_big_file_goes_to_the_background_task_with_progress(world, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(services, "INLINE_IMPORT_BYTES", 10)
    mapping_round = ensure_round("1134", 2026)
    job = run(mapping_round, csv_bytes(*[ROW] * 30))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.imported == 30 and job.progress == 100 and job.processed_rows == 30
    assert job.content in (b"", memoryview(b""))  # the upload is not kept after a successful import


def test_management_command(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "kartlegging.csv"
    good.write_bytes(csv_bytes(ROW, ROW))
    out = io.StringIO()
    call_command("mapping_import", str(good), "--municipality", "1134", "--year", "2024", stdout=out)
    assert "2 kartlegginger importert" in out.getvalue()
    assert MappingEntry.objects.filter(year=2024, municipality__kommunenummer="1134").count() == 2
    bad = tmp_path / "feil.csv"
    bad.write_bytes(csv_bytes(ROW, ROW.replace("1980", "19x0")))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("mapping_import", str(bad), "--municipality", "1134", "--year", "2024", stderr=err)
    assert "Linje 3, fodselsaar" in err.getvalue()
    assert MappingEntry.objects.filter(year=2024, municipality__kommunenummer="1134").count() == 2
    with pytest.raises(CommandError, match="Ukjent kommunenummer"):
        call_command("mapping_import", str(good), "--municipality", "9999", "--year", "2024")
