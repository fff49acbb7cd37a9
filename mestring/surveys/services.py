"""Writes for national surveys (population, e-mail, tracking, responses, coding) and unit satisfaction
surveys: keyword-only, typed, one transaction each. Bad input raises ValidationError with Norwegian messages
(per field where there is one) and writes nothing. Questionnaire authoring is in `authoring.py`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mestring.organisations.models import Organisation
from mestring.organisations.selectors import cooperations_of, current_member_ids, frame
from mestring.surveys import engine
from mestring.surveys.models import (
    CodedAnswer,
    Invitation,
    NationalSurvey,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Response,
    SatisfactionAnswer,
    SatisfactionRound,
    SatisfactionSurvey,
    Theme,
    min_group_size,
)

NO_ADDRESS_STATE = "no_address"
"""A municipality without a contact address still gets an invitation (it is in the population and counts as
invited but not answered), with an empty `email`: no e-mail is sent and no reminder either until the analyst
enters an address (`invitation_email_set`, `invitation_emails_set`) or the municipality gets one."""


def default_base_url() -> str:
    return str(getattr(settings, "MESTRING_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


# ---------------------------------------------------------------------------------------------------------
# National survey: population, e-mail, tracking
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def national_survey_create(
    *,
    owner: Organisation,
    title: str,
    version: QuestionnaireVersion,
    frame_year: int,
    slug: str = "",
    reminder_interval_days: int = 7,
    max_reminders: int = 2,
) -> NationalSurvey:
    """A survey whose population is the frame of `frame_year`; one invitation per municipality."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Skriv en tittel.")
    if not version.is_locked:
        errors["version"] = _("Bare publiserte skjemaversjoner kan sendes ut.")
    elif version.questionnaire.kind != Questionnaire.Kind.NATIONAL:
        errors["version"] = _("Velg et skjema for nasjonale undersøkelser.")
    rows = list(frame(frame_year))
    if not rows:
        errors["frame_year"] = _("Det finnes ingen kommuneramme for %(year)s.") % {"year": frame_year}
    base = slugify(slug or title)[:70]
    if not base:
        errors["slug"] = _("Skriv et kortnavn.")
    elif NationalSurvey.objects.filter(slug=base).exists():
        errors["slug"] = _("Kortnavnet %(slug)s er i bruk.") % {"slug": base}
    if reminder_interval_days < 1:
        errors["reminder_interval_days"] = _("Minst én dag mellom påminnelser.")
    if errors:
        raise ValidationError(errors)
    survey = NationalSurvey.objects.create(
        slug=base,
        title=title.strip(),
        version=version,
        owner=owner,
        frame_year=frame_year,
        reminder_interval_days=reminder_interval_days,
        max_reminders=max_reminders,
    )
    organisations = {
        o.kommunenummer: o
        for o in Organisation.objects.filter(
            kind=Organisation.Kind.MUNICIPALITY, kommunenummer__in=[r.kommunenummer for r in rows]
        )
    }
    invitations = []
    for row in rows:
        municipality = organisations.get(row.kommunenummer)
        invitations.append(
            Invitation(
                survey=survey,
                kommunenummer=row.kommunenummer,
                name=row.name,
                municipality=municipality,
                # No address: an empty one, never a placeholder; no e-mail goes out until one is entered.
                email=municipality.contact_email if municipality is not None else "",
            )
        )
    Invitation.objects.bulk_create(invitations)
    return survey


def respondent_url(invitation: Invitation, base_url: str = "") -> str:
    base = (base_url or invitation.survey.base_url or default_base_url()).rstrip("/")
    return base + reverse("surveys:respond", kwargs={"token": invitation.token})


def _invitation_message(invitation: Invitation, *, reminder: bool) -> EmailMessage:
    survey = invitation.survey
    link = respondent_url(invitation)
    if reminder:
        subject = _("Påminnelse: %(title)s") % {"title": survey.title}
        intro = _("Vi har ennå ikke fått svar fra %(name)s kommune.") % {"name": invitation.name}
    else:
        subject = _("Spørreundersøkelse: %(title)s") % {"title": survey.title}
        intro = _(
            "%(name)s kommune er invitert til å svare på en undersøkelse om det kommunale rusarbeidet."
        ) % {"name": invitation.name}
    body = "\n\n".join(
        [
            _("Hei,"),
            intro,
            _(
                "Send gjerne e-posten videre til den som har det faglige ansvaret for rusarbeidet "
                "i kommunen. "
                "Lenken er kommunens egen. Trykk «Lagre og fortsett senere» i skjemaet, så kan dere "
                "fortsette en annen gang med den samme lenken."
            ),
            link,
            _("Med vennlig hilsen\n%(owner)s") % {"owner": survey.owner.name},
        ]
    )
    return EmailMessage(subject=subject, body=body, to=[invitation.email])


