from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from mestring.audit.models import AccessLog, ChangeLog, RetentionRun
from mestring.people import services
from mestring.people.models import ConsentRecipient, Person, Relative
from mestring.people.retention import run_retention
from mestring.people.tasks import retention_task
from mestring.people.tests.fixtures import fixture_person, make_person

pytestmark = pytest.mark.django_db


def _ended_long_ago(person: Person, days: int = 4000) -> None:
    Person.objects.filter(pk=person.pk).update(
        status=Person.Status.ENDED, ended_at=timezone.now() - timedelta(days=days)
    )


def _old_log_row(world, person: Person, days: int) -> AccessLog:  # type: ignore[no-untyped-def]
    user = world.user("koordinator.evje")
    # rows cannot be changed, so the test inserts one with an old timestamp
    backdated = AccessLog(
        at=timezone.now() - timedelta(days=days),
        user=user,
        username=user.username,
        person_id=person.pk,
        what="gammel",
        purpose="x",
    )
    backdated.save()
    return backdated


def test_retention_anonymises_ended_records_and_reports(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MESTRING_RETENTION = {"person_days": 3650, "mode": "anonymise", "access_log_days": 3650}
    old = fixture_person(world)
    services.consent_record(actor=None, person=old, recipient=ConsentRecipient.NAV, given=True)
    services.relative_add(actor=None, person=old, name="Søster", relation=Relative.Relation.SIBLING)
    recent = make_person(world, first_name="Nylig")
    active = make_person(world, first_name="Aktiv")
    _ended_long_ago(old)
    _ended_long_ago(recent, days=10)
    old_row = _old_log_row(world, active, days=4000)

    dry = run_retention(dry_run=True)
    assert dry["person_ids"] == [old.pk] and dry["access_log_rows_purged"] == 1
    assert Person.objects.get(pk=old.pk).status == Person.Status.ENDED

    report = retention_task.call()
    assert report["persons_anonymised"] == 1 and report["person_ids"] == [old.pk]
    assert report["removed"]["relatives"] == 1 and report["removed"]["consents"] == 1
    assert report["access_log_rows_purged"] == 1
    assert not AccessLog.objects.filter(pk=old_row.pk).exists()
    anonymised = Person.objects.get(pk=old.pk)
    assert anonymised.status == Person.Status.ANONYMISED
    assert anonymised.first_name == anonymised.last_name == anonymised.national_id_encrypted == ""
    assert anonymised.birth_year == 1984 and anonymised.gender == "female"
    assert not ChangeLog.objects.filter(person=anonymised).exists()
    assert Person.objects.get(pk=recent.pk).status == Person.Status.ENDED
    assert Person.objects.get(pk=active.pk).status == Person.Status.ACTIVE
    assert RetentionRun.objects.filter(dry_run=False).count() == 1
    # the id can be registered again for a new record
    assert not Person.objects.filter(national_id_hmac=old.national_id_hmac).exists()


def test_retention_delete_mode_and_command(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MESTRING_RETENTION = {"person_days": 30, "mode": "delete", "access_log_days": 3650}
    person = fixture_person(world)
    _ended_long_ago(person, days=31)
    out = StringIO()
    call_command("run_retention", stdout=out)
    assert "1 slettet" in out.getvalue()
    assert not Person.objects.filter(pk=person.pk).exists()


def test_anonymised_records_are_invisible(world) -> None:  # type: ignore[no-untyped-def]
    from mestring.accounts.models import Membership
    from mestring.people.selectors import persons_for

    person = fixture_person(world)
    _ended_long_ago(person)
    run_retention()
    actor = Membership.objects.get(
        user__username="koordinator.evje", organisation__slug="evje-rus-psykisk-helse"
    )
    assert not persons_for(actor).filter(pk=person.pk).exists()


def test_other_apps_hear_about_retention(world, settings) -> None:  # type: ignore[no-untyped-def]
    from mestring.people.retention import person_retention

    settings.MESTRING_RETENTION = {"person_days": 1, "mode": "anonymise", "access_log_days": 3650}
    heard: list[tuple[int, str]] = []

    def receiver(sender, person, mode, **kwargs):  # type: ignore[no-untyped-def]
        heard.append((person.pk, mode))

    person_retention.connect(receiver)
    try:
        person = fixture_person(world)
        _ended_long_ago(person, days=2)
        run_retention()
    finally:
        person_retention.disconnect(receiver)
    assert heard == [(person.pk, "anonymise")]


def test_bad_retention_configuration_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MESTRING_RETENTION = {"mode": "shred"}
    with pytest.raises(ValueError, match="mode"):
        run_retention()
