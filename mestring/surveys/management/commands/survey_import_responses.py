"""Import answers for a national survey from CSV: one row per municipality, `kommunenummer` plus one column
per variable. All or nothing: any bad row gives a line-by-line report, exit code 1 and nothing imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mestring.surveys import services
from mestring.surveys.models import NationalSurvey


class Command(BaseCommand):
    help = "Importerer svar (CSV, én rad per kommune) til en nasjonal undersøkelse. Alt eller ingenting."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        survey = NationalSurvey.objects.filter(slug=options["slug"]).first()
        if survey is None:
            raise CommandError(f"Finner ingen undersøkelse med kortnavnet {options['slug']}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Finner ikke filen {path}.")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError("Filen må være UTF-8.") from None
        report = services.responses_import(survey=survey, text=text)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} feil; ingenting er importert.")
        self.stdout.write(self.style.SUCCESS(f"{report.imported} svar er importert til {survey.slug}."))
