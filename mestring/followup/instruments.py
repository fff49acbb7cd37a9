"""The two feedback instruments shipped with mestring, written by the project (no licensed item texts).

Created by migration 0002 and by `ensure_builtin_instruments()` (demo, tests that flush the database).
"""

from __future__ import annotations

from typing import Any

INSTRUMENTS: list[dict[str, Any]] = [
    {
        "slug": "samtaletilbakemelding",
        "name": "Hvordan var samtalen i dag?",
        "description": (
            "Kort tilbakemelding etter hver samtale eller hvert møte. Fire utsagn, 0–10. Summen (0–40) "
            "viser hvordan personen opplevde samarbeidet i dag. Under 30 er et signal om å snakke om "
            "hvordan dere jobber sammen."
        ),
        "purpose": "session",
        "scale_min": 0,
        "scale_max": 10,
        "low_label": "Ikke i det hele tatt",
        "high_label": "I svært stor grad",
        "scoring": "sum",
        "alert_below": 30,
        "items": [
            "Jeg følte meg lyttet til og tatt på alvor i dag.",
            "Vi snakket om det som er viktig for meg.",
            "Måten vi jobbet på i dag passet for meg.",
            "Alt i alt var samtalen i dag nyttig for meg.",
        ],
    },
    {
        "slug": "livskvalitet-kort",
        "name": "Hvordan har du det? (livskvalitet, kort)",
        "description": (
            "Fem spørsmål om hvor fornøyd personen er med livet sitt nå, 0–10. "
            "Skåren er gjennomsnittet (0–10). "
            "Forventet bedring er 0,3 per samtale, inntil 2,5 over utgangspunktet; mer enn 1 under forventet "
            "gir flagget «ikke i rute»."
        ),
        "purpose": "outcome",
        "scale_min": 0,
        "scale_max": 10,
        "low_label": "Svært misfornøyd",
        "high_label": "Svært fornøyd",
        "scoring": "mean",
        "expected_gain_per_session": 0.3,
        "expected_gain_max": 2.5,
        "band_width": 1.0,
        "items": [
            "Hvor fornøyd er du med hvordan du har det i hverdagen nå?",
            "Hvor fornøyd er du med helsen din, både kropp og sinn?",
            "Hvor fornøyd er du med forholdet til familie, venner og andre som betyr noe for deg?",
            "Hvor fornøyd er du med det du bruker dagene på (arbeid, aktivitet, fritid)?",
            "Hvor fornøyd er du med bosituasjonen og økonomien din?",
        ],
    },
]


def ensure_builtin_instruments() -> None:
    from mestring.followup.services import instrument_create

    for spec in INSTRUMENTS:
        instrument_create(**spec)
