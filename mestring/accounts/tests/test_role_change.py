"""Changing a staff member's role or title ("Endre rolle"): service, page, and the user's next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mestring.accounts.models import Membership
from mestring.accounts.staff import staff_change_role, staff_end
from mestring.audit.models import AdminChange
from mestring.core.errors import StaleEditError
from mestring.core.testing.personas import PRIMARY_ORG, client_for

pytestmark = pytest.mark.django_db


def _only(world, username: str) -> Membership:  # type: ignore[no-untyped-def]
    """The persona's membership in its primary organisation (the one `client_for` acts through)."""
    return world.user(username).memberships.get(organisation__slug=PRIMARY_ORG[username])


def test_new_role_ends_the_old_membership_and_opens_one_from_today_with_one_audit_row(world) -> None:  # type: ignore[no-untyped-def]
    admin = _only(world, "admin.evje")
    old = _only(world, "koordinator.evje")
    today = timezone.localdate()
    before = AdminChange.objects.count()

    new = staff_change_role(
        actor=admin, membership=old, role="analyst", title="Rådgiver", expected_version=old.version
    )

    old.refresh_from_db()
    assert old.role == "coordinator"
    assert old.valid_to == today - timedelta(days=1)
    assert new.pk != old.pk
    assert (new.role, new.title, new.valid_from, new.valid_to) == ("analyst", "Rådgiver", today, None)
    assert new.organisation_id == old.organisation_id and new.user_id == old.user_id
    assert list(Membership.objects.active().filter(user=old.user).values_list("role", flat=True)) == [
        "analyst"
    ]
    assert AdminChange.objects.count() == before + 1
    row = AdminChange.objects.latest("pk")
    assert row.action == "changed"
    assert row.object_id == new.pk
    assert row.username == "admin.evje"
    assert row.subject_username == "koordinator.evje"
    assert row.changes["role"] == ["coordinator", "analyst"]
    assert row.changes["ended_membership"] == [old.pk, None]


def test_role_the_user_once_had_is_reopened(world) -> None:  # type: ignore[no-untyped-def]
    admin = _only(world, "admin.evje")
    old = _only(world, "koordinator.evje")
    ended = Membership.objects.create(
        user=old.user,
        organisation=old.organisation,
        role="staff",
        valid_to=timezone.localdate() - timedelta(30),
    )
    new = staff_change_role(actor=admin, membership=old, role="staff", title="", expected_version=old.version)
    assert new.pk == ended.pk
    assert new.valid_from == timezone.localdate() and new.valid_to is None


def test_title_alone_is_changed_in_place(world) -> None:  # type: ignore[no-untyped-def]
    admin = _only(world, "admin.evje")
    old = _only(world, "koordinator.evje")
    changed = staff_change_role(
        actor=admin, membership=old, role=old.role, title="Ny tittel", expected_version=old.version
    )
    assert changed.pk == old.pk
    changed.refresh_from_db()
    assert changed.title == "Ny tittel" and changed.valid_to is None and changed.version == old.version + 1
    row = AdminChange.objects.latest("pk")
    assert row.action == "changed" and row.changes == {"title": [old.title, "Ny tittel"]}


def test_refusals_write_nothing(world) -> None:  # type: ignore[no-untyped-def]
    admin = _only(world, "admin.evje")
    coordinator = _only(world, "koordinator.evje")
    before = (AdminChange.objects.count(), Membership.objects.count())

    with pytest.raises(ValidationError) as own:
        staff_change_role(
            actor=admin, membership=admin, role="staff", title="", expected_version=admin.version
        )
    assert "din egen rolle" in str(own.value)

    # A municipal administrator may not give national or system roles.
    with pytest.raises(ValidationError) as above:
        staff_change_role(
            actor=admin,
            membership=coordinator,
            role="sysadmin",
            title="",
            expected_version=coordinator.version,
        )
    assert "Du kan ikke gi rollen" in str(above.value)

    with pytest.raises(ValidationError) as unchanged:
        staff_change_role(
            actor=admin,
            membership=coordinator,
            role=coordinator.role,
            title=coordinator.title,
            expected_version=coordinator.version,
        )
    assert "ikke endret" in str(unchanged.value)

    # Another municipality's administrator does not administer Evje's staff.
    outsider = _only(world, "planlegger.osterdalen")
    with pytest.raises(PermissionDenied):
        staff_change_role(
            actor=outsider,
            membership=coordinator,
            role="staff",
            title="",
            expected_version=coordinator.version,
        )
    assert (AdminChange.objects.count(), Membership.objects.count()) == before
    coordinator.refresh_from_db()
    assert coordinator.role == "coordinator" and coordinator.valid_to is None


