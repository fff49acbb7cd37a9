"""The change history in plain Norwegian (`mestring.audit.history`)."""

from __future__ import annotations

import pytest

from mestring.audit.history import (
    describe,
    describe_changes,
    field_label,
    format_value,
    object_label,
    resolve_model,
)
from mestring.audit.models import ChangeLog
from mestring.audit.services import REDACTED
from mestring.people.tests.fixtures import fixture_person


def _lines(object_type: str, changes: object) -> list[str]:
    return [line.text for line in describe_changes(object_type, changes)]


def test_object_types_read_as_norwegian_names() -> None:
    assert object_label("goal") == "Mål"
    assert object_label("episode") == "Forløp"
    assert object_label("measure") == "Tiltak"
    assert object_label("consent") == "Samtykke"  # the model's own verbose_name
    assert object_label("careteammembership") == "Medlem av teamet"
    assert object_label("person") == "Personopplysninger"
    assert object_label("followup.goal") == "Mål"  # app_label.model_name works too


def test_every_model_of_person_data_has_its_own_norwegian_name() -> None:
    """A model without `verbose_name` would show as its English class name in the history."""
    from django.apps import apps

    unnamed = [
        model._meta.label
        for app in ("people", "followup")
        for model in apps.get_app_config(app).get_models()
        if "verbose_name" not in model._meta.original_attrs
    ]
    assert unnamed == []


def test_field_names_come_from_verbose_name() -> None:
    episode = resolve_model("episode")
    assert field_label(episode, "phase") == "Fase i forløpet"
    assert field_label(episode, "started_on") == "Startdato"
    assert field_label(resolve_model("measure"), "end_on") == "Slutt / evalueres"
    assert field_label(resolve_model("referral"), "direction") == "Retning"
    assert field_label(resolve_model("goalrating"), "goal") == "Mål"  # fallback: no verbose_name on the field


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "–"),
        ("", "–"),
        (True, "Ja"),
        (False, "Nei"),
        (3.4, "3,4"),
        (23.0, "23"),
        (1995, "1995"),
        ("2026-08-17", "17.08.2026"),
        ("2026-12-25T10:00:00+01:00", "25.12.2026 10:00"),
        ("2026-10-28T12:17:40.662108+00:00", "28.10.2026 13:17"),
        (REDACTED, REDACTED),
        ("fritekst", "fritekst"),
    ],
)
def test_values_without_a_known_field(value: object, expected: str) -> None:
    assert format_value(None, value) == expected


def test_values_by_field_type_and_choices() -> None:
    assert _lines(
        "episode", {"phase": ["tidlig_innsats", "venter_tsb"], "started_on": [None, "2026-02-28"]}
    ) == [
        "Fase i forløpet: Tidlig innsats → Venter på behandling i TSB",
        "Startdato: – → 28.02.2026",
    ]
    assert _lines(
        "person", {"gender": [None, "female"], "children_routine": ["not_asked", "no_children"]}
    ) == [
        "Kjønn: – → Kvinne",
        "Barn som pårørende: Ikke spurt ennå → Spurt: har ikke barn under 18 år",
    ]
    assert _lines("referral", {"agency": [None, "tsb"], "status": [None, "accepted"]}) == [
        "Instans: – → TSB (tverrfaglig spesialisert rusbehandling)",
        "Status: – → Godtatt – venter på oppstart",
    ]
    assert _lines("individualplan", {"status": [None, "declined"]}) == [
        "Status: – → Personen har takket nei til plan"
    ]
    assert _lines("meeting", {"starts_at": [None, "2026-12-25T10:00:00+01:00"]}) == [
        "Tidspunkt: – → 25.12.2026 10:00"
    ]


def test_person_mapping_areas_and_ratings() -> None:
    assert _lines("personmapping", {"bolig": [None, "rod"], "okonomi": ["gul", "gronn"]}) == [
        "Bolig: – → Rød – alvorlige problemer",
        "Økonomi: Gul – noen problemer → Grønn – ingen eller små problemer",
    ]


def test_odd_shapes_still_render() -> None:
    assert _lines("meeting", {"attendance": [3, 4]}) == ["Oppmøte: endret"]  # changed member ids, not old/new
    assert _lines("goal", {"text": ["samme", "samme"], "area": ["", None]}) == []  # nothing to show
    assert _lines(
        "person",
        {"national_id_encrypted": [None, REDACTED], "national_id_hmac": [None, REDACTED]},
    ) == ["Fødselsnummer: – → [endret]"]  # old rows logged the id under two keys
    assert _lines("goal", ["not", "a", "dict"]) == []
    assert _lines("episode", {"started_on": ["i fjor", "2026-13-45"]}) == ["Startdato: i fjor → 2026-13-45"]


def test_unknown_model_and_field_fall_back_to_raw(world) -> None:  # type: ignore[no-untyped-def]
    person = fixture_person(world)
    row = ChangeLog.objects.create(
        person=person,
        object_type="fjernetmodell",
        action="archived",
        changes={"gammelt_felt": ["a", "2026-01-02"], "antall": 3, "liste": [1, 2, 3]},
    )
    entry = describe(row)
    assert entry.title == "Fjernetmodell (archived)"
    assert [line.text for line in entry.lines] == [
        "Gammelt felt: a → 02.01.2026",
        "Antall: endret",
        "Liste: endret",
    ]
    assert _lines("goal", {"farge": ["rod", None]}) == ["Farge: rod → –"]
