from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from mestring.core.testing.personas import login
from mestring.people import crypto, services
from mestring.people.models import Person
from mestring.people.tests.fixtures import FIXTURE_ID, fixture_person

pytestmark = pytest.mark.django_db


def test_encryption_round_trip_and_random_iv() -> None:
    a, b = crypto.encrypt(FIXTURE_ID), crypto.encrypt(FIXTURE_ID)
    assert a != b and FIXTURE_ID not in a
    assert crypto.decrypt(a) == FIXTURE_ID
    assert crypto.lookup_hash(FIXTURE_ID) == crypto.lookup_hash(FIXTURE_ID) != FIXTURE_ID
    assert crypto.encrypt("") == "" and crypto.lookup_hash("") == ""


def test_hmac_depends_on_the_key(settings) -> None:  # type: ignore[no-untyped-def]
    before = crypto.lookup_hash(FIXTURE_ID)
    settings.MESTRING_FIELD_KEY = "another-secret-for-the-test-0123456789"
    assert crypto.lookup_hash(FIXTURE_ID) != before


def _dump_database() -> str:
    """The whole database as text: SQLite's iterdump(), or COPY of every table on PostgreSQL."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    buffer = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:  # type: ignore[attr-defined]
                for data in copy:
                    buffer.append(bytes(data).decode(errors="replace"))
    return "".join(buffer)


def test_raw_database_dump_contains_no_national_id_in_clear(world, client) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    # the id passes through every write path that could copy it somewhere
    services.person_update(actor=None, person=person, expected_version=1, phone="12345678")
    services.consent_record(actor=None, person=person, recipient="nav", given=True)
    client.get("/")  # nothing
    login(client, "koordinator.evje")
    client.get(reverse("people:national_id", kwargs={"pk": person.pk}))
    client.get(reverse("audit:innsyn_json", kwargs={"pk": person.pk}))
    client.post(reverse("people:list"), {"q": FIXTURE_ID})
    connection.ensure_connection()
    dump = _dump_database()
    assert person.national_id_encrypted in dump  # the dump did cover the row
    assert FIXTURE_ID not in dump
    assert f"{FIXTURE_ID[:6]} {FIXTURE_ID[6:]}" not in dump
    for field in ("national_id_encrypted", "national_id_hmac"):
        assert FIXTURE_ID not in getattr(person, field)


def test_rotate_field_key_re_encrypts_all_rows(world, settings) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    old_token, old_hash = person.national_id_encrypted, person.national_id_hmac
    old_key = settings.MESTRING_FIELD_KEY
    settings.MESTRING_FIELD_KEY = "new-field-key-for-rotation-test-0123456789abcdef"
    settings.MESTRING_FIELD_KEY_PREVIOUS = old_key
    out = StringIO()
    call_command("rotate_field_key", stdout=out)
    person.refresh_from_db()
    assert person.national_id_encrypted != old_token
    assert person.national_id_hmac != old_hash
    assert "kryptert på nytt" in out.getvalue()
    settings.MESTRING_FIELD_KEY_PREVIOUS = ""
    assert person.national_id == FIXTURE_ID  # readable with the new key alone
    assert Person.objects.filter(national_id_hmac=crypto.lookup_hash(FIXTURE_ID)).get() == person


def test_rotate_without_old_key_changes_nothing(world, settings) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    token = person.national_id_encrypted
    settings.MESTRING_FIELD_KEY = "yet-another-key-0123456789abcdef0123456789"
    settings.MESTRING_FIELD_KEY_PREVIOUS = ""
    with pytest.raises(CommandError, match="Ingenting er endret"):
        call_command("rotate_field_key", stdout=StringIO())
    person.refresh_from_db()
    assert person.national_id_encrypted == token
