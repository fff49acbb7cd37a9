"""One validator for every way a mapping arrives: the form, the API and CSV/XLSX import.

`parse_entry(raw, year=...)` takes text or typed values keyed by the import column names and returns the
model field values, or Norwegian messages per column. The column names are documented in README.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from mestring.mapping.areas import AREA_CODES, AREAS, Phase, Rating
from mestring.mapping.catalog import MAX_AGE, MIN_AGE, SERVICE_CODES, SERVICES, Gender, age_group

REQUIRED_COLUMNS = ["fodselsaar", "kjonn", *AREA_CODES]
FLAG_COLUMNS = {
    "ip": "has_ip",
    "koordinator": "has_coordinator",
    "lar": "lar",
    "barn_under_18": "has_minor_children",
}
SERVICE_COLUMNS = {
    **{f"mottar_{code}": f"received_{code}" for code in SERVICE_CODES},
    **{f"trenger_{code}": f"needed_{code}" for code in SERVICE_CODES},
}
OPTIONAL_COLUMNS = ["dato", "fase", *FLAG_COLUMNS, *SERVICE_COLUMNS, "enhet", "kommunenummer"]
ALL_COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]

_RATING_ALIASES = {
    "gronn": Rating.GREEN,
    "grønn": Rating.GREEN,
    "g": Rating.GREEN,
    "gul": Rating.YELLOW,
    "rod": Rating.RED,
    "rød": Rating.RED,
    "r": Rating.RED,
}
_YES = {"ja", "j", "1", "true", "sann", "yes", "x"}
_NO = {"nei", "n", "0", "false", "usann", "no", ""}


def area_label(code: str) -> str:
    return str(dict(AREAS)[code])


def service_label(code: str) -> str:
    return str(dict(SERVICES)[code])


@dataclass
class ParsedEntry:
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    unit_ref: str = ""
    kommunenummer: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_whole_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts characters such as «²» that `int` refuses."""
    return text.isascii() and text.isdigit()


def _shown(value: str, limit: int = 40) -> str:
    """A refused value as echoed in a message, shortened so a long value does not flood the page."""
    return value if len(value) <= limit else value[:limit] + "…"


def _flag(raw: Mapping[str, Any], column: str, parsed: ParsedEntry, label: str) -> bool:
    text = _text(raw.get(column)).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    message = _("%(label)s må være «ja» eller «nei», ikke «%(value)s».") % {
        "label": label,
        "value": _shown(text),
    }
    parsed.errors.append((column, message))
    return False