def test_second_administrator_working_from_the_same_page_gets_a_stale_edit(world) -> None:  # type: ignore[no-untyped-def]
    admin = _only(world, "admin.evje")
    drift = _only(world, "drift")
    coordinator = _only(world, "koordinator.evje")
    seen = coordinator.version
    staff_change_role(actor=admin, membership=coordinator, role="analyst", title="", expected_version=seen)
    before = (AdminChange.objects.count(), Membership.objects.count())
    with pytest.raises(StaleEditError):
        staff_change_role(actor=drift, membership=coordinator, role="staff", title="", expected_version=seen)
    assert (AdminChange.objects.count(), Membership.objects.count()) == before


def test_ending_a_membership_moves_its_version_on(world) -> None:  # type: ignore[no-untyped-def]
    admin = _only(world, "admin.evje")
    coordinator = _only(world, "koordinator.evje")
    seen = coordinator.version
    staff_end(actor=admin, membership=coordinator)
    with pytest.raises(StaleEditError):
        staff_change_role(actor=admin, membership=coordinator, role="staff", title="", expected_version=seen)


def test_page_changes_role_and_shows_errors_in_norwegian(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    coordinator = _only(world, "koordinator.evje")
    url = f"/konto/ansatte/{coordinator.pk}/endre-rolle/"

    listing = client.get("/konto/ansatte/").content.decode()
    assert url in listing

    page = client.get(url)
    assert page.status_code == 200
    assert "Endre rolle" in page.content.decode()

    refused = client.post(url, {"role": "sysadmin", "title": "", "version": coordinator.version})
    assert refused.status_code == 200
    assert (
        "Velg et gyldig valg" in refused.content.decode()
        or "Select a valid choice" in refused.content.decode()
    )

    done = client.post(url, {"role": "analyst", "title": "Analytiker", "version": coordinator.version})
    assert done.status_code == 302
    assert Membership.objects.active().get(user__username="koordinator.evje").role == "analyst"
    log = client.get(reverse("audit:admin_log"))
    assert log.status_code == 200
    assert "Analytiker" in log.content.decode()

    # The same form sent again (a second administrator, or a double submit) is stale: a message, no write.
    again = client.post(url, {"role": "staff", "title": "", "version": coordinator.version})
    assert again.status_code == 200
    assert "Noen andre har lagret endringer" in again.content.decode()
    assert Membership.objects.active().get(user__username="koordinator.evje").role == "analyst"

    # One's own membership: refused with a message.
    own = _only(world, "admin.evje")
    response = client.get(f"/konto/ansatte/{own.pk}/endre-rolle/", follow=True)
    assert "Du kan ikke endre din egen rolle" in response.content.decode()


def test_other_municipality_gets_404(world) -> None:  # type: ignore[no-untyped-def]
    coordinator = _only(world, "koordinator.evje")
    client = client_for("planlegger.osterdalen")
    response = client.post(
        f"/konto/ansatte/{coordinator.pk}/endre-rolle/",
        {"role": "staff", "title": "", "version": coordinator.version},
    )
    assert response.status_code == 404
    coordinator.refresh_from_db()
    assert coordinator.role == "coordinator" and coordinator.valid_to is None


def test_users_next_request_acts_through_the_new_role(world) -> None:  # type: ignore[no-untyped-def]
    coordinator_client = client_for("koordinator.evje")
    assert coordinator_client.get("/personer/").status_code == 200
    old = _only(world, "koordinator.evje")

    staff_change_role(
        actor=_only(world, "admin.evje"),
        membership=old,
        role="analyst",
        title="",
        expected_version=old.version,
    )

    # The session still names the ended membership; it is never used again.
    response = coordinator_client.get("/personer/")
    assert response.status_code == 403
    active = response.wsgi_request.membership  # type: ignore[attr-defined]
    assert active.role == "analyst" and active.pk != old.pk
    assert active.organisation_id == old.organisation_id
    assert coordinator_client.session["active_membership_id"] == active.pk
