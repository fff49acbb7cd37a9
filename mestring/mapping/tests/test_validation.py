"""Every wrong value in a mapping gets its own clear Norwegian message."""

from __future__ import annotations

import pytest

from mestring.mapping.validation import parse_entry

GOOD = {
    "fodselsaar": "1980",
    "kjonn": "k",
    "bolig": "gronn",
    "meningsfull_aktivitet": "gul",
    "okonomi": "rod",
    "fysisk_helse": "gronn",
    "psykisk_helse": "Rød",
    "rusmiddelbruk": "grønn",
    "sosial_fungering": "gul",
    "sosialt_nettverk": "gronn",
}


def test_good_row_is_parsed() -> None:
    parsed = parse_entry(
        {**GOOD, "ip": "ja", "mottar_botilbud": "1", "fase": "venter_tsb", "dato": "2026-03-01"}, year=2026
    )
    assert parsed.ok, parsed.errors
    values = parsed.values
    assert values["birth_year"] == 1980 and values["age_group"] == "45–54"
    assert values["psykisk_helse"] == "rod" and values["rusmiddelbruk"] == "gronn"
    assert values["red_count"] == 2
    assert (
        values["has_ip"] is True
        and values["received_botilbud"] is True
        and values["needed_botilbud"] is False
    )
    assert values["phase"] == "venter_tsb"


@pytest.mark.parametrize(
    ("change", "column", "fragment"),
    [
        ({"fodselsaar": ""}, "fodselsaar", "Fødselsår mangler"),
        ({"fodselsaar": "80"}, "fodselsaar", "fire sifre"),
        ({"fodselsaar": "abcd"}, "fodselsaar", "fire sifre"),
        ({"fodselsaar": "2011"}, "fodselsaar", "16 år eller eldre"),
        ({"fodselsaar": "1900"}, "fodselsaar", "ikke trolig"),
        ({"kjonn": ""}, "kjonn", "Kjønn mangler"),
        ({"kjonn": "x"}, "kjonn", "«k» (kvinne) eller «m» (mann)"),
        ({"bolig": ""}, "bolig", "Bolig mangler vurdering"),
        ({"okonomi": "blå"}, "okonomi", "Økonomi må være «gronn», «gul» eller «rod», ikke «blå»"),
        ({"ip": "kanskje"}, "ip", "Individuell plan må være «ja» eller «nei»"),
        ({"trenger_rusbehandling": "2"}, "trenger_rusbehandling", "Trenger rusbehandling"),
        ({"fase": "ukjent"}, "fase", "Fase må være en av"),
        ({"dato": "31.02.2026"}, "dato", "ikke gyldig"),
        ({"dato": "2025-05-01"}, "dato", "kartleggingsåret 2026"),
    ],
)
def test_each_wrong_value_has_a_message(change: dict[str, str], column: str, fragment: str) -> None:
    parsed = parse_entry({**GOOD, **change}, year=2026)
    assert not parsed.ok
    messages = [message for col, message in parsed.errors if col == column]
    assert messages, parsed.errors
    assert fragment in messages[0]


def test_sixteen_this_year_is_allowed() -> None:
    assert parse_entry({**GOOD, "fodselsaar": "2010"}, year=2026).ok
    assert not parse_entry({**GOOD, "fodselsaar": "2011"}, year=2026).ok
