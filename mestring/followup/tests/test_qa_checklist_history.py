"""QA walk: the person page checklist follows the people app's routines (children as relatives, relatives
offered a conversation) without extra queries; the caseload flag follows the same rule; the innsyn section
has Norwegian keys all the way down; the change history names instruments and goals, not slugs and ids."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.followup import services
from mestring.followup.tests.fixtures import build_followup
from mestring.people import services as people_services
from mestring.people.models import ChildrenRoutine, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):  # type: ignore[no-untyped-def]
    return build_followup(world)


def _checklist(client, person: Person) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """{label start: (Gjort/Mangler, detail)} from the person page's checklist."""
    body = client.get(reverse("followup:person", args=[person.pk])).content.decode()
    section = body[body.index('id="sjekkliste"') : body.index("</ul>", body.index('id="sjekkliste"'))]
    items = {}
    for li in re.findall(r"<li>(.*?)</li>", section, flags=re.S):
        state = "Gjort" if ">Gjort<" in li else "Mangler"
        text = html.unescape(re.sub(r"<[^>]+>", "|", li))
        parts = [p.strip() for p in text.split("|") if p.strip() and p.strip() not in ("Gjort", "Mangler")]
        items[parts[0].split(":")[0]] = (state, parts[1] if len(parts) > 1 else "")
    return items


def test_children_item_needs_follow_up_offered_when_there_are_children(data, world) -> None:  # type: ignore[no-untyped-def]
    person = data.person
    actor = world.user("koordinator.evje")
    client = client_for("koordinator.evje")
    assert _checklist(client, person)["Barn som pårørende"][0] == "Mangler"  # not asked

    people_services.children_routine_answer(actor=actor, person=person, answer=ChildrenRoutine.HAS_CHILDREN)
    state, detail = _checklist(client, person)["Barn som pårørende"]
    assert state == "Mangler"  # asked, has children, but follow-up not offered: the routine is open
    assert "ikke tilbudt oppfølging" in detail

    people_services.children_routine_answer(
        actor=actor, person=person, answer=ChildrenRoutine.HAS_CHILDREN, followup_offered=True
    )
    assert _checklist(client, person)["Barn som pårørende"][0] == "Gjort"

    people_services.children_routine_answer(actor=actor, person=person, answer=ChildrenRoutine.NO_CHILDREN)
    assert _checklist(client, person)["Barn som pårørende"][0] == "Gjort"


def test_relatives_item_done_only_when_all_are_offered_a_conversation(data, world) -> None:  # type: ignore[no-untyped-def]
    person = data.person
    person.relatives.all().delete()
    actor = world.user("koordinator.evje")
    client = client_for("koordinator.evje")
    assert _checklist(client, person)["Pårørende er registrert og tilbudt samtale"] == (
        "Mangler",
        "Ingen registrert",
    )

    people_services.relative_add(actor=actor, person=person, name="Siri Søster", relation="sibling")
    people_services.relative_add(
        actor=actor, person=person, name="Per Partner", relation="partner", followup_offered=True
    )
    assert _checklist(client, person)["Pårørende er registrert og tilbudt samtale"] == (
        "Mangler",
        "2 registrert, 1 ikke tilbudt samtale",
    )

    person.relatives.filter(name="Siri Søster").update(followup_offered=True)
    assert _checklist(client, person)["Pårørende er registrert og tilbudt samtale"] == (
        "Gjort",
        "2 registrert, alle tilbudt samtale",
    )