@transaction.atomic
def national_survey_open(*, survey: NationalSurvey, base_url: str = "") -> NationalSurvey:
    survey = NationalSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == NationalSurvey.Status.CLOSED:
        raise ValidationError(_("Undersøkelsen er avsluttet."))
    survey.status = NationalSurvey.Status.OPEN
    survey.opened_at = survey.opened_at or timezone.now()
    survey.base_url = (base_url or survey.base_url or default_base_url()).rstrip("/")
    survey.save(update_fields=["status", "opened_at", "base_url"])
    _addresses_from_municipalities(survey)
    return survey


@transaction.atomic
def national_survey_close(*, survey: NationalSurvey) -> NationalSurvey:
    """Close an open survey: every link answers 410 and drafts can no longer be saved or submitted (they are
    kept). `national_survey_reopen` undoes it."""
    survey = NationalSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != NationalSurvey.Status.OPEN:
        raise ValidationError(_("Bare en åpen undersøkelse kan avsluttes."))
    survey.status = NationalSurvey.Status.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    return survey


@transaction.atomic
def national_survey_reopen(*, survey: NationalSurvey) -> NationalSurvey:
    """Open a closed survey again: the same links work again and saved drafts can be finished. Nothing is
    sent; due reminders go with the daily run (`send_due_reminders_task`)."""
    survey = NationalSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != NationalSurvey.Status.CLOSED:
        raise ValidationError(_("Bare en avsluttet undersøkelse kan åpnes igjen."))
    survey.status = NationalSurvey.Status.OPEN
    survey.closed_at = None
    survey.save(update_fields=["status", "closed_at"])
    return survey


def close_summary(*, survey: NationalSurvey) -> dict[str, int]:
    """What closing would cut off: municipalities that have started without finishing, that have opened the
    link only, and all that have not answered."""
    started = opened = not_answered = 0
    for invitation in survey.invitations.only("opened_at", "started_at", "completed_at", "covered_by"):
        if invitation.responded:
            continue
        not_answered += 1
        if invitation.started_at:
            started += 1
        elif invitation.opened_at:
            opened += 1
    return {"started": started, "opened": opened, "not_answered": not_answered}


def _with_address(survey: NationalSurvey) -> QuerySet[Invitation]:
    """The survey's invitations that have an address (the only ones ever e-mailed)."""
    return survey.invitations.exclude(email="")


def _addresses_from_municipalities(survey: NationalSurvey) -> int:
    """Give invitations without an address the municipality's contact address, if it has got one since the
    survey was created. Returns how many got an address."""
    found = 0
    waiting = survey.invitations.filter(email="", sent_at__isnull=True, municipality__isnull=False).exclude(
        municipality__contact_email=""
    )
    for invitation in waiting.select_related("municipality"):
        if invitation.municipality is None:
            continue
        found += Invitation.objects.filter(pk=invitation.pk, email="").update(
            email=invitation.municipality.contact_email
        )
    return found


def first_send_due(invitation: Invitation) -> bool:
    """Whether this invitation's first e-mail should go out now (open survey, an address, not sent, not
    answered)."""
    return (
        invitation.survey.status == NationalSurvey.Status.OPEN
        and bool(invitation.email)
        and invitation.sent_at is None
        and not invitation.responded
    )


def send_invitations(*, survey_id: int) -> int:
    """Send the first e-mail to every invitation with an address that is not yet sent (and not answered).
    Returns how many were sent. Municipalities without an address get no e-mail; their invitation waits
    (state "no_address") until an address is entered.

    Each e-mail is recorded in its own transaction, so a failure half-way leaves the sent ones marked and the
    rest to be retried.
    """
    survey = NationalSurvey.objects.select_related("owner").get(pk=survey_id)
    if survey.status != NationalSurvey.Status.OPEN:
        return 0
    _addresses_from_municipalities(survey)
    pending = list(
        _with_address(survey)
        .filter(sent_at__isnull=True, completed_at__isnull=True, covered_by__isnull=True)
        .select_related("survey__owner")
    )
    if not pending:
        return 0
    sent = 0
    connection = get_connection()
    with connection:
        for invitation in pending:
            message = _invitation_message(invitation, reminder=False)
            message.connection = connection
            message.send()
            now = timezone.now()
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, last_contact_at=now)
            sent += 1
    return sent


