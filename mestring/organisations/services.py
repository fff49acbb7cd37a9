"""Writes to the organisation structure. Each service runs in one transaction."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mestring.audit.services import record_admin_change
from mestring.organisations.models import (
    BUILTIN_GROUP_SETS,
    CooperationMember,
    GroupSet,
    GroupSetMember,
    HealthRegion,
    MunicipalityFrame,
    Organisation,
    SteeringGroupMember,
)

if TYPE_CHECKING:
    from mestring.accounts.models import Membership

FRAME_COLUMNS = ["kommunenummer", "navn", "fylke", "helseregion", "kostragruppe", "innbyggere"]
_KNR = re.compile(r"^[0-9]{4}$")
_DIGITS = re.compile(r"^[0-9]{1,9}$")


@dataclass
class FrameRow:
    line: int
    kommunenummer: str
    name: str
    fylke: str
    helseregion: str
    kostragruppe: str
    population: int


@dataclass
class ImportReport:
    """Outcome of an all-or-nothing import: either rows were written, or errors say why none were."""

    errors: list[str] = field(default_factory=list)
    imported: int = 0  # frame rows written
    created: int = 0  # numbers new in the year's frame
    updated: int = 0  # numbers whose row changed (name, county, region, KOSTRA group or population)
    unchanged: int = 0  # numbers whose row is as before
    removed: int = 0  # numbers in the year's old frame that the file leaves out
    organisations_created: int = 0  # municipality organisations created
    organisations_renamed: int = 0  # municipality organisations renamed because the frame says so

    @property
    def ok(self) -> bool:
        return not self.errors


class FrameImportError(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("\n".join(report.errors))
        self.report = report


RESERVED_SLUGS = {"kommuner", "grupperinger", "ny", "api", "konto"}


def unique_slug(base: str, model: type[models.Model] = Organisation) -> str:
    root = slugify(base.replace("æ", "ae").replace("ø", "o").replace("å", "a"))[:70] or "org"
    slug, n = root, 2
    while slug in RESERVED_SLUGS or model._default_manager.filter(slug=slug).exists():
        slug, n = f"{root}-{n}", n + 1
    return slug


def _parse_frame_row(line: int, raw: dict[str, str], seen: set[str], errors: list[str]) -> FrameRow | None:
    values = {key: (raw.get(key) or "").strip() for key in FRAME_COLUMNS}
    row_errors: list[str] = []
    knr = values["kommunenummer"]
    if not _KNR.match(knr):
        row_errors.append(_("kommunenummer «%(v)s» må være fire sifre") % {"v": knr})
    elif knr in seen:
        row_errors.append(_("kommunenummer %(v)s står mer enn én gang i filen") % {"v": knr})
    if not values["navn"]:
        row_errors.append(_("navn mangler"))
    if not values["fylke"]:
        row_errors.append(_("fylke mangler"))
    if values["helseregion"] not in HealthRegion.values:
        row_errors.append(
            _("ukjent helseregion «%(v)s» (gyldige: %(valid)s)")
            % {"v": values["helseregion"], "valid": ", ".join(HealthRegion.values)}
        )
    population_text = values["innbyggere"].replace(" ", "").replace("\u00a0", "")
    if not _DIGITS.match(population_text):
        row_errors.append(
            _("innbyggere «%(v)s» må være et heltall som ikke er negativt") % {"v": values["innbyggere"]}
        )
    if row_errors:
        errors.extend(_("Linje %(line)d: %(msg)s") % {"line": line, "msg": msg} for msg in row_errors)
        return None
    seen.add(knr)
    return FrameRow(
        line=line,
        kommunenummer=knr,
        name=values["navn"],
        fylke=values["fylke"],
        helseregion=values["helseregion"],
        kostragruppe=values["kostragruppe"],
        population=int(population_text),
    )


def parse_frame_csv(text: str) -> tuple[list[FrameRow], list[str]]:
    """Parse and validate the whole file first; nothing is written while there is an error."""
    errors: list[str] = []
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    # Norwegian Excel saves "CSV" with semicolons; accept both.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in FRAME_COLUMNS if name not in header]
    if missing:
        return [], [
            _("Linje 1: overskriften mangler kolonnene %(cols)s (forventet: %(expected)s)")
            % {"cols": ", ".join(missing), "expected": ",".join(FRAME_COLUMNS)}
        ]
    reader.fieldnames = header
    rows: list[FrameRow] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(_("Linje %(line)d: for mange felt") % {"line": line})
            continue
        if not any((value or "").strip() for value in raw.values()):
            continue
        parsed = _parse_frame_row(line, raw, seen, errors)
        if parsed:
            rows.append(parsed)
    if not rows and not errors:
        errors.append(_("Filen inneholder ingen kommuner."))
    return rows, errors


def frame_year_check(year: int) -> None:
    if not 1900 <= year <= 2200:
        raise FrameImportError(ImportReport(errors=[_("Året %(y)s er ikke gyldig.") % {"y": year}]))


@transaction.atomic
def frame_import(*, year: int, text: str) -> ImportReport:
    """Replace the municipality frame of `year` with the file's rows (all or nothing), in this process.

    The web page runs the same write as a background job (`mestring.organisations.frame_jobs`).
    """
    frame_year_check(year)
    rows, errors = parse_frame_csv(text)
    if errors:
        raise FrameImportError(ImportReport(errors=errors))
    return frame_rows_write(year=year, rows=rows)


def _frame_values(row: FrameRow | MunicipalityFrame) -> tuple[str, str, str, str, int]:
    return (row.name, row.fylke, row.helseregion, row.kostragruppe, row.population)


@transaction.atomic
def frame_rows_write(*, year: int, rows: list[FrameRow]) -> ImportReport:
    """Replace the frame of `year` with checked rows; count what is new, changed, unchanged and gone.

    Municipality organisations are created for new numbers and renamed when the frame says so.
    """
    frame_year_check(year)
    old = {row.kommunenummer: row for row in MunicipalityFrame.objects.filter(year=year)}
    report = ImportReport(imported=len(rows))
    for row in rows:
        before = old.get(row.kommunenummer)
        if before is None:
            report.created += 1
        elif _frame_values(before) != _frame_values(row):
            report.updated += 1
        else:
            report.unchanged += 1
    report.removed = len(set(old) - {row.kommunenummer for row in rows})
    newest = MunicipalityFrame.objects.aggregate(newest=models.Max("year"))["newest"]
    MunicipalityFrame.objects.filter(year=year).delete()
    MunicipalityFrame.objects.bulk_create(
        MunicipalityFrame(
            year=year,
            kommunenummer=row.kommunenummer,
            name=row.name,
            fylke=row.fylke,
            helseregion=row.helseregion,
            kostragruppe=row.kostragruppe,
            population=row.population,
            valid_from=date(year, 1, 1),
            valid_to=date(year, 12, 31),
        )
        for row in rows
    )
    if newest is not None and year < newest:
        # An older year fills in history only: today's municipalities keep their current names, and numbers
        # that have since been merged away do not come back as organisations.
        ensure_builtin_group_sets()
        return report
    existing = {
        org.kommunenummer: org for org in Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    }
    for row in rows:
        org = existing.get(row.kommunenummer)
        if org is None:
            Organisation.objects.create(
                kind=Organisation.Kind.MUNICIPALITY,
                name=row.name,
                slug=unique_slug(row.name),
                kommunenummer=row.kommunenummer,
            )
            report.organisations_created += 1
        elif org.name != row.name:
            org.name = row.name
            org.save(update_fields=["name"])
            report.organisations_renamed += 1
    ensure_builtin_group_sets()
    return report


def ensure_builtin_group_sets() -> None:
    for slug, name in BUILTIN_GROUP_SETS.items():
        GroupSet.objects.get_or_create(slug=slug, defaults={"name": name, "is_builtin": True})


@transaction.atomic
def unit_create(
    *,
    municipality: Organisation,
    name: str,
    contact_email: str = "",
    address: str = "",
    actor: Membership | None = None,
) -> Organisation:
    """A service unit in `municipality`; logged in the municipality's administration change log."""
    if municipality.kind != Organisation.Kind.MUNICIPALITY:
        raise ValueError("units belong to a municipality")
    unit = Organisation.objects.create(
        kind=Organisation.Kind.UNIT,
        name=name.strip(),
        slug=unique_slug(f"{municipality.name}-{name}"),
        parent=municipality,
        contact_email=contact_email,
        address=address,
    )
    record_admin_change(
        actor=actor,
        organisation=municipality,
        obj=unit,
        action="created",
        changes={
            "name": [None, unit.name],
            "contact_email": [None, unit.contact_email],
            "address": [None, unit.address],
        },
    )
    return unit


