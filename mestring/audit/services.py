"""Writes to the audit trail. The access log is only ever appended to, or purged by retention."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from mestring.audit.models import AccessLog, AdminChange, ChangeLog

if TYPE_CHECKING:
    from mestring.accounts.models import Membership, User
    from mestring.organisations.models import Organisation
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


def log_access(
    *,
    user: User,
    membership: Membership | None,
    person: Person,
    what: str,
    purpose: str,
    break_glass: bool = False,
) -> AccessLog:
    """Append one access-log row: `user` (through `membership`) read `what` of `person` for `purpose`.

    One INSERT, atomic by itself (no BEGIN/COMMIT round trips around it)."""
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


def log_access_many(
    *, user: User, membership: Membership | None, persons: Iterable[Person], what: str, purpose: str
) -> int:
    """One row per person shown (lists, search results, API lists). Returns the number of rows written.

    On PostgreSQL the rows go in as one `INSERT … SELECT … FROM unnest(person ids)` (a list page logs 50
    rows per request; building 50 model instances for `bulk_create` cost more than the rest of the query).
    """
    person_ids = [p.pk for p in persons]
    if not person_ids:
        return 0
    now = timezone.now()
    template = _row(
        user=user,
        membership=membership,
        person_id=0,
        what=what,
        purpose=purpose,
        break_glass=False,
        at=now,
    )
    if connection.vendor == "postgresql":
        _insert_unnest(template, person_ids)
    else:
        with transaction.atomic():
            AccessLog.objects.bulk_create([_copy_row(template, person_id) for person_id in person_ids])
    return len(person_ids)


_LOG_FIELDS = (
    "at",
    "user",
    "username",
    "user_display",
    "organisation",
    "organisation_name",
    "role",
    "what",
    "purpose",
    "break_glass",
)


def _copy_row(template: AccessLog, person_id: int) -> AccessLog:
    row = AccessLog(**{f.attname: getattr(template, f.attname) for f in _fields()})
    row.person_id = person_id
    return row


def _fields() -> list[Any]:
    return [AccessLog._meta.get_field(name) for name in _LOG_FIELDS]


def _insert_unnest(template: AccessLog, person_ids: list[int]) -> None:
    fields = _fields()
    quote = connection.ops.quote_name
    person_column = AccessLog._meta.get_field("person").column
    columns = ", ".join(quote(f.column) for f in [*fields, AccessLog._meta.get_field("person")])
    params = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields]
    sql = (
        f"INSERT INTO {quote(AccessLog._meta.db_table)} ({columns}) "  # noqa: S608 (names from the model)
        f"SELECT {', '.join(f'CAST(%s AS {f.cast_db_type(connection)})' for f in fields)}, "
        f"ids.{quote(person_column)} "
        f"FROM unnest(%s::bigint[]) AS ids({quote(person_column)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, person_ids])


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
        person=person,
        object_type=obj._meta.model_name if obj is not None else "person",
        object_id=getattr(obj, "pk", None),
        action=action,
        changes=changes or {},
    )


def record_admin_change(
    *,
    actor: Membership | None,
    organisation: Organisation | None,
    obj: Any,
    action: str,
    changes: dict[str, Any] | None = None,
    subject_user: User | None = None,
) -> AdminChange:
    """Append one row to the administration change log. Call from inside the writing service's transaction,
    so the change and its record commit or roll back together. `actor` None is the system (demo set-up,
    management commands). Never pass secrets (tokens, links, passwords) in `changes`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_admin_change must run inside the writing service's transaction")
    return AdminChange.objects.create(
        user=actor.user if actor is not None else None,
        username=actor.user.get_username() if actor is not None else "",
        actor_role=actor.role if actor is not None else "",
        organisation=organisation,
        organisation_name=organisation.name if organisation is not None else "",
        object_type=obj._meta.label_lower,
        object_id=getattr(obj, "pk", None),
        object_repr=str(obj)[:300],
        subject_user=subject_user,
        subject_username=subject_user.get_username() if subject_user is not None else "",
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
