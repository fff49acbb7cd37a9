"""Print the tables the analysis pages show: representativeness by a group set, and frequency tables (or the
crosstab of one question by the group set). Suppressed like the pages."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mestring.surveys import analysis, engine, exports
from mestring.surveys.models import NationalSurvey


class Command(BaseCommand):
    help = "Skriver ut tabeller for en nasjonal undersøkelse (CSV eller Markdown), med prikking."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "--by", required=True, help="Gruppering: befolkningsklasse, kostragruppe, fylke, helseregion …"
        )
        parser.add_argument(
            "--question", default="", help="Krysstabell for dette spørsmålet etter grupperingen."
        )
        parser.add_argument("--format", choices=["csv", "md"], default="md")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = NationalSurvey.objects.filter(slug=options["slug"]).first()
        if survey is None:
            raise CommandError(f"Finner ingen undersøkelse med kortnavnet {options['slug']}.")
        sets = dict(analysis.group_sets())
        if options["by"] not in sets:
            raise CommandError(f"Ukjent gruppering «{options['by']}». Velg en av: {', '.join(sets)}.")
        form = engine.load_form(survey.version)
        tables = [analysis.representativeness(survey, options["by"])]
        question = options["question"]
        if question:
            usable = dict(analysis.crosstab_categories(form))
            if question not in usable:
                raise CommandError(
                    f"Spørsmålet «{question}» kan ikke krysses "
                    f"(bruk et spørsmål med faste svar: {', '.join(usable)})."
                )
            tables.append(
                analysis.survey_crosstab(survey, question=question, by_group_set=options["by"], form=form)
            )
        else:
            tables += analysis.frequency_tables(form, [d for _k, d in analysis.submitted_data(survey)])
        if options["format"] == "csv":
            sys.stdout.flush()
            self.stdout.write(exports.tables_to_csv(tables).decode("utf-8").lstrip("\ufeff"), ending="")
        else:
            self.stdout.write(analysis.published_as_markdown(tables))
