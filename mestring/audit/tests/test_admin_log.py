"""The administration change log: every service that changes who may see what writes one row in its own
transaction (none when it refuses), the page shows only the organisations the reader administers."""

from __future__ import annotations

import json
import re
from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from mestring.accounts import staff
from mestring.accounts.models import Membership, User
from mestring.accounts.services import membership_grant
from mestring.audit.models import AdminChange, AppendOnlyError
from mestring.audit.tests.test_append_only import postgres_only
from mestring.core.testing.personas import client_for
from mestring.organisations import services as org_services
from mestring.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _membership(world, username: str) -> Membership:  # type: ignore[no-untyped-def]
    """The persona's first membership (admin.evje: Evje's administration, not its Setesdal analyst role)."""
    return world.user(username).memberships.filter(role__in=["municipal_admin", "sysadmin"]).first() or (  # type: ignore[no-any-return]
        world.user(username).memberships.get()
    )


def _new_rows(before: int) -> list[AdminChange]:
    return list(AdminChange.objects.order_by("pk")[before:])


def _grant_data(world, **overrides: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "username": "kari.nord",
        "first_name": "Kari",
        "last_name": "Nord",
        "email": "kari@demo.invalid",
        "organisation": world.org("evje-rus-psykisk-helse"),
        "role": "staff",
        "title": "Miljøterapeut",
    }
    data.update(overrides)
    return data


def test_giving_access_through_the_page_writes_one_row_without_the_link(world) -> None:  # type: ignore[no-untyped-def]
    before = AdminChange.objects.count()
    unit = world.org("evje-rus-psykisk-helse")
    response = client_for("admin.evje").post(
        "/konto/ansatte/ny/",
        {
            "username": "kari.nord",
            "last_name": "Nord",
            "email": "kari@demo.invalid",
            "organisation": unit.pk,
            "role": "staff",
            "title": "Miljøterapeut",
        },
    )
    assert response.status_code == 302
    [row] = _new_rows(before)
    kari = User.objects.get(username="kari.nord")
    assert row.action == "created" and row.object_type == "accounts.membership"
    assert row.organisation == unit and row.subject_user_id == kari.pk and row.subject_username == "kari.nord"
    assert row.username == "admin.evje" and row.actor_role == "municipal_admin"
    assert row.changes["role"] == [None, "staff"] and row.changes["password_link"] == [
        None,
        "kari@demo.invalid",
    ]
    # The link (and its token) went in the e-mail only, never into the log.
    link = re.search(r"/konto/passord/(\S+)/(\S+)/", str(mail.outbox[-1].body))
    assert link
    logged = json.dumps(row.changes)
    assert link.group(1) not in logged and link.group(2) not in logged and "passord/" not in logged


def test_grant_end_and_reopen_each_write_one_row(world) -> None:  # type: ignore[no-untyped-def]
    admin = _membership(world, "admin.evje")
    before = AdminChange.objects.count()
    _user, membership, created = staff.staff_grant(actor=admin, data=_grant_data(world))
    assert created
    assert [r.action for r in _new_rows(before)] == ["created"]

    before = AdminChange.objects.count()
    staff.staff_end(actor=admin, membership=membership)
    [ended] = _new_rows(before)
    membership.refresh_from_db()
    assert ended.action == "ended" and ended.object_id == membership.pk
    assert ended.changes["valid_to"] == [None, membership.valid_to.isoformat()]  # type: ignore[union-attr]

    before = AdminChange.objects.count()
    staff.staff_grant(actor=admin, data=_grant_data(world, title=""))
    [reopened] = _new_rows(before)
    assert reopened.action == "reopened" and reopened.changes["valid_to"][1] is None
    assert "new_user" not in reopened.changes


