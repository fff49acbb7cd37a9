"""The municipality frame import as a background job: check the file now, write it in a task, show progress.

`frame_import_request` checks the whole upload (header and every row) before anything is stored: a bad
file raises `FrameImportError` and nothing is queued. A good file becomes a `FrameImportJob` holding the
checked rows; the task `run_frame_import` checks them again (reporting rows done / total) and replaces the
year's frame in one transaction together with the job's result, so the frame is written all or nothing.
At most one import per year is queued or running: a second one is refused with `FrameImportBusy`.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mestring.accounts.models import User
from mestring.organisations.models import FrameImportJob
from mestring.organisations.services import (
    FrameImportError,
    FrameRow,
    ImportReport,
    _parse_frame_row,
    frame_rows_write,
    frame_year_check,
    parse_frame_csv,
)

logger = logging.getLogger(__name__)

# A job still queued or running this long after upload is taken as abandoned (a stopped worker), so that it
# does not block its year for ever. A whole frame (about 360 rows) imports in seconds.
STALE_AFTER = timedelta(hours=2)
ACTIVE = (FrameImportJob.Status.QUEUED, FrameImportJob.Status.RUNNING)


class FrameImportBusy(Exception):
    """Another import of the same year is queued or running."""

    def __init__(self, year: int, other: FrameImportJob | None) -> None:
        if other is None:
            message = _(
                "Kommunerammen for %(y)s blir allerede importert. "
                "Vent til den importen er ferdig, og prøv igjen."
            ) % {"y": year}
        else:
            who = (
                (other.requested_by.get_full_name() or other.requested_by.username)
                if other.requested_by
                else "–"
            )
            message = _(
                "Kommunerammen for %(y)s blir allerede importert "
                "(filen «%(f)s», lastet opp av %(who)s %(at)s). "
                "Vent til den importen er ferdig, og prøv igjen."
            ) % {
                "y": year,
                "f": other.filename,
                "who": who,
                "at": formats.date_format(timezone.localtime(other.created_at), "j. F Y H:i"),
            }
        super().__init__(message)
        self.other = other


def _row_json(row: FrameRow) -> dict[str, Any]:
    return dataclasses.asdict(row)


def _row_raw(stored: dict[str, Any]) -> dict[str, str]:
    """A stored row back in the file's column names, so that the task checks it with the same parser."""
    return {
        "kommunenummer": str(stored.get("kommunenummer", "")),
        "navn": str(stored.get("name", "")),
        "fylke": str(stored.get("fylke", "")),
        "helseregion": str(stored.get("helseregion", "")),
        "kostragruppe": str(stored.get("kostragruppe", "")),
        "innbyggere": str(stored.get("population", "")),
    }


def _expire_stale(year: int) -> None:
    FrameImportJob.objects.filter(
        year=year, status__in=ACTIVE, created_at__lt=timezone.now() - STALE_AFTER
    ).update(
        status=FrameImportJob.Status.FAILED,
        errors=[_("Importen ble avbrutt (den ble ikke ferdig). Ingenting ble importert.")],
        finished_at=timezone.now(),
    )


@transaction.atomic
def frame_import_job_create(*, actor: User | None, year: int, text: str, filename: str) -> FrameImportJob:
    """Check the whole file and store its rows as a queued job. Raises FrameImportError or FrameImportBusy."""
    frame_year_check(year)
    rows, errors = parse_frame_csv(text)
    if errors:
        raise FrameImportError(ImportReport(errors=errors))
    _expire_stale(year)
    other = FrameImportJob.objects.filter(year=year, status__in=ACTIVE).select_related("requested_by").first()
    if other is not None:
        raise FrameImportBusy(year, other)
    try:
        with transaction.atomic():
            return FrameImportJob.objects.create(
                year=year,
                filename=filename[:255],
                rows=[_row_json(row) for row in rows],
                total_rows=len(rows),
                requested_by=actor,
            )
    except IntegrityError:  # another request queued the same year a moment ago
        raise FrameImportBusy(year, None) from None


def frame_import_request(*, actor: User | None, year: int, text: str, filename: str) -> FrameImportJob:
    """Store the checked upload and hand it to the background worker."""
    from mestring.organisations.tasks import run_frame_import

    job = frame_import_job_create(actor=actor, year=year, text=text, filename=filename)
    try:
        run_frame_import.enqueue(job.pk)
    except Exception:
        _fail(job.pk, [_("Importen kunne ikke legges i kø. Ingenting ble importert. Prøv igjen senere.")])
        raise
    job.refresh_from_db()
    return job


def _fail(job_id: int, errors: list[str]) -> None:
    FrameImportJob.objects.filter(pk=job_id).update(
        status=FrameImportJob.Status.FAILED, errors=errors, finished_at=timezone.now()
    )


def frame_import_job_run(job_id: int, *, progress_every: int | None = None) -> FrameImportJob:
    """The background task's body. Bad rows never raise: their errors go on the job and nothing is written."""
    job = FrameImportJob.objects.get(pk=job_id)
    claimed = FrameImportJob.objects.filter(pk=job.pk, status=FrameImportJob.Status.QUEUED).update(
        status=FrameImportJob.Status.RUNNING,
        started_at=timezone.now(),
        total_rows=len(job.rows),
        processed_rows=0,
    )
    if not claimed:  # run already (a task delivered twice) or given up as stale
        job.refresh_from_db()
        return job
    try:
        _run(job, progress_every=progress_every)
    except Exception:
        logger.exception("frame import job %s failed", job.pk)
        _fail(job.pk, [_("Importen stoppet på grunn av en feil i systemet. Ingenting ble importert.")])
        raise
    job.refresh_from_db()
    return job


def _run(job: FrameImportJob, *, progress_every: int | None) -> None:
    stored: list[dict[str, Any]] = list(job.rows)
    total = len(stored)
    every = progress_every or max(1, total // 20)
    rows: list[FrameRow] = []
    errors: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(stored, start=1):
        parsed = _parse_frame_row(int(item.get("line", index + 1)), _row_raw(item), seen, errors)
        if parsed is not None:
            rows.append(parsed)
        if index % every == 0 and index < total:
            FrameImportJob.objects.filter(pk=job.pk).update(processed_rows=index)
    if not rows and not errors:
        errors.append(_("Filen inneholder ingen kommuner."))
    if errors:
        _fail(job.pk, errors)
        return
    FrameImportJob.objects.filter(pk=job.pk).update(processed_rows=total)
    try:
        with transaction.atomic():
            # The frame and the job's result are committed together; a job given up as stale writes nothing.
            if not FrameImportJob.objects.filter(pk=job.pk, status=FrameImportJob.Status.RUNNING).exists():
                return
            report = frame_rows_write(year=job.year, rows=rows)
            FrameImportJob.objects.filter(pk=job.pk).update(
                status=FrameImportJob.Status.DONE,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                removed=report.removed,
                organisations_created=report.organisations_created,
                organisations_renamed=report.organisations_renamed,
                errors=[],
                rows=[],
                finished_at=timezone.now(),
            )
    except FrameImportError as exc:
        _fail(job.pk, exc.report.errors)
