"""Print the mapping report's tables, suppressed exactly as the pages show them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mestring.mapping.reports import (
    Scope,
    build_report,
    cooperation_scope,
    municipality_scope,
    national_scope,
)
from mestring.organisations.models import Organisation
from mestring.stats.render import render_csv, render_markdown


class Command(BaseCommand):
    help = (
        "Skriver ut kartleggingsrapporten (skjermede tabeller): "
        "--municipality KNR | --cooperation SLUG | --national --year ÅÅÅÅ --format csv|md"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--municipality", help="kommunenummer")
        group.add_argument("--cooperation", help="kortnavn (slug) for samarbeidet")
        group.add_argument("--national", action="store_true")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", choices=["csv", "md"], default="md")

    def handle(self, *args: Any, **options: Any) -> None:
        scope: Scope
        if options["municipality"]:
            knr = str(options["municipality"]).strip().zfill(4)
            municipality = Organisation.objects.filter(
                kind=Organisation.Kind.MUNICIPALITY, kommunenummer=knr
            ).first()
            if municipality is None:
                raise CommandError(f"Ukjent kommunenummer {knr}.")
            scope = municipality_scope(municipality)
        elif options["cooperation"]:
            cooperation = Organisation.objects.filter(
                kind=Organisation.Kind.COOPERATION, slug=options["cooperation"]
            ).first()
            if cooperation is None:
                raise CommandError(f"Ukjent samarbeid {options['cooperation']}.")
            scope = cooperation_scope(cooperation)
        else:
            scope = national_scope()
        report = build_report(scope, year=options["year"])
        render = render_csv if options["format"] == "csv" else render_markdown
        self.stdout.write(render(report.tables(), title=report.title), ending="")
