"""Daily jobs: apps register their periodic tasks here; `manage.py run_schedule` queues the due ones.

    register_daily("followup.reminders", scan_reminders, at=time(6, 0), label=_("Påminnelser ..."))

`run_due(now)` queues every registered job whose time of day (local time) has come and that has not been
queued yet that day. A unique `ScheduledRun(job, day)` row claims the job in the same transaction as the
queued task, so it runs once a day however many schedulers are running, and a failed enqueue leaves no claim
(the next check tries again). A scheduler that was down catches up with today's jobs when it starts; the jobs
themselves are idempotent (they look at what is overdue or expired now).

Run `manage.py run_schedule --loop` beside `manage.py db_worker` (the demo does), or `manage.py run_schedule`
from cron every few minutes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from mestring.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DailyJob:
    name: str
    task: Any  # a django_tasks Task taking no arguments
    at: time
    label: Any


_JOBS: dict[str, DailyJob] = {}


def register_daily(name: str, task: Any, *, at: time, label: Any) -> None:
    _JOBS[name] = DailyJob(name=name, task=task, at=at, label=label)


def daily_jobs() -> list[DailyJob]:
    return sorted(_JOBS.values(), key=lambda job: (job.at, job.name))


def run_due(now: datetime | None = None) -> list[str]:
    """Queue the jobs that are due now and not yet queued today; returns their names."""
    moment = timezone.localtime(now)
    queued = []
    for job in daily_jobs():
        if moment.time() < job.at:
            continue
        try:
            if _claim_and_enqueue(job, moment):
                queued.append(job.name)
        except Exception:  # one broken job must not stop the others; it is retried at the next check
            logger.exception("Could not queue the daily job %s", job.name)
    return queued


def _claim_and_enqueue(job: DailyJob, moment: datetime) -> bool:
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, day=moment.date())
            result = job.task.enqueue()
            run.task_id = str(result.id)
            run.save(update_fields=["task_id"])
    except IntegrityError:
        return False  # already queued today (by this or another scheduler)
    return True


def last_runs() -> dict[str, ScheduledRun]:
    runs: dict[str, ScheduledRun] = {}
    for run in ScheduledRun.objects.filter(job__in=list(_JOBS)).order_by("job", "-day"):
        runs.setdefault(run.job, run)
    return runs
