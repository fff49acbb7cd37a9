"""Retention: ended records are deleted or anonymised after a configurable period; old log rows are purged.

Configuration (setting `MESTRING_RETENTION`, a dict, or the environment; defaults in brackets):
- `person_days` / `MESTRING_PERSON_RETENTION_DAYS` [3650]: days after follow-up ended before the record goes;
- `mode` / `MESTRING_RETENTION_MODE` [anonymise]: `anonymise` keeps a row without identity (birth year,
  gender, municipality, serving units) so anonymised mapping rows that point at it stay for statistics;
  `delete` removes the person and everything that cascades from it;
- `access_log_days` / `MESTRING_ACCESS_LOG_RETENTION_DAYS` [3650]: age at which access-log rows are purged.

Other apps clean their own identifying data by connecting to `person_retention` (sent before the change,
with `person` and `mode`). `run_retention` returns (and stores in `audit.RetentionRun`) a report of what went.
Run it daily: `manage.py run_retention` (cron / systemd timer), or enqueue
`mestring.people.tasks.retention_task`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import django.dispatch
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from mestring.audit.models import AccessLog, ChangeLog, RetentionRun
from mestring.audit.services import access_log_purge
from mestring.people.models import (
    BreakGlassGrant,
    CareTeamMembership,
    ChildrenRoutine,
    Consent,
    Disclosure,
    Person,
    Relative,
)

person_retention = django.dispatch.Signal()  # kwargs: person, mode

MODES = ("anonymise", "delete")


@dataclass(frozen=True)
class RetentionConfig:
    person_days: int
    mode: str
    access_log_days: int


def retention_config() -> RetentionConfig:
    configured: dict[str, Any] = dict(getattr(settings, "MESTRING_RETENTION", None) or {})
    person_days = int(configured.get("person_days", os.environ.get("MESTRING_PERSON_RETENTION_DAYS", 3650)))
    mode = str(configured.get("mode", os.environ.get("MESTRING_RETENTION_MODE", "anonymise")))
    log_days = int(
        configured.get("access_log_days", os.environ.get("MESTRING_ACCESS_LOG_RETENTION_DAYS", 3650))
    )
    if mode not in MODES:
        raise ValueError(f"MESTRING_RETENTION mode must be one of {MODES}, not {mode!r}")
    if person_days < 0 or log_days < 0:
        raise ValueError("retention periods cannot be negative")
    return RetentionConfig(person_days=person_days, mode=mode, access_log_days=log_days)


def _anonymise(person: Person) -> dict[str, int]:
    counts = {
        "relatives": Relative.objects.filter(person=person).delete()[0],
        "disclosures": Disclosure.objects.filter(person=person).delete()[0],
        "consents": Consent.objects.filter(person=person).delete()[0],
        "care_team": CareTeamMembership.objects.filter(person=person).delete()[0],
        "break_glass_grants": BreakGlassGrant.objects.filter(person=person).delete()[0],
        "change_log": ChangeLog.objects.filter(person=person).delete()[0],
    }
    Person.objects.filter(pk=person.pk).update(
        first_name="",
        last_name="",
        national_id_encrypted="",
        national_id_hmac="",
        birth_date=None,
        phone="",
        email="",
        address="",
        preferred_meeting_places="",
        interpreter_language="",
        interpreter_needed=False,
        confidential_address=False,
        children_routine=ChildrenRoutine.NOT_ASKED,
        children_followup_offered=False,
        children_routine_answered_at=None,
        created_by=None,
        status=Person.Status.ANONYMISED,
        updated_at=timezone.now(),
    )
    return counts


def run_retention(*, dry_run: bool = False) -> dict[str, Any]:
    """Apply retention now. With `dry_run`, report what would go and change nothing."""
    config = retention_config()
    now = timezone.now()
    cutoff = now - timedelta(days=config.person_days)
    log_cutoff = now - timedelta(days=config.access_log_days)
    due = list(
        Person.objects.filter(status=Person.Status.ENDED, ended_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    report: dict[str, Any] = {
        "ran_at": now.isoformat(),
        "dry_run": dry_run,
        "mode": config.mode,
        "person_cutoff": cutoff.isoformat(),
        "access_log_cutoff": log_cutoff.isoformat(),
        "persons_anonymised": 0,
        "persons_deleted": 0,
        "person_ids": due,
        "removed": {},
        "access_log_rows_purged": 0,
    }
    if dry_run:
        report["access_log_rows_purged"] = AccessLog.objects.filter(at__lt=log_cutoff).count()
        RetentionRun.objects.create(ran_at=now, dry_run=True, report=report)
        return report
    removed: dict[str, int] = {}
    skipped: list[dict[str, Any]] = []
    for pk in due:
        try:
            counts, mode_key = _apply(pk, config.mode)
        except ProtectedError as exc:
            skipped.append({"person_id": pk, "reason": str(exc)[:300]})
            continue
        if mode_key:
            report[mode_key] += 1
            for label, n in counts.items():
                removed[label] = removed.get(label, 0) + n
    report["skipped"] = skipped
    report["removed"] = removed
    report["access_log_rows_purged"] = access_log_purge(before=log_cutoff)
    RetentionRun.objects.create(ran_at=now, dry_run=False, report=report)
    return report


def _apply(pk: int, mode: str) -> tuple[dict[str, int], str]:
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=pk, status=Person.Status.ENDED).first()
        if person is None:
            return {}, ""
        person_retention.send(sender=Person, person=person, mode=mode)
        if mode == "delete":
            return _delete(person), "persons_deleted"
        return _anonymise(person), "persons_anonymised"


def _delete(person: Person) -> dict[str, int]:
    Disclosure.objects.filter(person=person).delete()
    _total, per_model = person.delete()
    return {label.split(".")[-1].lower(): n for label, n in per_model.items()}