def test_refused_grant_and_end_write_nothing(world) -> None:  # type: ignore[no-untyped-def]
    admin = _membership(world, "admin.evje")
    before = AdminChange.objects.count()
    with pytest.raises(PermissionDenied):  # another municipality
        staff.staff_grant(
            actor=admin, data=_grant_data(world, organisation=world.org("valle-psykisk-helse-rus"))
        )
    with pytest.raises(PermissionDenied):  # a national role
        staff.staff_grant(actor=admin, data=_grant_data(world, role="sysadmin"))
    with pytest.raises(PermissionDenied):  # Valle's staff
        staff.staff_end(actor=admin, membership=_membership(world, "leder.valle"))
    with pytest.raises(PermissionDenied):  # own access
        staff.staff_end(actor=admin, membership=admin)
    assert AdminChange.objects.count() == before
    assert not User.objects.filter(username="kari.nord").exists()


def test_the_row_is_in_the_same_transaction_as_the_change(world) -> None:  # type: ignore[no-untyped-def]
    admin = _membership(world, "admin.evje")
    koordinator = _membership(world, "koordinator.evje")
    before = AdminChange.objects.count()
    with (
        mock.patch("mestring.accounts.staff.record_admin_change", side_effect=RuntimeError("log down")),
        pytest.raises(RuntimeError),
    ):
        staff.staff_end(actor=admin, membership=koordinator)
    koordinator.refresh_from_db()
    assert koordinator.valid_to is None
    with (
        mock.patch(
            "mestring.organisations.services.record_admin_change", side_effect=RuntimeError("log down")
        ),
        pytest.raises(RuntimeError),
    ):
        org_services.unit_create(actor=admin, municipality=world.org("evje-og-hornnes"), name="Ny enhet")
    assert not Organisation.objects.filter(name="Ny enhet").exists()
    assert AdminChange.objects.count() == before


def test_password_link_writes_one_row_and_none_when_refused(world) -> None:  # type: ignore[no-untyped-def]
    admin = _membership(world, "admin.evje")
    _user, membership, _created = staff.staff_grant(actor=admin, data=_grant_data(world))
    request = RequestFactory().post("/konto/ansatte/1/ny-lenke/")
    before = AdminChange.objects.count()
    staff.staff_password_link_send(actor=admin, membership=membership, request=request)
    [row] = _new_rows(before)
    assert row.action == "password_link_sent" and row.changes == {
        "password_link": [None, "kari@demo.invalid"]
    }
    token = re.search(r"/konto/passord/\S+/(\S+)/", str(mail.outbox[-1].body))
    assert token and token.group(1) not in json.dumps(row.changes)

    before = AdminChange.objects.count()
    with pytest.raises(staff.PasswordLinkRefused):  # has a password already
        staff.staff_password_link_send(
            actor=admin, membership=_membership(world, "koordinator.evje"), request=request
        )
    with pytest.raises(PermissionDenied):  # Valle's staff
        staff.staff_password_link_send(
            actor=admin, membership=_membership(world, "leder.valle"), request=request
        )
    assert AdminChange.objects.count() == before


def test_password_link_page_writes_one_row(world) -> None:  # type: ignore[no-untyped-def]
    admin = _membership(world, "admin.evje")
    _user, membership, _created = staff.staff_grant(actor=admin, data=_grant_data(world))
    before = AdminChange.objects.count()
    response = client_for("admin.evje").post(f"/konto/ansatte/{membership.pk}/ny-lenke/")
    assert response.status_code == 302
    assert [r.action for r in _new_rows(before)] == ["password_link_sent"]


def test_membership_grant_service_logs_only_a_new_membership(world) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.create(username="ola.ny")
    unit = world.org("evje-rus-psykisk-helse")
    before = AdminChange.objects.count()
    membership_grant(user=user, organisation=unit, role="staff", actor=_membership(world, "drift"))
    membership_grant(user=user, organisation=unit, role="staff")  # exists: no change, no row
    [row] = _new_rows(before)
    assert row.username == "drift" and row.organisation == unit and row.subject_user_id == user.pk


