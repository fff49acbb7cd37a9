"""Report builds in the background, with progress the page polls.

An app registers a builder for a kind of report file::

    register_builder("mapping.pdf", build_mapping_pdf)

A builder is ``builder(job, progress) -> BuiltFile``; call ``progress(percent, message)`` as it goes.
:func:`job_request` stores the job and enqueues :data:`run_report_job` (django-tasks); the page shows
``stats:job_status`` (an htmx fragment that polls until done) and ``stats:job_download``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mestring.accounts.models import Membership
from mestring.stats.models import ReportJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltFile:
    content: bytes
    filename: str
    content_type: str


Progress = Callable[[int, str], None]
Builder = Callable[[ReportJob, Progress], BuiltFile]

_BUILDERS: dict[str, Builder] = {}


def register_builder(kind: str, builder: Builder) -> None:
    _BUILDERS[kind] = builder


def registered_kinds() -> list[str]:
    return sorted(_BUILDERS)


@transaction.atomic
def job_open_or_create(
    *,
    membership: Membership,
    kind: str,
    params: dict[str, Any],
    title: str,
    identity: Collection[str] | None = None,
) -> tuple[ReportJob, bool]:
    """The actor's queued or running job for the same report, or a new one (True when created).

    The same report means the same kind, requester, organisation and parameters (only the `identity` keys
    when given: a parameter such as the data state's cache key may change while the job waits). A queued job
    found that way takes the new parameters and title, so it builds what was asked for last. The actor's
    membership row is locked first, so two requests at once (a double click, two tabs) wait for each other
    and find the same job; SQLite serialises the writing transactions anyway.
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown report kind {kind!r}")
    list(Membership.objects.select_for_update().filter(pk=membership.pk).values_list("pk", flat=True))
    keys = set(params) if identity is None else set(identity)
    wanted = {key: params.get(key) for key in keys}
    open_jobs = ReportJob.objects.select_for_update().filter(
        kind=kind,
        requested_by=membership.user,
        organisation=membership.organisation,
        status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING],
    )
    for job in open_jobs.defer("result").order_by("created_at", "pk"):
        if {key: job.params.get(key) for key in keys} != wanted:
            continue
        if job.status == ReportJob.Status.QUEUED and (job.params != params or job.title != title[:300]):
            job.params, job.title = params, title[:300]
            job.save(update_fields=["params", "title"])
        return job, False
    job = ReportJob.objects.create(
        kind=kind,
        params=params,
        title=title[:300],
        requested_by=membership.user,
        organisation=membership.organisation,
    )
    return job, True


def job_request(
    *,
    membership: Membership,
    kind: str,
    params: dict[str, Any],
    title: str,
    identity: Collection[str] | None = None,
) -> ReportJob:
    """Store a job and hand it to the task backend (the database worker, or inline in tests); a job for the
    same report that is still queued or running is reused instead (see `job_open_or_create`)."""
    job, created = job_open_or_create(
        membership=membership, kind=kind, params=params, title=title, identity=identity
    )
    if created:
        run_report_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _set_progress(job_id: int, percent: int, message: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress=max(0, min(100, percent)), message=message[:300])


def build_job(job_id: int) -> None:
    """Run one job now (the task body; also callable directly)."""
    job = ReportJob.objects.get(pk=job_id)
    if job.finished:
        return
    ReportJob.objects.filter(pk=job_id).update(status=ReportJob.Status.RUNNING, progress=1)
    builder = _BUILDERS.get(job.kind)
    try:
        if builder is None:
            raise ValueError(f"unknown report kind {job.kind!r}")
        built = builder(job, lambda percent, message: _set_progress(job_id, percent, message))
    except Exception:
        logger.exception("report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED,
            progress=100,
            message=_("Rapporten kunne ikke lages. Prøv igjen, eller kontakt brukerstøtte."),
            finished_at=timezone.now(),
        )
        return
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.DONE,
        progress=100,
        message="",
        result=built.content,
        filename=built.filename,
        content_type=built.content_type,
        finished_at=timezone.now(),
    )


@task()
def run_report_job(job_id: int) -> None:
    build_job(job_id)
