"""Background tasks of the mapping app (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    from mestring.mapping.services import import_job_run

    import_job_run(job_id)
