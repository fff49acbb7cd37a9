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
    assert data["parorende"][0]["navn"] == "Mor Testesen"
    assert data["parorende"][0]["relasjon"] == "Forelder"  # choice codes as their Norwegian labels
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


def test_innsyn_pdf_labels_personal_details_in_norwegian(world, client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The PDF shows "Fødselsnummer eller D-nummer", "Trenger tolk" … never the export's raw keys."""
    import weasyprint

    rendered: list[str] = []

    class FakeHTML:
        def __init__(self, *, string: str, base_url: str) -> None:
            rendered.append(string)

        def write_pdf(self) -> bytes:
            return b"%PDF-fake"

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    person = fixture_person(world)
    services.relative_add(
        actor=None, person=person, name="Mor Testesen", relation=Relative.Relation.PARENT, is_next_of_kin=True
    )
    login(client, "koordinator.evje")
    response = client.get(reverse("audit:innsyn_pdf", kwargs={"pk": person.pk}))
    assert response.status_code == 200
    html = rendered[0]
    details = html.split("<dl>", 1)[1].split("</dl>", 1)[0]
    for raw in ("fodselsnummer", "trenger_tolk", "tolk_sprak", "barn_som_parorende", "fornavn", "epost"):
        assert f"<dt>{raw}</dt>" not in details
    assert "<dt>Fødselsnummer eller D-nummer</dt><dd>" + FIXTURE_ID in details
    assert "<dt>Trenger tolk</dt><dd>Nei</dd>" in details
    assert "<dt>Fornavn</dt><dd>Matrise</dd>" in details
    assert "Mor Testesen (nærmeste)" in html


def test_innsyn_pdf_shows_other_apps_sections_labelled_not_as_json(
    world, client: Client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import weasyprint

    from mestring.audit import innsyn

    rendered: list[str] = []

    class FakeHTML:
        def __init__(self, *, string: str, base_url: str) -> None:
            rendered.append(string)

        def write_pdf(self) -> bytes:
            return b"%PDF-fake"

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    section = {"forlop": [{"startdato": "2026-01-05", "aktiv": True, "merknad": "<b>x</b>", "delmal": []}]}
    register_exporter("test_seksjon", lambda p: section)
    try:
        person = fixture_person(world)
        login(client, "koordinator.evje")
        assert client.get(reverse("audit:innsyn_pdf", kwargs={"pk": person.pk})).status_code == 200
    finally:
        innsyn._EXPORTERS.pop("test_seksjon", None)
    html = rendered[0]
    assert "<h2>Test seksjon</h2>" in html
    assert "<dt>Forløp</dt>" in html and "<dt>Startdato</dt><dd>05.01.2026</dd>" in html
    assert "<dt>Aktiv</dt><dd>Ja</dd>" in html and "<dt>Delmål</dt><dd>Ingenting registrert.</dd>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert '"forlop"' not in html


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
