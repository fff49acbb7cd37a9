"""Invitations that were "sent" to the old placeholder address (`postmottak@kommune-NNNN.invalid`, or any
address in the reserved `.invalid` domain, which can never be delivered) become "no address": the address is
cleared, and so are the send and reminder bookkeeping, since no e-mail ever reached anyone. Progress the
municipality made through a link forwarded by hand (opened, started, completed, covered) is kept."""

from django.db import migrations


def placeholders_to_no_address(apps, schema_editor):  # type: ignore[no-untyped-def]
    Invitation = apps.get_model("surveys", "Invitation")
    Invitation.objects.filter(email__iendswith=".invalid").update(
        email="", sent_at=None, last_contact_at=None, reminders_sent=0
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_authoring_change"),
    ]

    operations = [
        migrations.RunPython(placeholders_to_no_address, migrations.RunPython.noop, elidable=True),
    ]
