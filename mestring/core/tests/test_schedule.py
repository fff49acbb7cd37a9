"""Daily jobs are queued once per job and day, when their time has come, by any number of schedulers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from mestring.core import schedule
from mestring.core.models import ScheduledRun

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=OSLO)


def queued_paths() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_the_apps_register_their_daily_jobs() -> None:
    names = [job.name for job in schedule.daily_jobs()]
    assert names == ["people.retention", "followup.reminders", "surveys.reminders"]  # by time of day


def test_due_jobs_are_queued_once_a_day(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert schedule.run_due(at(24, 1, 0)) == []
    assert schedule.run_due(at(24, 3, 0)) == ["people.retention"]
    assert schedule.run_due(at(24, 5, 59)) == []
    assert schedule.run_due(at(24, 6, 0)) == ["followup.reminders"]
    assert schedule.run_due(at(24, 7, 0)) == ["surveys.reminders"]
    assert schedule.run_due(at(24, 23, 0)) == []
    assert queued_paths() == [
        "mestring.followup.tasks.scan_reminders",
        "mestring.people.tasks.retention_task",
        "mestring.surveys.tasks.send_due_reminders_task",
    ]
    run = ScheduledRun.objects.get(job="followup.reminders")
    assert run.day.isoformat() == "2026-11-24"
    assert run.task_id == str(DBTaskResult.objects.get(task_path__endswith="scan_reminders").id)

    # The next day all again; a scheduler that starts late catches up with what is due.
    assert schedule.run_due(at(25, 9, 30)) == ["people.retention", "followup.reminders", "surveys.reminders"]
    assert DBTaskResult.objects.count() == 6


def test_a_failed_enqueue_leaves_no_claim_and_does_not_stop_other_jobs(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    class Unavailable:
        def enqueue(self) -> None:
            raise RuntimeError("queue unavailable")

    job = schedule._JOBS["people.retention"]
    monkeypatch.setitem(schedule._JOBS, job.name, replace(job, task=Unavailable()))
    assert schedule.run_due(at(24, 7, 0)) == ["followup.reminders", "surveys.reminders"]
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == [
        "followup.reminders",
        "surveys.reminders",
    ]
    monkeypatch.undo()
    assert schedule.run_due(at(24, 7, 1)) == ["people.retention"]


def test_command_queues_and_lists(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ScheduledRun.objects.create(job="people.retention", day=at(24, 3).date())
    out = StringIO()
    call_command("run_schedule", "--list", stdout=out)
    listing = out.getvalue()
    assert "02:30  people.retention" in listing and "sist lagt i kø 24.11.2026" in listing
    assert "06:00  followup.reminders" in listing and "ikke kjørt ennå" in listing
