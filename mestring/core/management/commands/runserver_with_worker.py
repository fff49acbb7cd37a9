"""Runs the development server with a background-task worker (django-tasks database backend) and the daily
job scheduler (`run_schedule --loop`)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Starter utviklingsserveren, en bakgrunnsarbeider for oppgaver og planleggeren for daglige jobber."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        helpers = [
            subprocess.Popen([sys.executable, "manage.py", "db_worker"]),
            subprocess.Popen([sys.executable, "manage.py", "run_schedule", "--loop"]),
        ]
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            for process in helpers:
                process.terminate()
            for process in helpers:
                process.wait(timeout=10)
