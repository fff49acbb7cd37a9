from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from mestring.audit import services
from mestring.audit.models import AccessLog, AppendOnlyError
from mestring.people.tests.fixtures import fixture_person

pytestmark = pytest.mark.django_db


def postgres_only(test):  # type: ignore[no-untyped-def]
    """Runs on PostgreSQL (the trigger lives there), skips on SQLite."""
    test = pytest.mark.postgres_only(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
    )(test)


@pytest.fixture
def row(world) -> AccessLog:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    user = world.user("koordinator.evje")
    membership = user.memberships.first()
    return services.log_access(user=user, membership=membership, person=person, what="test", purpose="test")


def test_orm_cannot_change_or_delete_log_rows(row: AccessLog) -> None:
    row.what = "endret"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).update(what="endret")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.bulk_update([row], ["what"])
    fresh = AccessLog.objects.get(pk=row.pk)
    assert fresh.what == "test"


def test_audit_services_offer_no_change() -> None:
    public = {name for name in dir(services) if not name.startswith("_")}
    assert not {n for n in public if ("update" in n or "delete" in n or "change" in n) and "record" not in n}


def test_deleting_the_person_leaves_the_log(world, row: AccessLog) -> None:  # type: ignore[no-untyped-def]
    from mestring.people.models import Person

    Person.objects.filter(pk=row.person_id).delete()
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_purge_removes_only_old_rows(row: AccessLog) -> None:
    assert services.access_log_purge(before=timezone.now() - timedelta(days=1)) == 0
    assert AccessLog.objects.filter(pk=row.pk).exists()
    assert services.access_log_purge(before=timezone.now() + timedelta(seconds=1)) >= 1
    assert not AccessLog.objects.filter(pk=row.pk).exists()


@postgres_only
def test_postgres_trigger_refuses_raw_update_and_delete(row: AccessLog) -> None:
    table = AccessLog._meta.db_table
    for sql in (f"UPDATE {table} SET what = 'endret' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql, [row.pk])
    assert AccessLog.objects.get(pk=row.pk).what == "test"


@postgres_only
def test_postgres_retention_flag_allows_delete_but_not_update(row: AccessLog) -> None:
    table = AccessLog._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL mestring.retention = 'on'")
        c.execute(f"UPDATE {table} SET what = 'endret' WHERE id = %s", [row.pk])
    # SET LOCAL ended with that transaction: a later plain DELETE is refused again
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    assert AccessLog.objects.filter(pk=row.pk).exists()
