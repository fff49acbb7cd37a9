"""Reminders for overdue reviews and measures: background tasks, e-mail received by a local SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mestring.followup import services
from mestring.followup.models import Reminder
from mestring.followup.tasks import create_reminders, scan_reminders
from mestring.followup.tests.fixtures import days_ago, followup_person

pytestmark = pytest.mark.django_db(transaction=True)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def overdue(world):  # type: ignore[no-untyped-def]
    person = followup_person(world, first_name="Påminnelse", last_name="Person")
    koordinator = world.user("koordinator.evje")
    ansatt = world.user("ansatt.evje")
    services.episode_start(actor=koordinator, person=person, phase="tidlig_innsats", coordinator=koordinator)
    today = timezone.localdate()
    with days_ago(30):
        services.plan_save(
            actor=koordinator, person=person, expected_version=0, next_review_on=today - timedelta(days=2)
        )
    measure = services.measure_create(
        actor=koordinator,
        person=person,
        title="Trening",
        responsible="Jon",
        responsible_user=ansatt,
        start_on=today - timedelta(days=30),
        end_on=today - timedelta(days=1),
    )
    services.measure_create(actor=koordinator, person=person, title="Ikke forfalt", responsible="Jon")
    return person, measure


def test_reminders_are_emailed_once_without_person_data(overdue, settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    person, _measure = overdue
    result = scan_reminders.enqueue()
    assert result.return_value == 2
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    by_recipient = {m["To"]: m for m in messages}
    assert set(by_recipient) == {
        "koordinator.evje@demo.mestring.invalid",
        "ansatt.evje@demo.mestring.invalid",
    }
    review = by_recipient["koordinator.evje@demo.mestring.invalid"]
    assert "evaluert" in review["Subject"]
    body = review.get_content()
    assert f"/oppfolging/person/{person.pk}/" in body
    assert person.first_name not in body and person.last_name not in body
    assert Reminder.objects.filter(person=person, emailed_at__isnull=False).count() == 2
    # Idempotent: a second scan creates and sends nothing new.
    assert scan_reminders.enqueue().return_value == 0
    assert len(smtp_server.wait_for(3, timeout=0.5)) == 2


def test_database_backend_worker_sends(overdue, settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    scan_reminders.enqueue()
    call_command("db_worker", "--batch", "--interval", "0")
    call_command("db_worker", "--batch", "--interval", "0")  # the e-mails the scan queued
    assert len(smtp_server.wait_for(2)) == 2


def test_review_reminder_closes_when_plan_is_revised(overdue, world) -> None:  # type: ignore[no-untyped-def]
    person, measure = overdue
    created = create_reminders()
    assert {r.kind for r in created} == {"plan_review", "measure"}
    services.plan_save(
        actor=world.user("koordinator.evje"),
        person=person,
        expected_version=1,
        next_review_on=timezone.localdate() + timedelta(days=90),
    )
    services.measure_update(
        actor=world.user("koordinator.evje"), measure=measure, expected_version=measure.version, status="done"
    )
    assert not Reminder.objects.filter(person=person, done_at__isnull=True).exists()
