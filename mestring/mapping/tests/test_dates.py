"""A mapping's date lies within its round's period and not after today; a round's period lies in its year.

The same rule on every way in: the registration form, the edit page, the API (POST and PATCH) and the import.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mestring.core.testing.personas import client_for
from mestring.mapping import services
from mestring.mapping.models import MappingEntry, MappingRound
from mestring.mapping.tests.fixtures import entry_values, freeze_today
from mestring.mapping.tests.test_import import ROW, csv_bytes
from mestring.mapping.tests.test_views import VALID_ENTRY
from mestring.organisations.models import Organisation

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
PERIOD = "01.09.2026–30.11.2026"


@pytest.fixture
def autumn_round(world: Any, monkeypatch: Any) -> MappingRound:
    """The QA case: Setesdal's round 01.09–30.11.2026, today 25.11.2026."""
    freeze_today(monkeypatch, TODAY)
    return MappingRound.objects.create(
        organisation=Organisation.objects.get(slug="setesdal"),
        year=2026,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 11, 30),
    )


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_registration_form_refuses_a_future_date_and_one_outside_the_period(autumn_round) -> None:  # type: ignore[no-untyped-def]
    c = client_for("ansatt.bykle")
    url = reverse("mapping:entry_create", args=[autumn_round.pk])
    future = c.post(url, {**VALID_ENTRY, "dato": "2026-11-27"})
    assert future.status_code == 200
    assert "Datoen kan ikke være fram i tid (i dag er 25.11.2026)" in _text(future)
    assert PERIOD in _text(future)
    before = c.post(url, {**VALID_ENTRY, "dato": "2026-01-15"})
    assert before.status_code == 200
    assert f"Datoen må være innenfor rundens periode {PERIOD}." in _text(before)
    assert not MappingEntry.objects.filter(round=autumn_round).exists()
    saved = c.post(url, {**VALID_ENTRY, "dato": "2026-11-25"})
    assert saved.status_code == 302
    assert MappingEntry.objects.get(round=autumn_round).assessed_on == TODAY


def test_edit_page_applies_the_same_rule(autumn_round) -> None:  # type: ignore[no-untyped-def]
    bykle = Organisation.objects.get(slug="bykle-helse-rus")
    assert bykle.parent is not None
    entry = MappingEntry.objects.create(
        round=autumn_round,
        municipality=bykle.parent,
        year=2026,
        unit=bykle,
        **entry_values(2026, assessed_on=date(2026, 10, 1)),
    )
    c = client_for("ansatt.bykle")
    url = reverse("mapping:entry_edit", args=[entry.pk])
    for dato in ("2026-11-27", "2026-01-15"):
        response = c.post(url, {**VALID_ENTRY, "unit": str(bykle.pk), "versjon": "1", "dato": dato})
        assert response.status_code == 200 and PERIOD in _text(response)
    entry.refresh_from_db()
    assert entry.assessed_on == date(2026, 10, 1) and entry.version == 1


def test_api_answers_400_for_dates_outside_the_period_or_in_the_future(autumn_round) -> None:  # type: ignore[no-untyped-def]
    c = client_for("ansatt.bykle")
    body = {
        "fodselsaar": 1980,
        "kjonn": "k",
        **{code: "gul" for code in VALID_ENTRY if code in ROW_AREAS},
        "kommunenummer": "4222",
    }
    url = reverse("mapping-entry-create", args=[autumn_round.pk])
    for dato, fragment in (("2026-11-27", "fram i tid"), ("2026-01-15", "innenfor rundens periode")):
        response = c.post(url, {**body, "dato": dato}, content_type="application/json")
        assert response.status_code == 400, response.content
        assert fragment in response.json()["dato"][0] and PERIOD in response.json()["dato"][0]
    created = c.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    entry = MappingEntry.objects.get(pk=created.json()["id"])
    assert entry.assessed_on == TODAY  # no date given: today
    patch = client_for("ansatt.bykle").patch(
        reverse("mapping-entry-detail", args=[entry.pk]),
        {"versjon": 1, "dato": "2026-12-01"},
        content_type="application/json",
    )
    assert patch.status_code == 400 and PERIOD in patch.json()["dato"][0]


