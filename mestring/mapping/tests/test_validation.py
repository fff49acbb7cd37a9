"""Every wrong value in a mapping gets its own clear Norwegian message."""

from __future__ import annotations

from datetime import date

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
        {**GOOD, "ip": "ja", "mottar_botilbud": "1", "fase": "venter_tsb", "dato": "2026-03-01"},
        year=2026,
        today=date(2026, 11, 25),
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
        # The whole year is the period when none is given (the old rule "in the round's year").
        ({"dato": "2025-05-01"}, "dato", "rundens periode 01.01.2026–31.12.2026"),
    ],
)
def test_each_wrong_value_has_a_message(change: dict[str, str], column: str, fragment: str) -> None:
    parsed = parse_entry({**GOOD, **change}, year=2026, today=date(2026, 12, 31))
    assert not parsed.ok
    messages = [message for col, message in parsed.errors if col == column]
    assert messages, parsed.errors
    assert fragment in messages[0]


def test_sixteen_this_year_is_allowed() -> None:
    assert parse_entry({**GOOD, "fodselsaar": "2010"}, year=2026).ok
    assert not parse_entry({**GOOD, "fodselsaar": "2011"}, year=2026).ok


AUTUMN = (date(2026, 9, 1), date(2026, 11, 30))
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("dato", "fragment"),
    [
        (
            "2026-11-27",
            "Datoen kan ikke være fram i tid (i dag er 25.11.2026); rundens periode er 01.09.2026",
        ),
        ("2026-01-15", "Datoen må være innenfor rundens periode 01.09.2026–30.11.2026."),
        ("2026-08-31", "rundens periode 01.09.2026–30.11.2026"),
        ("2026-12-01", "rundens periode 01.09.2026–30.11.2026"),
        ("2027-10-01", "rundens periode 01.09.2026–30.11.2026"),
    ],
)
def test_date_outside_the_period_or_after_today_is_refused(dato: str, fragment: str) -> None:
    parsed = parse_entry({**GOOD, "dato": dato}, year=2026, period=AUTUMN, today=TODAY)
    assert [column for column, _m in parsed.errors] == ["dato"]
    assert fragment in parsed.errors[0][1]


def test_first_day_and_today_are_allowed() -> None:
    for dato in ("2026-09-01", "2026-11-25"):
        parsed = parse_entry({**GOOD, "dato": dato}, year=2026, period=AUTUMN, today=TODAY)
        assert parsed.ok, parsed.errors
        assert parsed.values["assessed_on"] == date.fromisoformat(dato)


def test_missing_date_is_today_or_the_last_day_and_refused_before_the_round_begins() -> None:
    assert parse_entry(GOOD, year=2026, period=AUTUMN, today=TODAY).values["assessed_on"] == TODAY
    after = parse_entry(GOOD, year=2026, period=AUTUMN, today=date(2027, 2, 1))
    assert after.values["assessed_on"] == date(2026, 11, 30)
    before = parse_entry(GOOD, year=2026, period=AUTUMN, today=date(2026, 8, 1))
    assert not before.ok and "Runden begynner 01.09.2026" in before.errors[0][1]


@pytest.mark.parametrize("birth_year", ["19²0", "١٩٨٠", "1980.5"])
def test_birth_year_with_non_ascii_digits_gets_a_message(birth_year: str) -> None:
    # «²» passes str.isdigit but not int(): it used to raise (a 500 in the API).
    parsed = parse_entry({**GOOD, "fodselsaar": birth_year}, year=2026)
    assert [column for column, _message in parsed.errors] == ["fodselsaar"]


def test_a_long_refused_value_is_shortened_in_the_message() -> None:
    parsed = parse_entry({**GOOD, "fase": "x" * 5000}, year=2026)
    [(column, message)] = parsed.errors
    assert column == "fase" and len(message) < 200