def test_organisation_services_write_one_row_each(world) -> None:  # type: ignore[no-untyped-def]
    admin = _membership(world, "admin.evje")
    evje, setesdal = world.org("evje-og-hornnes"), world.org("setesdal")

    before = AdminChange.objects.count()
    unit = org_services.unit_create(actor=admin, municipality=evje, name="Lavterskeltilbudet")
    [row] = _new_rows(before)
    assert (row.action, row.organisation, row.object_id) == ("created", evje, unit.pk)

    before = AdminChange.objects.count()
    member = org_services.cooperation_member_add(
        actor=admin, cooperation=setesdal, municipality=world.org("amot"), valid_from=date(2026, 1, 1)
    )
    [row] = _new_rows(before)
    assert (row.organisation, row.object_type, row.object_id) == (
        setesdal,
        "organisations.cooperationmember",
        member.pk,
    )
    assert row.changes["municipality"] == [None, "Åmot"]

    before = AdminChange.objects.count()
    with pytest.raises(ValidationError):  # overlaps Valle's running membership
        org_services.cooperation_member_add(
            actor=admin, cooperation=setesdal, municipality=world.org("valle"), valid_from=date(2026, 3, 1)
        )
    with pytest.raises(ValueError):  # units belong to a municipality
        org_services.unit_create(actor=admin, municipality=setesdal, name="Feil")
    assert AdminChange.objects.count() == before

    planner = _membership(world, "planlegger.osterdalen")
    osterdalen = world.org("osterdalen")
    before = AdminChange.objects.count()
    seat = org_services.steering_seat_add(actor=planner, cooperation=osterdalen, title="Brukerrepresentant")
    [row] = _new_rows(before)
    assert (row.organisation, row.object_id, row.username) == (osterdalen, seat.pk, "planlegger.osterdalen")

    before = AdminChange.objects.count()
    group_set = org_services.group_set_create(
        actor=admin, name="Venner", owner=evje, assignments={"4219": "A", "3427": "B"}
    )
    [row] = _new_rows(before)
    assert (row.organisation, row.object_id, row.changes["assignments"]) == (evje, group_set.pk, [None, 2])


def test_organisation_pages_log_the_actor(world) -> None:  # type: ignore[no-untyped-def]
    before = AdminChange.objects.count()
    client = client_for("admin.evje")
    client.post("/organisasjon/evje-og-hornnes/enheter/ny/", {"name": "Lavterskeltilbudet"})
    client.post("/organisasjon/grupperinger/ny/", {"name": "Venner", "lines": "4219;A\n"})
    client.post(
        "/organisasjon/setesdal/medlemmer/ny/",
        {"municipality": world.org("amot").pk, "valid_from": "2026-01-01"},
    )
    client_for("planlegger.osterdalen").post(
        "/organisasjon/osterdalen/styringsgruppe/ny/", {"title": "Leder"}
    )
    rows = _new_rows(before)
    assert [(r.object_type, r.username) for r in rows] == [
        ("organisations.organisation", "admin.evje"),
        ("organisations.groupset", "admin.evje"),
        ("organisations.cooperationmember", "admin.evje"),
        ("organisations.steeringgroupmember", "planlegger.osterdalen"),
    ]


def test_the_log_is_append_only(world) -> None:  # type: ignore[no-untyped-def]
    admin = _membership(world, "admin.evje")
    org_services.unit_create(
        actor=admin, municipality=world.org("evje-og-hornnes"), name="Lavterskeltilbudet"
    )
    row = AdminChange.objects.order_by("-pk").first()
    assert row is not None
    row.action = "removed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AdminChange.objects.filter(pk=row.pk).update(action="removed")
    with pytest.raises(AppendOnlyError):
        AdminChange.objects.all().delete()
    # Deleting the actor leaves the row, with the name.
    User.objects.filter(username="admin.evje").delete()
    assert AdminChange.objects.get(pk=row.pk).username == "admin.evje"