def reminders_due(survey: NationalSurvey, now: datetime | None = None) -> list[Invitation]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=survey.reminder_interval_days)
    return list(
        _reminder_candidates(survey).filter(last_contact_at__lte=cutoff).select_related("survey__owner")
    )


def _reminder_candidates(survey: NationalSurvey) -> QuerySet[Invitation]:
    """Who a reminder may go to now, regardless of when they were last contacted: an address, the first
    invitation sent, not answered (nor covered by a joint answer), fewer than `max_reminders` reminders."""
    return _with_address(survey).filter(
        sent_at__isnull=False,
        completed_at__isnull=True,
        covered_by__isnull=True,
        reminders_sent__lt=survey.max_reminders,
    )


@dataclass(frozen=True)
class ReminderPlan:
    """What "Send påminnelse nå" would do: how many get a reminder and why the others do not."""

    is_open: bool
    due: int
    responded: int
    no_address: int
    not_sent: int
    max_reached: int
    max_reminders: int


def reminder_plan(*, survey: NationalSurvey) -> ReminderPlan:
    """Count the survey's invitations by what a forced reminder run (`send_reminders(force=True)`) does with
    them. The categories are exclusive and checked in this order: answered, no address, first invitation not
    yet sent, `max_reminders` reached, otherwise due."""
    due = responded = no_address = not_sent = max_reached = 0
    for invitation in survey.invitations.only(
        "email", "sent_at", "completed_at", "covered_by", "reminders_sent"
    ):
        if invitation.responded:
            responded += 1
        elif not invitation.email:
            no_address += 1
        elif invitation.sent_at is None:
            not_sent += 1
        elif invitation.reminders_sent >= survey.max_reminders:
            max_reached += 1
        else:
            due += 1
    return ReminderPlan(
        is_open=survey.status == NationalSurvey.Status.OPEN,
        due=due if survey.status == NationalSurvey.Status.OPEN else 0,
        responded=responded,
        no_address=no_address,
        not_sent=not_sent,
        max_reached=max_reached,
        max_reminders=survey.max_reminders,
    )


def send_reminders(*, survey_id: int, now: datetime | None = None, force: bool = False) -> int:
    """Remind municipalities that have not answered and were last contacted `reminder_interval_days` ago.
    Invitations without an address are never reminded (they have not been sent).

    ``force`` reminds every non-responder now (the "send påminnelse nå" button), still at most
    ``max_reminders`` times; `reminder_plan` counts beforehand who that will be.
    """
    survey = NationalSurvey.objects.select_related("owner").get(pk=survey_id)
    if survey.status != NationalSurvey.Status.OPEN:
        return 0
    if force:
        due = list(_reminder_candidates(survey).select_related("survey__owner"))
    else:
        due = reminders_due(survey, now)
    if not due:
        return 0
    connection = get_connection()
    with connection:
        for invitation in due:
            message = _invitation_message(invitation, reminder=True)
            message.connection = connection
            message.send()
            Invitation.objects.filter(pk=invitation.pk).update(
                reminders_sent=invitation.reminders_sent + 1, last_contact_at=now or timezone.now()
            )
    return len(due)


def _valid_email(email: str) -> bool:
    if not email or len(email) > 254:
        return False
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


@transaction.atomic
def invitation_email_set(*, invitation: Invitation, email: str) -> Invitation:
    """Set (or correct) one municipality's contact address for this survey. Sending is the caller's choice:
    see `first_send_due` (a first invitation goes out at once in an open survey)."""
    email = email.strip()
    if not _valid_email(email):
        raise ValidationError({"email": _("Skriv en gyldig e-postadresse.")})
    invitation.email = email
    invitation.save(update_fields=["email"])
    return invitation


_ADDRESS_SEPARATORS = re.compile(r"[;,\t ]+")


