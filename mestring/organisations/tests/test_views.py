from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mestring.core.testing.personas import client_for
from mestring.organisations.models import CooperationMember, GroupSet, MunicipalityFrame, Organisation

pytestmark = pytest.mark.django_db


def test_admin_creates_unit_and_duplicate_gets_message(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    response = client.post("/organisasjon/evje-og-hornnes/enheter/ny/", {"name": "Lavterskeltilbudet"})
    assert response.status_code == 302
    unit = Organisation.objects.get(name="Lavterskeltilbudet")
    assert unit.parent == world.org("evje-og-hornnes") and unit.kind == "unit"
    again = client.post("/organisasjon/evje-og-hornnes/enheter/ny/", {"name": "lavterskeltilbudet"})
    assert again.status_code == 200
    assert "Kommunen har allerede en enhet med dette navnet." in again.content.decode()
    assert Organisation.objects.filter(name__iexact="Lavterskeltilbudet").count() == 1


def test_cooperation_member_add_validates_dates(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    valle = world.org("valle")
    response = client.post(
        "/organisasjon/setesdal/medlemmer/ny/",
        {"municipality": world.org("amot").pk, "valid_from": "2026-05-01", "valid_to": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Sluttdatoen kan ikke være før startdatoen." in response.content.decode()
    response = client.post(
        "/organisasjon/setesdal/medlemmer/ny/", {"municipality": valle.pk, "valid_from": "2016-01-01"}
    )
    assert "allerede medlem" in response.content.decode()
    response = client.post(
        "/organisasjon/setesdal/medlemmer/ny/",
        {"municipality": world.org("amot").pk, "valid_from": "2026-01-01"},
    )
    assert response.status_code == 302
    assert CooperationMember.objects.filter(
        cooperation=world.org("setesdal"), municipality__slug="amot"
    ).exists()


def test_cooperation_member_periods_may_not_overlap(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    valle = world.org("valle")
    setesdal = world.org("setesdal")
    before = CooperationMember.objects.filter(cooperation=setesdal, municipality=valle).count()
    # Valle is a current member without an end date: an overlapping period from another date is refused.
    response = client.post(
        "/organisasjon/setesdal/medlemmer/ny/", {"municipality": valle.pk, "valid_from": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "overlapper" in response.content.decode()
    assert CooperationMember.objects.filter(cooperation=setesdal, municipality=valle).count() == before


def test_steering_seat_add(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("planlegger.osterdalen")
    response = client.post(
        "/organisasjon/osterdalen/styringsgruppe/ny/",
        {"title": "Brukerrepresentant", "holder": "Fra brukerorganisasjon"},
    )
    assert response.status_code == 302
    assert world.org("osterdalen").steering_group.filter(title="Brukerrepresentant").exists()
    page = client.get("/organisasjon/osterdalen/").content.decode()
    assert "Brukerrepresentant" in page and "Tynset" in page


def test_frame_import_page_shows_line_errors(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for("forsker.nasjonal")
    bad = "kommunenummer,navn,fylke,helseregion,kostragruppe,innbyggere\n12,X,F,Øst,KG,1\n"
    response = client.post(
        "/organisasjon/kommuner/import/",
        {"year": 2035, "file": SimpleUploadedFile("k.csv", bad.encode())},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ingenting ble importert" in body and "Linje 2" in body and "ukjent helseregion" in body
    assert not MunicipalityFrame.objects.filter(year=2035).exists()
    good = (
        "kommunenummer,navn,fylke,helseregion,kostragruppe,innbyggere\n4222,Bykle,Agder,Sør-Øst,KG 16,990\n"
    )
    response = client.post(
        "/organisasjon/kommuner/import/",
        {"year": 2035, "file": SimpleUploadedFile("k.csv", good.encode())},
    )
    assert response.status_code == 302
    assert MunicipalityFrame.objects.get(year=2035).population == 990


def _xlsx(rows: list[list[Any]]) -> bytes:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_frame_import_takes_excel_and_semicolon_files(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for("forsker.nasjonal")
    header = ["kommunenummer", "navn", "fylke", "helseregion", "kostragruppe", "innbyggere"]
    # Excel keeps Oslo's number as 301; the import gives the leading zero back.
    workbook = _xlsx(
        [
            header,
            [301, "Oslo", "Oslo", "Sør-Øst", "KG 8", 717710],
            [4222, "Bykle", "Agder", "Sør-Øst", "KG 16", 990.0],
        ]
    )
    response = client.post(
        "/organisasjon/kommuner/import/", {"year": 2036, "file": SimpleUploadedFile("ramme.xlsx", workbook)}
    )
    assert response.status_code == 302, response.content.decode()
    assert MunicipalityFrame.objects.get(year=2036, kommunenummer="0301").population == 717710
    bad = _xlsx([header, [4222, "Bykle", "Agder", "Sør-Øst", "KG 16", "mange"]])
    response = client.post(
        "/organisasjon/kommuner/import/", {"year": 2037, "file": SimpleUploadedFile("ramme.xlsx", bad)}
    )
    assert "Linje 2: innbyggere «mange»" in response.content.decode()
    broken = client.post(
        "/organisasjon/kommuner/import/",
        {"year": 2037, "file": SimpleUploadedFile("ramme.xlsx", b"PK\x03\x04 ikke en arbeidsbok")},
    )
    assert "kunne ikke leses som Excel-arbeidsbok" in broken.content.decode()
    semicolon = (
        "kommunenummer;navn;fylke;helseregion;kostragruppe;innbyggere\n4222;Bykle;Agder;Sør-Øst;KG 16;991\n"
    )
    response = client.post(
        "/organisasjon/kommuner/import/",
        {"year": 2038, "file": SimpleUploadedFile("k.csv", semicolon.encode())},
    )
    assert response.status_code == 302
    assert MunicipalityFrame.objects.get(year=2038).population == 991
    assert not MunicipalityFrame.objects.filter(year=2037).exists()


def test_frame_list_shows_population_class(world) -> None:  # type: ignore[no-untyped-def]
    body = client_for("koordinator.evje").get("/organisasjon/kommuner/?aar=2026").content.decode()
    assert "Evje og Hornnes" in body and "2 000–4 999" in body
    assert client_for("koordinator.evje").get("/organisasjon/kommuner/?aar=abc").status_code == 200


def test_group_set_create_and_detail(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    response = client.post(
        "/organisasjon/grupperinger/ny/",
        {"name": "Innlandsvenner", "lines": "4219;Setesdal\n9999;Ukjent\n"},
    )
    assert "ukjent kommunenummer «9999»" in response.content.decode()
    assert not GroupSet.objects.filter(name="Innlandsvenner").exists()
    response = client.post(
        "/organisasjon/grupperinger/ny/",
        {"name": "Innlandsvenner", "lines": "4219;Setesdal\n3427;Østerdalen\n"},
    )
    group_set = GroupSet.objects.get(name="Innlandsvenner")
    assert response.status_code == 302 and group_set.owner == world.org("evje-og-hornnes")
    detail = client.get(f"/organisasjon/grupperinger/{group_set.slug}/").content.decode()
    assert "Østerdalen (1)" in detail and "Tynset" in detail
    # Owned by Evje: invisible to Østerdalen's planner.
    assert (
        client_for("planlegger.osterdalen").get(f"/organisasjon/grupperinger/{group_set.slug}/").status_code
        == 404
    )


def test_builtin_group_sets_exist(world) -> None:  # type: ignore[no-untyped-def]
    assert set(GroupSet.objects.filter(is_builtin=True).values_list("slug", flat=True)) == {
        "fylke",
        "helseregion",
        "kostragruppe",
        "befolkningsklasse",
    }


def test_api_frame_year_validation(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("analytiker.setesdal")
    assert client.get("/api/v1/municipality-frame/?year=x").status_code == 400
    data = client.get("/api/v1/municipality-frame/?year=2026&limit=100").json()
    bykle = next(r for r in data["results"] if r["kommunenummer"] == "4222")
    assert bykle["befolkningsklasse"] == "Under 2 000" and bykle["helseregion"] == "Sør-Øst"


@pytest.mark.parametrize("members_see_each_other", [False, True])
def test_detail_links_only_to_organisations_the_actor_may_open(world, members_see_each_other: bool) -> None:  # type: ignore[no-untyped-def]
    setesdal = world.org("setesdal")
    setesdal.members_see_each_other = members_see_each_other
    setesdal.save()
    client = client_for("ansatt.bykle")
    page = client.get("/organisasjon/setesdal/").content.decode()
    assert "Vertskommune" in page and "Evje og Hornnes" in page
    host_link = 'href="/organisasjon/evje-og-hornnes/"'
    assert (host_link in page) is members_see_each_other
    assert client.get("/organisasjon/evje-og-hornnes/").status_code == (
        200 if members_see_each_other else 404
    )
    # Every link to an organisation on the page opens for the actor.
    import re

    for slug in set(re.findall(r'href="/organisasjon/([a-z0-9-]+)/"', page)):
        assert client.get(f"/organisasjon/{slug}/").status_code == 200, slug
    assert 'href="/organisasjon/bykle/"' in page  # own municipality in the member list


def test_detail_shows_each_person_once_with_distinct_roles(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.accounts.models import Membership
    from mestring.accounts.roles import Role

    page = client_for("analytiker.setesdal").get("/organisasjon/setesdal/").content.decode()
    assert "Trond Hovden – Analytiker<" in page and "Analytiker, Analytiker" not in page
    # Two memberships of one person in the same organisation: one line, both roles.
    Membership.objects.create(
        user=world.user("analytiker.setesdal"), organisation=world.org("setesdal"), role=Role.COORDINATOR
    )
    page = client_for("ruskonsulent.setesdal").get("/organisasjon/setesdal/").content.decode()
    assert page.count("Trond Hovden –") == 1
    assert (
        "Trond Hovden – Analytiker, Koordinator<" in page or "Trond Hovden – Koordinator, Analytiker<" in page
    )


def test_group_set_name_is_unique_per_owner(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    first = client.post("/organisasjon/grupperinger/ny/", {"name": "Naboer", "lines": "4219;A\n"})
    assert first.status_code == 302
    again = client.post("/organisasjon/grupperinger/ny/", {"name": "naboer ", "lines": "4219;B\n"})
    assert again.status_code == 200
    assert "allerede en gruppering med dette navnet" in again.content.decode()
    assert GroupSet.objects.filter(name__iexact="naboer").count() == 1