@transaction.atomic
def cooperation_create(
    *,
    name: str,
    host: Organisation,
    members: list[Organisation],
    shares_person_data: bool = False,
    members_see_each_other: bool = False,
    contact_email: str = "",
    address: str = "",
    agreement: str = "",
    valid_from: date = date(2000, 1, 1),
    actor: Membership | None = None,
) -> Organisation:
    cooperation = Organisation.objects.create(
        kind=Organisation.Kind.COOPERATION,
        name=name,
        slug=unique_slug(name),
        host=host,
        shares_person_data=shares_person_data,
        members_see_each_other=members_see_each_other,
        contact_email=contact_email,
        address=address,
        agreement=agreement,
    )
    for municipality in members:
        CooperationMember.objects.create(
            cooperation=cooperation, municipality=municipality, valid_from=valid_from
        )
    record_admin_change(
        actor=actor,
        organisation=cooperation,
        obj=cooperation,
        action="created",
        changes={
            "name": [None, cooperation.name],
            "host": [None, host.name],
            "members": [None, [m.name for m in members]],
            "shares_person_data": [None, shares_person_data],
            "members_see_each_other": [None, members_see_each_other],
            "valid_from": [None, valid_from.isoformat()],
        },
    )
    return cooperation


@transaction.atomic
def cooperation_member_add(
    *,
    cooperation: Organisation,
    municipality: Organisation,
    valid_from: date,
    valid_to: date | None = None,
    actor: Membership | None = None,
) -> CooperationMember:
    """Add a membership period; it may not overlap another period of the same municipality."""
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Sluttdatoen kan ikke være før startdatoen.")})
    overlapping = CooperationMember.objects.filter(cooperation=cooperation, municipality=municipality).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    clash = overlapping.order_by("valid_from").first()
    if clash is not None:
        raise ValidationError(
            {
                "municipality": _(
                    "Kommunen er allerede medlem i perioden %(from)s – %(to)s, som overlapper med denne. "
                    "Avslutt eller endre den perioden først."
                )
                % {
                    "from": clash.valid_from.strftime("%d.%m.%Y"),
                    "to": clash.valid_to.strftime("%d.%m.%Y") if clash.valid_to else _("uten sluttdato"),
                }
            }
        )
    member = CooperationMember.objects.create(
        cooperation=cooperation, municipality=municipality, valid_from=valid_from, valid_to=valid_to
    )
    record_admin_change(
        actor=actor,
        organisation=cooperation,
        obj=member,
        action="created",
        changes={
            "municipality": [None, municipality.name],
            "valid_from": [None, valid_from.isoformat()],
            "valid_to": [None, valid_to.isoformat() if valid_to else None],
        },
    )
    return member


