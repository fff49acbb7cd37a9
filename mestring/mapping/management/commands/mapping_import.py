"""Import living-condition mappings from CSV or XLSX into a municipality's round. All rows or none."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mestring.mapping import services
from mestring.mapping.models import MappingRound
from mestring.organisations.models import Organisation


class Command(BaseCommand):
    help = "Importerer kartlegginger fra CSV/XLSX: mapping_import FIL --municipality KNR --year ÅÅÅÅ"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="kommunenummer (fire sifre)")
        parser.add_argument("--year", required=True, type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        knr = str(options["municipality"]).strip().zfill(4)
        year: int = options["year"]
        if not path.is_file():
            raise CommandError(f"Fant ikke filen {path}.")
        municipality = Organisation.objects.filter(
            kind=Organisation.Kind.MUNICIPALITY, kommunenummer=knr
        ).first()
        if municipality is None:
            raise CommandError(f"Ukjent kommunenummer {knr}.")
        if not 2000 <= year <= 2100:
            raise CommandError("Året må være mellom 2000 og 2100.")
        mapping_round = MappingRound.objects.filter(organisation=municipality, year=year).first()
        if mapping_round is None:
            mapping_round = services.round_create(
                actor=None,
                organisation=municipality,
                year=year,
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
                note="Opprettet ved import.",
            )
            self.stdout.write(f"Opprettet kartleggingsrunde for {municipality.name} {year}.")
        try:
            rows = services.read_rows(path.read_bytes(), path.name)
            result = services.import_rows(
                actor=None, mapping_round=mapping_round, municipality=municipality, rows=rows
            )
        except services.ImportFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError("Filen ble ikke importert.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"Filen har feil ({len(result.errors)} meldinger). Ingenting ble importert.")
        self.stdout.write(
            self.style.SUCCESS(f"{result.imported} kartlegginger importert for {municipality.name} {year}.")
        )
