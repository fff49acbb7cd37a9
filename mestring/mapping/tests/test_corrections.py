"""Correcting and deleting registered entries: the services, the audit trail, and every derived number.

The key property: after an edit or a delete, the report cube, the cached reports and the round's progress
are exactly what they would be had the entry been registered that way from the start.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count

from mestring.audit.models import ChangeLog
from mestring.mapping import services
from mestring.mapping.models import CubeState, EntryChange, MappingCube, MappingEntry, MappingRound
from mestring.mapping.reports import (
    cached_report,
    cooperation_scope,
    municipality_scope,
    report_cache_key,
)
from mestring.mapping.tests.fixtures import add_entries, ensure_round, entry_values, municipality
from mestring.mapping.validation import entry_columns
from mestring.mapping.views import round_progress
from mestring.organisations.models import Organisation
from mestring.people.tests.fixtures import make_person
from mestring.stats.render import report_to_dict

pytestmark = pytest.mark.django_db

# Registered as A, corrected to B: a different birth year (age group), gender, three areas, services,
# IP/coordinator flags and the date, so nearly every cube dimension and measure moves.
RAW_A: dict[str, Any] = {
    "fodselsaar": 1986,
    "kjonn": "k",
    "bolig": "gronn",
    "meningsfull_aktivitet": "gronn",
    "okonomi": "gul",
    "fysisk_helse": "gronn",
    "psykisk_helse": "gronn",
    "rusmiddelbruk": "gronn",
    "sosial_fungering": "gronn",
    "sosialt_nettverk": "gronn",
    "dato": "2026-03-01",
    "mottar_botilbud": "ja",
}
RAW_B: dict[str, Any] = {
    **RAW_A,
    "fodselsaar": 1960,
    "kjonn": "m",
    "bolig": "rod",
    "psykisk_helse": "rod",
    "rusmiddelbruk": "rod",
    "dato": "2026-05-10",
    "mottar_botilbud": "nei",
    "trenger_botilbud": "ja",
    "trenger_rusbehandling": "ja",
    "ip": "ja",
    "koordinator": "ja",
    "fase": "venter_tsb",
}


def _unit() -> Organisation:
    return Organisation.objects.get(slug="evje-rus-psykisk-helse")


def _base(world: Any) -> MappingRound:  # type: ignore[no-untyped-def]
    """Enough entries in Evje (and last year) for the report's figures to be shown, not suppressed."""
    mapping_round = ensure_round("4219", 2026)
    add_entries(mapping_round, 25, unit=_unit())
    add_entries(mapping_round, 12, gender="m", bolig="rod", rusmiddelbruk="rod")
    add_entries(ensure_round("4219", 2025), 20, gender="m")
    add_entries(ensure_round("4221", 2026), 15)
    return mapping_round


def snapshot(mapping_round: MappingRound) -> dict[str, Any]:
    """Every number derived from the entries: cube rows, the (cached) reports and the round's progress."""
    evje = municipality("4219")
    setesdal = Organisation.objects.get(slug="setesdal")
    reports = {}
    for scope in (municipality_scope(evje), cooperation_scope(setesdal)):
        for year in (2026, 2027):
            data = report_to_dict(cached_report(scope, year=year))
            data["facts"] = [f for f in data["facts"] if f["label"] != "Laget"]
            reports[f"{scope.key}-{year}"] = data
    cube = sorted(
        tuple(sorted((k, v) for k, v in row.items() if k != "id"))
        for row in MappingCube.objects.filter(year=mapping_round.year).values()
    )
    return {
        "cube": cube,
        "reports": reports,
        "progress": round_progress(mapping_round),
        "rounds": dict(
            MappingRound.objects.annotate(n=Count("entries")).values_list("pk", "n").order_by("pk")
        ),
    }