@transaction.atomic
def invitation_emails_set(*, survey: NationalSurvey, text: str) -> list[Invitation]:
    """Contact addresses for several municipalities at once: one `kommunenummer;e-post` per line (a first
    line `kommunenummer;e-post` is skipped; `,`, tab or space also separate). All or nothing: every line is
    checked, and any error raises ValidationError under `lines` naming each bad line; nothing is written.
    Returns the invitations that got an address, in line order."""
    invitations = {i.kommunenummer: i for i in survey.invitations.select_for_update()}
    errors: list[str] = []
    seen: dict[str, int] = {}
    parsed: list[tuple[Invitation, str]] = []
    first = True
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p for p in _ADDRESS_SEPARATORS.split(line) if p]
        if first and parts and parts[0].lower() == "kommunenummer":
            first = False
            continue
        first = False
        if len(parts) != 2:
            errors.append(
                _(
                    "Linje %(line)s: skriv kommunenummer og e-postadresse skilt med semikolon, "
                    "for eksempel «4219;postmottak@kommune.no»."
                )
                % {"line": number}
            )
            continue
        knr, email = parts
        if not knr.isdigit() or len(knr) > 4:
            errors.append(
                _("Linje %(line)s: «%(knr)s» er ikke et kommunenummer (fire sifre).")
                % {"line": number, "knr": knr}
            )
            continue
        knr = knr.zfill(4)
        if knr not in invitations:
            errors.append(
                _("Linje %(line)s: kommune %(knr)s er ikke med i undersøkelsen (kommunerammen for %(year)s).")
                % {"line": number, "knr": knr, "year": survey.frame_year}
            )
            continue
        if knr in seen:
            errors.append(
                _("Linje %(line)s: kommune %(knr)s står også på linje %(first)s.")
                % {"line": number, "knr": knr, "first": seen[knr]}
            )
            continue
        seen[knr] = number
        if not _valid_email(email):
            errors.append(
                _("Linje %(line)s: «%(email)s» er ikke en gyldig e-postadresse.")
                % {"line": number, "email": email}
            )
            continue
        parsed.append((invitations[knr], email))
    if errors:
        raise ValidationError({"lines": errors})
    if not parsed:
        raise ValidationError({"lines": _("Skriv minst én linje med kommunenummer og e-postadresse.")})
    for invitation, email in parsed:
        invitation.email = email
        invitation.save(update_fields=["email"])
    return [invitation for invitation, _email in parsed]


def cover_candidates(invitation: Invitation) -> list[Invitation]:
    """Other municipalities in the same survey that share a cooperation with this one (for a joint answer)."""
    if invitation.municipality is None:
        return []
    member_ids: set[int] = set()
    for cooperation in cooperations_of(invitation.municipality):
        member_ids |= current_member_ids(cooperation)
    member_ids.discard(invitation.municipality.pk)
    return list(
        Invitation.objects.filter(survey=invitation.survey_id, municipality_id__in=member_ids)
        .filter(completed_at__isnull=True)
        .filter(covered_by__isnull=True)
        .order_by("name")
    )


@transaction.atomic
def invitation_opened(*, invitation: Invitation) -> None:
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())


class SurveyClosed(Exception):
    pass


@transaction.atomic
def response_save(
    *,
    invitation: Invitation,
    data: Mapping[str, Any],
    final: bool,
    covers: Iterable[str] = (),
) -> tuple[Response | None, dict[str, str]]:
    """Save a municipality's answers (a draft, or the final submit). Returns (response, errors).

    With errors nothing is written for a final submit; a draft keeps the valid answers and reports the rest.
    ``covers``: kommunenummer of cooperation partners this answer also covers (recorded on their invitations).
    """
    invitation = Invitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
    survey = invitation.survey
    if survey.status != NationalSurvey.Status.OPEN:
        raise SurveyClosed
    if invitation.completed_at is not None:
        raise ValidationError(_("Svaret er allerede sendt inn."))
    form = engine.load_form(survey.version)
    cleaned, errors = engine.clean_answers(form, data, final=final)
    covers = list(covers)
    allowed_covers = {i.kommunenummer: i for i in cover_candidates(invitation)}
    unknown = [k for k in covers if k not in allowed_covers]
    if unknown:
        errors["__covers__"] = _("Svaret kan bare gjelde kommuner i samme samarbeid som ennå ikke har svart.")
    if final and errors:
        return None, errors
    now = timezone.now()
    response, _created = Response.objects.get_or_create(
        invitation=invitation, defaults={"version": survey.version, "data": {}}
    )
    response.data = cleaned
    if final:
        response.submitted_at = now
    response.save()
    invitation.started_at = invitation.started_at or now
    invitation.opened_at = invitation.opened_at or now
    if final:
        invitation.completed_at = now
        Invitation.objects.filter(pk__in=[allowed_covers[k].pk for k in covers]).update(covered_by=invitation)
    invitation.save(update_fields=["started_at", "opened_at", "completed_at"])
    return response, errors