@postgres_only
def test_postgres_trigger_refuses_raw_update_and_delete(world) -> None:  # type: ignore[no-untyped-def]
    org_services.unit_create(
        actor=_membership(world, "admin.evje"),
        municipality=world.org("evje-og-hornnes"),
        name="Lavterskeltilbudet",
    )
    row = AdminChange.objects.order_by("-pk").first()
    assert row is not None
    table = AdminChange._meta.db_table
    for sql in (f"UPDATE {table} SET action = 'removed' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, [row.pk])
    assert AdminChange.objects.get(pk=row.pk).action == "created"


def test_page_shows_only_the_organisations_the_reader_administers(world) -> None:  # type: ignore[no-untyped-def]
    drift = _membership(world, "drift")
    # Drift ends access in Valle and in Evje; Evje's administrator reopens a unit user of its own.
    staff.staff_end(actor=drift, membership=_membership(world, "leder.valle"))
    staff.staff_end(actor=drift, membership=_membership(world, "koordinator.evje"))
    org_services.steering_seat_add(
        actor=_membership(world, "planlegger.osterdalen"),
        cooperation=world.org("osterdalen"),
        title="Ny brukerplass",
    )
    org_services.cooperation_member_add(
        actor=drift,
        cooperation=world.org("setesdal"),
        municipality=world.org("amot"),
        valid_from=date(2026, 1, 1),
    )

    evje = client_for("admin.evje").get("/logg/administrasjon/").content.decode()
    assert "Endringslogg for administrasjon" in evje
    assert "koordinator.evje" in evje and "Medlem i samarbeidet" in evje  # Evje hosts Setesdal
    # Valle's unit and Østerdalen's steering group are not Evje's to see (Setesdal's member list is).
    assert "leder.valle" not in evje and "Psykisk helse og rus Valle" not in evje
    assert "Ny brukerplass" not in evje

    osterdalen = client_for("planlegger.osterdalen").get("/logg/administrasjon/").content.decode()
    assert "Ny brukerplass" in osterdalen
    assert "koordinator.evje" not in osterdalen and "leder.valle" not in osterdalen

    everything = client_for("drift").get("/logg/administrasjon/").content.decode()
    assert "leder.valle" in everything and "koordinator.evje" in everything

    # Asking for Valle's leader by id does not open Valle's rows to Evje.
    valle_id = world.user("leder.valle").pk
    filtered = client_for("admin.evje").get(f"/logg/administrasjon/?ansatt={valle_id}").content.decode()
    assert "Psykisk helse og rus Valle" not in filtered
    koordinator_id = world.user("koordinator.evje").pk
    only_koordinator = (
        client_for("drift").get(f"/logg/administrasjon/?ansatt={koordinator_id}").content.decode()
    )
    assert "gjelder koordinator.evje" in only_koordinator
    assert "gjelder leder.valle" not in only_koordinator  # in the staff menu, not in the table


def test_staff_list_links_to_the_log(world) -> None:  # type: ignore[no-untyped-def]
    assert "/logg/administrasjon/" in client_for("admin.evje").get("/konto/ansatte/").content.decode()


def test_every_action_the_services_record_has_a_label() -> None:
    """An action without a label would show as its code ("removed") on the administration log page."""
    import re
    from pathlib import Path

    from mestring.accounts import services as account_services
    from mestring.audit.admin_log import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    recorded = {
        action
        for app in ("accounts", "organisations")
        for path in (root / app).glob("*.py")
        for action in re.findall(r'action="([a-z_]+)"', path.read_text())
    }
    recorded |= {account_services.PASSWORD_RESET_ACTION, account_services.PASSWORD_SET_ACTION}
    assert recorded - set(ACTION_LABELS) == set()
    # SQLite does not enforce the column's length; PostgreSQL refuses a longer code.
    longest = AdminChange._meta.get_field("action").max_length
    assert longest is not None and max(map(len, recorded)) <= longest
