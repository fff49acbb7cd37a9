from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import date, timedelta

import segno
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.accounts.models import Membership, User
from mestring.accounts.selectors import memberships_of
from mestring.audit.models import AdminChange
from mestring.audit.services import record_admin_change
from mestring.organisations.models import Organisation

logger = logging.getLogger(__name__)


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


# --- Self-service password reset ("Glemt passord?") ------------------------------------------------------
# The link is the same one the welcome e-mail and "Send ny lenke" use (`staff.password_set_link`: Django's
# `default_token_generator`, valid `PASSWORD_RESET_TIMEOUT` seconds, void once the password changes).

PASSWORD_RESET_ACTION = "reset_link_sent"  # fits ChangeRecord.action (max 20)
PASSWORD_SET_ACTION = "password_set"
# At most this many reset mails per account within `PASSWORD_RESET_WINDOW`, so the form cannot flood an inbox.
PASSWORD_RESET_MAX_PER_ACCOUNT = 3
PASSWORD_RESET_WINDOW = timedelta(hours=1)


def password_reset_users(identifier: str) -> list[User]:
    """Active users with an e-mail address and a running membership, named by username or e-mail address."""
    identifier = identifier.strip()
    if not identifier:
        return []
    lookup = Q(email__iexact=identifier) if "@" in identifier else Q(username=identifier)
    users = User.objects.filter(lookup, is_active=True).exclude(email="").order_by("pk")
    return [user for user in users if memberships_of(user).exists()]


def _password_reset_mails_recently(user: User) -> int:
    since = timezone.now() - PASSWORD_RESET_WINDOW
    return AdminChange.objects.filter(subject_user=user, action=PASSWORD_RESET_ACTION, at__gte=since).count()


@transaction.atomic
def password_reset_request(*, identifier: str, build_link: Callable[[User], str]) -> int:
    """Send a link to set a new password to the account(s) named by `identifier` (username or e-mail).

    Says nothing to the caller about whether an account exists (the view gives one answer); returns how many
    mails went out, for tests. Skips an account that already got `PASSWORD_RESET_MAX_PER_ACCOUNT` mails within
    the window. Each mail is one row in the administration change log (actor: none, the user asked while
    logged out), with the address it went to and never the link or its token. The mail names no person.
    """
    sent = 0
    for user in password_reset_users(identifier):
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time per account
        if _password_reset_mails_recently(user) >= PASSWORD_RESET_MAX_PER_ACCOUNT:
            continue
        hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        try:
            send_mail(
                _("Nytt passord i mestring"),
                _(
                    "Noen har bedt om å få sette nytt passord for brukeren din i mestring.\n\n"
                    "Sett nytt passord her: %(link)s\n\n"
                    "Lenken kan brukes én gang og gjelder i %(hours)d timer. Bruker du engangskode fra "
                    "autentiseringsappen, trenger du den fortsatt når du logger inn.\n\n"
                    "Har du ikke bedt om dette, kan du se bort fra e-posten. Passordet ditt er ikke endret.\n"
                )
                % {"link": build_link(user), "hours": hours},
                None,
                [user.email],
            )
        except (OSError, smtplib.SMTPException):
            # Same answer to the visitor either way (no account enumeration through an error page).
            logger.exception("Password reset mail to user %s could not be sent", user.pk)
            continue
        membership = memberships_of(user).order_by("pk").first()
        record_admin_change(
            actor=None,
            organisation=membership.organisation if membership is not None else None,
            obj=membership if membership is not None else user,
            action=PASSWORD_RESET_ACTION,
            changes={"password_link": [None, user.email]},
            subject_user=user,
        )
        sent += 1
    return sent


@transaction.atomic
def password_set_by_link(*, user: User) -> None:
    """Record that `user` set a password through an e-mailed link (the view has saved it), and lift a
    login lock-out on the account: whoever holds the mailbox may try again. The second factor (TOTP) is
    untouched: the next login still asks for the code."""
    membership = memberships_of(user).order_by("pk").first()
    record_admin_change(
        actor=None,
        organisation=membership.organisation if membership is not None else None,
        obj=membership if membership is not None else user,
        action=PASSWORD_SET_ACTION,
        changes={"password_set": [None, True]},  # never the password or the token
        subject_user=user,
    )
    axes_reset(username=user.get_username())
