"""Staff administration: granting and ending access, within the administrator's own organisations."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from mestring.accounts.models import Membership, User
from mestring.core.testing.personas import client_for

pytestmark = pytest.mark.django_db


def test_admin_gives_new_user_access_and_the_user_sets_a_password(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    unit = world.org("evje-rus-psykisk-helse")
    response = client.post(
        "/konto/ansatte/ny/",
        {
            "username": "ny.terapeut",
            "last_name": "Nyland",
            "email": "ny@demo.invalid",
            "organisation": unit.pk,
            "role": "staff",
            "title": "Miljøterapeut",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ny.terapeut")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).organisation == unit
    link = re.search(r"http://testserver(/konto/passord/\S+/)", str(mail.outbox[-1].body))
    assert link, mail.outbox[-1].body
    anonymous = Client()
    form_page = anonymous.get(link.group(1), follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = anonymous.post(
        set_url, {"new_password1": "et-godt-langt-passord-9", "new_password2": "et-godt-langt-passord-9"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("et-godt-langt-passord-9")


def test_new_user_needs_email_and_admin_cannot_grant_outside_or_national_roles(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    response = client.post(
        "/konto/ansatte/ny/",
        {
            "username": "uten.epost",
            "last_name": "X",
            "organisation": world.org("evje-og-hornnes").pk,
            "role": "staff",
        },
    )
    assert "En ny bruker trenger e-post" in response.content.decode()
    response = client.post(
        "/konto/ansatte/ny/",
        {"username": "ansatt.bykle", "organisation": world.org("bykle-helse-rus").pk, "role": "staff"},
    )
    assert (
        "Velg et gyldig valg" in response.content.decode()
        or "Select a valid choice" in response.content.decode()
    )
    response = client.post(
        "/konto/ansatte/ny/",
        {"username": "ansatt.bykle", "organisation": world.org("evje-og-hornnes").pk, "role": "sysadmin"},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user__username="ansatt.bykle", role="sysadmin").exists()


def test_existing_user_gets_extra_membership_and_it_can_be_ended(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    evje = world.org("evje-og-hornnes")
    client.post(
        "/konto/ansatte/ny/", {"username": "ansatt.bykle", "organisation": evje.pk, "role": "analyst"}
    )
    membership = Membership.objects.get(user__username="ansatt.bykle", organisation=evje)
    duplicate = client.post(
        "/konto/ansatte/ny/", {"username": "ansatt.bykle", "organisation": evje.pk, "role": "analyst"}
    )
    assert "har allerede denne rollen" in duplicate.content.decode()
    client.post(f"/konto/ansatte/{membership.pk}/avslutt/")
    membership.refresh_from_db()
    assert membership.valid_to is not None
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    # Bykle's own membership is outside Evje's administration.
    other = Membership.objects.get(user__username="ansatt.bykle", organisation__slug="bykle-helse-rus")
    assert client.post(f"/konto/ansatte/{other.pk}/avslutt/").status_code == 404
