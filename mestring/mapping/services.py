"""Every write of the mapping app: keyword-only, typed, one transaction each."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mestring.accounts.models import User
from mestring.core.errors import StaleEditError
from mestring.mapping import cube
from mestring.mapping.models import (
    EntryChange,
    EntrySource,
    ImportJob,
    MappingEntry,
    MappingRound,
    RoundStaffTarget,
    RoundUnit,
)
from mestring.mapping.validation import (
    ALL_COLUMNS,
    REQUIRED_COLUMNS,
    ParsedEntry,
    entry_columns,
    parse_entry,
)
from mestring.organisations.models import Organisation
from mestring.organisations.selectors import current_member_ids

Kind = Organisation.Kind
MAX_IMPORT_ROWS = 2_000_000
MAX_ERRORS_SHOWN = 200
INLINE_IMPORT_BYTES = 100_000
"""Files up to this size are imported during the request; larger ones by the background worker."""


def round_municipality_ids(mapping_round: MappingRound) -> set[int]:
    """The municipalities a round covers: its municipality, or the cooperation's current members."""
    organisation = mapping_round.organisation
    if organisation.kind == Kind.COOPERATION:
        return current_member_ids(organisation)
    return {organisation.pk}


# ---------------------------------------------------------------------------------------------
# Rounds
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: User | None,
    organisation: Organisation,
    year: int,
    starts_on: date,
    ends_on: date,
    units: Mapping[Organisation, int] | None = None,
    staff: Mapping[User, int] | None = None,
    note: str = "",
) -> MappingRound:
    if organisation.kind not in (Kind.MUNICIPALITY, Kind.COOPERATION):
        raise ValidationError(
            _("En kartleggingsrunde hører til en kommune eller et interkommunalt samarbeid.")
        )
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Året må være mellom 2000 og 2100.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("Sluttdatoen kan ikke være før startdatoen.")})
    # The round is the statistical year: every entry is counted (and its age computed) in `year`, and
    # its date must lie in the period, so the whole period lies in that year.
    errors: dict[str, str] = {}
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day.year != year:
            errors[name] = _("Perioden må ligge i kartleggingsåret %(year)s (%(day)s er i %(other)s).") % {
                "year": year,
                "day": day.strftime("%d.%m.%Y"),
                "other": day.year,
            }
    if errors:
        raise ValidationError(errors)
    if MappingRound.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError(
            {
                "year": _("%(org)s har allerede en kartleggingsrunde for %(year)s.")
                % {"org": organisation.name, "year": year}
            }
        )
    mapping_round = MappingRound.objects.create(
        organisation=organisation,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        created_by=actor,
    )
    covered = round_municipality_ids(mapping_round)
    for unit, expected in (units or {}).items():
        if unit.kind != Kind.UNIT or unit.parent_id not in covered:
            raise ValidationError(_("Enheten %(unit)s hører ikke til runden.") % {"unit": unit.name})
        RoundUnit.objects.create(round=mapping_round, unit=unit, expected=max(0, int(expected)))
    for user, expected in (staff or {}).items():
        RoundStaffTarget.objects.create(round=mapping_round, user=user, expected=max(0, int(expected)))
    return mapping_round


@transaction.atomic
def round_close(*, actor: User | None, mapping_round: MappingRound) -> MappingRound:
    locked = MappingRound.objects.select_for_update().get(pk=mapping_round.pk)
    if not locked.is_open:
        raise ValidationError(_("Runden er allerede avsluttet."))
    locked.status = MappingRound.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    return locked


# ---------------------------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------------------------


def _check_open(mapping_round: MappingRound) -> None:
    if not mapping_round.is_open:
        raise ValidationError(_("Runden er avsluttet; nye kartlegginger kan ikke legges inn."))


def _resolve_municipality(mapping_round: MappingRound, municipality: Organisation | None) -> Organisation:
    covered = round_municipality_ids(mapping_round)
    if municipality is None:
        if mapping_round.organisation.kind == Kind.MUNICIPALITY:
            return mapping_round.organisation
        raise ValidationError({"municipality": _("Velg hvilken kommune personen bor i.")})
    if municipality.pk not in covered:
        raise ValidationError({"municipality": _("Kommunen er ikke med i denne runden.")})
    return municipality


def _check_entry_unit(
    unit: Organisation | None, municipality: Organisation, *, kept: int | None = None
) -> None:
    """The assessing unit belongs to the municipality and is not closed (an entry may keep its own unit,
    `kept`, closed since)."""
    if unit is None:
        return
    if unit.kind != Kind.UNIT or unit.parent_id != municipality.pk:
        raise ValidationError({"unit": _("Enheten hører ikke til kommunen.")})
    if not unit.is_active and unit.pk != kept:
        raise ValidationError({"unit": _("Enheten er lagt ned.")})


