"""Cross-tenant access: 404 unless a cooperation agreement grants it."""

from __future__ import annotations

import pytest

from mestring.core.testing.personas import client_for
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import municipality_ids_in_scope, visible_organisation_ids

pytestmark = pytest.mark.django_db


def test_valle_gets_404_for_bykle_without_agreement(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("leder.valle")
    assert client.get("/organisasjon/bykle-helse-rus/").status_code == 404
    assert client.get("/organisasjon/bykle/").status_code == 404
    assert client.get("/api/v1/organisations/bykle-helse-rus/").status_code == 404
    slugs = {o["slug"] for o in client.get("/api/v1/organisations/?limit=500").json()["results"]}
    assert "bykle-helse-rus" not in slugs and "valle-psykisk-helse-rus" in slugs


def test_agreement_lets_members_see_each_other(world) -> None:  # type: ignore[no-untyped-def]
    setesdal = world.org("setesdal")
    setesdal.members_see_each_other = True
    setesdal.save()
    client = client_for("leder.valle")
    assert client.get("/organisasjon/bykle-helse-rus/").status_code == 200
    assert client.get("/api/v1/organisations/bykle-helse-rus/").status_code == 200
    # Not Østerdalen: the agreement covers only Setesdal's members.
    assert client.get("/organisasjon/tynset-rus-psykisk-helse/").status_code == 404


def test_person_work_scope_follows_the_agreement(world) -> None:  # type: ignore[no-untyped-def]
    setesdal, osterdalen = world.org("setesdal"), world.org("osterdalen")
    members = {o.pk for o in Organisation.objects.filter(kommunenummer__in=["4219", "4220", "4221", "4222"])}
    assert municipality_ids_in_scope(setesdal, person_work=True) == members
    assert municipality_ids_in_scope(osterdalen, person_work=True) == set()
    assert len(municipality_ids_in_scope(osterdalen)) == 9


def test_ended_membership_of_cooperation_is_not_in_scope(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from mestring.organisations.models import CooperationMember

    link = CooperationMember.objects.get(
        cooperation=world.org("setesdal"), municipality__kommunenummer="4222"
    )
    link.valid_to = date(2020, 12, 31)
    link.save()
    assert world.org("bykle").pk not in visible_organisation_ids(world.org("setesdal"))


def test_national_actor_sees_all(world) -> None:  # type: ignore[no-untyped-def]
    national = world.org("nasjonalt-kompetansemiljo")
    assert visible_organisation_ids(national) == set(Organisation.objects.values_list("pk", flat=True))
