"""Background tasks of the people app (django-tasks)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from mestring.people.retention import run_retention


@task()
def retention_task(dry_run: bool = False) -> dict[str, Any]:
    """Delete or anonymise ended records past the retention period; purge old log rows. Returns the report."""
    return run_retention(dry_run=dry_run)