@transaction.atomic
def entry_create(
    *,
    actor: User | None,
    mapping_round: MappingRound,
    raw: Mapping[str, Any],
    municipality: Organisation | None = None,
    unit: Organisation | None = None,
    source: str = EntrySource.ANONYMOUS,
    person_id: int | None = None,
) -> MappingEntry:
    """Validate and store one mapping. `raw` uses the import column names (see README)."""
    _check_open(mapping_round)
    municipality = _resolve_municipality(mapping_round, municipality)
    _check_entry_unit(unit, municipality)
    values = _parsed_values(raw, mapping_round=mapping_round)
    entry = MappingEntry.objects.create(
        round=mapping_round,
        municipality=municipality,
        year=mapping_round.year,
        unit=unit,
        assessed_by=actor,
        source=source,
        person_id=person_id,
        **values,
    )
    if person_id is not None:
        _record_person_change(actor=actor, person_id=person_id, entry=entry)
    return entry


def _parse(raw: Mapping[str, Any], *, mapping_round: MappingRound, today: date | None = None) -> ParsedEntry:
    """One mapping validated for the round: its year, its period, not after today."""
    return parse_entry(
        raw,
        year=mapping_round.year,
        period=(mapping_round.starts_on, mapping_round.ends_on),
        today=today or timezone.localdate(),
    )


def _parsed_values(raw: Mapping[str, Any], *, mapping_round: MappingRound) -> dict[str, Any]:
    """The model values of one mapping, or a ValidationError with Norwegian messages per column."""
    parsed = _parse(raw, mapping_round=mapping_round)
    if not parsed.ok:
        errors: dict[str, list[str]] = {}
        for column, message in parsed.errors:
            errors.setdefault(column, []).append(message)
        raise ValidationError(errors)
    return dict(parsed.values)


def _record_person_change(*, actor: User | None, person_id: int, entry: MappingEntry) -> None:
    """A person-linked entry goes into the person's change history (audit app, when present)."""
    try:
        from mestring.audit.services import record_change
        from mestring.people.models import Person
    except ImportError:  # pragma: no cover - both apps are part of the project
        return
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError(_("Fant ikke personen."))
    record_change(
        user=actor,
        person=person,
        obj=entry,
        action="created",
        changes={
            "kartleggingsrunde": [None, str(entry.round)],
            "antall_røde_områder": [None, entry.red_count],
        },
    )


# ---------------------------------------------------------------------------------------------
# Corrections: edit and delete an entry while its round is open
# ---------------------------------------------------------------------------------------------


class StaleEntryError(StaleEditError):
    """Someone changed or deleted the entry after this edit started. Nothing was written."""

    message = gettext_lazy(
        "Noen andre har endret eller slettet denne kartleggingen mens du redigerte. Ingenting av det "
        "du skrev er lagret. Last siden på nytt og gjør endringen igjen."
    )


def _lock_for_correction(entry: MappingEntry, expected_version: int | None) -> MappingEntry:
    """Lock the round (a concurrent close waits) and the entry; refuse a closed round or a stale version."""
    mapping_round = MappingRound.objects.select_for_update().get(pk=entry.round_id)
    if not mapping_round.is_open:
        raise ValidationError(_("Runden er avsluttet; kartlegginger kan ikke endres eller slettes."))
    current = MappingEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if current is None or (expected_version is not None and current.version != expected_version):
        raise StaleEntryError()
    current.round = mapping_round
    return current


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _log_correction(
    *, actor: User | None, entry: MappingEntry, action: str, changes: dict[str, list[Any]]
) -> None:
    """Write the correction to the round's trail and, for a person-linked entry, to the person's history."""
    EntryChange.objects.create(
        round_id=entry.round_id,
        entry_id=entry.pk,
        user=actor,
        action=action,
        changes=changes,
    )
    if entry.person_id is None:
        return
    from mestring.audit.services import record_change
    from mestring.people.models import Person

    person = Person.objects.filter(pk=entry.person_id).first()
    if person is not None:
        record_change(user=actor, person=person, obj=entry, action=action, changes=changes)


@transaction.atomic
def entry_update(
    *,
    actor: User | None,
    entry: MappingEntry,
    raw: Mapping[str, Any],
    municipality: Organisation | None = None,
    unit: Organisation | None = None,
    expected_version: int | None = None,
) -> MappingEntry:
    """Correct an entry with the same validation as `entry_create`; `raw` is the whole mapping (import
    column names). Writes the audit trail and marks the year's report cube stale."""
    current = _lock_for_correction(entry, expected_version)
    mapping_round = current.round
    municipality = _resolve_municipality(mapping_round, municipality or current.municipality)
    _check_entry_unit(unit, municipality, kept=current.unit_id)
    values: dict[str, Any] = {
        **_parsed_values(raw, mapping_round=mapping_round),
        "municipality_id": municipality.pk,
        "unit_id": unit.pk if unit is not None else None,
    }
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(current, name)
        if old != value:
            changes[name] = [_json(old), _json(value)]
            setattr(current, name, value)
    if not changes:
        return current
    current.version += 1
    current.updated_at = timezone.now()
    current.updated_by = actor
    current.save(update_fields=[*values, "version", "updated_at", "updated_by"])
    _log_correction(actor=actor, entry=current, action=EntryChange.Action.CHANGED, changes=changes)
    cube.invalidate([current.year])
    return current


