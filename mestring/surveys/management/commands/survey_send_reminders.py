"""Send due reminders for every open national survey (for cron; safe to run at any time)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mestring.surveys import services
from mestring.surveys.models import NationalSurvey


class Command(BaseCommand):
    help = "Sender påminnelser til kommuner som ikke har svart, når det er på tide."

    def handle(self, *args: Any, **options: Any) -> None:
        for survey in NationalSurvey.objects.filter(status=NationalSurvey.Status.OPEN):
            sent = services.send_reminders(survey_id=survey.pk)
            self.stdout.write(f"{survey.slug}: {sent} påminnelse(r) sendt.")