def test_edit_and_delete_leave_every_number_as_a_fresh_registration_would(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = _base(world)
    actor = world.user("koordinator.evje")
    before = snapshot(mapping_round)
    entry = services.entry_create(actor=actor, mapping_round=mapping_round, raw=RAW_A, unit=_unit())
    as_a = snapshot(mapping_round)  # also puts the reports in the cache
    assert as_a != before
    services.entry_update(actor=actor, entry=entry, raw=RAW_B, unit=None, expected_version=1)
    edited = snapshot(mapping_round)
    assert edited["reports"] != as_a["reports"] and edited["progress"] != as_a["progress"]
    # Delete the corrected entry: everything is back to before it was registered.
    services.entry_delete(actor=actor, entry=MappingEntry.objects.get(pk=entry.pk))
    assert snapshot(mapping_round) == before
    # Register B from the start: the same numbers as after the correction.
    services.entry_create(actor=actor, mapping_round=mapping_round, raw=RAW_B, unit=None)
    assert snapshot(mapping_round) == edited


def test_the_visible_figures_move_with_the_correction(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = _base(world)
    actor = world.user("koordinator.evje")
    scope = municipality_scope(municipality("4219"))

    def red_housing() -> int:
        areas = report_to_dict(cached_report(scope, year=2026))["sections"][0]["tables"][0]
        return int(areas["rows"][0]["counts"][2])

    entry = services.entry_create(actor=actor, mapping_round=mapping_round, raw=RAW_A, unit=_unit())
    assert red_housing() == 12
    services.entry_update(actor=actor, entry=entry, raw=RAW_B, unit=_unit(), expected_version=1)
    assert red_housing() == 13
    assert round_progress(mapping_round)["total"] == 38
    services.entry_delete(actor=actor, entry=MappingEntry.objects.get(pk=entry.pk))
    assert red_housing() == 12
    assert round_progress(mapping_round)["total"] == 37


def test_a_correction_gives_background_reports_a_new_cache_key(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = _base(world)
    entry = MappingEntry.objects.filter(round=mapping_round, gender="k").first()
    assert entry is not None
    scope = cooperation_scope(Organisation.objects.get(slug="setesdal"))
    key = report_cache_key(scope, year=2026)
    assert report_cache_key(scope, year=2026) == key  # stable while nothing changes
    services.entry_update(actor=None, entry=entry, raw={**entry_columns(entry), "kjonn": "m"})
    assert CubeState.objects.get(year=2026).built_max_id == -1
    changed = report_cache_key(scope, year=2026)
    assert changed != key
    services.entry_delete(actor=None, entry=MappingEntry.objects.get(pk=entry.pk))
    assert report_cache_key(scope, year=2026) not in (key, changed)


def test_update_writes_the_trail_and_bumps_the_version(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    actor = world.user("koordinator.evje")
    entry = services.entry_create(actor=actor, mapping_round=mapping_round, raw=RAW_A, unit=_unit())
    updated = services.entry_update(
        actor=world.user("admin.evje"),
        entry=entry,
        raw={**RAW_A, "bolig": "rod"},
        unit=_unit(),
        expected_version=1,
    )
    assert updated.version == 2 and updated.bolig == "rod" and updated.red_count == 1
    assert updated.updated_by == world.user("admin.evje") and updated.assessed_by == actor
    change = EntryChange.objects.get(entry_id=entry.pk)
    assert change.action == "changed" and change.username == "admin.evje"
    assert change.changes == {"bolig": ["gronn", "rod"], "red_count": [0, 1]}
    # Saving the same values again changes nothing and logs nothing.
    services.entry_update(actor=actor, entry=updated, raw={**RAW_A, "bolig": "rod"}, unit=_unit())
    assert MappingEntry.objects.get(pk=entry.pk).version == 2 and EntryChange.objects.count() == 1
    # An anonymous entry has no person: nothing goes to a person's change log.
    assert not ChangeLog.objects.filter(object_type="mappingentry").exists()


def test_stale_version_bad_input_and_closed_round_write_nothing(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = services.entry_create(actor=None, mapping_round=mapping_round, raw=RAW_A)
    with pytest.raises(services.StaleEntryError):
        services.entry_update(actor=None, entry=entry, raw=RAW_B, expected_version=7)
    with pytest.raises(ValidationError) as bad:
        services.entry_update(
            actor=None, entry=entry, raw={**RAW_B, "fodselsaar": 2015, "bolig": "blå", "dato": "2025-01-01"}
        )
    assert set(bad.value.message_dict) == {"fodselsaar", "bolig", "dato"}
    assert "16 år eller eldre" in bad.value.message_dict["fodselsaar"][0]
    with pytest.raises(ValidationError) as wrong_unit:
        services.entry_update(
            actor=None, entry=entry, raw=RAW_B, unit=Organisation.objects.get(slug="bykle-helse-rus")
        )
    assert "unit" in wrong_unit.value.message_dict
    with pytest.raises(ValidationError) as wrong_municipality:
        services.entry_update(actor=None, entry=entry, raw=RAW_B, municipality=municipality("4222"))
    assert "municipality" in wrong_municipality.value.message_dict
    services.round_close(actor=None, mapping_round=mapping_round)
    for attempt in (
        lambda: services.entry_update(actor=None, entry=entry, raw=RAW_B),
        lambda: services.entry_delete(actor=None, entry=entry),
    ):
        with pytest.raises(ValidationError) as closed:
            attempt()
        assert closed.value.messages == ["Runden er avsluttet; kartlegginger kan ikke endres eller slettes."]
    stored = MappingEntry.objects.get(pk=entry.pk)
    assert (stored.version, stored.birth_year, stored.bolig) == (1, 1986, "gronn")
    assert not EntryChange.objects.exists()


def test_delete_keeps_what_the_entry_said_in_the_trail(world) -> None:  # type: ignore[no-untyped-def]
    mapping_round = ensure_round("4219", 2026)
    entry = services.entry_create(actor=None, mapping_round=mapping_round, raw=RAW_A, unit=_unit())
    with pytest.raises(services.StaleEntryError):
        services.entry_delete(actor=None, entry=entry, expected_version=2)
    services.entry_delete(actor=world.user("admin.evje"), entry=entry, expected_version=1)
    assert not MappingEntry.objects.filter(pk=entry.pk).exists()
    change = EntryChange.objects.get(entry_id=entry.pk)
    assert change.action == "removed" and change.round_id == mapping_round.pk
    assert change.changes["fodselsaar"] == [1986, None] and change.changes["enhet"] == [_unit().pk, None]
    # Deleting again (someone else was first) is a stale edit, not an error page.
    with pytest.raises(services.StaleEntryError):
        services.entry_delete(actor=None, entry=entry)


def test_person_linked_corrections_go_to_the_persons_change_log(world) -> None:  # type: ignore[no-untyped-def]
    person = make_person(world, team=())
    mapping_round = ensure_round("4219", 2026)
    entry = MappingEntry.objects.create(
        round=mapping_round,
        municipality=mapping_round.organisation,
        year=2026,
        person=person,
        **entry_values(2026, assessed_on=date(2026, 3, 1)),
    )
    services.entry_update(actor=None, entry=entry, raw={**entry_columns(entry), "okonomi": "rod"})
    services.entry_delete(actor=None, entry=MappingEntry.objects.get(pk=entry.pk))
    logged = list(
        ChangeLog.objects.filter(person=person, object_type="mappingentry").values_list("action", flat=True)
    )
    assert sorted(logged) == ["changed", "removed"]
    assert ChangeLog.objects.get(person=person, action="changed").changes["okonomi"] == ["gronn", "rod"]
