"""Self-service password reset ("Glemt passord?"): one token mechanism with the welcome link, no account
enumeration, a limit per account and per address, the audit trail, and the second factor still required.

E-mail goes through the real local SMTP server (`smtp_server`)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.accounts import services, views
from mestring.audit.models import AdminChange

pytestmark = pytest.mark.django_db

SAME_ANSWER = "Hvis det finnes en bruker med denne adressen, har vi sendt en lenke"
NEW_PASSWORD = "et-godt-langt-passord-9"


@pytest.fixture(autouse=True)
def _clear_ip_limit() -> None:
    cache.clear()


def _ask(identifier: str, ip: str = "10.1.0.1") -> str:
    response = Client(REMOTE_ADDR=ip).post("/konto/passord/glemt/", {"identifier": identifier}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def _without_csrf(page: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", page)


def _link(message: Any) -> str:
    body = message.get_content()
    found = re.search(r"https?://[^/\s]+(/konto/passord/\S+/)", body)
    assert found, body
    return found.group(1)


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD) -> Any:
    page = client.get(link, follow=True)
    set_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    return client.post(set_url, {"new_password1": password, "new_password2": password})


def test_login_and_lockout_pages_link_to_reset(world) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/konto/passord/glemt/"' in Client().get("/konto/logg-inn/").content.decode()
    from django.template.loader import render_to_string

    assert 'href="/konto/passord/glemt/"' in render_to_string("accounts/locked_out.html")
    assert "Brukernavn eller e-postadresse" in Client().get("/konto/passord/glemt/").content.decode()


def test_reset_by_username_mails_a_link_that_works_once(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    user = world.user("koordinator.evje")
    assert SAME_ANSWER in _ask("koordinator.evje")
    [message] = smtp_server.wait_for(1)
    assert message["X-Envelope-To"] == user.email
    body = message.get_content()
    assert "Sett nytt passord her" in body
    # No person data: neither the name nor the username nor the organisation is in the mail.
    for personal in (user.first_name, user.last_name, user.username, "Evje"):
        if personal:
            assert personal not in body and personal not in str(message["Subject"])
    link = _link(message)

    anonymous = Client()
    assert _set_password(anonymous, link).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The same link again: refused (the token is bound to the old password hash).
    again = anonymous.get(link, follow=True).content.decode()
    assert "Lenken er brukt eller utløpt" in again
    assert _set_password(Client(), link, "et-annet-langt-passord-7").status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_reset_by_email_address_case_insensitive(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    user = world.user("admin.evje")
    assert SAME_ANSWER in _ask(user.email.upper())
    [message] = smtp_server.wait_for(1)
    assert message["X-Envelope-To"] == user.email


def test_unknown_account_gets_the_same_answer_and_no_mail(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    before = AdminChange.objects.count()
    known = _without_csrf(_ask("koordinator.evje"))
    smtp_server.wait_for(1)
    smtp_server.messages.clear()
    for unknown in ("finnes.ikke", "ingen@demo.mestring.invalid", "KOORDINATOR.EVJE"):
        assert _without_csrf(_ask(unknown)) == known
    assert smtp_server.wait_for(1, timeout=0.5) == []
    assert AdminChange.objects.count() == before + 1  # only the real request


def test_inactive_user_gets_no_mail(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    user = world.user("koordinator.evje")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert SAME_ANSWER in _ask("koordinator.evje")
    assert smtp_server.wait_for(1, timeout=0.5) == []


def test_expired_link_is_refused(world, smtp_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _ask("koordinator.evje")
    link = _link(smtp_server.wait_for(1)[0])
    later = PasswordResetTokenGenerator()._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    page = Client().get(link, follow=True).content.decode()
    assert "Lenken er brukt eller utløpt" in page
    assert 'href="/konto/passord/glemt/"' in page  # and offers a new one


def test_new_password_must_pass_the_validators_in_norwegian(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    _ask("koordinator.evje")
    link = _link(smtp_server.wait_for(1)[0])
    response = _set_password(Client(), link, "kort")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Passordet er for kort. Det må bestå av minst 12 tegn." in page
    assert "This password" not in page
    world.user("koordinator.evje").refresh_from_db()
    assert not world.user("koordinator.evje").check_password("kort")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", "Passordet er for kort. Det må bestå av minst 12 tegn."),
        ("nn", "Dette passordet er for stutt. Det må innehalde minst 12 teikn."),
    ],
)
def test_password_length_message_is_norwegian(language: str, expected: str) -> None:
    """Django 5.2's nb/nn catalogues miss this message (its msgid changed); accounts/locale supplies it."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override(language), pytest.raises(ValidationError) as raised:
        validate_password("kort-ord")
    assert expected in raised.value.messages


