"""Queues the daily jobs that are due (see `mestring.core.schedule`); `--loop` keeps checking."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from mestring.core import schedule


class Command(BaseCommand):
    help = "Legger daglige jobber (påminnelser, sletting etter lagringstid …) i køen når det er tid for dem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Fortsett å sjekke til prosessen stoppes.")
        parser.add_argument(
            "--interval", type=int, default=60, help="Sekunder mellom hver sjekk (med --loop)."
        )
        parser.add_argument("--list", action="store_true", help="Vis jobbene og når de sist ble lagt i kø.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self.list_jobs()
            return
        while True:
            for name in schedule.run_due():
                self.stdout.write(f"Lagt i kø: {name}")
            if not options["loop"]:
                return
            close_old_connections()
            time.sleep(max(options["interval"], 1))

    def list_jobs(self) -> None:
        last = schedule.last_runs()
        for job in schedule.daily_jobs():
            run = last.get(job.name)
            when = f"sist lagt i kø {run.day:%d.%m.%Y}" if run else "ikke kjørt ennå"
            self.stdout.write(f"{job.at:%H:%M}  {job.name}: {job.label} ({when})")
