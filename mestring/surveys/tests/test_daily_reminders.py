"""The daily reminder job (queued by `run_schedule`) reminds non-responders of every open survey when due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mestring.surveys import services, tasks
from mestring.surveys.models import Invitation, NationalSurvey

pytestmark = pytest.mark.django_db


def test_daily_job_sends_due_reminders_once(hand_survey: NationalSurvey, smtp_server: Any) -> None:
    services.send_invitations(survey_id=hand_survey.pk)
    smtp_server.wait_for(20)
    smtp_server.messages.clear()
    assert tasks.send_due_reminders_task.call() == 0  # nothing is due right after the invitations

    Invitation.objects.filter(survey=hand_survey).update(last_contact_at=timezone.now() - timedelta(days=8))
    assert tasks.send_due_reminders_task.call() == 20
    assert len(smtp_server.wait_for(20)) == 20
    assert tasks.send_due_reminders_task.call() == 0  # the same day again: nothing more

    NationalSurvey.objects.filter(pk=hand_survey.pk).update(status=NationalSurvey.Status.CLOSED)
    Invitation.objects.filter(survey=hand_survey).update(last_contact_at=timezone.now() - timedelta(days=8))
    assert tasks.send_due_reminders_task.call() == 0  # closed surveys send nothing
