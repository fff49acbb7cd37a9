"""Background tasks of the organisations app (django-tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_frame_import(job_id: int) -> None:
    from mestring.organisations.frame_jobs import frame_import_job_run

    frame_import_job_run(job_id)
