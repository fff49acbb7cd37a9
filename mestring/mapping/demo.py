"""Synthetic, anonymous mapping rows for the demo municipalities, 2024–2026. Deterministic and idempotent.

Every municipality in the frame gets a round per year (the Setesdal cooperation runs 2026 for its four
members); sizes follow the population, so large municipalities show figures and the small ones in Setesdal
show many ":" cells. Nobody here exists.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.core.world import SETESDAL, World
from mestring.mapping.areas import AREA_CODES, Phase
from mestring.mapping.catalog import SERVICE_CODES, age_group
from mestring.mapping.models import EntrySource, MappingEntry, MappingRound, RoundStaffTarget, RoundUnit
from mestring.organisations.models import MunicipalityFrame, Organisation

YEARS = (2024, 2025, 2026)
RATE = 0.01
MIN_ROWS, MAX_ROWS = 6, 300


def rows_for(population: int) -> int:
    return max(MIN_ROWS, min(MAX_ROWS, round(population * RATE)))


def synthetic_values(
    rng: random.Random, year: int, *, period: tuple[date, date] | None = None
) -> dict[str, Any]:
    """One invented person's mapping: a latent severity drives the areas, services and flags. The date
    lies in `period` (first and last allowed day, see `entry_period`)."""
    severity = rng.betavariate(2, 3)
    values: dict[str, Any] = {}
    red = 0
    for code in AREA_CODES:
        bias = {"rusmiddelbruk": 0.15, "psykisk_helse": 0.1, "okonomi": 0.05}.get(code, 0.0)
        x = severity + bias + rng.uniform(-0.35, 0.35)
        rating = "rod" if x > 0.65 else "gul" if x > 0.35 else "gronn"
        values[code] = rating
        red += rating == "rod"
    values["red_count"] = red
    age = min(90, max(16, int(rng.gauss(40, 13))))
    values["birth_year"] = year - age
    values["age_group"] = age_group(age)
    values["gender"] = "m" if rng.random() < 0.62 else "k"
    for code in SERVICE_CODES:
        needed = rng.random() < 0.25 + 0.5 * severity
        values[f"needed_{code}"] = needed
        values[f"received_{code}"] = rng.random() < (0.7 if needed else 0.12)
    values["has_ip"] = rng.random() < 0.1 + 0.3 * severity
    values["has_coordinator"] = values["has_ip"] or rng.random() < 0.2
    values["lar"] = rng.random() < 0.08 + 0.1 * severity
    values["has_minor_children"] = rng.random() < 0.22
    values["phase"] = rng.choice([p.value for p in Phase] + [""])
    drawn = date(year, rng.randint(9, 11), rng.randint(1, 28))
    first, last = period or (date(year, 9, 1), date(year, 11, 30))
    if not first <= drawn <= last:
        # Fold the drawn day into the allowed days (keeps the random sequence, so the figures stay).
        drawn = first + timedelta(days=abs((drawn - first).days) % ((last - first).days + 1))
    values["assessed_on"] = drawn
    return values


def entry_period(mapping_round: MappingRound, today: date) -> tuple[date, date] | None:
    """The days a mapping in the round may carry: its period, not after today (None before it begins)."""
    last = min(mapping_round.ends_on, today)
    return (mapping_round.starts_on, last) if last >= mapping_round.starts_on else None


def _round(organisation: Organisation, year: int) -> MappingRound:
    mapping_round, _created = MappingRound.objects.get_or_create(
        organisation=organisation,
        year=year,
        defaults={
            "starts_on": date(year, 9, 1),
            "ends_on": date(year, 11, 30),
            "status": MappingRound.Status.OPEN if year == YEARS[-1] else MappingRound.Status.CLOSED,
        },
    )
    return mapping_round


@transaction.atomic
def load(world: World) -> None:
    frame = {row.kommunenummer: row for row in MunicipalityFrame.objects.filter(year=max(YEARS))}
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, kommunenummer__in=frame)
    units_by_municipality: dict[int, list[Organisation]] = {}
    for known_unit in Organisation.objects.filter(kind=Organisation.Kind.UNIT, parent__in=municipalities):
        assert known_unit.parent_id is not None
        units_by_municipality.setdefault(known_unit.parent_id, []).append(known_unit)
    staff_by_unit: dict[int, list[Any]] = {}
    for membership in Membership.objects.filter(organisation__kind=Organisation.Kind.UNIT).select_related(
        "user"
    ):
        if membership.can(Perm.MAPPING_ENTER):
            staff_by_unit.setdefault(membership.organisation_id, []).append(membership.user)
    setesdal = world.orgs.get("setesdal")
    today = timezone.localdate()
    new_entries: list[MappingEntry] = []
    for municipality in municipalities.order_by("kommunenummer"):
        population = frame[municipality.kommunenummer].population
        for year in YEARS:
            owner = (
                setesdal
                if (setesdal and year == YEARS[-1] and municipality.kommunenummer in SETESDAL)
                else None
            )
            mapping_round = _round(owner or municipality, year)
            period = entry_period(mapping_round, today)
            demo_rows = MappingEntry.objects.filter(
                round=mapping_round, municipality=municipality, source=EntrySource.DEMO
            )
            if demo_rows.exists():
                # Demo data loaded by an earlier version could carry days after today or outside the
                # round; move those to the last allowed day (assessed_on is not in the report cube).
                if period is not None:
                    demo_rows.filter(assessed_on__gt=period[1]).update(assessed_on=period[1])
                    demo_rows.filter(assessed_on__lt=period[0]).update(assessed_on=period[0])
                continue
            rng = random.Random(f"mestring-demo-{municipality.kommunenummer}-{year}")
            count = rows_for(population)
            units = units_by_municipality.get(municipality.pk, [])
            for round_unit in units:
                RoundUnit.objects.get_or_create(
                    round=mapping_round, unit=round_unit, defaults={"expected": count // len(units) + 3}
                )
                for user in staff_by_unit.get(round_unit.pk, []):
                    RoundStaffTarget.objects.get_or_create(
                        round=mapping_round, user=user, defaults={"expected": max(2, count // 4)}
                    )
            if period is None:
                continue  # the round has not begun: nothing can be mapped yet
            for _index in range(count):
                unit: Organisation | None = rng.choice(units) if units else None
                staff = staff_by_unit.get(unit.pk, []) if unit else []
                new_entries.append(
                    MappingEntry(
                        round=mapping_round,
                        municipality=municipality,
                        year=year,
                        unit=unit,
                        assessed_by=rng.choice(staff) if staff and rng.random() < 0.6 else None,
                        source=EntrySource.DEMO,
                        **synthetic_values(rng, year, period=period),
                    )
                )
    MappingEntry.objects.bulk_create(new_entries, batch_size=2000)