ROW_AREAS = {
    "bolig",
    "meningsfull_aktivitet",
    "okonomi",
    "fysisk_helse",
    "psykisk_helse",
    "rusmiddelbruk",
    "sosial_fungering",
    "sosialt_nettverk",
}


def test_import_names_the_row_with_a_bad_date_and_imports_nothing(autumn_round) -> None:  # type: ignore[no-untyped-def]
    header = "fodselsaar,kjonn,bolig,meningsfull_aktivitet,okonomi,fysisk_helse,psykisk_helse,rusmiddelbruk,"
    header += "sosial_fungering,sosialt_nettverk,dato,kommunenummer"
    content = csv_bytes(
        f"{ROW},2026-10-01,4222",
        f"{ROW},2026-11-27,4222",
        f"{ROW},2026-01-15,4222",
        f"{ROW},,4222",
        header=header,
    )
    job = services.import_request(
        actor=None, mapping_round=autumn_round, municipality=None, filename="fil.csv", content=content
    )
    text = "\n".join(job.errors)
    assert job.imported == 0, text
    assert "Linje 3, dato: Datoen kan ikke være fram i tid" in text
    assert f"Linje 4, dato: Datoen må være innenfor rundens periode {PERIOD}." in text
    assert "Linje 2" not in text and "Linje 5" not in text
    assert not MappingEntry.objects.filter(round=autumn_round).exists()


def test_import_without_dates_gets_today_or_the_last_day(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    freeze_today(monkeypatch, date(2027, 2, 1))
    mapping_round = MappingRound.objects.create(
        organisation=Organisation.objects.get(kommunenummer="4219", kind="municipality"),
        year=2026,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 11, 30),
    )
    job = services.import_request(
        actor=None, mapping_round=mapping_round, municipality=None, filename="f.csv", content=csv_bytes(ROW)
    )
    assert job.imported == 1, job.errors
    assert MappingEntry.objects.get(round=mapping_round).assessed_on == date(2026, 11, 30)


# ---------------------------------------------------------------------------------------------
# The round's period lies in its year
# ---------------------------------------------------------------------------------------------


def test_round_period_in_another_year_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    c = client_for("planlegger.osterdalen")
    response = c.post(
        reverse("mapping:round_create"), {"year": "2027", "starts_on": "2025-09-01", "ends_on": "2025-11-30"}
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Perioden må ligge i kartleggingsåret 2027 (01.09.2025 er i 2025)." in page
    assert "Perioden må ligge i kartleggingsåret 2027 (30.11.2025 er i 2025)." in page
    assert not MappingRound.objects.filter(year=2027).exists()
    # A period over the new year is refused too: the entries would be counted in a year they are not in.
    evje = Organisation.objects.get(kommunenummer="4219", kind="municipality")
    with pytest.raises(ValidationError) as refused:
        services.round_create(
            actor=None, organisation=evje, year=2026, starts_on=date(2026, 12, 1), ends_on=date(2027, 1, 31)
        )
    assert set(refused.value.message_dict) == {"ends_on"}
    created = c.post(
        reverse("mapping:round_create"), {"year": "2027", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
    )
    assert created.status_code == 302


# ---------------------------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------------------------


def test_demo_dates_lie_in_their_round_and_not_after_today(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mestring.mapping import demo

    freeze_today(monkeypatch, TODAY)
    demo.load(world)
    entries = MappingEntry.objects.filter(source="demo").select_related("round")
    assert entries.exists()
    for entry in entries:
        assert entry.round.starts_on <= entry.assessed_on <= min(entry.round.ends_on, TODAY), (
            entry.assessed_on
        )
    assert entries.filter(assessed_on=date(2026, 11, 25)).count() < entries.filter(year=2026).count() / 10
    # Rows an earlier loader dated after today are moved back on the next load.
    late = entries.filter(year=2026).first()
    assert late is not None
    MappingEntry.objects.filter(pk=late.pk).update(assessed_on=date(2026, 11, 28))
    demo.load(world)
    late.refresh_from_db()
    assert late.assessed_on == TODAY