@dataclass
class ResponsesImportReport:
    errors: list[str] = field(default_factory=list)
    imported: int = 0


@transaction.atomic
def responses_import(*, survey: NationalSurvey, text: str) -> ResponsesImportReport:
    """CSV with one row per municipality: `kommunenummer` plus one column per flat variable name (or question
    name for simple questions). All or nothing: any bad row gives a report and nothing is written."""
    report = ResponsesImportReport()
    form = engine.load_form(survey.version)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    if "kommunenummer" not in header:
        report.errors.append(_("Linje 1: kolonnen «kommunenummer» mangler."))
        return report
    variables = {name: (q, item, dim) for name, _label, q, item, dim in engine.variables(form)}
    unknown = [h for h in header if h != "kommunenummer" and h not in variables]
    if unknown:
        report.errors.append(_("Linje 1: ukjente kolonner: %(cols)s.") % {"cols": ", ".join(unknown)})
        return report
    invitations = {i.kommunenummer: i for i in survey.invitations.all()}
    seen: set[str] = set()
    parsed: list[tuple[Invitation, dict[str, Any]]] = []
    for line, row in enumerate(reader, start=2):
        knr = (row.get("kommunenummer") or "").strip().zfill(4)
        if knr not in invitations:
            report.errors.append(
                _("Linje %(line)s: kommunenummer %(knr)s er ikke i kommunerammen for %(year)s.")
                % {"line": line, "knr": knr, "year": survey.frame_year}
            )
            continue
        if knr in seen:
            report.errors.append(
                _("Linje %(line)s: kommune %(knr)s står flere ganger.") % {"line": line, "knr": knr}
            )
            continue
        seen.add(knr)
        if None in row:
            report.errors.append(
                _("Linje %(line)s: flere verdier enn kolonner i overskriften.") % {"line": line}
            )
            continue
        data: dict[str, Any] = {}
        for column, raw in row.items():
            if column == "kommunenummer" or raw is None or str(raw).strip() == "":
                continue
            q, item, dim = variables[column]
            value = str(raw).strip()
            if q.type == QuestionType.MULTIPLE:
                if value not in ("0", "1"):
                    report.errors.append(
                        _("Linje %(line)s, %(col)s: skriv 1 (valgt) eller 0.") % {"line": line, "col": column}
                    )
                    continue
                if value == "1":
                    data.setdefault(q.name, []).append(item)
            elif q.type == QuestionType.MATRIX:
                data.setdefault(q.name, {})[item] = value
            elif q.type == QuestionType.COLLABORATION:
                data.setdefault(q.name, {}).setdefault(item, {})[dim] = value
            else:
                data[q.name] = value
        cleaned, errors = engine.clean_answers(form, data, final=False)
        for name, message in errors.items():
            report.errors.append(
                _("Linje %(line)s, %(name)s: %(message)s") % {"line": line, "name": name, "message": message}
            )
        parsed.append((invitations[knr], cleaned))
    if report.errors:
        return report
    now = timezone.now()
    for invitation, cleaned in parsed:
        Response.objects.update_or_create(
            invitation=invitation,
            defaults={"version": survey.version, "data": cleaned, "submitted_at": now, "imported": True},
        )
        Invitation.objects.filter(pk=invitation.pk).update(
            completed_at=now, started_at=invitation.started_at or now
        )
        report.imported += 1
    return report


# ---------------------------------------------------------------------------------------------------------
# Coding open answers
# ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def theme_add(*, survey: NationalSurvey, question_name: str, name: str, description: str = "") -> Theme:
    form = engine.load_form(survey.version)
    question = form.questions.get(question_name)
    if question is None or question.type not in (QuestionType.TEXT, QuestionType.LONGTEXT):
        raise ValidationError({"question_name": _("Velg et åpent spørsmål.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv navnet på temaet.")})
    if Theme.objects.filter(survey=survey, question_name=question_name, name__iexact=name).exists():
        raise ValidationError({"name": _("Temaet finnes allerede i kodeboken.")})
    return Theme.objects.create(
        survey=survey, question_name=question_name, name=name, description=description
    )