@transaction.atomic
def entry_delete(*, actor: User | None, entry: MappingEntry, expected_version: int | None = None) -> None:
    """Delete an entry typed in error (the round must be open). The trail keeps what it said."""
    current = _lock_for_correction(entry, expected_version)
    said = {**entry_columns(current), "kommune": current.municipality_id, "enhet": current.unit_id}
    _log_correction(
        actor=actor,
        entry=current,
        action=EntryChange.Action.REMOVED,
        changes={key: [value, None] for key, value in said.items()},
    )
    current.delete()
    cube.invalidate([current.year])


# ---------------------------------------------------------------------------------------------
# Import (CSV or XLSX), all or nothing
# ---------------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, header)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    imported: int
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(content: bytes, filename: str) -> list[dict[str, Any]]:
    """The file's rows as dicts keyed by lower-cased header names; raises ImportFileError."""
    lines = _xlsx_lines(content) if filename.lower().endswith(".xlsx") else _csv_lines(content)
    if not lines or not any(str(c or "").strip() for c in lines[0]):
        raise ImportFileError([_("Filen er tom eller mangler overskriftslinje.")])
    header = [str(c or "").strip().lower() for c in lines[0]]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(_("Disse kolonnene mangler i overskriften: %(c)s.") % {"c": ", ".join(missing)})
    unknown = [c for c in header if c and c not in ALL_COLUMNS]
    if unknown:
        problems.append(
            _("Ukjente kolonner: %(c)s. Se listen over kolonner i veiledningen.") % {"c": ", ".join(unknown)}
        )
    duplicates = sorted({c for c in header if c and header.count(c) > 1})
    if duplicates:
        problems.append(_("Kolonnene står mer enn én gang: %(c)s.") % {"c": ", ".join(duplicates)})
    if problems:
        raise ImportFileError(problems)
    body = [line for line in lines[1:] if any(str(c if c is not None else "").strip() for c in line)]
    if not body:
        raise ImportFileError([_("Filen har ingen rader med kartlegginger.")])
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportFileError([_("Filen har for mange rader (over %(n)s).") % {"n": MAX_IMPORT_ROWS}])
    rows: list[dict[str, Any]] = []
    for line in lines[1:]:
        if not any(str(c if c is not None else "").strip() for c in line):
            rows.append({})  # keep line numbers right; blank lines are skipped later
            continue
        rows.append({name: (line[i] if i < len(line) else None) for i, name in enumerate(header) if name})
    return rows


