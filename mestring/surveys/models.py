"""Questionnaires (versioned), national surveys of all municipalities and anonymous unit satisfaction surveys.

A questionnaire has versions; a version holds sections, a section holds questions, a choice question holds
options. A published version never changes (services refuse, and `QuestionnaireVersion.is_locked` says so);
answers always point to the version they were given on.

Answers are stored as one JSON document per response (``{question name: value}``): a choice is the option
value, a multiple choice a list of values, a number a number, text a string, a matrix ``{item: value}`` and a
collaboration grid ``{partner: {"need": v, "actual": v, "quality": v}}``. The engine (engine.py) validates
them against the version.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mestring.audit.models import ChangeRecord
from mestring.organisations.models import Organisation


class Questionnaire(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", _("Nasjonal undersøkelse")
        SATISFACTION = "satisfaction", _("Brukertilfredshet")

    slug = models.SlugField(_("kortnavn"), max_length=80, unique=True)
    title = models.CharField(_("tittel"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questionnaires",
        help_text=_("Tomt for skjema som følger med mestring og kan brukes av alle."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def latest_version(self) -> QuestionnaireVersion | None:
        return self.versions.order_by("-number").first()

    def latest_published(self) -> QuestionnaireVersion | None:
        return self.versions.filter(status=QuestionnaireVersion.Status.PUBLISHED).order_by("-number").first()


class QuestionnaireVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        PUBLISHED = "published", _("Publisert")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versjon"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="unique_questionnaire_version")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Section(models.Model):
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(_("tittel"), max_length=200)
    description = models.TextField(_("innledning"), blank=True, default="")

    class Meta:
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Ett valg")
    MULTIPLE = "multiple", _("Flere valg")
    SCALE = "scale", _("Gradert skala (med «ikke relevant»)")
    NUMBER = "number", _("Tall")
    TEXT = "text", _("Kort tekst")
    LONGTEXT = "longtext", _("Lang tekst")
    MATRIX = "matrix", _("Matrise (flere påstander på samme skala)")
    COLLABORATION = "collaboration", _("Samarbeidsrutenett (aktør × behov/faktisk/hvor godt)")


CHOICE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.SCALE, QuestionType.MATRIX}
TEXT_TYPES = {QuestionType.TEXT, QuestionType.LONGTEXT}


class Question(models.Model):
    """One question. `items` holds matrix statements or collaboration partners as [{"name", "label"}].

    Conditional display: shown only when the answer to `condition_question` (a name in the same version) is
    one of `condition_values` (for a multiple-choice answer: contains one of them).
    """

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    name = models.SlugField(_("variabelnavn"), max_length=60)
    text = models.CharField(_("spørsmål"), max_length=500)
    help_text = models.CharField(_("hjelpetekst"), max_length=500, blank=True, default="")
    type = models.CharField(_("spørsmålstype"), max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(_("må besvares"), default=False)
    items = models.JSONField(default=list, blank=True)
    condition_question = models.SlugField(max_length=60, blank=True, default="")
    condition_values = models.JSONField(default=list, blank=True)
    min_value = models.IntegerField(null=True, blank=True)
    max_value = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["section__order", "section_id", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="unique_question_name")]

    def __str__(self) -> str:
        return f"{self.name}: {self.text}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveIntegerField(default=0)
    value = models.CharField(_("kode"), max_length=60)
    label = models.CharField(_("tekst"), max_length=300)
    not_applicable = models.BooleanField(_("«ikke relevant»"), default=False)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="unique_option_value")]

    def __str__(self) -> str:
        return self.label


class AuthoringChange(ChangeRecord):
    """One change to a questionnaire draft: who, when, which section or question, field → [old, new].

    `audit.ChangeLog` belongs to a person's record (its person is required), so questionnaire authoring keeps
    its change log here, in the same shape. `object_label` keeps the variable name or section title readable
    after the object is deleted.
    """

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="changes")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Action(models.TextChoices):
        CREATED = "created", _("Lagt til")
        CHANGED = "changed", _("Endret")
        MOVED = "moved", _("Flyttet")
        REMOVED = "removed", _("Slettet")
        PUBLISHED = "published", _("Publisert")

    FIELD_LABELS = {
        "name": _("variabelnavn"),
        "text": _("spørsmålstekst"),
        "help_text": _("hjelpetekst"),
        "type": _("type"),
        "required": _("må besvares"),
        "options": _("svaralternativer"),
        "items": _("linjer"),
        "condition_question": _("vilkår"),
        "condition_values": _("vilkårets koder"),
        "min_value": _("minste tall"),
        "max_value": _("største tall"),
        "section": _("del"),
        "order": _("rekkefølge"),
        "title": _("tittel"),
        "description": _("innledning"),
        "questions": _("spørsmål"),
        "status": _("status"),
        "conditions_renamed": _("vilkår i andre spørsmål"),
    }

    object_type = models.CharField(max_length=100)  # section / question / questionnaireversion
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_label = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=20, choices=Action.choices)

    class Meta(ChangeRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_label}"

    @property
    def changed_fields(self) -> str:
        return ", ".join(str(self.FIELD_LABELS.get(key, key)) for key in self.changes)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_short_code() -> str:
    # No look-alike characters, so a code can be typed from paper.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class NationalSurvey(models.Model):
    """A questionnaire sent to every municipality in the frame of one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Ikke sendt")
        OPEN = "open", _("Åpen")
        CLOSED = "closed", _("Avsluttet")

    slug = models.SlugField(_("kortnavn"), max_length=80, unique=True)
    title = models.CharField(_("tittel"), max_length=200)
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="national_surveys"
    )
    owner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="national_surveys")
    frame_year = models.PositiveIntegerField(_("kommuneramme (år)"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    reminder_interval_days = models.PositiveIntegerField(_("dager mellom påminnelser"), default=7)
    max_reminders = models.PositiveIntegerField(_("høyst antall påminnelser"), default=2)
    base_url = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """One municipality in a national survey: its unique link and how far it has come."""

    survey = models.ForeignKey(NationalSurvey, on_delete=models.CASCADE, related_name="invitations")
    kommunenummer = models.CharField(max_length=4)
    name = models.CharField(max_length=200)
    municipality = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Empty when the municipality has no contact address: no e-mail is sent (state "no_address") until the
    # analyst enters one. Never a placeholder address.
    email = models.EmailField(blank=True, default="")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    covered_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covers",
        help_text=_("Besvart gjennom et felles svar fra et interkommunalt samarbeid."),
    )

    class Meta:
        ordering = ["survey", "kommunenummer"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "kommunenummer"], name="unique_invitation_municipality")
        ]

    def __str__(self) -> str:
        return f"{self.kommunenummer} {self.name}"

    @property
    def state(self) -> str:
        if self.completed_at or self.covered_by_id:
            return "completed"
        if self.started_at:
            return "started"
        if self.opened_at:
            return "opened"
        if self.sent_at:
            return "sent"
        if not self.email:
            return "no_address"
        return "not_sent"

    @property
    def has_address(self) -> bool:
        return bool(self.email)

    @property
    def responded(self) -> bool:
        return self.completed_at is not None or self.covered_by_id is not None


