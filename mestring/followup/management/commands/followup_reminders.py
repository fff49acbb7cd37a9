"""Queues the daily reminder scan (overdue plan reviews and measures). Run from cron; `db_worker` sends."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mestring.followup.tasks import scan_reminders


class Command(BaseCommand):
    help = "Legger påminnelser om forfalte evalueringer og tiltak i køen (sendes av db_worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Kjør med en gang i stedet for å legge i kø.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            count = scan_reminders.call()
            self.stdout.write(f"Nye påminnelser: {count}")
        else:
            result = scan_reminders.enqueue()
            self.stdout.write(f"Lagt i kø: {result.id}")
