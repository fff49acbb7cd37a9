"""Test persons. Everyone here is invented; ids are synthetic (valid check digits from python-stdnum)."""

from __future__ import annotations

from datetime import date
from typing import Any

from mestring.accounts.models import User
from mestring.core.world import World
from mestring.organisations.models import Organisation
from mestring.people import crypto, fnr, services
from mestring.people.models import Person

EVJE_UNIT = "evje-rus-psykisk-helse"
FIXTURE_ID = fnr.synthetic_fodselsnummer(date(1984, 5, 17), 101, female=True)


def make_person(
    world: World,
    *,
    unit_slug: str = EVJE_UNIT,
    team: tuple[str, ...] = ("koordinator.evje",),
    national_id: str = "",
    first_name: str = "Test",
    last_name: str = "Testesen",
    birth_year: int = 1980,
    **fields: Any,
) -> Person:
    """A new person served by `unit_slug` with the given care team (usernames)."""
    unit = world.org(unit_slug)
    assert unit.parent is not None
    person = services.person_create(
        actor=None,
        organisation=unit.parent,
        unit=unit,
        first_name=first_name,
        last_name=last_name,
        national_id=national_id,
        birth_year=None if national_id else birth_year,
        add_actor_to_care_team=False,
        **fields,
    )
    for username in team:
        services.care_team_member_add(
            actor=None, person=person, user=world.user(username), role_title="Kontakt"
        )
    return person


def fixture_person(world: World) -> Person:
    """The matrix test's person (idempotent): served by Evje's unit, koordinator.evje on the care team."""
    existing = Person.objects.filter(national_id_hmac=crypto.lookup_hash(FIXTURE_ID)).first()
    if existing is not None:
        return existing
    return make_person(world, national_id=FIXTURE_ID, first_name="Matrise", last_name="Testperson")


def user(username: str) -> User:
    return User.objects.get(username=username)


def unit(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)
