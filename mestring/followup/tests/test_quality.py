"""The unit leader's quality figures: counted right, small numbers hidden, only the leader's own units."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.followup.models import CrisisPlan, Episode, IndividualPlan
from mestring.followup.quality import unit_quality
from mestring.mapping.areas import Phase
from mestring.people.models import ChildrenRoutine, Person
from mestring.people.tests.fixtures import make_person

pytestmark = pytest.mark.django_db

VALLE_UNIT = "valle-psykisk-helse-rus"


@pytest.fixture
def valle(world):  # type: ignore[no-untyped-def]
    """14 persons served by Valle's unit: 8 with a coordinator (under TSB treatment), 6 without an
    episode; 6 with a current plan; 2 with a crisis plan; 9 asked about children. Plus one ended person
    (not counted)."""
    unit = world.org(VALLE_UNIT)
    leader = world.user("leder.valle")
    persons = [
        make_person(world, unit_slug=VALLE_UNIT, team=(), first_name=f"Kvalitet{i}") for i in range(14)
    ]
    for person in persons[:8]:
        Episode.objects.create(
            person=person, organisation=unit.parent, phase=Phase.values[3], coordinator=leader
        )
    for person in persons[:6]:
        IndividualPlan.objects.create(person=person, status=IndividualPlan.Status.ACTIVE)
    for person in persons[:2]:
        CrisisPlan.objects.create(person=person, warning_signs="Sover dårlig")
    Person.objects.filter(pk__in=[p.pk for p in persons[:9]]).update(
        children_routine=ChildrenRoutine.NO_CHILDREN
    )
    ended = make_person(world, unit_slug=VALLE_UNIT, team=(), first_name="Avsluttet")
    Person.objects.filter(pk=ended.pk).update(status=Person.Status.ENDED)
    return unit


def cells(report, key: str) -> dict[str, list[object]]:  # type: ignore[no-untyped-def]
    table = report.table(key)
    return {label: [c.value for c in line] for label, line, *_rest in table.body()}


def test_counts_and_suppression(valle) -> None:  # type: ignore[no-untyped-def]
    report = unit_quality(valle)
    follow_up = report.table("oppfolging")
    assert follow_up.n == 14
    rows = cells(report, "oppfolging")
    assert rows["Har koordinator"] == [8, 6]
    assert rows["Har gjeldende individuell plan"] == [6, 8]
    assert rows["Er spurt om barn under 18 år"] == [9, 5]
    # 2 with a crisis plan is a small number: hidden, and so is its complement (the row total is shown).
    assert rows["Har kriseplan"] == [None, None]
    phases = cells(report, "fase")
    assert phases[str(Phase.choices[3][1])] == [8]
    assert phases["Ikke i et forløp"] == [6]


def test_page_csv_and_access(valle, world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("followup:quality")
    leader = client_for("leder.valle")
    body = leader.get(url).content.decode()
    assert "Kvalitetstall for" in body and "Har koordinator" in body and "Kvalitet0" not in body
    csv = leader.get(url + f"?enhet={valle.pk}&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Har koordinator" in text and "Kvalitet0" not in text
    # Another municipality's unit: 404. A coordinator (no unit overview): 403.
    evje = world.org("evje-rus-psykisk-helse")
    assert leader.get(url + f"?enhet={evje.pk}").status_code == 404
    assert client_for("koordinator.evje").get(url).status_code == 403


def test_nothing_is_written_to_the_access_log(valle) -> None:  # type: ignore[no-untyped-def]
    from mestring.audit.models import AccessLog

    before = AccessLog.objects.count()
    assert client_for("leder.valle").get(reverse("followup:quality")).status_code == 200
    assert AccessLog.objects.count() == before
