from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mestring.accounts.models import Membership
from mestring.audit.models import AccessLog
from mestring.people.access import access_person, can_access_person
from mestring.people.selectors import persons_for
from mestring.people.tests.fixtures import fixture_person, make_person

pytestmark = pytest.mark.django_db


def membership(username: str, slug: str | None = None) -> Membership:
    from mestring.core.testing.personas import PRIMARY_ORG

    return Membership.objects.get(user__username=username, organisation__slug=slug or PRIMARY_ORG[username])


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("koordinator.evje", True),  # care team + serving unit
        ("ansatt.evje", True),  # serving unit
        ("ruskonsulent.setesdal", True),  # cooperation shares person data
        ("ansatt.bykle", False),  # other municipality
        ("leder.valle", False),
        ("leder.suldal", False),
    ],
)
def test_tjenstlig_behov(world, caplog, username: str, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    actor = membership(username)
    assert can_access_person(actor, person) is allowed
    assert persons_for(actor).filter(pk=person.pk).exists() is allowed
    before = AccessLog.objects.count()
    if allowed:
        assert access_person(membership=actor, person_id=person.pk, what="test").pk == person.pk
        assert AccessLog.objects.count() == before + 1
    else:
        with caplog.at_level("WARNING", logger="mestring.security"), pytest.raises(Http404):
            access_person(membership=actor, person_id=person.pk, what="test")
        assert AccessLog.objects.count() == before
        # The refused attempt is not a read, but the operators' security log has it.
        (record,) = [r for r in caplog.records if r.name == "mestring.security"]
        assert f"user={actor.user_id} " in record.getMessage()
        assert f"person={person.pk} " in record.getMessage()


@pytest.mark.parametrize(("username", "slug"), [("analytiker.setesdal", None), ("admin.evje", "setesdal")])
def test_roles_without_person_view_get_403(world, username: str, slug: str | None) -> None:
    person = fixture_person(world)
    actor = membership(username, slug)
    assert not can_access_person(actor, person)
    assert not persons_for(actor).exists()
    with pytest.raises(PermissionDenied):
        access_person(membership=actor, person_id=person.pk, what="test")


def test_care_team_membership_follows_the_user(world) -> None:
    person = make_person(world, unit_slug="bykle-helse-rus", team=("koordinator.evje",))
    assert can_access_person(membership("koordinator.evje"), person)
    assert not can_access_person(membership("ansatt.evje"), person)
    assert can_access_person(membership("ansatt.bykle"), person)


def test_unknown_and_bad_ids_are_404(world) -> None:
    actor = membership("koordinator.evje")
    for bad in (999999, "abc", None, -1):
        with pytest.raises(Http404):
            access_person(membership=actor, person_id=bad, what="test")
    assert not AccessLog.objects.exists()


def test_ended_relations_end_access(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from mestring.people import services

    person = make_person(world, team=("ansatt.bykle",))
    relation = person.service_relations.get()
    services.care_team_member_end(actor=None, person=person, user=world.user("ansatt.bykle"))
    assert can_access_person(membership("ansatt.bykle"), person)  # began today: last day is today
    person.care_team.update(valid_from=timezone.localdate() - timedelta(days=10))
    person.care_team.update(valid_to=timezone.localdate() - timedelta(days=1))
    assert not can_access_person(membership("ansatt.bykle"), person)
    assert can_access_person(membership("ansatt.evje"), person)
    relation.valid_from = timezone.localdate() - timedelta(days=10)
    relation.save()
    services.service_relation_end(actor=None, relation=relation)
    assert not can_access_person(membership("ansatt.evje"), person)
    assert not can_access_person(membership("ruskonsulent.setesdal"), person)


def test_break_glass_grant_is_time_limited(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from mestring.people import services
    from mestring.people.models import Person

    person = make_person(world, unit_slug="bykle-helse-rus", team=())
    Person.objects.filter(pk=person.pk).update(organisation=world.org("evje-og-hornnes"))
    person.refresh_from_db()
    actor = membership("ansatt.evje")
    with pytest.raises(Http404):
        access_person(membership=actor, person_id=person.pk, what="test")
    grant = services.break_glass_open(
        actor=actor, person=person, reason="Akutt: personen er innlagt og vi trenger kriseplanen."
    )
    got = access_person(membership=actor, person_id=person.pk, what="test", purpose="krise")
    assert got == person
    row = AccessLog.objects.latest("at")
    assert row.break_glass and row.purpose.startswith("krise; bryt glasset: Akutt")
    grant.expires_at = timezone.now() - timedelta(seconds=1)
    grant.save()
    with pytest.raises(Http404):
        access_person(membership=actor, person_id=person.pk, what="test")
    # outside the actor's municipalities there is no glass to break
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.break_glass_open(
            actor=membership("ansatt.bykle"), person=fixture_person(world), reason="x" * 30
        )


def test_cooperation_without_shared_person_work_sees_nobody(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.accounts.roles import Role

    person = make_person(world, unit_slug="tynset-rus-psykisk-helse", team=())
    coordinator = Membership.objects.create(
        user=world.user("planlegger.osterdalen"), organisation=world.org("osterdalen"), role=Role.COORDINATOR
    )
    assert not can_access_person(coordinator, person)
    assert not persons_for(coordinator).exists()
    with pytest.raises(Http404):
        access_person(membership=coordinator, person_id=person.pk, what="test")
