"""Re-encrypts every national id with the current MESTRING_FIELD_KEY and recomputes the lookup HMAC.

Procedure: set the new key in MESTRING_FIELD_KEY and the old one in MESTRING_FIELD_KEY_PREVIOUS (setting or
environment), run this command, then remove the old key. All rows are rewritten in one transaction: a row that
cannot be decrypted with any configured key stops the command and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from mestring.people import crypto
from mestring.people.models import Person


class Command(BaseCommand):
    help = "Krypterer alle fødselsnumre på nytt med gjeldende nøkkel (MESTRING_FIELD_KEY)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            rows = Person.objects.exclude(national_id_encrypted="").select_for_update().order_by("pk")
            for person in rows.only("pk", "national_id_encrypted"):
                try:
                    number = crypto.decrypt(person.national_id_encrypted)
                except crypto.DecryptionError:
                    raise CommandError(
                        f"Person {person.pk}: fødselsnummeret kan ikke dekrypteres med noen av de oppgitte "
                        "nøklene. Sett den gamle nøkkelen i MESTRING_FIELD_KEY_PREVIOUS. Ingenting er endret."
                    ) from None
                Person.objects.filter(pk=person.pk).update(
                    national_id_encrypted=crypto.encrypt(number), national_id_hmac=crypto.lookup_hash(number)
                )
                count += 1
        self.stdout.write(
            self.style.SUCCESS(f"{count} fødselsnumre er kryptert på nytt med gjeldende nøkkel.")
        )