INVITATION_STATE_LABELS = {
    "no_address": _("Mangler adresse – ikke sendt"),
    "not_sent": _("Ikke sendt"),
    "sent": _("Sendt"),
    "opened": _("Åpnet"),
    "started": _("Påbegynt"),
    "completed": _("Fullført"),
}


class Response(models.Model):
    """A municipality's answer to a national survey (a draft until submitted)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    imported = models.BooleanField(default=False)

    class Meta:
        ordering = ["invitation"]

    def __str__(self) -> str:
        return f"{self.invitation}"


class Theme(models.Model):
    """A theme in a survey's codebook for open answers."""

    survey = models.ForeignKey(NationalSurvey, on_delete=models.CASCADE, related_name="themes")
    question_name = models.SlugField(max_length=60)
    name = models.CharField(_("tema"), max_length=200)
    description = models.CharField(_("beskrivelse"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["question_name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question_name", "name"], name="unique_theme_name")
        ]

    def __str__(self) -> str:
        return self.name


class CodedAnswer(models.Model):
    """An open answer coded with a theme."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="codes")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="codes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "theme"], name="unique_coded_answer")]

    def __str__(self) -> str:
        return f"{self.response_id} → {self.theme_id}"


def min_group_size() -> int:
    """The smallest group whose results may be shown (`MESTRING_SUPPRESSION["min_group_size"]`, default 10):
    a unit's satisfaction results need at least this many answers, whatever the survey says."""
    return int(getattr(settings, "MESTRING_SUPPRESSION", {}).get("min_group_size", 10))


class SatisfactionSurvey(models.Model):
    """A unit's anonymous user-satisfaction survey: short link, QR code, kiosk mode, rounds.

    `min_answers` may be set above the minimum group size, never below (form, service and migration 0004
    see to it); `effective_min_answers` is what the results use, in case the setting is raised later."""

    unit = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="satisfaction_surveys",
        limit_choices_to={"kind": "unit"},
    )
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("tittel"), max_length=200)
    code = models.CharField(max_length=20, unique=True, default=new_short_code)
    min_answers = models.PositiveIntegerField(
        _("minste antall svar før resultater vises"),
        default=10,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__name", "title"]

    def __str__(self) -> str:
        return self.title

    def current_round(self) -> SatisfactionRound | None:
        return self.rounds.filter(closed_on__isnull=True).order_by("-opened_on", "-pk").first()

    @property
    def effective_min_answers(self) -> int:
        return max(self.min_answers, min_group_size())


class SatisfactionRound(models.Model):
    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("runde"), max_length=100)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey"], condition=Q(closed_on__isnull=True), name="one_open_round_per_survey"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SatisfactionAnswer(models.Model):
    """One anonymous answer. Deliberately nothing else: no IP address, token, session key, user or time of
    day.

    Only the date is kept (for rounds). The key is a random UUID, so not even the order of answering can be
    read from the ids.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SatisfactionRound, on_delete=models.CASCADE, related_name="answers")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    submitted_on = models.DateField()

    class Meta:
        ordering = ["round", "submitted_on"]

    def __str__(self) -> str:
        return f"{self.round} ({self.submitted_on})"
