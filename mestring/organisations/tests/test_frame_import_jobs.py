"""The municipality frame import as a background job: checks before queueing, the task, progress, job page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mestring.core.testing.personas import client_for
from mestring.organisations import frame_jobs, services
from mestring.organisations.models import FrameImportJob, MunicipalityFrame, Organisation

pytestmark = pytest.mark.django_db

URL = "/organisasjon/kommuner/import/"
HEADER = "kommunenummer,navn,fylke,helseregion,kostragruppe,innbyggere\n"
GOOD = HEADER + (
    "9901,Nordvik,Testfylke,Nord,KG 16,1999\n"
    "9902,Sørby,Testfylke,Sør-Øst,KG 11,2000\n"
    "9903,Midtdal,Annet fylke,Midt,KG 13,50000\n"
)
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def upload(client: Any, year: int, text: str | bytes, name: str = "kommuner.csv") -> Any:
    content = text.encode() if isinstance(text, str) else text
    return client.post(URL, {"year": year, "file": SimpleUploadedFile(name, content)})


def make_job(year: int = 2040, **fields: Any) -> FrameImportJob:
    rows, errors = services.parse_frame_csv(GOOD)
    assert not errors
    defaults: dict[str, Any] = {
        "filename": "kommuner.csv",
        "rows": [frame_jobs._row_json(row) for row in rows],
        "total_rows": len(rows),
    }
    defaults.update(fields)
    return FrameImportJob.objects.create(year=year, **defaults)


# --- the task, run inline ---------------------------------------------------------------------------


def test_upload_is_imported_by_the_task_and_the_job_page_shows_the_result(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    client = client_for("forsker.nasjonal")
    response = upload(client, 2040, GOOD)
    job = FrameImportJob.objects.get(year=2040)
    assert response.status_code == 302 and response.url == f"/organisasjon/kommuner/import/{job.pk}/"
    assert job.status == FrameImportJob.Status.DONE, job.errors
    assert (job.created, job.updated, job.unchanged, job.removed) == (3, 0, 0, 0)
    assert job.organisations_created == 3 and job.processed_rows == 3 and job.progress == 100
    assert job.requested_by == world.user("forsker.nasjonal") and job.filename == "kommuner.csv"
    assert job.rows == []  # the uploaded rows are not kept after a successful import
    assert MunicipalityFrame.objects.filter(year=2040).count() == 3
    page = client.get(response.url).content.decode()
    assert "Kommunerammen for 2040 er importert: 3 kommuner." in page
    assert "Nye i rammen: 3" in page and "hx-trigger" not in page
    recent = client.get(URL).content.decode()  # the import page lists recent imports
    assert f'href="/organisasjon/kommuner/import/{job.pk}/"' in recent

    # The same year again: one row changed, one unchanged, one new, one left out.
    again = HEADER + (
        "9901,Nordvik,Testfylke,Nord,KG 16,1999\n"
        "9902,Sørby,Testfylke,Sør-Øst,KG 11,2100\n"
        "9904,Vestøy,Annet fylke,Vest,KG 14,50001\n"
    )
    upload(client, 2040, again)
    latest = FrameImportJob.objects.filter(year=2040).first()
    assert latest is not None and latest.status == FrameImportJob.Status.DONE
    job = latest
    assert (job.created, job.updated, job.unchanged, job.removed) == (1, 1, 1, 1)
    assert set(MunicipalityFrame.objects.filter(year=2040).values_list("kommunenummer", flat=True)) == {
        "9901",
        "9902",
        "9904",
    }


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens database connections
def test_db_worker_runs_the_queued_import(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("drift")
    response = upload(client, 2041, GOOD)
    job = FrameImportJob.objects.get(year=2041)
    assert response.status_code == 302
    assert job.status == FrameImportJob.Status.QUEUED
    assert not MunicipalityFrame.objects.filter(year=2041).exists()
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == FrameImportJob.Status.DONE, job.errors
    assert MunicipalityFrame.objects.filter(year=2041).count() == 3


def test_run_reports_progress_row_by_row(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    job = make_job()
    seen: list[tuple[str, int, int]] = []
    real_parse = frame_jobs._parse_frame_row

    def spy(line: int, raw: dict[str, str], known: set[str], errors: list[str]) -> Any:
        state = FrameImportJob.objects.get(pk=job.pk)
        seen.append((state.status, state.processed_rows, state.total_rows))
        return real_parse(line, raw, known, errors)

    monkeypatch.setattr(frame_jobs, "_parse_frame_row", spy)
    frame_jobs.frame_import_job_run(job.pk, progress_every=1)
    assert seen == [("running", 0, 3), ("running", 1, 3), ("running", 2, 3)]
    job.refresh_from_db()
    assert job.status == FrameImportJob.Status.DONE and job.processed_rows == 3


def test_run_is_all_or_nothing(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    services.frame_import(year=2040, text=HEADER + "9901,Gammel,Testfylke,Nord,KG 16,10\n")
    orgs_before = Organisation.objects.count()

    # A stored row that no longer passes the check (they are checked again): errors by line, nothing written.
    rows, _ = services.parse_frame_csv(GOOD)
    stored = [frame_jobs._row_json(row) for row in rows]
    stored[2]["helseregion"] = "Sørvest"
    job = make_job(rows=stored)
    job = frame_jobs.frame_import_job_run(job.pk)
    assert job.status == FrameImportJob.Status.FAILED
    assert any(e.startswith("Linje 4:") and "ukjent helseregion" in e for e in job.errors), job.errors
    assert list(MunicipalityFrame.objects.filter(year=2040).values_list("name", flat=True)) == ["Gammel"]

    # A failure in the middle of the write rolls the whole import back, and the job says so.
    def broken(**kwargs: Any) -> None:
        MunicipalityFrame.objects.filter(year=2040).delete()
        raise RuntimeError("disk full")

    monkeypatch.setattr(frame_jobs, "frame_rows_write", broken)
    job = make_job(year=2040)
    with pytest.raises(RuntimeError):
        frame_jobs.frame_import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == FrameImportJob.Status.FAILED and "Ingenting ble importert" in job.errors[0]
    assert list(MunicipalityFrame.objects.filter(year=2040).values_list("name", flat=True)) == ["Gammel"]
    assert Organisation.objects.count() == orgs_before


def test_a_job_runs_once(world) -> None:  # type: ignore[no-untyped-def]
    job = make_job()
    assert frame_jobs.frame_import_job_run(job.pk).status == FrameImportJob.Status.DONE
    MunicipalityFrame.objects.filter(year=2040).delete()
    again = frame_jobs.frame_import_job_run(job.pk)  # the task delivered twice
    assert again.status == FrameImportJob.Status.DONE
    assert not MunicipalityFrame.objects.filter(year=2040).exists()


# --- errors before queueing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (HEADER + "9901,Nordvik,F,Nord,KG,10\n12,X,F,Øst,KG,1\n", "k.csv", "Linje 3: kommunenummer «12»"),
        ("kommunenummer,navn\n9901,X\n", "k.csv", "overskriften mangler kolonnene fylke"),
        ((HEADER + "9901,Sørby,F,Nord,KG,10\n").encode("latin-1"), "k.csv", "Filen er ikke UTF-8"),
        (b"PK\x03\x04 ikke en arbeidsbok", "k.xlsx", "kunne ikke leses som Excel-arbeidsbok"),
        (HEADER, "k.csv", "Filen inneholder ingen kommuner."),
    ],
)
def test_bad_files_are_refused_on_the_form_and_nothing_is_queued(world, content, name, message) -> None:  # type: ignore[no-untyped-def]
    response = upload(client_for("forsker.nasjonal"), 2042, content, name)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert not FrameImportJob.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not MunicipalityFrame.objects.filter(year=2042).exists()


def test_bad_year_is_refused_on_the_form(world) -> None:  # type: ignore[no-untyped-def]
    response = upload(client_for("drift"), 1800, GOOD)
    assert response.status_code == 200 and not FrameImportJob.objects.exists()


# --- one import per year at a time -------------------------------------------------------------------


def test_second_import_of_the_same_year_is_refused_while_the_first_waits(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("forsker.nasjonal")
    assert upload(client, 2043, GOOD).status_code == 302
    first = FrameImportJob.objects.get(year=2043)
    assert first.status == FrameImportJob.Status.QUEUED  # no worker in this test
    response = upload(client_for("drift"), 2043, GOOD, "andre.csv")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kommunerammen for 2043 blir allerede importert" in body and "kommuner.csv" in body
    assert FrameImportJob.objects.filter(year=2043).count() == 1
    assert DBTaskResult.objects.count() == 1
    # Another year is not held up.
    assert upload(client, 2044, GOOD).status_code == 302
    # Once the first is done, the year can be imported again.
    FrameImportJob.objects.filter(pk=first.pk).update(status=FrameImportJob.Status.DONE)
    assert upload(client, 2043, GOOD).status_code == 302
    assert FrameImportJob.objects.filter(year=2043).count() == 2


def test_the_database_holds_one_active_import_per_year(world) -> None:  # type: ignore[no-untyped-def]
    make_job(year=2045, status=FrameImportJob.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_job(year=2045)
    make_job(year=2045, status=FrameImportJob.Status.FAILED)


def test_an_abandoned_job_does_not_block_its_year(world) -> None:  # type: ignore[no-untyped-def]
    stale = make_job(year=2046, status=FrameImportJob.Status.RUNNING)
    FrameImportJob.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert upload(client_for("drift"), 2046, GOOD).status_code == 302
    stale.refresh_from_db()
    assert stale.status == FrameImportJob.Status.FAILED and "avbrutt" in stale.errors[0]
    # A late run of the abandoned job writes nothing.
    assert frame_jobs.frame_import_job_run(stale.pk).status == FrameImportJob.Status.FAILED
    assert not MunicipalityFrame.objects.filter(year=2046).exists()


# --- the job page ------------------------------------------------------------------------------------


def job_page(job: FrameImportJob, htmx: bool = False) -> str:
    client = client_for("drift")
    url = f"/organisasjon/kommuner/import/{job.pk}/"
    response = client.get(url, HTTP_HX_REQUEST="true") if htmx else client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_job_page_queued(world) -> None:  # type: ignore[no-untyped-def]
    page = job_page(make_job())
    assert "I kø" in page and "står i kø" in page
    assert 'hx-trigger="every 2s"' in page and "<html" in page


def test_job_page_running_with_progress(world) -> None:  # type: ignore[no-untyped-def]
    job = make_job(status=FrameImportJob.Status.RUNNING, total_rows=10, processed_rows=3)
    fragment = job_page(job, htmx=True)
    assert "<html" not in fragment and 'hx-trigger="every 2s"' in fragment
    assert "Kontrollerer rad 3 av 10" in fragment and 'value="30"' in fragment
    FrameImportJob.objects.filter(pk=job.pk).update(processed_rows=10)
    assert "Lagrer kommunerammen" in job_page(job, htmx=True)


def test_job_page_done(world) -> None:  # type: ignore[no-untyped-def]
    job = make_job(
        status=FrameImportJob.Status.DONE, processed_rows=3, created=1, updated=1, unchanged=1, removed=2
    )
    page = job_page(job)
    assert "Ferdig" in page and "hx-trigger" not in page and 'value="100"' in page
    assert "Nye i rammen: 1" in page and "Endret: 1" in page and "Uendret: 1" in page
    assert "Ikke lenger med i rammen for året: 2" in page


def test_job_page_failed(world) -> None:  # type: ignore[no-untyped-def]
    job = make_job(status=FrameImportJob.Status.FAILED, errors=["Linje 4: navn mangler"])
    page = job_page(job)
    assert "Importen feilet. Ingenting ble importert." in page and "Linje 4: navn mangler" in page
    assert "hx-trigger" not in page


def test_job_page_unknown_job_is_404(world) -> None:  # type: ignore[no-untyped-def]
    assert client_for("drift").get("/organisasjon/kommuner/import/999999/").status_code == 404


def test_command_still_imports_at_once(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "k.csv"
    path.write_text(GOOD, encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("import_municipalities", str(path), "--year", "2047", stdout=out)
    assert "3 kommuner (3 nye, 0 endret, 0 uendret)" in out.getvalue()
    assert MunicipalityFrame.objects.filter(year=2047).count() == 3
    assert not FrameImportJob.objects.exists()