def _csv_lines(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError([_("Filen er ikke UTF-8. Lagre den som «CSV UTF-8» og prøv igjen.")]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(line) for line in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_lines(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError([_("Filen kunne ikke leses som et Excel-ark (.xlsx).")]) from None
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _unit_lookup(municipality_ids: Iterable[int]) -> dict[tuple[int, str], Organisation]:
    lookup: dict[tuple[int, str], Organisation] = {}
    for unit in Organisation.objects.filter(kind=Kind.UNIT, parent_id__in=list(municipality_ids)):
        assert unit.parent_id is not None
        lookup[(unit.parent_id, unit.slug.lower())] = unit
        lookup[(unit.parent_id, unit.name.lower())] = unit
    return lookup


def import_rows(
    *,
    actor: User | None,
    mapping_round: MappingRound,
    municipality: Organisation | None,
    rows: list[dict[str, Any]],
    job: ImportJob | None = None,
    progress_every: int = 1000,
) -> ImportResult:
    """Validate every row; store all of them in one transaction only if none has an error."""
    _check_open(mapping_round)
    covered = round_municipality_ids(mapping_round)
    members = {
        o.kommunenummer: o for o in Organisation.objects.filter(pk__in=covered, kind=Kind.MUNICIPALITY)
    }
    if municipality is not None and municipality.pk not in covered:
        raise ImportFileError([_("Kommunen er ikke med i denne runden.")])
    units = _unit_lookup(covered)
    errors: list[str] = []
    error_count = 0
    entries: list[MappingEntry] = []
    today = timezone.localdate()
    for index, raw in enumerate(rows):
        line = index + 2
        if job is not None and index and index % progress_every == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=index)
        if not raw:
            continue
        parsed = _parse(raw, mapping_round=mapping_round, today=today)
        row_municipality = municipality
        if parsed.kommunenummer:
            row_municipality = members.get(parsed.kommunenummer)
            if row_municipality is None:
                parsed.errors.append(
                    (
                        "kommunenummer",
                        _("Kommunenummer %(k)s er ikke med i runden.") % {"k": parsed.kommunenummer},
                    )
                )
            elif municipality is not None and row_municipality != municipality:
                # The municipality is in the round, but the file was imported for another one.
                parsed.errors.append(
                    (
                        "kommunenummer",
                        _(
                            "Kommunenummer %(k)s (%(name)s) er ikke kommunen du valgte for importen "
                            "(%(chosen)s). Velg riktig kommune, eller la feltet stå tomt."
                        )
                        % {
                            "k": parsed.kommunenummer,
                            "name": row_municipality.name,
                            "chosen": municipality.name,
                        },
                    )
                )
        elif municipality is None:
            if mapping_round.organisation.kind == Kind.MUNICIPALITY:
                row_municipality = mapping_round.organisation
            else:
                parsed.errors.append(
                    ("kommunenummer", _("Kommunenummer mangler (runden gjelder flere kommuner)."))
                )
        unit = None
        if parsed.unit_ref and row_municipality is not None:
            unit = units.get((row_municipality.pk, parsed.unit_ref.lower()))
            if unit is None:
                parsed.errors.append(
                    ("enhet", _("Enheten «%(e)s» finnes ikke i kommunen.") % {"e": parsed.unit_ref})
                )
            elif not unit.is_active:
                parsed.errors.append(("enhet", _("Enheten «%(e)s» er lagt ned.") % {"e": unit.name}))
        if parsed.errors:
            for column, message in parsed.errors:
                error_count += 1
                if len(errors) < MAX_ERRORS_SHOWN:
                    errors.append(
                        _("Linje %(line)s, %(column)s: %(message)s")
                        % {"line": line, "column": column, "message": message}
                    )
            continue
        assert row_municipality is not None
        values = dict(parsed.values)
        entries.append(
            MappingEntry(
                round=mapping_round,
                municipality=row_municipality,
                year=mapping_round.year,
                unit=unit,
                assessed_by=actor,
                source=EntrySource.IMPORT,
                import_job=job,
                **values,
            )
        )
    if error_count > len(errors):
        errors.append(_("… og %(n)s feil til.") % {"n": error_count - len(errors)})
    if errors:
        return ImportResult(imported=0, errors=errors)
    with transaction.atomic():
        MappingEntry.objects.bulk_create(entries, batch_size=2000)
    return ImportResult(imported=len(entries), errors=[])


@transaction.atomic
def import_job_create(
    *,
    actor: User | None,
    mapping_round: MappingRound,
    municipality: Organisation | None,
    filename: str,
    content: bytes,
) -> ImportJob:
    _check_open(mapping_round)
    return ImportJob.objects.create(
        round=mapping_round,
        municipality=municipality or mapping_round.organisation,
        filename=filename[:255],
        content=content,
        created_by=actor,
    )


def import_job_run(job_id: int) -> ImportJob:
    """Run an import job (the background task's body). Never raises for bad files: errors go on the job."""
    job = ImportJob.objects.select_related("round", "municipality", "created_by").get(pk=job_id)
    if job.finished:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    municipality = job.municipality if job.municipality.kind == Kind.MUNICIPALITY else None
    try:
        rows = read_rows(bytes(job.content), job.filename)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))
        result = import_rows(
            actor=job.created_by, mapping_round=job.round, municipality=municipality, rows=rows, job=job
        )
        errors = result.errors
        imported = result.imported
    except ImportFileError as exc:
        errors, imported = exc.errors, 0
    except ValidationError as exc:
        errors, imported = exc.messages, 0
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED if errors else ImportJob.Status.DONE,
        errors=errors,
        imported=imported,
        processed_rows=models_total(job.pk),
        finished_at=timezone.now(),
        content=b"" if not errors else job.content,
    )
    job.refresh_from_db()
    return job


def models_total(job_id: int) -> int:
    return ImportJob.objects.filter(pk=job_id).values_list("total_rows", flat=True).first() or 0


def import_request(
    *,
    actor: User | None,
    mapping_round: MappingRound,
    municipality: Organisation | None,
    filename: str,
    content: bytes,
) -> ImportJob:
    """Store the upload, then import it now (small files) or hand it to the background worker."""
    from mestring.mapping.tasks import run_import

    job = import_job_create(
        actor=actor,
        mapping_round=mapping_round,
        municipality=municipality,
        filename=filename,
        content=content,
    )
    if len(content) <= INLINE_IMPORT_BYTES:
        return import_job_run(job.pk)
    run_import.enqueue(job.pk)
    job.refresh_from_db()
    return job