@transaction.atomic
def steering_seat_add(
    *,
    cooperation: Organisation,
    title: str,
    municipality: Organisation | None = None,
    holder: str = "",
    actor: Membership | None = None,
) -> SteeringGroupMember:
    seat = SteeringGroupMember.objects.create(
        cooperation=cooperation, title=title, municipality=municipality, holder=holder
    )
    record_admin_change(
        actor=actor,
        organisation=cooperation,
        obj=seat,
        action="created",
        changes={
            "title": [None, title],
            "municipality": [None, municipality.name if municipality else None],
            "holder": [None, holder],
        },
    )
    return seat


def _unit_name_taken(municipality: Organisation, name: str, *, exclude_pk: int | None = None) -> bool:
    units = Organisation.objects.filter(kind=Organisation.Kind.UNIT, parent=municipality, name__iexact=name)
    if exclude_pk is not None:
        units = units.exclude(pk=exclude_pk)
    return units.exists()


@transaction.atomic
def unit_update(
    *,
    unit: Organisation,
    name: str,
    contact_email: str = "",
    address: str = "",
    actor: Membership | None = None,
) -> Organisation:
    """Rename a unit or change its contact details. The slug stays, so links and history keep working."""
    if unit.kind != Organisation.Kind.UNIT:
        raise ValueError("only units are edited here")
    unit = Organisation.objects.select_for_update().get(pk=unit.pk)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enheten må ha et navn.")})
    assert unit.parent is not None
    if _unit_name_taken(unit.parent, name, exclude_pk=unit.pk):
        raise ValidationError({"name": _("Kommunen har allerede en enhet med dette navnet.")})
    new = {"name": name, "contact_email": contact_email.strip(), "address": address.strip()}
    changes = {key: [getattr(unit, key), value] for key, value in new.items() if getattr(unit, key) != value}
    if not changes:
        return unit
    for key, value in new.items():
        setattr(unit, key, value)
    unit.save(update_fields=list(changes))
    record_admin_change(actor=actor, organisation=unit.parent, obj=unit, action="changed", changes=changes)
    return unit


