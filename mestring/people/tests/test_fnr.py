from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

from mestring.people import fnr

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


@settings(max_examples=300, deadline=None)
@given(birth=births, serial=st.integers(0, 499), female=st.booleans(), d_number=st.booleans())
def test_valid_ids_are_accepted(birth: date, serial: int, female: bool, d_number: bool) -> None:
    number = fnr.synthetic_fodselsnummer(birth, serial, female=female, d_number=d_number)
    assert fodselsnummer.is_valid(number)
    assert fnr.validate_fodselsnummer(number) == number
    assert fnr.validate_fodselsnummer(f"{number[:6]} {number[6:]}") == number
    assert fnr.birth_date_of(number) == birth
    assert fnr.gender_of(number) == ("female" if female else "male")
    assert fnr.is_d_number(number) is d_number


@settings(max_examples=300, deadline=None)
@given(
    birth=births,
    serial=st.integers(0, 499),
    female=st.booleans(),
    d_number=st.booleans(),
    position=st.integers(0, 10),
    delta=st.integers(1, 9),
)
def test_any_single_digit_change_is_rejected(
    birth: date, serial: int, female: bool, d_number: bool, position: int, delta: int
) -> None:
    number = fnr.synthetic_fodselsnummer(birth, serial, female=female, d_number=d_number)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    assert changed != number
    with pytest.raises(ValidationError):
        fnr.validate_fodselsnummer(changed)


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("1234567890", "length", "11 sifre"),
        ("12345 678 9012", "length", "11 sifre"),
        ("1204862129X", "format", "sifre"),
        ("12048621294", "checksum", "Kontrollsifrene stemmer ikke"),
        ("", "format", "sifre"),
    ],
)
def test_messages_are_clear_norwegian(value: str, code: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        fnr.validate_fodselsnummer(value)
    assert info.value.code == code
    assert fragment in info.value.messages[0]


def test_impossible_date_is_explained() -> None:
    head = "320186001"  # 32 January
    number = head + fodselsnummer.calc_check_digit1(head)
    number += fodselsnummer.calc_check_digit2(number)
    if len(number) == 11:
        with pytest.raises(ValidationError) as info:
            fnr.validate_fodselsnummer(number)
        assert "fødselsdato" in info.value.messages[0]
