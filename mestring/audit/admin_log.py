"""The administration change log: who may read it, which rows, and how a row reads in Norwegian.

Tenancy: a system administrator sees every row; a municipal administrator sees the rows of the organisations
it administers (its municipality and the municipality's units, or its cooperation) and of the cooperations its
municipality hosts (the same rule as the organisation pages use for "manage"). Another municipality's rows
never appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mestring.accounts.roles import Perm, Role
from mestring.audit.history import ChangeLine, describe_changes
from mestring.audit.models import AdminChange

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from mestring.accounts.models import Membership

OBJECT_LABELS: dict[str, StrOrPromise] = {
    "accounts.membership": _("Tilgang"),
    "organisations.organisation": _("Organisasjon"),
    "organisations.cooperationmember": _("Medlem i samarbeidet"),
    "organisations.steeringgroupmember": _("Plass i styringsgruppen"),
    "organisations.groupset": _("Gruppering"),
}

ACTION_LABELS: dict[str, StrOrPromise] = {
    "created": _("opprettet"),
    "ended": _("avsluttet"),
    "reopened": _("gjenåpnet"),
    "changed": _("endret"),
    "removed": _("fjernet"),
    "password_link_sent": _("lenke for å sette passord sendt"),
    "reset_link_sent": _("lenke for nytt passord sendt (glemt passord)"),
    "password_set": _("passord satt via e-postlenke"),
}


def admin_log_rows(membership: Membership) -> QuerySet[AdminChange]:
    """The rows `membership` may read, newest first."""
    from mestring.accounts.staff import managed_organisations
    from mestring.organisations.models import Organisation

    rows = AdminChange.objects.order_by("-at", "-pk")
    if membership.can(Perm.SYSTEM_ADMIN):
        return rows
    if not membership.can(Perm.ORG_MANAGE):
        return rows.none()
    managed = managed_organisations(membership).values("pk")
    hosted = Organisation.objects.filter(host=membership.organisation_id).values("pk")
    return rows.filter(Q(organisation__in=managed) | Q(organisation__in=hosted))


def filter_by_staff(rows: QuerySet[AdminChange], user_id: int) -> QuerySet[AdminChange]:
    """Changes made by the staff member, or that concern the staff member's access."""
    return rows.filter(Q(user_id=user_id) | Q(subject_user_id=user_id))


def staff_choices(rows: QuerySet[AdminChange]) -> list[tuple[int, str]]:
    """Everyone who appears in `rows`, as actor or as the one whose access changed (by username)."""
    names: dict[int, str] = {}
    for user_id, username in rows.filter(user__isnull=False).values_list("user_id", "username").distinct():
        names.setdefault(user_id, username)
    for user_id, username in (
        rows.filter(subject_user__isnull=False).values_list("subject_user_id", "subject_username").distinct()
    ):
        names.setdefault(user_id, username)
    return sorted(names.items(), key=lambda item: item[1].lower())


@dataclass(frozen=True)
class AdminEntry:
    at: datetime
    username: str
    role_label: str
    organisation_name: str
    object_label: str
    object_repr: str
    subject_username: str
    action_label: str
    lines: tuple[ChangeLine, ...]


def describe_admin_change(row: AdminChange) -> AdminEntry:
    return AdminEntry(
        at=row.at,
        username=row.username,
        role_label=str(dict(Role.choices).get(row.actor_role, row.actor_role)),
        organisation_name=row.organisation_name,
        object_label=str(OBJECT_LABELS.get(row.object_type, row.object_type)),
        object_repr=row.object_repr,
        subject_username=row.subject_username,
        action_label=str(ACTION_LABELS.get(row.action, row.action)),
        lines=describe_changes(row.object_type, row.changes),
    )
