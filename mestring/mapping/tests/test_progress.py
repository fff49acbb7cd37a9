"""The round page's progress per unit and per staff member shows the part of the round the actor sees:
the same rule (`access.round_view`) as the list of registered entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.mapping.models import MappingEntry, MappingRound, RoundStaffTarget, RoundUnit
from mestring.mapping.tests.fixtures import ensure_cooperation_round, entry_values

pytestmark = pytest.mark.django_db

UNITS = {
    "evje-rus-psykisk-helse": "Rus og psykisk helse Evje og Hornnes",
    "valle-psykisk-helse-rus": "Psykisk helse og rus Valle",
    "bygland-helse-omsorg": "Helse og omsorg Bygland",
    "bykle-helse-rus": "Helse og rus Bykle",
}


def _setesdal_round(world: Any) -> MappingRound:
    mapping_round = ensure_cooperation_round("setesdal", 2026)
    for slug in UNITS:
        unit = world.org(slug)
        RoundUnit.objects.create(round=mapping_round, unit=unit, expected=10)
    for username, slug, count in (
        ("koordinator.evje", "evje-rus-psykisk-helse", 3),
        ("ansatt.evje", "evje-rus-psykisk-helse", 2),
        ("ansatt.bykle", "bykle-helse-rus", 1),
        ("leder.valle", "valle-psykisk-helse-rus", 4),
    ):
        user, unit = world.user(username), world.org(slug)
        RoundStaffTarget.objects.create(round=mapping_round, user=user, expected=5)
        MappingEntry.objects.bulk_create(
            MappingEntry(
                round=mapping_round,
                municipality=unit.parent,
                unit=unit,
                year=2026,
                assessed_by=user,
                **entry_values(2026),
            )
            for _i in range(count)
        )
    return mapping_round


def _progress(username: str, mapping_round: MappingRound) -> dict[str, Any]:
    response = client_for(username).get(reverse("mapping:round_detail", args=[mapping_round.pk]))
    assert response.status_code == 200
    progress = response.context["progress"]
    return {
        "units": {row["name"]: row["done"] for row in progress["units"]},
        "staff": {row["name"]: row["done"] for row in progress["staff"]},
        "total": progress["total"],
        "page": response.content.decode(),
    }


@pytest.mark.parametrize("members_see_each_other", [False, True])
def test_member_staff_see_only_their_own_part(world, members_see_each_other: bool) -> None:  # type: ignore[no-untyped-def]
    setesdal = world.org("setesdal")
    setesdal.members_see_each_other = members_see_each_other
    setesdal.save()
    mapping_round = _setesdal_round(world)
    bykle = _progress("ansatt.bykle", mapping_round)
    # The agreement's flag lets members see each other's units (structure), not their mapping work.
    assert bykle["units"] == {UNITS["bykle-helse-rus"]: 1}
    assert bykle["staff"] == {"Per Lidvang": 1}
    assert bykle["total"] == 1
    for hidden in ("Evje", "Valle", "Bygland", "Kari Fjellstad", "Jon Heiberg", "Ingrid Storstein"):
        assert hidden not in bykle["page"]
    # The list of entries follows the same rule.
    listed = client_for("ansatt.bykle").get(reverse("mapping:entry_list", args=[mapping_round.pk]))
    assert listed.context["page"].paginator.count == 1
    # A unit leader with mapping.manage in Valle sees Valle's part.
    valle = _progress("leder.valle", mapping_round)
    assert valle["units"] == {UNITS["valle-psykisk-helse-rus"]: 4}
    assert valle["staff"] == {"Ingrid Storstein": 4}
    # Evje's administration hosts the cooperation and manages the round: all of it.
    host = _progress("admin.evje", mapping_round)
    assert host["units"] == {
        UNITS["evje-rus-psykisk-helse"]: 5,
        UNITS["valle-psykisk-helse-rus"]: 4,
        UNITS["bygland-helse-omsorg"]: 0,
        UNITS["bykle-helse-rus"]: 1,
    }
    assert host["staff"] == {"Kari Fjellstad": 3, "Jon Heiberg": 2, "Per Lidvang": 1, "Ingrid Storstein": 4}
    assert host["total"] == 10
    assert "det du har tilgang til" not in host["page"] and "det du har tilgang til" in bykle["page"]


def test_staff_in_the_same_unit_see_each_others_progress(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = _setesdal_round(world)
    evje = _progress("ansatt.evje", mapping_round)
    assert evje["units"] == {UNITS["evje-rus-psykisk-helse"]: 5}
    assert evje["staff"] == {"Kari Fjellstad": 3, "Jon Heiberg": 2}