def test_at_most_three_mails_per_account_and_hour(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        assert SAME_ANSWER in _ask("koordinator.evje", ip=f"10.2.0.{i}")
    assert len(smtp_server.wait_for(4, timeout=1.0)) == services.PASSWORD_RESET_MAX_PER_ACCOUNT
    # Another account is not held back by the first one's limit.
    _ask("admin.evje", ip="10.2.0.9")
    assert len(smtp_server.wait_for(4)) == 4


def test_at_most_ten_requests_per_address_and_hour(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    names = ["koordinator.evje", "admin.evje", "leder.valle", "drift"]
    for i in range(views.PASSWORD_RESET_MAX_PER_IP):
        _ask(f"finnes.ikke.{i}", ip="10.3.0.1")
    for name in names:
        assert SAME_ANSWER in _ask(name, ip="10.3.0.1")
    assert smtp_server.wait_for(1, timeout=0.5) == []
    _ask("koordinator.evje", ip="10.3.0.2")
    assert len(smtp_server.wait_for(1)) == 1


def test_request_and_reset_are_in_the_audit_trail_without_the_token(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    user = world.user("koordinator.evje")
    _ask("koordinator.evje")
    link = _link(smtp_server.wait_for(1)[0])
    _set_password(Client(), link)
    rows = list(AdminChange.objects.filter(subject_user=user).order_by("at", "pk"))[-2:]
    assert [r.action for r in rows] == [services.PASSWORD_RESET_ACTION, services.PASSWORD_SET_ACTION]
    assert rows[0].user_id is None and rows[0].changes == {"password_link": [None, user.email]}
    assert rows[0].organisation is not None
    token = link.rstrip("/").rsplit("/", 1)[-1]
    for row in rows:
        assert token not in str(row.changes) and token not in row.object_repr
    # The administration log can show the rows (admin_log describes any action).
    from mestring.audit.admin_log import describe_admin_change

    assert [describe_admin_change(r).subject_username for r in rows] == [user.username] * 2


def test_totp_is_still_required_after_a_reset(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    _ask("koordinator.evje")
    client = Client()
    done = _set_password(client, _link(smtp_server.wait_for(1)[0]))
    assert done["Location"] == "/konto/passord/ferdig/"
    # Not logged in by the reset.
    assert client.get("/organisasjon/")["Location"].startswith("/konto/logg-inn/")
    login = client.post("/konto/logg-inn/", {"username": "koordinator.evje", "password": NEW_PASSWORD})
    assert login.status_code == 302
    response = client.get("/organisasjon/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/tofaktor/")
    assert client.get("/api/v1/me/").status_code == 403
    device = TOTPDevice.objects.get(user__username="koordinator.evje", name="demo")
    assert device.confirmed
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post("/konto/tofaktor/", {"token": code, "next": "/organisasjon/"})
    assert client.get("/organisasjon/").status_code == 200


def test_reset_lifts_the_lockout(world, smtp_server) -> None:  # type: ignore[no-untyped-def]
    client = Client(REMOTE_ADDR="10.4.0.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/konto/logg-inn/", {"username": "admin.evje", "password": "feil-passord"})
    locked = client.post("/konto/logg-inn/", {"username": "admin.evje", "password": "feil-passord"})
    assert locked.status_code == 429 and 'href="/konto/passord/glemt/"' in locked.content.decode()
    _ask("admin.evje", ip="10.4.0.1")
    _set_password(Client(), _link(smtp_server.wait_for(1)[0]))
    response = client.post("/konto/logg-inn/", {"username": "admin.evje", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_empty_form_gets_a_norwegian_message(world) -> None:  # type: ignore[no-untyped-def]
    page = Client().post("/konto/passord/glemt/", {"identifier": " "}).content.decode()
    assert "Skriv brukernavnet ditt eller e-postadressen din." in page
