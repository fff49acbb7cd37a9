"""Renaming and closing units, ending cooperation memberships and steering-group seats, agreement flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mestring.accounts.models import Membership
from mestring.audit.models import AdminChange
from mestring.core.testing.personas import client_for
from mestring.core.world import World
from mestring.organisations import selectors, services
from mestring.organisations.models import CooperationMember, Organisation, SteeringGroupMember
from mestring.people.models import ServiceRelation
from mestring.people.tests.fixtures import make_person

pytestmark = pytest.mark.django_db


def _admin(username: str = "admin.evje", org: str = "evje-og-hornnes") -> Membership:
    return Membership.objects.get(user__username=username, organisation__slug=org)


def _empty_unit(world: World, name: str = "Lavterskeltilbudet") -> Organisation:
    return services.unit_create(actor=None, municipality=world.org("evje-og-hornnes"), name=name)


def _changes(obj: object, action: str) -> list[AdminChange]:
    return list(
        AdminChange.objects.filter(
            object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
            object_id=obj.pk,  # type: ignore[attr-defined]
            action=action,
        )
    )


# ---------------------------------------------------------------------------------------------
# Services


def test_unit_update_renames_and_records_only_what_changed(world) -> None:  # type: ignore[no-untyped-def]
    unit = _empty_unit(world)
    slug = unit.slug
    services.unit_update(actor=_admin(), unit=unit, name=" Lavterskel Evje ", contact_email="", address="")
    unit.refresh_from_db()
    assert unit.name == "Lavterskel Evje" and unit.slug == slug
    [change] = _changes(unit, "changed")
    assert change.changes == {"name": ["Lavterskeltilbudet", "Lavterskel Evje"]}
    assert change.username == "admin.evje" and change.organisation == world.org("evje-og-hornnes")
    # Saving the same values writes no change record.
    services.unit_update(actor=_admin(), unit=unit, name="Lavterskel Evje")
    assert len(_changes(unit, "changed")) == 1


def test_unit_update_refuses_a_name_another_unit_has(world) -> None:  # type: ignore[no-untyped-def]
    unit = _empty_unit(world)
    taken = world.org("evje-rus-psykisk-helse").name
    with pytest.raises(ValidationError) as exc:
        services.unit_update(actor=_admin(), unit=unit, name=taken.upper())
    assert "allerede en enhet med dette navnet" in str(exc.value)
    unit.refresh_from_db()
    assert unit.name == "Lavterskeltilbudet"
    assert not _changes(unit, "changed")


def test_unit_close_refused_while_the_unit_serves_persons(world) -> None:  # type: ignore[no-untyped-def]
    unit = world.org("evje-rus-psykisk-helse")
    make_person(world, first_name="En")
    make_person(world, first_name="To")
    with pytest.raises(ValidationError) as exc:
        services.unit_close(actor=_admin(), unit=unit)
    assert exc.value.code == "unit_serves_persons"
    message = exc.value.messages[0]
    assert "følger fortsatt opp 2 personer" in message and "Flytt dem" in message
    unit.refresh_from_db()
    assert unit.is_active
    assert not _changes(unit, "ended")
    # Their follow-up is untouched: no service relation was ended.
    assert ServiceRelation.objects.filter(unit=unit, valid_to__isnull=True).count() == 2


def test_unit_close_counts_relations_ending_in_the_future(world) -> None:  # type: ignore[no-untyped-def]
    unit = world.org("evje-rus-psykisk-helse")
    person = make_person(world)
    ServiceRelation.objects.filter(person=person, unit=unit).update(
        valid_to=timezone.localdate() + timedelta(days=10)
    )
    with pytest.raises(ValidationError, match="følger fortsatt opp 1 person"):
        services.unit_close(actor=_admin(), unit=unit)
    # Once the relation has ended, the unit may close.
    ServiceRelation.objects.filter(person=person, unit=unit).update(
        valid_from=date(2019, 1, 1), valid_to=date(2020, 1, 1)
    )
    services.unit_close(actor=_admin(), unit=unit)
    unit.refresh_from_db()
    assert not unit.is_active


def test_closed_unit_leaves_choosers_but_stays_in_history(world) -> None:  # type: ignore[no-untyped-def]
    unit = _empty_unit(world)
    evje = world.org("evje-og-hornnes")
    services.unit_close(actor=_admin(), unit=unit)
    unit.refresh_from_db()
    assert not unit.is_active
    [change] = _changes(unit, "ended")
    assert change.changes["is_active"] == [True, False]
    assert change.organisation == evje
    assert unit not in selectors.units_of(evje)
    assert unit not in selectors.active_units({evje.pk})
    assert unit in selectors.units_of(evje, include_closed=True)
    assert world.org("evje-rus-psykisk-helse") in selectors.active_units({evje.pk})
    # Still an organisation the municipality sees (history, reports).
    assert unit.pk in selectors.visible_organisation_ids(evje)
    with pytest.raises(ValidationError, match="allerede lagt ned"):
        services.unit_close(actor=_admin(), unit=unit)


def test_cooperation_member_end(world) -> None:  # type: ignore[no-untyped-def]
    setesdal = world.org("setesdal")
    member = CooperationMember.objects.get(cooperation=setesdal, municipality__slug="valle", valid_to=None)
    last_day = timezone.localdate() - timedelta(days=1)
    services.cooperation_member_end(actor=_admin(), member=member, valid_to=last_day)
    member.refresh_from_db()
    assert member.valid_to == last_day
    assert world.org("valle").pk not in selectors.current_member_ids(setesdal)
    [change] = _changes(member, "ended")
    assert change.changes["valid_to"] == [None, last_day.isoformat()]
    assert change.organisation == setesdal


def test_cooperation_member_end_refuses_bad_dates(world) -> None:  # type: ignore[no-untyped-def]
    setesdal = world.org("setesdal")
    member = CooperationMember.objects.get(cooperation=setesdal, municipality__slug="valle", valid_to=None)
    with pytest.raises(ValidationError, match="før medlemskapet startet"):
        services.cooperation_member_end(
            actor=_admin(), member=member, valid_to=member.valid_from - timedelta(days=1)
        )
    services.cooperation_member_end(actor=_admin(), member=member, valid_to=date(2030, 12, 31))
    with pytest.raises(ValidationError, match=r"slutter allerede 31\.12\.2030"):
        services.cooperation_member_end(actor=_admin(), member=member, valid_to=date(2031, 6, 30))
    member.refresh_from_db()
    assert member.valid_to == date(2030, 12, 31)
    assert len(_changes(member, "ended")) == 1


def test_steering_seat_remove_records_what_it_was(world) -> None:  # type: ignore[no-untyped-def]
    osterdalen = world.org("osterdalen")
    seat = osterdalen.steering_group.get(title="Kommuneoverlege")
    seat_pk = seat.pk
    services.steering_seat_remove(actor=_admin("planlegger.osterdalen", "osterdalen"), seat=seat)
    assert not SteeringGroupMember.objects.filter(pk=seat_pk).exists()
    change = AdminChange.objects.get(
        object_type="organisations.steeringgroupmember", object_id=seat_pk, action="removed"
    )
    assert change.action == "removed"
    assert change.changes["title"] == ["Kommuneoverlege", None]
    assert change.changes["municipality"][0] == "Tynset"
    assert change.organisation == osterdalen


def test_agreement_flags_change_and_person_scope_follows(world) -> None:  # type: ignore[no-untyped-def]
    setesdal = world.org("setesdal")
    assert setesdal.shares_person_data
    assert selectors.municipality_ids_in_scope(setesdal, person_work=True)
    services.cooperation_agreement_update(
        actor=_admin(), cooperation=setesdal, members_see_each_other=False, shares_person_data=False
    )
    setesdal.refresh_from_db()
    assert not setesdal.shares_person_data
    assert selectors.municipality_ids_in_scope(setesdal, person_work=True) == set()
    [change] = _changes(setesdal, "changed")
    assert change.changes == {"shares_person_data": [True, False]}


# ---------------------------------------------------------------------------------------------
# Views


def test_admin_renames_unit_and_duplicate_name_gets_message(world) -> None:  # type: ignore[no-untyped-def]
    unit = _empty_unit(world)
    client = client_for("admin.evje")
    url = f"/organisasjon/{unit.slug}/endre/"
    page = client.get(url).content.decode()
    assert 'value="Lavterskeltilbudet"' in page
    taken = world.org("evje-rus-psykisk-helse").name
    response = client.post(url, {"name": taken})
    assert response.status_code == 200
    assert "Kommunen har allerede en enhet med dette navnet." in response.content.decode()
    response = client.post(url, {"name": "Lavterskeltilbudet"})  # its own name is fine
    assert response.status_code == 302
    response = client.post(url, {"name": "Lavterskel Evje", "contact_email": "lav@evje.invalid"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Lavterskel Evje" and unit.contact_email == "lav@evje.invalid"


def test_unit_close_page_refuses_and_names_the_count(world) -> None:  # type: ignore[no-untyped-def]
    unit = world.org("evje-rus-psykisk-helse")
    make_person(world)
    client = client_for("admin.evje")
    url = f"/organisasjon/{unit.slug}/legg-ned/"
    page = client.get(url).content.decode()
    assert "følger fortsatt opp 1 person" in page
    assert "Legg ned enheten</button>" not in page
    response = client.post(url)
    assert response.status_code == 200
    assert "følger fortsatt opp 1 person" in response.content.decode()
    unit.refresh_from_db()
    assert unit.is_active


def test_unit_close_confirmation_then_closed(world) -> None:  # type: ignore[no-untyped-def]
    unit = _empty_unit(world)
    client = client_for("admin.evje")
    url = f"/organisasjon/{unit.slug}/legg-ned/"
    page = client.get(url).content.decode()
    assert "blir lagt ned" in page and "Legg ned enheten</button>" in page
    unit.refresh_from_db()
    assert unit.is_active  # GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert not unit.is_active
    municipality_page = client.get("/organisasjon/evje-og-hornnes/").content.decode()
    assert "Nedlagte enheter" in municipality_page and unit.name in municipality_page
    assert "Lagt ned" in client.get(f"/organisasjon/{unit.slug}/").content.decode()


def test_other_municipalities_units_answer_404(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("planlegger.osterdalen")
    for url in (
        "/organisasjon/evje-rus-psykisk-helse/endre/",
        "/organisasjon/evje-rus-psykisk-helse/legg-ned/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Kapret"}).status_code == 404
    unit = world.org("evje-rus-psykisk-helse")
    unit.refresh_from_db()
    assert unit.is_active and unit.name == "Rus og psykisk helse Evje og Hornnes"
    # A municipality page is not a unit.
    assert client_for("admin.evje").get("/organisasjon/evje-og-hornnes/legg-ned/").status_code == 404


def test_member_end_page(world) -> None:  # type: ignore[no-untyped-def]
    member = CooperationMember.objects.get(
        cooperation=world.org("setesdal"), municipality__slug="valle", valid_to=None
    )
    client = client_for("admin.evje")
    url = f"/organisasjon/setesdal/medlemmer/{member.pk}/avslutt/"
    detail = client.get("/organisasjon/setesdal/").content.decode()
    assert url in detail and "/organisasjon/setesdal/avtale/" in detail
    assert url not in client_for("analytiker.setesdal").get("/organisasjon/setesdal/").content.decode()
    page = client.get(url).content.decode()
    assert "går ut av" in page and "Avslutt medlemskapet" in page
    response = client.post(url, {"valid_to": "1990-01-01"})
    assert response.status_code == 200
    assert "før medlemskapet startet" in response.content.decode()
    response = client.post(url, {"valid_to": "ikke en dato"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.valid_to is None
    response = client.post(url, {"valid_to": "2026-06-30"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.valid_to == date(2026, 6, 30)
    # A membership of another cooperation is not reachable through this one.
    other = CooperationMember.objects.filter(cooperation=world.org("osterdalen")).first()
    assert other is not None
    assert client.get(f"/organisasjon/setesdal/medlemmer/{other.pk}/avslutt/").status_code == 404
    assert client_for("planlegger.osterdalen").post(url, {"valid_to": "2026-01-01"}).status_code == 404


def test_steering_seat_remove_page(world) -> None:  # type: ignore[no-untyped-def]
    seat = world.org("osterdalen").steering_group.get(title="Kommuneoverlege")
    client = client_for("planlegger.osterdalen")
    url = f"/organisasjon/osterdalen/styringsgruppe/{seat.pk}/fjern/"
    assert url in client.get("/organisasjon/osterdalen/").content.decode()
    page = client.get(url).content.decode()
    assert "Kommuneoverlege" in page and "Fjern plassen" in page
    assert SteeringGroupMember.objects.filter(pk=seat.pk).exists()
    assert client_for("admin.evje").post(url).status_code == 404
    assert SteeringGroupMember.objects.filter(pk=seat.pk).exists()
    assert client.post(url).status_code == 302
    assert not SteeringGroupMember.objects.filter(pk=seat.pk).exists()


def test_agreement_flags_page_asks_before_changing_person_access(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("planlegger.osterdalen")
    url = "/organisasjon/osterdalen/avtale/"
    osterdalen = world.org("osterdalen")
    assert client.get(url).status_code == 200
    # members_see_each_other alone: saved at once.
    assert client.post(url, {}).status_code == 302
    osterdalen.refresh_from_db()
    assert not osterdalen.members_see_each_other and not osterdalen.shares_person_data
    # shares_person_data: a confirmation page first, nothing saved.
    response = client.post(url, {"shares_person_data": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "tjenstlig tilgang til personopplysninger" in page and 'name="bekreft"' in page
    osterdalen.refresh_from_db()
    assert not osterdalen.shares_person_data
    assert not _changes(osterdalen, "changed") or all(
        "shares_person_data" not in c.changes for c in _changes(osterdalen, "changed")
    )
    response = client.post(url, {"shares_person_data": "on", "bekreft": "ja"})
    assert response.status_code == 302
    osterdalen.refresh_from_db()
    assert osterdalen.shares_person_data
    assert any(c.changes.get("shares_person_data") == [False, True] for c in _changes(osterdalen, "changed"))


def test_agreement_flags_only_for_host_or_cooperation_admin(world) -> None:  # type: ignore[no-untyped-def]
    # admin.evje is an analyst in Setesdal too, but manages it as host; Østerdalen is not theirs.
    assert client_for("admin.evje").get("/organisasjon/setesdal/avtale/").status_code == 200
    assert client_for("admin.evje").post("/organisasjon/osterdalen/avtale/", {}).status_code == 404
    assert client_for("koordinator.evje").get("/organisasjon/setesdal/avtale/").status_code == 403
    osterdalen = world.org("osterdalen")
    osterdalen.refresh_from_db()
    assert osterdalen.members_see_each_other