def unit_open_person_count(unit: Organisation, on: date | None = None) -> int:
    """Persons the unit still serves: service relations without an end, or ending on or after `on`."""
    from mestring.people.models import ServiceRelation

    day = on or timezone.localdate()
    return (
        ServiceRelation.objects.filter(unit=unit)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values("person_id")
        .distinct()
        .count()
    )


@transaction.atomic
def unit_close(*, unit: Organisation, actor: Membership | None = None) -> Organisation:
    """Close (lay down) a unit: it leaves the choosers but stays in history and reports.

    Refused while the unit still serves persons; their service relations are never ended from here, so
    nobody's follow-up is cut off silently."""
    if unit.kind != Organisation.Kind.UNIT:
        raise ValueError("only units are closed here")
    unit = Organisation.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError(_("Enheten er allerede lagt ned."))
    served = unit_open_person_count(unit)
    if served:
        raise ValidationError(
            ngettext(
                "Enheten følger fortsatt opp %(n)d person. Flytt personen til en annen enhet under "
                "«Team og tjenester» på personens side før enheten legges ned.",
                "Enheten følger fortsatt opp %(n)d personer. Flytt dem til en annen enhet under "
                "«Team og tjenester» på hver persons side før enheten legges ned.",
                served,
            )
            % {"n": served},
            code="unit_serves_persons",
        )
    unit.is_active = False
    unit.save(update_fields=["is_active"])
    record_admin_change(
        actor=actor,
        organisation=unit.parent,
        obj=unit,
        action="ended",
        changes={"is_active": [True, False], "closed_on": [None, timezone.localdate().isoformat()]},
    )
    return unit


@transaction.atomic
def cooperation_member_end(
    *,
    member: CooperationMember,
    valid_to: date,
    actor: Membership | None = None,
) -> CooperationMember:
    """A member municipality leaves the cooperation: its period ends on `valid_to` (the last day)."""
    member = (
        CooperationMember.objects.select_for_update()
        .select_related("cooperation", "municipality")
        .get(pk=member.pk)
    )
    if valid_to < member.valid_from:
        raise ValidationError(
            {
                "valid_to": _("Sluttdatoen kan ikke være før medlemskapet startet (%(from)s).")
                % {"from": member.valid_from.strftime("%d.%m.%Y")}
            }
        )
    if member.valid_to is not None and valid_to >= member.valid_to:
        raise ValidationError(
            {
                "valid_to": _(
                    "Medlemskapet slutter allerede %(to)s. Velg en tidligere dato for å avslutte det før."
                )
                % {"to": member.valid_to.strftime("%d.%m.%Y")}
            }
        )
    before = member.valid_to
    member.valid_to = valid_to
    member.save(update_fields=["valid_to"])
    record_admin_change(
        actor=actor,
        organisation=member.cooperation,
        obj=member,
        action="ended",
        changes={
            "municipality": [member.municipality.name, member.municipality.name],
            "valid_to": [before.isoformat() if before else None, valid_to.isoformat()],
        },
    )
    return member


