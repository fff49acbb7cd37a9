"""Background tasks of the national survey: invitations and scheduled reminders (django-tasks).

Reminders are scheduled with ``run_after`` when the task backend supports deferred tasks (the database
backend does); each reminder run schedules the next while the survey is open and someone may still need a
reminder. ``send_due_reminders_task`` (queued daily by ``manage.py run_schedule``) and ``manage.py
survey_send_reminders`` do the same for every open survey; both are safe to run at any time (they only
remind those whose last contact is `reminder_interval_days` old).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from mestring.surveys import services
from mestring.surveys.models import NationalSurvey


@task()
def send_invitations_task(survey_id: int) -> int:
    sent = services.send_invitations(survey_id=survey_id)
    schedule_reminders(survey_id)
    return sent


@task()
def send_reminders_task(survey_id: int, force: bool = False) -> int:
    sent = services.send_reminders(survey_id=survey_id, force=force)
    if not force:
        schedule_reminders(survey_id)
    return sent


@task()
def send_due_reminders_task() -> int:
    """The daily safety net (`run_schedule`, 07:00): due reminders for every open survey."""
    open_surveys = NationalSurvey.objects.filter(status=NationalSurvey.Status.OPEN).values_list(
        "pk", flat=True
    )
    return sum(services.send_reminders(survey_id=pk) for pk in open_surveys)


def schedule_reminders(survey_id: int) -> bool:
    """Queue the next reminder run `reminder_interval_days` from now, when the backend can defer tasks."""
    survey = NationalSurvey.objects.filter(pk=survey_id, status=NationalSurvey.Status.OPEN).first()
    if survey is None:
        return False
    # Invitations without an address are not reminded; entering one sends the invitation and schedules again.
    waiting = (
        survey.invitations.exclude(email="")
        .filter(completed_at__isnull=True, covered_by__isnull=True, reminders_sent__lt=survey.max_reminders)
        .exists()
    )
    backend = send_reminders_task.get_backend()
    if not waiting or not backend.supports_defer:
        return False
    run_after = timezone.now() + timedelta(days=survey.reminder_interval_days)
    send_reminders_task.using(run_after=run_after).enqueue(survey_id)
    return True
