"""Create a national survey from an XLSForm: the questionnaire (published) and one invitation per
municipality in the frame of a year. Nothing is sent; send from the survey page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mestring.organisations.models import Organisation
from mestring.surveys import authoring, services, xlsform
from mestring.surveys.models import Questionnaire


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" for field, ms in exc.message_dict.items() for m in ms]
    return list(exc.messages)


class Command(BaseCommand):
    help = "Oppretter en nasjonal undersøkelse fra en XLSForm-fil med kommunerammen for et år som populasjon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--frame-year", type=int, required=True)
        parser.add_argument(
            "--owner", default="", help="Kortnavn for den nasjonale organisasjonen som eier undersøkelsen."
        )
        parser.add_argument("--title", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Finner ikke filen {path}.")
        owners = Organisation.objects.filter(kind=Organisation.Kind.NATIONAL)
        owner = (
            owners.filter(slug=options["owner"]).first()
            if options["owner"]
            else owners.order_by("pk").first()
        )
        if owner is None:
            raise CommandError("Finner ingen nasjonal organisasjon som kan eie undersøkelsen (bruk --owner).")
        try:
            imported = xlsform.read_xlsform(path.read_bytes())
        except xlsform.XLSFormError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Skjemaet har {len(exc.problems)} problem(er); ingenting er importert."
            ) from None
        spec = imported.spec
        for notice in imported.notices:
            self.stdout.write(notice)
        try:
            with transaction.atomic():
                questionnaire = authoring.questionnaire_from_spec(
                    spec=spec, owner=owner, kind=Questionnaire.Kind.NATIONAL, slug=options["slug"]
                )
                survey = services.national_survey_create(
                    owner=owner,
                    title=options["title"] or spec.title,
                    version=questionnaire.versions.get(),
                    frame_year=options["frame_year"],
                    slug=options["slug"],
                )
        except ValidationError as exc:
            for message in _messages(exc):
                self.stderr.write(message)
            raise CommandError("Ingenting er importert.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Undersøkelsen {survey.slug} er opprettet med {len(spec.sections)} deler, "
                f"{sum(len(s[2]) for s in spec.sections)} spørsmål og {survey.invitations.count()} kommuner "
                f"(ramme {survey.frame_year})."
            )
        )
