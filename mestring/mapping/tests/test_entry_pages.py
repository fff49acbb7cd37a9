"""The pages and API for the registered entries of a round: list, correct, delete; access and tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.mapping import services
from mestring.mapping.models import EntryChange, MappingEntry, MappingRound
from mestring.mapping.tests.fixtures import add_entries, ensure_cooperation_round, ensure_round, entry_values
from mestring.mapping.tests.test_views import VALID_ENTRY
from mestring.organisations.models import Organisation

pytestmark = pytest.mark.django_db

CLOSED = "Runden er avsluttet; kartlegginger kan ikke endres eller slettes."


def _unit(slug: str = "evje-rus-psykisk-helse") -> Organisation:
    return Organisation.objects.get(slug=slug)


def _entry(mapping_round: MappingRound, *, user: Any = None, unit: Any = None, **values: Any) -> MappingEntry:
    return MappingEntry.objects.create(
        round=mapping_round,
        municipality=mapping_round.organisation,
        year=mapping_round.year,
        unit=unit,
        assessed_by=user,
        **entry_values(mapping_round.year, **values),
    )


def _text(response: Any) -> str:
    return str(response.content.decode())


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def test_staff_see_their_units_and_their_own_entries_managers_the_whole_round(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    unit_entry = _entry(mapping_round, unit=_unit(), birth_year=1961)
    own_entry = _entry(mapping_round, user=world.user("koordinator.evje"), birth_year=1962)
    other_entry = _entry(mapping_round, user=world.user("admin.evje"), birth_year=1963)
    url = reverse("mapping:entry_list", args=[mapping_round.pk])
    staff = _text(client_for("koordinator.evje").get(url))
    assert "1961" in staff and "1962" in staff and "1963" not in staff
    assert reverse("mapping:entry_edit", args=[unit_entry.pk]) in staff
    assert reverse("mapping:entry_edit", args=[other_entry.pk]) not in staff
    admin = _text(client_for("admin.evje").get(url))
    assert all(str(y) in admin for y in (1961, 1962, 1963))
    # Ratings are coloured tags with their text, and who registered is shown.
    assert '<span class="ds-tag" data-color="success">Grønn</span>' in admin
    assert "Kari Fjellstad" in admin
    # Another unit's staff cannot see the entries through the edit page either.
    assert (
        client_for("koordinator.evje").get(reverse("mapping:entry_edit", args=[other_entry.pk])).status_code
        == 404
    )
    assert own_entry.pk  # listed above by its birth year


def test_cooperation_round_entries_follow_the_municipality(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_cooperation_round("setesdal", 2026)
    valle = Organisation.objects.get(kommunenummer="4221", kind="municipality")
    evje_entry = _entry(mapping_round, unit=_unit(), birth_year=1961)
    MappingEntry.objects.filter(pk=evje_entry.pk).update(municipality=_unit().parent)
    valle_entry = MappingEntry.objects.create(
        round=mapping_round, municipality=valle, year=2026, **entry_values(2026, birth_year=1971)
    )
    # The Valle unit leader manages nothing here (Evje hosts the cooperation) but sees Valle's entries.
    leader = client_for("leder.valle")
    page = _text(leader.get(reverse("mapping:entry_list", args=[mapping_round.pk])))
    assert "1971" in page and "1961" not in page and "Kommune" in page
    assert leader.get(reverse("mapping:entry_edit", args=[evje_entry.pk])).status_code == 404
    assert leader.get(reverse("mapping:entry_edit", args=[valle_entry.pk])).status_code == 200
    # Evje's administration hosts the cooperation's round: the whole round.
    admin = _text(client_for("admin.evje").get(reverse("mapping:entry_list", args=[mapping_round.pk])))
    assert "1971" in admin and "1961" in admin


def test_list_is_paged_and_filtered_by_unit(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    add_entries(mapping_round, 55, unit=_unit())
    add_entries(mapping_round, 3, birth_year=1950, age_group="67+")
    c = client_for("admin.evje")
    url = reverse("mapping:entry_list", args=[mapping_round.pk])
    first = _text(c.get(url))
    assert "58 kartlegginger" in first and "Side 1 av 2" in first
    filtered = _text(c.get(f"{url}?enhet={_unit().pk}&side=2"))
    assert "55 kartlegginger" in filtered and "Side 2 av 2" in filtered and "1950" not in filtered
    # A unit that is not in the round (or nonsense) is a message, not an error; a bad page is the last page.
    bad = c.get(f"{url}?enhet=abc&side=zz", follow=True)
    assert bad.status_code == 200
    assert "Enheten du valgte finnes ikke i runden; viser alle enheter." in _text(bad)


# ---------------------------------------------------------------------------------------------
# Edit and delete pages
# ---------------------------------------------------------------------------------------------


def _entry_via_form(world: Any, mapping_round: MappingRound) -> MappingEntry:  # type: ignore[no-untyped-def]
    c = client_for("koordinator.evje")
    response = c.post(
        reverse("mapping:entry_create", args=[mapping_round.pk]), {**VALID_ENTRY, "unit": str(_unit().pk)}
    )
    assert response.status_code == 302
    return MappingEntry.objects.get(round=mapping_round)


def test_edit_is_the_registration_form_prefilled_and_validated(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = _entry_via_form(world, mapping_round)
    c = client_for("koordinator.evje")
    url = reverse("mapping:entry_edit", args=[entry.pk])
    page = _text(c.get(url))
    assert 'value="1970"' in page and 'value="2026-03-01"' in page and 'name="versjon" value="1"' in page
    assert '<option value="rod" selected>' in page and '<option value="tidlig_innsats" selected>' in page
    assert 'name="mottar" value="botilbud" id="id_mottar_0" checked' in page
    assert 'name="ip" class="ds-input" id="id_ip" checked' in page
    bad = c.post(url, {**VALID_ENTRY, "versjon": "1", "fodselsaar": "2015", "bolig": ""})
    assert bad.status_code == 200
    assert "16 år eller eldre: fødselsåret må være 2010 eller tidligere" in _text(bad)
    assert "Velg grønn, gul eller rød for bolig." in _text(bad)
    saved = c.post(url, {**VALID_ENTRY, "versjon": "1", "bolig": "gronn", "kjonn": "k"}, follow=True)
    assert "Kartleggingen er endret." in _text(saved)
    entry.refresh_from_db()
    assert (entry.bolig, entry.gender, entry.red_count, entry.version) == ("gronn", "k", 1, 2)
    assert entry.unit is None  # the form sent no unit: the correction removes it
    history = _text(c.get(url))
    assert "Endringer" in history and "bolig" in history and "kjønn" in history
    tampered = c.post(url, {**VALID_ENTRY, "versjon": "abc"})
    assert "Skjemaet mangler et gyldig versjonsnummer." in _text(tampered)
    # The form someone opened before that save is now stale: nothing is written.
    stale = c.post(url, {**VALID_ENTRY, "versjon": "1"})
    assert "Noen andre har endret eller slettet denne kartleggingen" in _text(stale)
    entry.refresh_from_db()
    assert entry.version == 2 and entry.bolig == "gronn"
    assert EntryChange.objects.filter(entry_id=entry.pk).count() == 1


def test_delete_asks_first_and_only_deletes_on_post(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = _entry_via_form(world, mapping_round)
    c = client_for("admin.evje")
    url = reverse("mapping:entry_delete", args=[entry.pk])
    page = _text(c.get(url))
    assert (
        "Slett kartleggingen" in page and "1970" in page and MappingEntry.objects.filter(pk=entry.pk).exists()
    )
    assert client_for("leder.valle").post(url).status_code == 404  # another municipality
    assert client_for("ruskonsulent.setesdal").post(url).status_code == 404  # sees the round, not the entry
    assert c.put(url).status_code == 405
    done = c.post(url, {"versjon": "1"}, follow=True)
    assert "Kartleggingen er slettet." in _text(done)
    assert not MappingEntry.objects.filter(pk=entry.pk).exists()
    assert EntryChange.objects.get(entry_id=entry.pk).username == "admin.evje"
    assert c.get(url).status_code == 404


def test_closed_round_refuses_corrections_with_a_message(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = _entry_via_form(world, mapping_round)
    services.round_close(actor=None, mapping_round=mapping_round)
    c = client_for("koordinator.evje")
    list_url = reverse("mapping:entry_list", args=[mapping_round.pk])
    listing = _text(c.get(list_url))
    assert CLOSED in listing and reverse("mapping:entry_edit", args=[entry.pk]) not in listing
    for url, data in (
        (reverse("mapping:entry_edit", args=[entry.pk]), None),
        (reverse("mapping:entry_edit", args=[entry.pk]), {**VALID_ENTRY, "versjon": "1", "bolig": "gronn"}),
        (reverse("mapping:entry_delete", args=[entry.pk]), None),
        (reverse("mapping:entry_delete", args=[entry.pk]), {"versjon": "1"}),
    ):
        response = c.post(url, data) if data is not None else c.get(url)
        assert response.status_code == 302 and response["Location"] == list_url
        assert CLOSED in _text(c.get(list_url))
    entry.refresh_from_db()
    assert entry.bolig == "rod" and entry.version == 1


def test_round_page_links_to_the_entries(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    page = _text(client_for("koordinator.evje").get(reverse("mapping:round_detail", args=[mapping_round.pk])))
    assert reverse("mapping:entry_list", args=[mapping_round.pk]) in page


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def _api(username: str) -> Client:
    return client_for(username)


def test_api_get_patch_delete(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = _entry_via_form(world, mapping_round)
    c = _api("koordinator.evje")
    url = reverse("mapping-entry-detail", args=[entry.pk])
    data = c.get(url).json()
    assert data["versjon"] == 1 and data["fodselsaar"] == 1970 and data["bolig"] == "rod"
    assert data["enhet"] == "evje-rus-psykisk-helse" and data["kommunenummer"] == "4219"
    assert data["mottar_botilbud"] is True and data["ip"] is True and data["dato"] == "2026-03-01"
    patched = c.patch(url, {"versjon": 1, "bolig": "gul", "ip": "nei"}, content_type="application/json")
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["versjon"] == 2 and body["bolig"] == "gul" and body["ip"] is False
    assert body["rusmiddelbruk"] == "rod" and body["enhet"] == "evje-rus-psykisk-helse"  # the rest is kept
    entry.refresh_from_db()
    assert entry.red_count == 1 and not entry.has_ip
    stale = c.patch(url, {"versjon": 1, "bolig": "rod"}, content_type="application/json")
    assert stale.status_code == 409 and "Hent den på nytt" in stale.json()["detail"]
    removed = c.patch(url, {"versjon": 2, "enhet": ""}, content_type="application/json")
    assert removed.status_code == 200 and removed.json()["enhet"] == ""
    assert c.delete(f"{url}?versjon=1").status_code == 409
    assert c.delete(url).status_code == 204
    assert c.get(url).status_code == 404 and c.delete(url).status_code == 404


def test_api_patch_answers_400_with_norwegian_field_messages(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = _entry_via_form(world, mapping_round)
    c = _api("koordinator.evje")
    url = reverse("mapping-entry-detail", args=[entry.pk])

    def patch(body: Any) -> dict[str, Any]:
        response = c.patch(url, body, content_type="application/json")
        assert response.status_code == 400, response.content
        return dict(response.json())

    assert "16 år eller eldre" in patch({"versjon": 1, "fodselsaar": 2015})["fodselsaar"][0]
    errors = patch({"versjon": 1, "kjonn": "z", "bolig": "blå", "ip": "kanskje", "dato": "2025-02-01"})
    assert set(errors) == {"kjonn", "bolig", "ip", "dato"}
    assert (
        "«ja» eller «nei»" in errors["ip"][0] and "rundens periode 01.01.2026–31.12.2026" in errors["dato"][0]
    )
    assert "optimistisk låsing" in patch({"bolig": "gul"})["versjon"][0]
    assert "optimistisk låsing" in patch({"versjon": "en", "bolig": "gul"})["versjon"][0]
    assert patch({"versjon": 1, "bolg": "gul"}) == {"bolg": ["Ukjent felt. Se kolonnene i dokumentasjonen."]}
    assert "JSON-objekt" in patch([1, 2])["non_field_errors"][0]
    assert "Ukjent kommunenummer" in patch({"versjon": 1, "kommunenummer": "4222"})["kommunenummer"][0]
    assert "finnes ikke i kommunen" in patch({"versjon": 1, "enhet": "bykle-helse-rus"})["enhet"][0]
    assert c.delete(f"{url}?versjon=x").status_code == 400
    entry.refresh_from_db()
    assert entry.version == 1 and entry.bolig == "rod"
    services.round_close(actor=None, mapping_round=mapping_round)
    assert patch({"versjon": 1, "bolig": "gul"}) == {"non_field_errors": [CLOSED]}
    closed = c.delete(url)
    assert closed.status_code == 400 and closed.json() == {"non_field_errors": [CLOSED]}
    assert MappingEntry.objects.filter(pk=entry.pk).exists()


def test_api_other_tenants_get_404(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = _entry_via_form(world, mapping_round)
    url = reverse("mapping-entry-detail", args=[entry.pk])
    for username in ("ansatt.bykle", "leder.valle", "planlegger.osterdalen", "ruskonsulent.setesdal"):
        c = _api(username)
        assert c.get(url).status_code == 404
        assert (
            c.patch(url, {"versjon": 1, "bolig": "gul"}, content_type="application/json").status_code == 404
        )
        assert c.delete(url).status_code == 404
    assert _api("analytiker.setesdal").delete(url).status_code == 403
    assert Client().delete(url).status_code == 403
    entry.refresh_from_db()
    assert entry.version == 1
    # A manager in the same municipality may correct it.
    ok = _api("admin.evje").patch(url, {"versjon": 1, "bolig": "gul"}, content_type="application/json")
    assert ok.status_code == 200


def test_api_schema_documents_patch_and_delete(world) -> None:  # type: ignore[no-untyped-def]
    schema = _api("koordinator.evje").get(reverse("api-schema") + "?format=json").json()
    path = next(p for p in schema["paths"] if p.endswith("/mapping/entries/{id}/"))
    operations = schema["paths"][path]
    assert {"get", "patch", "delete"} <= set(operations)
    assert {"200", "400", "404", "409"} <= set(operations["patch"]["responses"])
    assert "204" in operations["delete"]["responses"]
    body = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/PatchedEntryPatch") or body.endswith("/EntryPatch")
