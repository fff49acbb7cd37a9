from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from mestring.audit.innsyn import export_person, register_exporter
from mestring.core.testing.personas import login
from mestring.people import services
from mestring.people.models import ConsentRecipient, Relative
from mestring.people.tests.fixtures import FIXTURE_ID, fixture_person

pytestmark = pytest.mark.django_db


def test_innsyn_export_contains_everything_and_who_read(world, client: Client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    services.consent_record(
        actor=None, person=person, recipient=ConsentRecipient.GP, given=True, scope="Medisiner"
    )
    services.share_information(actor=None, person=person, recipient="gp", what="Medisinliste")
    services.relative_add(actor=None, person=person, name="Mor Testesen", relation=Relative.Relation.PARENT)
    login(client, "koordinator.evje")
    client.get(reverse("people:detail", kwargs={"pk": person.pk}))
    login(client, "ruskonsulent.setesdal")
    response = client.get(reverse("audit:innsyn_json", kwargs={"pk": person.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["person"]["fodselsnummer"] == FIXTURE_ID
    assert data["person"]["fornavn"] == "Matrise"
    assert data["samtykker"][0]["hva_kan_deles"] == "Medisiner"
    assert data["delinger"][0]["hva"] == "Medisinliste"
    assert data["parorende"][0]["name"] == "Mor Testesen"
    assert data["parorende"][0]["relation"] == "Forelder"  # choice codes as their Norwegian labels
    assert data["person"]["status"] == "Aktiv"
    assert {t["ansatt"] for t in data["team"]} == {"Kari Fjellstad"}
    assert data["tjenester"][0]["enhet"] == "Rus og psykisk helse Evje og Hornnes"
    readers = [(r["brukernavn"], r["hva"]) for r in data["tilgangslogg"]]
    assert ("koordinator.evje", "personside") in readers
    assert readers[-1] == ("ruskonsulent.setesdal", "innsyn: eksport JSON")  # the export itself is logged
    assert any(c["handling"] == "created" for c in data["endringer"])
    consent = next(c for c in data["endringer"] if c["hva"] == "consent")
    assert consent["beskrivelse"] == "Samtykke (registrert)"
    assert "Mottaker: – → Fastlege" in consent["endringer_tekst"]
    assert "Samtykke gitt: – → Ja" in consent["endringer_tekst"]
    text = json.dumps(data)
    assert person.national_id_hmac not in text and person.national_id_encrypted not in text


def test_innsyn_pdf_is_a_pdf(world, client: Client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    login(client, "koordinator.evje")
    response = client.get(reverse("audit:innsyn_pdf", kwargs={"pk": person.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_innsyn_page_lists_readers(world, client: Client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    login(client, "koordinator.evje")
    client.get(reverse("people:detail", kwargs={"pk": person.pk}))
    response = client.get(reverse("audit:innsyn", kwargs={"pk": person.pk}))
    assert "Kari Fjellstad" in response.content.decode() and "personside" in response.content.decode()


def test_other_apps_can_add_sections(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    register_exporter("test_seksjon", lambda p: {"id": p.pk})
    try:
        assert export_person(person)["test_seksjon"] == {"id": person.pk}
    finally:
        from mestring.audit import innsyn

        innsyn._EXPORTERS.pop("test_seksjon", None)