def test_checklist_costs_no_extra_queries(data, world) -> None:  # type: ignore[no-untyped-def]
    """The person page is performance-sensitive (bench/caseload.py: 22 queries): the checklist reads what
    the page has already loaded, however many relatives there are and whatever their state."""
    person = data.person
    person.relatives.all().delete()
    client = client_for("koordinator.evje")
    page = reverse("followup:person", args=[person.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as before:
        client.get(page)
    actor = world.user("koordinator.evje")
    for i in range(3):
        people_services.relative_add(
            actor=actor, person=person, name=f"Pårørende {i}", relation="friend", followup_offered=i == 0
        )
    people_services.relative_add(
        actor=actor, person=person, name="Lille Barn", relation="child", birth_year=2020
    )
    with CaptureQueriesContext(connection) as after:
        client.get(page)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_caseload_flags_children_follow_up_not_offered(data, world) -> None:  # type: ignore[no-untyped-def]
    person = data.person
    actor = world.user("koordinator.evje")
    client = client_for("koordinator.evje")

    def row_text() -> str:
        body = client.get(reverse("followup:caseload")).content.decode()
        start = body.index(reverse("followup:person", args=[person.pk]), body.index("<tbody"))
        return body[start : body.index("</tr>", start)]

    assert "Barn som pårørende: ikke spurt" in row_text()
    people_services.children_routine_answer(actor=actor, person=person, answer=ChildrenRoutine.HAS_CHILDREN)
    text = row_text()
    assert "Barn som pårørende: oppfølging ikke tilbudt" in text and "ikke spurt" not in text
    with CaptureQueriesContext(connection) as flagged:
        client.get(reverse("followup:caseload"))
    people_services.children_routine_answer(
        actor=actor, person=person, answer=ChildrenRoutine.HAS_CHILDREN, followup_offered=True
    )
    assert "Barn som pårørende" not in row_text()
    with CaptureQueriesContext(connection) as closed:
        client.get(reverse("followup:caseload"))
    assert len(flagged.captured_queries) == len(closed.captured_queries)


# --- innsyn: Norwegian keys, readable labels in the PDF ---------------------------------------------------

ENGLISH = {
    "agency",
    "care_team",
    "consent_note",
    "consent_to_share",
    "coordinator",
    "goals",
    "goal",
    "measures",
    "needs",
    "resources",
    "participants",
    "title",
    "text",
    "name",
    "role",
    "responsible",
    "start_on",
    "end_on",
    "next_review_on",
    "instrument",
    "parent",
    "area",
}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_innsyn_followup_keys_are_norwegian_and_labelled(data, world) -> None:  # type: ignore[no-untyped-def]
    from mestring.audit.innsyn import KEY_LABELS, export_person
    from mestring.followup.innsyn import export_followup

    section = export_followup(data.person)
    keys = _keys(section)
    assert section["individuell_plan"]["versjoner"] and section["tilbakemeldinger"]
    assert not keys & ENGLISH, keys & ENGLISH
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys), keys
    assert keys <= set(KEY_LABELS), keys - set(KEY_LABELS)  # every key reads as a Norwegian label in the PDF
    assert str(KEY_LABELS["tro_pa_a_na_malet"]) == "Tro på å nå målet (1–5)"
    assert export_person(data.person)["oppfolging"] == section


# --- change history: names, not slugs and ids ------------------------------------------------------------


def _history(person: Person) -> str:
    response = client_for("koordinator.evje").get(reverse("people:history", kwargs={"pk": person.pk}))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_history_names_the_instrument_and_the_goal(data, world) -> None:  # type: ignore[no-untyped-def]
    from mestring.followup.models import Instrument

    actor = world.user("koordinator.evje")
    person = data.person
    instrument = Instrument.objects.get(slug="livskvalitet-kort")
    services.feedback_record(actor=actor, person=person, instrument=instrument, values=[6, 6, 6, 6, 6])
    long_goal = services.goal_create(actor=actor, person=person, text="Komme i jobb " + "og trives der " * 10)
    services.goal_rate(actor=actor, goal=long_goal, progress=3, confidence=3, satisfaction=3)
    page = _history(person)
    assert f"Skjema: – → {instrument.name}" in page
    assert "livskvalitet-kort" not in page
    assert f"Mål: – → {long_goal.text[:79]}…" in page
    assert f"Mål: – → {long_goal.pk}<" not in page


def test_history_names_the_units_of_an_episode(data, world) -> None:  # type: ignore[no-untyped-def]
    from mestring.followup.models import Episode

    actor = world.user("koordinator.evje")
    episode = Episode.objects.get(pk=data.episode.pk)
    units = list(episode.units.all())
    services.episode_update(
        actor=actor,
        episode=episode,
        expected_version=episode.version,
        phase=episode.phase,
        started_on=episode.started_on,
        ended_on=None,
        note=episode.note,
        units=[],
    )
    page = _history(data.person)
    assert f"{units[0].name} → –" in page


def test_followup_fields_have_norwegian_verbose_names() -> None:
    """The history and forms label a field by its verbose_name; Django's default is the English field name."""
    from django.apps import apps
    from django.db import models

    english = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("followup").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.Field)
        and field.name not in ("id", "person", "status")  # "person" and "status" are Norwegian words too
        and str(field.verbose_name) == field.name.replace("_", " ")
    ]
    assert english == []
