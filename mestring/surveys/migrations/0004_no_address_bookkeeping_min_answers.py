"""Two data fixes.

1. Invitations with an empty address but send bookkeeping (`sent_at`, `last_contact_at`, `reminders_sent`):
   nothing can have been sent to them (the services only e-mail invitations with an address). Such rows came
   from databases filled while the "no address" change was half done (the QA demo showed them as «Sendt»
   with «Legg inn adresse» beside, and the no-address counter at 0). The bookkeeping is cleared, so they show
   as «Mangler adresse – ikke sendt» (unless the municipality has opened, started or answered) and get their
   first invitation when an address is entered. Progress (opened, started, completed, covered) is kept.
2. Satisfaction surveys whose `min_answers` is below the minimum group size
   (`MESTRING_SUPPRESSION["min_group_size"]`) are raised to it: a unit's results are never shown for fewer.
"""

from django.conf import settings
from django.db import migrations


def clear_unsent_bookkeeping(apps, schema_editor):  # type: ignore[no-untyped-def]
    Invitation = apps.get_model("surveys", "Invitation")
    Invitation.objects.filter(email="").exclude(
        sent_at__isnull=True, last_contact_at__isnull=True, reminders_sent=0
    ).update(sent_at=None, last_contact_at=None, reminders_sent=0)


def raise_min_answers(apps, schema_editor):  # type: ignore[no-untyped-def]
    SatisfactionSurvey = apps.get_model("surveys", "SatisfactionSurvey")
    minimum = int(getattr(settings, "MESTRING_SUPPRESSION", {}).get("min_group_size", 10))
    SatisfactionSurvey.objects.filter(min_answers__lt=minimum).update(min_answers=minimum)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_invitation_no_address"),
    ]

    operations = [
        migrations.RunPython(clear_unsent_bookkeeping, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(raise_min_answers, migrations.RunPython.noop, elidable=True),
    ]
