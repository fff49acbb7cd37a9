from __future__ import annotations

from datetime import date

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.accounts.models import Membership, User
from mestring.audit.services import record_admin_change
from mestring.organisations.models import Organisation


@transaction.atomic
def user_create(
    *, username: str, password: str | None, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_grant(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    title: str = "",
    valid_from: date | None = None,
    actor: Membership | None = None,
) -> Membership:
    """Give `user` the role in `organisation` (unchanged when it exists). A new membership is written to the
    administration change log; `actor` None is the system (set-up, management commands)."""
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        defaults={"title": title, "valid_from": valid_from or date(2000, 1, 1)},
    )
    if created:
        record_admin_change(
            actor=actor,
            organisation=organisation,
            obj=membership,
            action="created",
            changes={
                "user": [None, user.get_username()],
                "organisation": [None, organisation.name],
                "role": [None, role],
                "title": [None, title],
                "valid_from": [None, membership.valid_from.isoformat()],
            },
            subject_user=user,
        )
    return membership


@transaction.atomic
def totp_device_for_setup(*, user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="mestring", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR-kode for autentiseringsapp")
