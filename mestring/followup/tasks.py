"""Reminders for overdue plan reviews and measures (background tasks, django-tasks).

`scan_reminders` finds what is overdue, creates one `Reminder` (a to-do shown on the caseload and the person
page) per overdue review or measure and due date, and enqueues `send_reminder_email` for each new one. Run it
daily (`manage.py followup_reminders` enqueues it; `manage.py db_worker` runs the queue). The e-mail holds no
person data: only that something is overdue and a link to log in.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mestring.followup.models import Episode, IndividualPlan, Measure, Reminder


def _coordinators(person_ids: set[int]) -> dict[int, int | None]:
    return dict(
        Episode.objects.filter(person_id__in=person_ids, ended_on__isnull=True).values_list(
            "person_id", "coordinator_id"
        )
    )


@transaction.atomic
def create_reminders(today: date | None = None) -> list[Reminder]:
    """New reminders for overdue reviews and measures (idempotent per object and due date)."""
    day = today or timezone.localdate()
    plans = list(
        IndividualPlan.objects.filter(
            status=IndividualPlan.Status.ACTIVE, next_review_on__lt=day
        ).values_list("person_id", "next_review_on", "updated_by_id")
    )
    measures = list(
        Measure.objects.filter(status__in=Measure.OPEN, end_on__lt=day).values_list(
            "pk", "person_id", "end_on", "responsible_user_id"
        )
    )
    coordinators = _coordinators({p[0] for p in plans} | {m[1] for m in measures})
    wanted: list[Reminder] = []
    for person_id, due, updated_by in plans:
        if due is None:
            continue
        wanted.append(
            Reminder(
                key=f"plan_review:{person_id}:{due.isoformat()}",
                kind=Reminder.Kind.PLAN_REVIEW,
                person_id=person_id,
                due_on=due,
                recipient_id=coordinators.get(person_id) or updated_by,
            )
        )
    for measure_id, person_id, due, responsible in measures:
        if due is None:
            continue
        wanted.append(
            Reminder(
                key=f"measure:{measure_id}:{due.isoformat()}",
                kind=Reminder.Kind.MEASURE,
                person_id=person_id,
                measure_id=measure_id,
                due_on=due,
                recipient_id=responsible or coordinators.get(person_id),
            )
        )
    existing = set(Reminder.objects.filter(key__in=[r.key for r in wanted]).values_list("key", flat=True))
    new = [r for r in wanted if r.key not in existing]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return list(Reminder.objects.filter(key__in=[r.key for r in new]))


@task()
def scan_reminders(today: str | None = None) -> int:
    """Create reminders for everything overdue and queue one e-mail each. Returns how many were new."""
    created = create_reminders(date.fromisoformat(today) if today else None)
    for reminder in created:
        if reminder.recipient_id is not None:
            reminder_id = reminder.pk
            transaction.on_commit(lambda rid=reminder_id: send_reminder_email.enqueue(rid))  # type: ignore[misc]
    return len(created)


@task()
def send_reminder_email(reminder_id: int) -> bool:
    """E-mail the recipient once; no person data in the message, only a link."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.emailed_at is not None or reminder.recipient is None:
            return False
        if not reminder.recipient.email:
            return False
        base = getattr(settings, "MESTRING_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        link = base + reverse("followup:person", kwargs={"person_id": reminder.person_id})
        if reminder.kind == Reminder.Kind.PLAN_REVIEW:
            subject = _("mestring: en individuell plan skulle vært evaluert")
            what = _("En individuell plan du er koordinator for skulle vært evaluert %(d)s.")
        else:
            subject = _("mestring: et tiltak har passert sluttdatoen")
            what = _("Et tiltak du er ansvarlig for hadde sluttdato %(d)s og er ikke avsluttet.")
        body = "\n\n".join(
            [
                _("Hei %(name)s,")
                % {"name": reminder.recipient.get_full_name() or reminder.recipient.username},
                what % {"d": reminder.due_on.strftime("%d.%m.%Y")},
                _("Logg inn for å se oppgaven: %(link)s") % {"link": link},
                _("Denne e-posten inneholder ingen personopplysninger."),
            ]
        )
        send_mail(subject, body, None, [reminder.recipient.email])
        reminder.emailed_at = timezone.now()
        reminder.save(update_fields=["emailed_at"])
        return True
