"""Writes to the audit trail. The access log is only ever appended to, or purged by retention."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from mestring.audit.models import AccessLog, ChangeLog

if TYPE_CHECKING:
    from mestring.accounts.models import Membership, User
    from mestring.people.models import Person

REDACTED = "[endret]"


def _row(
    *,
    user: User,
    membership: Membership | None,
    person_id: int,
    what: str,
    purpose: str,
    break_glass: bool,
    at: datetime,
) -> AccessLog:
    organisation = membership.organisation if membership is not None else None
    return AccessLog(
        at=at,
        user_id=user.pk,
        username=user.get_username(),
        user_display=user.get_full_name() or user.get_username(),
        organisation_id=organisation.pk if organisation is not None else None,
        organisation_name=organisation.name if organisation is not None else "",
        role=membership.role if membership is not None else "",
        person_id=person_id,
        what=str(what)[:200],
        purpose=str(purpose)[:500],
        break_glass=break_glass,
    )


@transaction.atomic
def log_access(
    *,
    user: User,
    membership: Membership | None,
    person: Person,
    what: str,
    purpose: str,
    break_glass: bool = False,
) -> AccessLog:
    """Append one access-log row: `user` (through `membership`) read `what` of `person` for `purpose`."""
    row = _row(
        user=user,
        membership=membership,
        person_id=person.pk,
        what=what,
        purpose=purpose,
        break_glass=break_glass,
        at=timezone.now(),
    )
    row.save()
    return row


@transaction.atomic
def log_access_many(
    *, user: User, membership: Membership | None, persons: Iterable[Person], what: str, purpose: str
) -> int:
    """One row per person shown (lists, search results, API lists). Returns the number of rows written."""
    now = timezone.now()
    rows = [
        _row(
            user=user,
            membership=membership,
            person_id=p.pk,
            what=what,
            purpose=purpose,
            break_glass=False,
            at=now,
        )
        for p in persons
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)


def record_change(
    *,
    user: User | None,
    person: Person,
    obj: Any,
    action: str,
    changes: dict[str, Any] | None = None,
) -> ChangeLog:
    """Append a change-history row. Call from inside the writing service's transaction."""
    return ChangeLog.objects.create(
        user=user,
        username=user.get_username() if user is not None else "",
        person=person,
        object_type=obj._meta.model_name if obj is not None else "person",
        object_id=getattr(obj, "pk", None),
        action=action,
        changes=changes or {},
    )


def access_log_purge(*, before: datetime) -> int:
    """Delete access-log rows older than `before` (log retention). The only delete path for the log.

    On PostgreSQL the append-only trigger lets a DELETE through only when the transaction has set
    `mestring.retention = 'on'` (SET LOCAL: it ends with the transaction).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL mestring.retention = 'on'")
        cursor.execute(f"DELETE FROM {AccessLog._meta.db_table} WHERE at < %s", [before])  # noqa: S608
        return int(cursor.rowcount)
