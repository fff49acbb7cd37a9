"""The change history page reads in plain Norwegian, whichever app wrote the change."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from mestring.audit.models import ChangeLog
from mestring.core.testing.personas import login
from mestring.followup import services as followup
from mestring.mapping.areas import Phase
from mestring.people import services
from mestring.people.tests.fixtures import FIXTURE_ID, fixture_person

pytestmark = pytest.mark.django_db


def _history(client: Client, pk: int) -> str:
    login(client, "koordinator.evje")
    response = client.get(reverse("people:history", kwargs={"pk": pk}))
    assert response.status_code == 200
    return response.content.decode()


def test_history_reads_in_norwegian(world, client: Client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    followup.episode_start(actor=None, person=person, phase=Phase.EARLY, started_on=date(2026, 8, 17))
    goal = followup.goal_create(actor=None, person=person, text="Finne en leilighet")
    followup.goal_update(actor=None, goal=goal, text="Finne en leilighet", status="achieved")
    services.person_update(
        actor=None, person=person, expected_version=person.version, interpreter_needed=True, gender="female"
    )
    html = _history(client, person.pk)
    assert "Forløp (registrert)" in html
    assert "Fase i forløpet: – → Tidlig innsats" in html
    assert "Startdato: – → 17.08.2026" in html
    assert "Mål (endret)" in html and "Status: Aktivt → Nådd" in html
    assert "Personopplysninger (endret)" in html
    assert "Trenger tolk: Nei → Ja" in html and "Kjønn: – → Kvinne" in html
    for raw in (
        "tidlig_innsats",
        "2026-08-17",
        "achieved",
        "female",
        "True",
        "started_on",
        "goal (",
        "episode (",
    ):
        assert raw not in html
    assert FIXTURE_ID not in html


def test_new_person_logs_the_national_id_once(world, client: Client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    created = ChangeLog.objects.get(person=person, object_type="person", action="created")
    assert created.changes["national_id"] == [None, "[endret]"]
    assert not any(key.startswith("national_id_") for key in created.changes)
    html = _history(client, person.pk)
    assert html.count("Fødselsnummer: – → [endret]") == 1


def test_unknown_objects_and_fields_render(world, client: Client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    ChangeLog.objects.create(
        person=person, object_type="fjernetmodell", action="changed", changes={"gammelt_felt": ["a", "b"]}
    )
    ChangeLog.objects.create(
        person=person, object_type="goal", action="changed", changes={"farge": [1, 2, 3]}
    )
    ChangeLog.objects.create(person=person, object_type="episode", action="changed", changes=["ikke", "dict"])
    html = _history(client, person.pk)
    assert "Fjernetmodell (endret)" in html and "Gammelt felt: a → b" in html
    assert "Farge: endret" in html
