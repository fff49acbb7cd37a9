"""Pages and API of the mapping: rounds, entry, import, reports, exports, background PDF."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from mestring.core.testing.personas import login
from mestring.mapping.models import MappingEntry, MappingRound
from mestring.mapping.tests.fixtures import add_entries, ensure_cooperation_round, ensure_round, freeze_today
from mestring.mapping.tests.test_import import ROW, csv_bytes
from mestring.organisations.models import Organisation
from mestring.stats.models import ReportJob

pytestmark = pytest.mark.django_db


def client(username: str) -> Client:
    c = Client()
    login(c, username)
    return c


VALID_ENTRY = {
    "dato": "2026-03-01",
    "fodselsaar": "1970",
    "kjonn": "m",
    "bolig": "rod",
    "meningsfull_aktivitet": "gul",
    "okonomi": "gronn",
    "fysisk_helse": "gronn",
    "psykisk_helse": "gul",
    "rusmiddelbruk": "rod",
    "sosial_fungering": "gronn",
    "sosialt_nettverk": "gul",
    "mottar": ["botilbud"],
    "trenger": ["botilbud", "rusbehandling"],
    "ip": "on",
    "fase": "tidlig_innsats",
}


def test_round_create_progress_and_close(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    freeze_today(monkeypatch, date(2027, 11, 1))
    c = client("admin.evje")
    unit = world.org("evje-rus-psykisk-helse")
    staff = world.user("koordinator.evje")
    response = c.post(
        reverse("mapping:round_create"),
        {"year": "2027", "starts_on": "2027-09-01", "ends_on": "2027-08-01", f"unit_{unit.pk}": "10"},
    )
    assert response.status_code == 200
    assert "Sluttdatoen kan ikke være før startdatoen." in response.content.decode()
    response = c.post(
        reverse("mapping:round_create"),
        {
            "year": "2027",
            "starts_on": "2027-09-01",
            "ends_on": "2027-11-30",
            f"unit_{unit.pk}": "10",
            f"staff_{staff.pk}": "4",
        },
    )
    mapping_round = MappingRound.objects.get(organisation__kommunenummer="4219", year=2027)
    assert response.status_code == 302
    duplicate = c.post(
        reverse("mapping:round_create"), {"year": "2027", "starts_on": "2027-09-01", "ends_on": "2027-11-30"}
    )
    assert "har allerede en kartleggingsrunde for 2027" in duplicate.content.decode()
    # Koordinator registers one person; progress shows 1 of 10 for the unit and 1 of 4 for her.
    coordinator = client("koordinator.evje")
    entry = {**VALID_ENTRY, "dato": "2027-10-01", "unit": str(unit.pk)}
    response = coordinator.post(reverse("mapping:entry_create", args=[mapping_round.pk]), entry)
    assert response.status_code == 302, response.context["form"].errors
    saved = MappingEntry.objects.get(round=mapping_round)
    assert saved.red_count == 2 and saved.received_botilbud and saved.needed_rusbehandling and saved.has_ip
    assert saved.assessed_by == staff and saved.municipality.kommunenummer == "4219"
    page = c.get(reverse("mapping:round_detail", args=[mapping_round.pk])).content.decode()
    assert "10 %" in page and "25 %" in page
    assert c.post(reverse("mapping:round_close", args=[mapping_round.pk])).status_code == 302
    mapping_round.refresh_from_db()
    assert mapping_round.status == MappingRound.Status.CLOSED
    response = coordinator.post(reverse("mapping:entry_create", args=[mapping_round.pk]), entry)
    assert MappingEntry.objects.filter(round=mapping_round).count() == 1


def test_entry_form_messages(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    c = client("koordinator.evje")
    response = c.post(
        reverse("mapping:entry_create", args=[mapping_round.pk]),
        {**VALID_ENTRY, "fodselsaar": "2015", "kjonn": "x", "bolig": "", "fase": "tull"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "16 år eller eldre: fødselsåret må være 2010 eller tidligere" in text
    assert "Kjønn må være kvinne (k) eller mann (m)." in text
    assert "Velg grønn, gul eller rød for bolig." in text
    assert not MappingEntry.objects.filter(round=mapping_round).exists()


def test_import_page_reports_errors_and_imports(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    c = client("admin.evje")
    url = reverse("mapping:import", args=[mapping_round.pk])
    bad = SimpleUploadedFile("fil.csv", csv_bytes(ROW, ROW.replace(",k,", ",q,")))
    response = c.post(url, {"file": bad}, follow=True)
    text = response.content.decode()
    assert "Filen har feil. Ingenting ble importert." in text and "Linje 3, kjonn" in text
    assert not MappingEntry.objects.filter(round=mapping_round).exists()
    wrong_type = c.post(url, {"file": SimpleUploadedFile("fil.pdf", b"%PDF")})
    assert "Filen må være CSV (.csv) eller Excel (.xlsx)." in wrong_type.content.decode()
    good = SimpleUploadedFile("fil.csv", csv_bytes(ROW, ROW))
    response = c.post(url, {"file": good}, follow=True)
    assert "2 kartlegginger er importert." in response.content.decode()
    assert MappingEntry.objects.filter(round=mapping_round).count() == 2


def _report_fixture() -> None:
    mapping_round = ensure_round("1134", 2026)
    add_entries(mapping_round, 20, gender="k")
    add_entries(mapping_round, 3, gender="m", bolig="rod")


def test_report_page_exports_and_api_show_the_same_suppressed_figures(world) -> None:  # type: ignore[no-untyped-def]
    _report_fixture()
    c = client("leder.suldal")
    page = c.get(reverse("mapping:report") + "?aar=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<table" in html and "Tegnet «:» betyr at tallet er skjult." in html
    for reason in ("primary", "secondary", "group_too_small", "difference"):
        assert f">{reason}<" not in html and f'"{reason}"' not in html.replace('data-variant="secondary"', "")
    exported = c.get(reverse("mapping:report_export", args=["csv"]) + "?aar=2026").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    housing = next(row for row in rows if row and row[0] == "Bolig")
    # Hand-computed: the 3 red are hidden (1..4), and so is the row's smallest non-zero other cell (20 green).
    assert housing == ["Bolig", ":", ":", "0", "0,0", ":", ":", "23"]
    workbook = load_workbook(
        io.BytesIO(c.get(reverse("mapping:report_export", args=["xlsx"]) + "?aar=2026").content)
    )
    sheet = workbook.worksheets[0]
    xlsx_rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Bolig", ":", ":", 0, 0.0, ":", ":", 23] in xlsx_rows
    data = c.get(reverse("mapping-report") + "?aar=2026").json()
    areas = data["sections"][0]["tables"][0]
    assert areas["rows"][0]["counts"] == [None, 0, None] and areas["rows"][0]["hidden"] == [True, False, True]
    assert areas["n"] == 23
    assert c.get(reverse("mapping-report") + "?aar=tjue").status_code == 400
    assert c.get(reverse("mapping:report_export", args=["pdf"])).status_code == 404
    # A bad year on the page is a message, not an error.
    assert "er ikke gyldig" in c.get(reverse("mapping:report") + "?aar=abc", follow=True).content.decode()


def test_pdf_is_built_in_the_background(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _report_fixture()
    c = client("leder.suldal")
    response = c.post(reverse("mapping:report_pdf"), {"aar": "2026"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("stats:job_status", args=[job.pk])
    assert job.status == ReportJob.Status.DONE and job.progress == 100, job.message
    download = c.get(reverse("stats:job_download", args=[job.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    status = c.get(reverse("stats:job_status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in status and "Last ned" in status
    # Another user in the same organisation cannot see the job.
    assert client("ansatt.suldal").get(reverse("stats-job-detail", args=[job.pk])).status_code == 403
    assert client("forsker.nasjonal").get(reverse("stats-job-detail", args=[job.pk])).status_code == 404
    assert c.get(reverse("stats-job-detail", args=[job.pk])).json()["progress"] == 100


def test_api_entry_create(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    c = client("koordinator.evje")
    url = reverse("mapping-entry-create", args=[mapping_round.pk])
    body = {
        "fodselsaar": 1990,
        "kjonn": "k",
        "bolig": "gul",
        "meningsfull_aktivitet": "gronn",
        "okonomi": "gronn",
        "fysisk_helse": "gronn",
        "psykisk_helse": "rod",
        "rusmiddelbruk": "gronn",
        "sosial_fungering": "gronn",
        "sosialt_nettverk": "gronn",
        "ip": "ja",
    }
    response = c.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    bad = c.post(url, {**body, "fodselsaar": 2020, "kjonn": "z"}, content_type="application/json")
    assert bad.status_code == 400
    assert "16 år" in bad.json()["fodselsaar"][0] and "kjonn" in bad.json()
    assert MappingEntry.objects.filter(round=mapping_round).count() == 1
    other = ensure_round("4222", 2026)
    assert (
        c.post(
            reverse("mapping-entry-create", args=[other.pk]), body, content_type="application/json"
        ).status_code
        == 404
    )
    rounds = c.get(reverse("mapping-round-list")).json()
    assert any(r["id"] == mapping_round.pk for r in rounds["results"])
    assert all(r["id"] != other.pk for r in rounds["results"])


def test_api_entry_create_refuses_unknown_keys_and_odd_digits(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    c = client("koordinator.evje")
    url = reverse("mapping-entry-create", args=[mapping_round.pk])
    body = {
        "fodselsaar": 1990,
        "kjonn": "k",
        **dict.fromkeys(("bolig", "meningsfull_aktivitet", "okonomi", "fysisk_helse"), "gronn"),
        **dict.fromkeys(("psykisk_helse", "rusmiddelbruk", "sosial_fungering", "sosialt_nettverk"), "gul"),
    }
    # A misspelt optional column was dropped silently, so the entry was stored with «nei».
    misspelt = c.post(url, {**body, "koordinater": "ja"}, content_type="application/json")
    assert misspelt.status_code == 400 and "koordinater" in misspelt.json()
    not_object = c.post(url, [body], content_type="application/json")
    assert not_object.status_code == 400 and "non_field_errors" in not_object.json()
    superscript = c.post(url, {**body, "fodselsaar": "19²0"}, content_type="application/json")
    assert superscript.status_code == 400 and "fodselsaar" in superscript.json()
    assert not MappingEntry.objects.filter(round=mapping_round).exists()
    created = c.post(url, body, content_type="application/json")
    assert created.status_code == 201
    detail = reverse("mapping-entry-detail", args=[created.json()["id"]])
    assert c.patch(detail, {"versjon": "²"}, content_type="application/json").status_code == 400
    assert c.delete(detail + "?versjon=²").status_code == 400
    assert c.get(reverse("mapping-report") + "?aar=²").status_code in {400, 403}


def test_cooperation_report_is_built_in_the_background_with_progress(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.stats.jobs import build_job

    add_entries(ensure_round("4219", 2026), 30)
    add_entries(ensure_round("4221", 2026), 12)
    c = client("analytiker.setesdal")
    url = reverse("mapping:report") + "?aar=2026"
    first = c.get(url)
    assert first.status_code == 200
    text = first.content.decode()
    assert "settes sammen og skjermes i bakgrunnen" in text and "<progress" in text
    job = ReportJob.objects.get(kind="mapping.html")
    assert c.get(url).status_code == 200 and ReportJob.objects.filter(kind="mapping.html").count() == 1
    # New mappings change the report's cache key while the job waits: still one job, with the new key.
    add_entries(ensure_round("4221", 2026), 1)
    assert c.get(url).status_code == 200 and ReportJob.objects.filter(kind="mapping.html").count() == 1
    assert ReportJob.objects.get(kind="mapping.html").params["key"] != job.params["key"]
    build_job(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    status = c.get(reverse("stats:job_status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Vis rapporten" in status
    page = c.get(url).content.decode()
    assert "Vurdering per levekårsområde" in page and "<svg" in page and "Evje og Hornnes" in page


def test_round_counts_on_index_and_api_are_the_entries_the_actor_sees(world) -> None:  # type: ignore[no-untyped-def]
    # A member municipality's staff see their own unit's part of a cooperation round; the index and the
    # API used to show the size of the whole round (the other members' part too).
    mapping_round = ensure_cooperation_round("setesdal", 2026)
    unit = Organisation.objects.get(slug="evje-rus-psykisk-helse")
    add_entries(mapping_round, 3, knr="4219", unit=unit)
    add_entries(mapping_round, 5, knr="4222")
    c = client("ansatt.evje")
    rounds = c.get(reverse("mapping-round-list")).json()["results"]
    assert [r["entry_count"] for r in rounds if r["id"] == mapping_round.pk] == [3]
    page = c.get(reverse("mapping:index"))
    assert [r.entry_count for r in page.context["rounds"] if r.pk == mapping_round.pk] == [3]
