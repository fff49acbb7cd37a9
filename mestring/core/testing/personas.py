"""Logging in as a persona in tests: session login, active membership and a verified second factor."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.accounts.middleware import SESSION_KEY
from mestring.accounts.models import Membership, User
from mestring.core.world import PERSONAS

PRIMARY_ORG = {spec.username: spec.org_slug for spec in PERSONAS}
ANONYMOUS = "anonymous"


def login(client: Client, username: str, *, org_slug: str | None = None, otp: bool = True) -> User:
    """Log `client` in as a demo persona acting through `org_slug` (default: the persona's primary org)."""
    user = User.objects.get(username=username)
    client.force_login(user)
    session = client.session
    membership = Membership.objects.get(user=user, organisation__slug=org_slug or PRIMARY_ORG[username])
    session[SESSION_KEY] = membership.pk
    if otp:
        device = TOTPDevice.objects.get(user=user, name="demo")
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


def client_for(username: str) -> Client:
    client = Client()
    if username != ANONYMOUS:
        login(client, username)
    return client
