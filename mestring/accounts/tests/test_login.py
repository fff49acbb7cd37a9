"""Login hardening: lock-out, TOTP for roles that see person data, switching organisation, sessions."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.core.testing.personas import login
from mestring.core.world import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_password(world):  # type: ignore[no-untyped-def]
    for username in ("koordinator.evje", "admin.evje"):
        user = world.user(username)
        user.set_password(DEMO_PASSWORD)
        user.save()


def code_for(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, name="demo")
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_lockout_after_repeated_failures(known_password) -> None:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/konto/logg-inn/", {"username": "admin.evje", "password": "feil-passord"})
    assert response.status_code in (200, 429)
    response = client.post("/konto/logg-inn/", {"username": "admin.evje", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "midlertidig låst" in response.content.decode()


def test_wrong_password_message(known_password) -> None:  # type: ignore[no-untyped-def]
    response = Client().post("/konto/logg-inn/", {"username": "admin.evje", "password": "nei"})
    assert "Feil brukernavn eller passord" in response.content.decode()


def test_person_role_must_pass_totp(known_password) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/konto/logg-inn/", {"username": "koordinator.evje", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    response = client.get("/organisasjon/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/tofaktor/")
    assert client.get("/api/v1/me/").status_code == 403
    wrong = client.post("/konto/tofaktor/?next=/organisasjon/", {"token": "000000"})
    assert "Koden stemmer ikke" in wrong.content.decode()
    throttled = client.post("/konto/tofaktor/", {"token": code_for("koordinator.evje")})
    assert "For mange feil forsøk" in throttled.content.decode()
    TOTPDevice.objects.get(user__username="koordinator.evje", name="demo").throttle_reset()
    response = client.post(
        "/konto/tofaktor/", {"token": code_for("koordinator.evje"), "next": "/organisasjon/"}
    )
    assert response.status_code == 302 and response["Location"] == "/organisasjon/"
    assert client.get("/organisasjon/").status_code == 200


def test_totp_next_cannot_redirect_offsite(known_password) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post("/konto/logg-inn/", {"username": "koordinator.evje", "password": DEMO_PASSWORD})
    response = client.post(
        "/konto/tofaktor/", {"token": code_for("koordinator.evje"), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_aggregate_roles_need_no_totp(known_password) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post("/konto/logg-inn/", {"username": "admin.evje", "password": DEMO_PASSWORD})
    assert client.get("/organisasjon/").status_code == 200


def test_totp_setup_for_user_without_device(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.accounts.services import membership_grant, user_create

    user = user_create(username="ny.ansatt", password="et-langt-passord-1")
    membership_grant(user=user, organisation=world.org("valle-psykisk-helse-rus"), role="staff")
    client = Client()
    client.force_login(user)
    response = client.get("/organisasjon/")
    assert response["Location"].startswith("/konto/tofaktor/")
    assert client.get(response["Location"])["Location"].startswith("/konto/tofaktor/oppsett/")
    page = client.get("/konto/tofaktor/oppsett/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post("/konto/tofaktor/oppsett/", {"token": code, "next": "/organisasjon/"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/organisasjon/").status_code == 200


def test_switch_organisation_only_to_own_memberships(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    login(client, "admin.evje")
    setesdal = world.user("admin.evje").memberships.get(organisation__slug="setesdal")
    client.post("/konto/bytt-organisasjon/", {"membership": setesdal.pk})
    assert client.get("/api/v1/me/").json()["active_membership"]["organisation"] == "setesdal"
    other = world.user("leder.valle").memberships.first()
    response = client.post("/konto/bytt-organisasjon/", {"membership": other.pk}, follow=True)
    assert "Du er ikke medlem av den organisasjonen." in response.content.decode()
    assert client.get("/api/v1/me/").json()["active_membership"]["organisation"] == "setesdal"


def test_session_expiry_moves_with_activity_but_not_on_every_request(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.models import Session

    from mestring.accounts import middleware

    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    client = Client()
    login(client, "leder.valle")
    key = client.cookies["sessionid"].value
    clock = [time.time()]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])

    assert client.get("/").status_code == 200
    first = Session.objects.get(pk=key).expire_date
    clock[0] += settings.SESSION_TOUCH_SECONDS - 1
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]
    clock[0] += 2
    client.get("/")
    assert Session.objects.get(pk=key).expire_date > first


def test_anonymous_requests_create_no_session(world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.models import Session

    before = Session.objects.count()
    Client().get("/konto/logg-inn/")
    Client().get("/healthz")
    assert Session.objects.count() == before


def test_security_headers(world) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/konto/logg-inn/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_password_validators_reject_short_passwords() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("kort")


def test_idle_timeout_says_why_the_login_page_is_shown(world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.models import Session

    client = Client()
    login(client, "leder.valle")
    assert client.get("/").status_code == 200
    Session.objects.all().delete()  # what the idle expiry amounts to: the session row is gone
    page = client.get("/", follow=True).content.decode()
    assert "Du er logget ut fordi du ikke har vært aktiv" in page
    # Once only, and never after logging out on purpose.
    assert "ikke har vært aktiv" not in client.get("/konto/logg-inn/").content.decode()
    login(client, "leder.valle")
    client.post("/konto/logg-ut/")
    assert "ikke har vært aktiv" not in client.get("/", follow=True).content.decode()


def test_totp_code_with_a_space_is_accepted_and_short_code_gets_a_plain_message(known_password) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post("/konto/logg-inn/", {"username": "koordinator.evje", "password": DEMO_PASSWORD})
    short = client.post("/konto/tofaktor/?next=/", {"token": "12345"}).content.decode()
    assert "Koden består av seks sifre." in short
    code = code_for("koordinator.evje")
    response = client.post("/konto/tofaktor/?next=/", {"token": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302 and response["Location"] == "/"
