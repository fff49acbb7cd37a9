"""Applies retention to ended person records and the access log, and prints what was removed."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mestring.people.retention import run_retention
from mestring.people.tasks import retention_task


class Command(BaseCommand):
    help = "Sletter eller anonymiserer avsluttede personer etter lagringstiden og rydder gammel tilgangslogg."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Vis hva som ville blitt fjernet.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Legg jobben i køen i stedet for å kjøre nå."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = retention_task.enqueue(dry_run=options["dry_run"])
            self.stdout.write(f"Lagt i kø: {result.id}")
            return
        report = run_retention(dry_run=options["dry_run"])
        prefix = "Prøvekjøring: " if report["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{report['persons_anonymised']} anonymisert, {report['persons_deleted']} slettet, "
            f"{report['access_log_rows_purged']} loggrader fjernet "
            f"({len(report['person_ids'])} personer over lagringstiden)."
        )
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
