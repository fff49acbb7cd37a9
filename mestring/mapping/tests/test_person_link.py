"""A person-linked mapping entry outlives the person record: retention removes the identity, not the row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from mestring.mapping.models import MappingEntry
from mestring.mapping.tests.fixtures import ensure_round, entry_values
from mestring.people.models import Person
from mestring.people.retention import run_retention
from mestring.people.tests.fixtures import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_retention_keeps_mapping_rows(world, settings, mode: str) -> None:  # type: ignore[no-untyped-def]
    settings.MESTRING_RETENTION = {"person_days": 30, "mode": mode, "access_log_days": 3650}
    person = make_person(world, team=())
    mapping_round = ensure_round("4219", 2026)
    entry = MappingEntry.objects.create(
        round=mapping_round,
        municipality=mapping_round.organisation,
        year=2026,
        person=person,
        **entry_values(2026, assessed_on=date(2026, 3, 1), bolig="rod"),
    )
    Person.objects.filter(pk=person.pk).update(
        status=Person.Status.ENDED, ended_at=timezone.now() - timedelta(days=31)
    )
    run_retention()
    entry.refresh_from_db()
    assert entry.bolig == "rod" and entry.year == 2026
    if mode == "delete":
        assert entry.person_id is None and not Person.objects.filter(pk=person.pk).exists()
    else:
        assert entry.person_id == person.pk
        assert Person.objects.get(pk=person.pk).status == Person.Status.ANONYMISED
