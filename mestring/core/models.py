"""Shared bookkeeping that belongs to no domain app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """A daily job claimed for one day (see `mestring.core.schedule`): the unique row makes it run once."""

    job = models.CharField(_("jobb"), max_length=80)
    day = models.DateField(_("dag"))
    queued_at = models.DateTimeField(_("lagt i kø"), auto_now_add=True)
    task_id = models.CharField(_("oppgave-id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("planlagt kjøring")
        verbose_name_plural = _("planlagte kjøringer")
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="one_scheduled_run_per_job_and_day")
        ]
        ordering = ["-day", "job"]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"