@transaction.atomic
def answer_codes_set(
    *, survey: NationalSurvey, question_name: str, codes: Mapping[int, Iterable[int]]
) -> int:
    """Set the themes of open answers: {response id: [theme ids]} replaces their codes for this question."""
    themes = {t.pk: t for t in Theme.objects.filter(survey=survey, question_name=question_name)}
    responses = {
        r.pk: r
        for r in Response.objects.filter(
            invitation__survey=survey, pk__in=list(codes), submitted_at__isnull=False
        )
    }
    for response_id, theme_ids in codes.items():
        if response_id not in responses or any(t not in themes for t in theme_ids):
            raise ValidationError(_("Ukjent svar eller tema."))
    CodedAnswer.objects.filter(response_id__in=list(codes), theme__in=list(themes.values())).delete()
    CodedAnswer.objects.bulk_create(
        [
            CodedAnswer(response=responses[response_id], theme=themes[theme_id])
            for response_id, theme_ids in codes.items()
            for theme_id in set(theme_ids)
        ]
    )
    return len(codes)


# ---------------------------------------------------------------------------------------------------------
# Unit satisfaction survey (anonymous)
# ---------------------------------------------------------------------------------------------------------


def open_satisfaction_survey(
    *, unit: Organisation, version: QuestionnaireVersion
) -> SatisfactionSurvey | None:
    """The unit's survey of the same questionnaire (any version) that has an open round, if any."""
    return (
        SatisfactionSurvey.objects.filter(
            unit=unit,
            version__questionnaire_id=version.questionnaire_id,
            rounds__closed_on__isnull=True,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def satisfaction_survey_create(
    *,
    unit: Organisation,
    version: QuestionnaireVersion,
    title: str = "",
    min_answers: int | None = None,
    round_name: str = "",
) -> SatisfactionSurvey:
    errors: dict[str, str] = {}
    if unit.kind != Organisation.Kind.UNIT:
        errors["unit"] = _("Brukerundersøkelser gjelder en tjeneste/enhet.")
    elif not unit.is_active:
        errors["unit"] = _("Enheten er lagt ned.")
    if not version.is_locked or version.questionnaire.kind != Questionnaire.Kind.SATISFACTION:
        errors["version"] = _("Velg en publisert versjon av et skjema for brukertilfredshet.")
    floor = min_group_size()
    minimum = floor if min_answers is None else min_answers
    if minimum < floor:
        errors["min_answers"] = _("Minste antall svar kan ikke være lavere enn %(minimum)s.") % {
            "minimum": floor
        }
    if errors:
        raise ValidationError(errors)
    existing = open_satisfaction_survey(unit=unit, version=version)
    if existing is not None:
        # A new period is a new round of the same survey (results compare rounds); a second survey would split
        # the unit's answers and show in the list under the same name.
        raise ValidationError(
            {
                "version": ValidationError(
                    _(
                        "%(unit)s har allerede en åpen brukerundersøkelse med dette skjemaet: «%(title)s». "
                        "Start en ny runde i den i stedet for å lage en ny undersøkelse."
                    ),
                    code="duplicate",
                    params={"unit": unit.name, "title": existing.title, "pk": existing.pk},
                )
            }
        )
    survey = SatisfactionSurvey.objects.create(
        unit=unit,
        version=version,
        title=title.strip() or version.questionnaire.title,
        min_answers=minimum,
    )
    today = timezone.localdate()
    SatisfactionRound.objects.create(survey=survey, name=round_name or str(today.year), opened_on=today)
    return survey


@transaction.atomic
def satisfaction_round_start(*, survey: SatisfactionSurvey, name: str) -> SatisfactionRound:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Gi runden et navn, for eksempel «Høst 2026».")})
    if survey.rounds.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Undersøkelsen har allerede en runde med dette navnet.")})
    today = timezone.localdate()
    survey.rounds.filter(closed_on__isnull=True).update(closed_on=today)
    return SatisfactionRound.objects.create(survey=survey, name=name, opened_on=today)


@transaction.atomic
def satisfaction_submit(*, survey: SatisfactionSurvey, data: Mapping[str, Any]) -> dict[str, str]:
    """Store one anonymous answer in the current round. Returns errors (then nothing is stored).

    Nothing about the respondent is stored: not the IP address, session, token, user or time of day.
    """
    current = survey.current_round()
    if current is None:
        raise SurveyClosed
    form = engine.load_form(survey.version)
    cleaned, errors = engine.clean_answers(form, data, final=True)
    if errors:
        return errors
    if not cleaned:
        return {"__all__": _("Svar på minst ett spørsmål før du sender inn.")}
    SatisfactionAnswer.objects.create(
        round=current, version=survey.version, data=cleaned, submitted_on=timezone.localdate()
    )
    return {}
