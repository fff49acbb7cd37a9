from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mestring.organisations.services import FrameImportError, frame_import


class Command(BaseCommand):
    help = (
        "Importerer kommunerammen for ett år fra CSV (UTF-8, kommaseparert, overskrift "
        "kommunenummer,navn,fylke,helseregion,kostragruppe,innbyggere). Alt eller ingenting. "
        "Kjører med en gang (nettsiden legger importen i kø for bakgrunnsprosessen)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        year = options["year"]
        assert isinstance(year, int)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"Fant ikke filen {path}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} er ikke UTF-8. Lagre filen som UTF-8 og prøv igjen.") from None
        try:
            report = frame_import(year=year, text=text)
        except FrameImportError as exc:
            for line in exc.report.errors:
                self.stderr.write(line)
            raise CommandError(f"Ingenting ble importert: {len(exc.report.errors)} feil i {path}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Kommunerammen for {year}: {report.imported} kommuner "
                f"({report.created} nye, {report.updated} endret, {report.unchanged} uendret"
                + (f", {report.removed} ikke lenger med" if report.removed else "")
                + ")."
            )
        )
