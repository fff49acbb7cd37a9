"""Builders for mapping tests and the role matrix. Idempotent: they find what exists."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from mestring.accounts.models import User
from mestring.mapping.models import EntrySource, ImportJob, MappingEntry, MappingRound
from mestring.organisations.models import Organisation

AREAS_GREEN = {
    "bolig": "gronn",
    "meningsfull_aktivitet": "gronn",
    "okonomi": "gronn",
    "fysisk_helse": "gronn",
    "psykisk_helse": "gronn",
    "rusmiddelbruk": "gronn",
    "sosial_fungering": "gronn",
    "sosialt_nettverk": "gronn",
}


def freeze_today(monkeypatch: Any, day: date) -> None:
    """Make `timezone.localdate()` answer `day`: a mapping's date may not be after today."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> date:
        return real(value, timezone) if value is not None else day

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def municipality(knr: str) -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, kommunenummer=knr)


def ensure_round(
    knr: str = "4219", year: int = 2026, *, status: str = MappingRound.Status.OPEN
) -> MappingRound:
    mapping_round, _created = MappingRound.objects.get_or_create(
        organisation=municipality(knr),
        year=year,
        defaults={"starts_on": date(year, 1, 1), "ends_on": date(year, 12, 31), "status": status},
    )
    return mapping_round


def ensure_cooperation_round(slug: str = "setesdal", year: int = 2026) -> MappingRound:
    mapping_round, _created = MappingRound.objects.get_or_create(
        organisation=Organisation.objects.get(slug=slug),
        year=year,
        defaults={"starts_on": date(year, 1, 1), "ends_on": date(year, 12, 31)},
    )
    return mapping_round


def entry_values(year: int, **overrides: Any) -> dict[str, Any]:
    """Model field values of one entry (all green, 40 years old, a woman) with overrides."""
    values: dict[str, Any] = {
        **AREAS_GREEN,
        "birth_year": year - 40,
        "gender": "k",
        "age_group": "35–44",
        "assessed_on": date(year, 6, 1),
    }
    values.update(overrides)
    from mestring.mapping.areas import AREA_CODES

    values["red_count"] = sum(values[code] == "rod" for code in AREA_CODES)
    return values


def add_entries(mapping_round: MappingRound, count: int, *, knr: str | None = None, **overrides: Any) -> None:
    target = municipality(knr) if knr else mapping_round.organisation
    MappingEntry.objects.bulk_create(
        [
            MappingEntry(
                round=mapping_round,
                municipality=target,
                year=mapping_round.year,
                source=EntrySource.DEMO,
                **entry_values(mapping_round.year, **overrides),
            )
            for _i in range(count)
        ]
    )


def ensure_entry(knr: str = "4219", year: int = 2026) -> MappingEntry:
    """An entry in the municipality's round, at Evje's unit, registered by `ansatt.evje` (for the matrix)."""
    mapping_round = ensure_round(knr, year)
    unit = Organisation.objects.get(slug="evje-rus-psykisk-helse")
    user = User.objects.get(username="ansatt.evje")
    entry = MappingEntry.objects.filter(round=mapping_round, unit=unit, assessed_by=user).first()
    if entry is None:
        entry = MappingEntry.objects.create(
            round=mapping_round,
            municipality=mapping_round.organisation,
            year=year,
            unit=unit,
            assessed_by=user,
            **entry_values(year, bolig="rod"),
        )
    return entry


def ensure_import_job(knr: str = "4219", year: int = 2026) -> ImportJob:
    mapping_round = ensure_round(knr, year)
    job = ImportJob.objects.filter(round=mapping_round, filename="matrise.csv").first()
    if job is None:
        job = ImportJob.objects.create(
            round=mapping_round,
            municipality=mapping_round.organisation,
            filename="matrise.csv",
            content=b"",
            status=ImportJob.Status.FAILED,
            errors=["Linje 2, kjonn: Kjønn må være «k» eller «m»."],
        )
    return job


def ensure_report_job(username: str = "forsker.nasjonal", org_slug: str = "nasjonalt-kompetansemiljo") -> Any:
    from mestring.stats.models import ReportJob

    user = User.objects.get(username=username)
    organisation = Organisation.objects.get(slug=org_slug)
    job = ReportJob.objects.filter(requested_by=user, organisation=organisation, kind="mapping.pdf").first()
    if job is None:
        job = ReportJob.objects.create(
            kind="mapping.pdf",
            params={"nasjonalt": "1", "aar": "2026"},
            title="Matrise",
            requested_by=user,
            organisation=organisation,
            status=ReportJob.Status.DONE,
            progress=100,
            result=b"%PDF-1.4 test",
            filename="matrise.pdf",
            content_type="application/pdf",
        )
    return job