def parse_entry(
    raw: Mapping[str, Any],
    *,
    year: int,
    period: tuple[date, date] | None = None,
    today: date | None = None,
) -> ParsedEntry:
    """Validate one person's mapping for a round in `year` running over `period` (first and last day;
    the whole year when not given). The date must lie in the period and not after `today`; without a
    date the mapping gets `default_date` when a period is given. Unknown keys are ignored."""
    parsed = ParsedEntry()
    values = parsed.values
    # Birth year: a whole number, the person 16 or older in the round's year.
    birth_text = _text(raw.get("fodselsaar"))
    youngest, oldest = year - MIN_AGE, year - MAX_AGE
    if not birth_text:
        parsed.errors.append(("fodselsaar", _("Fødselsår mangler.")))
    elif not is_whole_number(birth_text) or len(birth_text) != 4:
        parsed.errors.append(
            (
                "fodselsaar",
                _("Fødselsår må være et årstall med fire sifre, ikke «%(v)s».") % {"v": _shown(birth_text)},
            )
        )
    else:
        birth_year = int(birth_text)
        if birth_year > youngest:
            parsed.errors.append(
                (
                    "fodselsaar",
                    _(
                        "Kartleggingen gjelder personer som er 16 år eller eldre: fødselsåret må være %(y)s "
                        "eller tidligere."
                    )
                    % {"y": youngest},
                )
            )
        elif birth_year < oldest:
            parsed.errors.append(
                (
                    "fodselsaar",
                    _("Fødselsåret %(v)s er ikke trolig (over %(max)s år).")
                    % {"v": birth_year, "max": MAX_AGE},
                )
            )
        else:
            values["birth_year"] = birth_year
            values["age_group"] = age_group(year - birth_year)
    # Gender.
    gender = _text(raw.get("kjonn")).lower()
    if gender not in {g.value for g in Gender}:
        message = (
            _("Kjønn mangler; bruk «k» (kvinne) eller «m» (mann).")
            if not gender
            else _("Kjønn må være «k» (kvinne) eller «m» (mann), ikke «%(v)s».") % {"v": _shown(gender)}
        )
        parsed.errors.append(("kjonn", message))
    else:
        values["gender"] = gender
    # The eight areas.
    red = 0
    for code in AREA_CODES:
        text = _text(raw.get(code)).lower()
        rating = _RATING_ALIASES.get(text)
        if rating is None:
            label = area_label(code)
            message = (
                _("%(area)s mangler vurdering; bruk «gronn», «gul» eller «rod».") % {"area": label}
                if not text
                else _("%(area)s må være «gronn», «gul» eller «rod», ikke «%(v)s».")
                % {"area": label, "v": _shown(text)}
            )
            parsed.errors.append((code, message))
            continue
        values[code] = rating.value
        red += rating == Rating.RED
    values["red_count"] = red
    # Flags and services.
    for column, field_name in FLAG_COLUMNS.items():
        values[field_name] = _flag(raw, column, parsed, _flag_label(column))
    for column, field_name in SERVICE_COLUMNS.items():
        code = column.split("_", 1)[1]
        verb = _("Mottar") if column.startswith("mottar_") else _("Trenger")
        values[field_name] = _flag(raw, column, parsed, f"{verb} {service_label(code).lower()}")
    # Phase.
    phase = _text(raw.get("fase")).lower()
    if phase and phase not in {p.value for p in Phase}:
        parsed.errors.append(
            (
                "fase",
                _("Fase må være en av %(choices)s, ikke «%(v)s».")
                % {"choices": ", ".join(p.value for p in Phase), "v": _shown(phase)},
            )
        )
    values["phase"] = phase if phase in {p.value for p in Phase} else ""
    # Date of assessment: optional (the caller supplies a default), within the round's period and not
    # after today.
    date_text = _text(raw.get("dato"))
    if date_text:
        try:
            assessed = date.fromisoformat(date_text[:10])
        except ValueError:
            parsed.errors.append(
                ("dato", _("Datoen «%(v)s» er ikke gyldig; bruk ÅÅÅÅ-MM-DD.") % {"v": _shown(date_text)})
            )
        else:
            message = date_error(assessed, year=year, period=period, today=today)
            if message:
                parsed.errors.append(("dato", message))
            else:
                values["assessed_on"] = assessed
    elif period is not None:
        default = default_date(period, today=today)
        if default is None:
            parsed.errors.append(
                (
                    "dato",
                    _("Runden begynner %(first)s; kartlegginger kan registreres fra da.")
                    % {"first": _day(period[0])},
                )
            )
        else:
            values["assessed_on"] = default
    parsed.unit_ref = _text(raw.get("enhet"))
    parsed.kommunenummer = _text(raw.get("kommunenummer")).zfill(4) if _text(raw.get("kommunenummer")) else ""
    return parsed


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def date_error(
    assessed: date, *, year: int, period: tuple[date, date] | None = None, today: date | None = None
) -> str:
    """Why `assessed` cannot be the date of a mapping in a round (empty when it can): the date must lie
    within the round's period (the round's year when no period is given) and not after today."""
    first, last = period or (date(year, 1, 1), date(year, 12, 31))
    today = today or timezone.localdate()
    if not first <= assessed <= last:
        return _("Datoen må være innenfor rundens periode %(first)s–%(last)s.") % {
            "first": _day(first),
            "last": _day(last),
        }
    if assessed > today:
        return _(
            "Datoen kan ikke være fram i tid (i dag er %(today)s); rundens periode er %(first)s–%(last)s."
        ) % {"today": _day(today), "first": _day(first), "last": _day(last)}
    return ""


def default_date(period: tuple[date, date], *, today: date | None = None) -> date | None:
    """The date a mapping gets when none is given: today, or the round's last day when the round is
    over; None before the round has begun (no date is valid then)."""
    first, last = period
    day = min(today or timezone.localdate(), last)
    return day if day >= first else None


def _flag_label(column: str) -> str:
    return {
        "ip": _("Individuell plan"),
        "koordinator": _("Koordinator"),
        "lar": _("LAR"),
        "barn_under_18": _("Barn under 18 år"),
    }[column]


def entry_columns(entry: Any) -> dict[str, Any]:
    """A stored entry in the import column format: what `parse_entry` reads back to the same values."""
    columns: dict[str, Any] = {
        "fodselsaar": entry.birth_year,
        "kjonn": entry.gender,
        **{code: getattr(entry, code) for code in AREA_CODES},
        "dato": entry.assessed_on.isoformat(),
        "fase": entry.phase,
    }
    for column, field_name in (*FLAG_COLUMNS.items(), *SERVICE_COLUMNS.items()):
        columns[column] = bool(getattr(entry, field_name))
    return columns
