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


def test_ending_access_asks_for_confirmation_first(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    membership = Membership.objects.get(user__username="koordinator.evje")
    page = client.get(f"/konto/ansatte/{membership.pk}/avslutt/")
    assert page.status_code == 200
    assert "Avslutte tilgangen?" in page.content.decode()
    membership.refresh_from_db()
    assert membership.valid_to is None  # nothing ended by looking
    listing = client.get("/konto/ansatte/").content.decode()
    assert f'href="/konto/ansatte/{membership.pk}/avslutt/"' in listing
    client.post(f"/konto/ansatte/{membership.pk}/avslutt/")
    membership.refresh_from_db()
    assert membership.valid_to is not None


def test_ended_access_can_be_given_again(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    membership = Membership.objects.get(user__username="koordinator.evje")
    client.post(f"/konto/ansatte/{membership.pk}/avslutt/")
    response = client.post(
        "/konto/ansatte/ny/",
        {"username": "koordinator.evje", "organisation": membership.organisation_id, "role": membership.role},
    )
    assert response.status_code == 302, response.content.decode()
    assert Membership.objects.active().filter(pk=membership.pk).exists()


def test_new_user_cannot_reuse_a_username_in_other_case_or_an_email(world) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    evje = world.org("evje-og-hornnes")
    taken_email = User.objects.get(username="koordinator.evje")
    taken_email.email = "kari@demo.invalid"
    taken_email.save()
    response = client.post(
        "/konto/ansatte/ny/",
        {
            "username": "Koordinator.Evje",
            "last_name": "X",
            "email": "ny@demo.invalid",
            "organisation": evje.pk,
            "role": "staff",
        },
    )
    assert "Brukernavnet finnes allerede som «koordinator.evje»" in response.content.decode()
    response = client.post(
        "/konto/ansatte/ny/",
        {
            "username": "kari.to",
            "last_name": "X",
            "email": "KARI@demo.invalid",
            "organisation": evje.pk,
            "role": "staff",
        },
    )
    assert "E-postadressen brukes allerede av brukeren «koordinator.evje»" in response.content.decode()
    assert not User.objects.filter(username__in=["Koordinator.Evje", "kari.to"]).exists()


def test_admin_cannot_end_a_role_above_what_it_may_grant(world) -> None:  # type: ignore[no-untyped-def]
    evje = world.org("evje-og-hornnes")
    national = Membership.objects.create(
        user=User.objects.get(username="forsker.nasjonal"), organisation=evje, role="national_analyst"
    )
    client = client_for("admin.evje")
    assert client.post(f"/konto/ansatte/{national.pk}/avslutt/").status_code == 404
    national.refresh_from_db()
    assert national.valid_to is None


def test_admin_can_send_a_new_password_link_when_the_first_expired(world, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_for("admin.evje")
    unit = world.org("evje-rus-psykisk-helse")
    client.post(
        "/konto/ansatte/ny/",
        {
            "username": "ny.lenke",
            "last_name": "Lenke",
            "email": "lenke@demo.invalid",
            "organisation": unit.pk,
            "role": "staff",
        },
    )
    first = re.search(r"http://testserver(/konto/passord/\S+/)", str(mail.outbox[-1].body))
    assert first
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is now expired
    expired = Client().get(first.group(1), follow=True).content.decode()
    assert "Lenken er brukt eller utløpt" in expired
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
    membership = Membership.objects.get(user__username="ny.lenke")
    listing = client.get("/konto/ansatte/").content.decode()
    assert f"/konto/ansatte/{membership.pk}/ny-lenke/" in listing
    response = client.post(f"/konto/ansatte/{membership.pk}/ny-lenke/", follow=True)
    assert "Ny lenke for å sette passord er sendt til lenke@demo.invalid." in response.content.decode()
    assert mail.outbox[-1].to == ["lenke@demo.invalid"]
    # Someone who already has a password gets no link; another municipality's staff are out of reach.
    own = Membership.objects.get(user__username="koordinator.evje")
    before = len(mail.outbox)
    client.post(f"/konto/ansatte/{own.pk}/ny-lenke/")
    bykle = Membership.objects.get(user__username="ansatt.bykle")
    assert client.post(f"/konto/ansatte/{bykle.pk}/ny-lenke/").status_code == 404
    assert len(mail.outbox) == before
