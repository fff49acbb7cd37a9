from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from mestring.audit.models import AccessLog
from mestring.core.testing.personas import login
from mestring.people import fnr
from mestring.people.models import Person
from mestring.people.tests.fixtures import FIXTURE_ID, fixture_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Client:
    login(client, "koordinator.evje")
    return client


def test_create_validates_and_writes_nothing_on_error(world, api) -> None:  # type: ignore[no-untyped-def]
    count = Person.objects.count()
    bad = FIXTURE_ID[:-1] + str((int(FIXTURE_ID[-1]) + 3) % 10)
    response = api.post(
        reverse("person-list"),
        {"organisation": "evje-og-hornnes", "first_name": "A", "last_name": "B", "national_id": bad},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Kontrollsifrene" in response.json()["national_id"][0]
    response = api.post(
        reverse("person-list"),
        {"organisation": "evje-og-hornnes", "first_name": "A", "last_name": "B"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "birth_year" in response.json()
    response = api.post(
        reverse("person-list"),
        {"organisation": "bykle", "first_name": "A", "last_name": "B", "birth_year": 1990},
        content_type="application/json",
    )
    assert response.status_code == 400 and "organisation" in response.json()
    assert Person.objects.count() == count


def test_create_read_update(world, api) -> None:  # type: ignore[no-untyped-def]
    number = fnr.synthetic_fodselsnummer(date(2001, 2, 3), 10, female=True)
    response = api.post(
        reverse("person-list"),
        {
            "organisation": "evje-og-hornnes",
            "first_name": "Api",
            "last_name": "Person",
            "national_id": number,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["national_id"] == number and body["gender"] == "female" and body["birth_date"] == "2001-02-03"
    url = reverse("person-detail", kwargs={"pk": body["id"]})
    before = AccessLog.objects.filter(person_id=body["id"]).count()
    assert api.get(url).json()["version"] == 1
    assert AccessLog.objects.filter(person_id=body["id"]).count() == before + 1
    response = api.patch(url, {"phone": "123", "version": 1}, content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = api.patch(url, {"phone": "456", "version": 1}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "concurrent_edit"
    missing = api.patch(url, {"phone": "456"}, content_type="application/json")
    assert missing.status_code == 400 and "version" in missing.json()
    bad = api.patch(url, {"email": "nei", "version": 2}, content_type="application/json")
    assert bad.status_code == 400 and "email" in bad.json()
    assert Person.objects.get(pk=body["id"]).phone == "123"


def test_list_logs_each_person_and_hides_ids(world, api) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    response = api.get(reverse("person-list"))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [person.pk]
    assert results[0]["national_id"] is None and results[0]["has_national_id"]
    assert AccessLog.objects.filter(person_id=person.pk, what="API: personliste").count() == 1
    assert api.get(reverse("person-list"), {"q": FIXTURE_ID}).json()["count"] == 1


def test_other_municipality_and_roles(world, client: Client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    url = reverse("person-detail", kwargs={"pk": person.pk})
    login(client, "ansatt.bykle")
    assert client.get(url).status_code == 404
    assert client.patch(url, {"phone": "1", "version": 1}, content_type="application/json").status_code == 404
    assert client.get(reverse("person-list")).json()["count"] == 0
    login(client, "analytiker.setesdal")
    assert client.get(url).status_code == 403
    assert client.get(reverse("person-list")).status_code == 403
    assert not AccessLog.objects.filter(person_id=person.pk).exists()