@transaction.atomic
def steering_seat_remove(*, seat: SteeringGroupMember, actor: Membership | None = None) -> None:
    """Remove a seat from the steering group; the change log keeps what it was."""
    seat = (
        SteeringGroupMember.objects.select_for_update(of=("self",))
        .select_related("cooperation", "municipality")
        .get(pk=seat.pk)
    )
    record_admin_change(
        actor=actor,
        organisation=seat.cooperation,
        obj=seat,
        action="removed",
        changes={
            "title": [seat.title, None],
            "municipality": [seat.municipality.name if seat.municipality else None, None],
            "holder": [seat.holder, None],
        },
    )
    seat.delete()


@transaction.atomic
def cooperation_agreement_update(
    *,
    cooperation: Organisation,
    members_see_each_other: bool,
    shares_person_data: bool,
    actor: Membership | None = None,
) -> Organisation:
    """Change the agreement flags. `shares_person_data` decides whether the cooperation's shared staff
    work with persons in all member municipalities, so callers confirm that change with the user first."""
    if cooperation.kind != Organisation.Kind.COOPERATION:
        raise ValueError("agreement flags belong to a cooperation")
    cooperation = Organisation.objects.select_for_update().get(pk=cooperation.pk)
    new = {"members_see_each_other": members_see_each_other, "shares_person_data": shares_person_data}
    changes = {
        key: [getattr(cooperation, key), value]
        for key, value in new.items()
        if getattr(cooperation, key) != value
    }
    if not changes:
        return cooperation
    for key, value in new.items():
        setattr(cooperation, key, value)
    cooperation.save(update_fields=list(changes))
    record_admin_change(
        actor=actor, organisation=cooperation, obj=cooperation, action="changed", changes=changes
    )
    return cooperation


def parse_group_lines(text: str, known_numbers: set[str]) -> tuple[dict[str, str], list[str]]:
    """Lines of `kommunenummer;gruppe` (or comma) for a user-defined group set."""
    assignments: dict[str, str] = {}
    errors: list[str] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = re.split(r"[;,\t]", line, maxsplit=1)
        if len(parts) != 2 or not parts[1].strip():
            errors.append(_("Linje %(n)d: skriv «kommunenummer;gruppe»") % {"n": line_no})
            continue
        knr, label = parts[0].strip(), parts[1].strip()
        if knr not in known_numbers:
            errors.append(_("Linje %(n)d: ukjent kommunenummer «%(knr)s»") % {"n": line_no, "knr": knr})
        elif knr in assignments:
            errors.append(_("Linje %(n)d: kommunenummer %(knr)s står to ganger") % {"n": line_no, "knr": knr})
        else:
            assignments[knr] = label
    if not assignments and not errors:
        errors.append(_("Legg inn minst én kommune."))
    return assignments, errors


@transaction.atomic
def group_set_create(
    *,
    name: str,
    owner: Organisation | None,
    assignments: dict[str, str],
    description: str = "",
    actor: Membership | None = None,
) -> GroupSet:
    group_set = GroupSet.objects.create(
        slug=unique_slug(name, GroupSet), name=name, owner=owner, description=description
    )
    GroupSetMember.objects.bulk_create(
        GroupSetMember(group_set=group_set, kommunenummer=knr, label=label)
        for knr, label in assignments.items()
    )
    record_admin_change(
        actor=actor,
        organisation=owner,
        obj=group_set,
        action="created",
        changes={
            "name": [None, group_set.name],
            "description": [None, description],
            "assignments": [None, len(assignments)],
            "groups": [None, sorted(set(assignments.values()))],
        },
    )
    return group_set
