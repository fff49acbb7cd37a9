"""Fødselsnummer and D-number: validation with clear Norwegian messages, derived birth date and gender.

The check digits are python-stdnum's (`stdnum.no.fodselsnummer`); nothing here hand-writes mod 11.
`synthetic_fodselsnummer` builds valid-format ids for invented demo and test persons.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exc
from stdnum.no import fodselsnummer


def normalise(value: str) -> str:
    return str(fodselsnummer.compact(value or ""))


def validate_fodselsnummer(value: str) -> str:
    """The compact 11-digit id, or a ValidationError with a message a user can act on."""
    number = normalise(value)
    if not number.isdigit():
        raise ValidationError(
            _("Fødselsnummer og D-nummer består bare av sifre (11 sifre, mellomrom er lov)."), code="format"
        )
    if len(number) != 11:
        raise ValidationError(
            _("Fødselsnummeret må ha 11 sifre, du skrev %(n)d.") % {"n": len(number)}, code="length"
        )
    try:
        fodselsnummer.validate(number)
    except stdnum_exc.InvalidChecksum:
        raise ValidationError(
            _("Kontrollsifrene stemmer ikke. Sjekk at fødselsnummeret er skrevet riktig."), code="checksum"
        ) from None
    except stdnum_exc.InvalidComponent:
        raise ValidationError(
            _("Fødselsnummeret inneholder ingen gyldig fødselsdato. Sjekk de seks første sifrene."),
            code="date",
        ) from None
    except stdnum_exc.ValidationError:
        raise ValidationError(
            _("Dette er ikke et gyldig fødselsnummer eller D-nummer."), code="invalid"
        ) from None
    return number


def is_d_number(number: str) -> bool:
    return int(normalise(number)[0]) >= 4


def birth_date_of(number: str) -> date:
    return fodselsnummer.get_birth_date(normalise(number))  # type: ignore[no-any-return]


def gender_of(number: str) -> str:
    """'female' or 'male' (the legal gender encoded in the id)."""
    return "female" if fodselsnummer.get_gender(normalise(number)) == "F" else "male"


def synthetic_fodselsnummer(birth: date, serial: int, *, female: bool, d_number: bool = False) -> str:
    """A valid-format id for an invented person. Tries serials from `serial` until the check digits exist.

    Individual numbers 000–499 are used for births 1900–1999 and 500–999 for 2000–2039, as in the real scheme.
    Never use this for real people; demo data only.
    """
    day = birth.day + (40 if d_number else 0)
    base_serial = serial % 500 + (500 if birth.year >= 2000 else 0)
    for offset in range(500):
        individual = base_serial + offset
        if individual >= (1000 if birth.year >= 2000 else 500):
            individual -= 500
        if (individual % 2 == 0) != female:
            continue
        head = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(head)
        if len(k1) != 1:
            continue
        k2 = fodselsnummer.calc_check_digit2(head + k1)
        if len(k2) != 1:
            continue
        number = head + k1 + k2
        if fodselsnummer.is_valid(number):
            return number
    raise ValueError("no valid id for this birth date")  # pragma: no cover
