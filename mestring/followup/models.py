"""Individual follow-up: episodes (pathway), own goals, living-condition mapping per person, individual plan
with versions, measures, care team and meetings, crisis plan, routine feedback, FACT board and reminders.

Every row belongs to a person (`people.Person`); reads go through `mestring.people.access.access_person`
(which writes the access log) and writes through `mestring.followup.services`.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.mapping.areas import AREAS, Phase, Rating
from mestring.organisations.models import Organisation

PERSON = "people.Person"
USER = settings.AUTH_USER_MODEL


class Episode(models.Model):
    """A follow-up pathway (forløp) for a person: phase, dates, coordinator and the units that serve."""

    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="episodes"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("ansvarlig kommune"), on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(_("fase i forløpet"), max_length=30, choices=Phase.choices)
    started_on = models.DateField(_("startdato"), default=timezone.localdate)
    ended_on = models.DateField(_("sluttdato"), null=True, blank=True)
    units = models.ManyToManyField(
        Organisation,
        verbose_name=_("enheter som gir tjenester"),
        related_name="followup_episodes",
        blank=True,
    )
    coordinator = models.ForeignKey(
        USER,
        verbose_name=_("koordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_episodes",
    )
    coordinator_since = models.DateField(_("koordinator fra"), null=True, blank=True)
    note = models.TextField(_("merknad"), blank=True, default="")
    version = models.PositiveIntegerField(_("versjon"), default=1)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("forløp")
        verbose_name_plural = _("forløp")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="episode_period",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="one_open_episode_per_person"
            ),
        ]
        indexes = [models.Index(fields=["coordinator", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} ({self.started_on:%d.%m.%Y})"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class PhaseChange(models.Model):
    """The history of an episode's phase."""

    episode = models.ForeignKey(
        Episode, verbose_name=_("forløp"), on_delete=models.CASCADE, related_name="phase_changes"
    )
    phase = models.CharField(_("fase"), max_length=30, choices=Phase.choices)
    changed_on = models.DateField(_("dato"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        USER, verbose_name=_("endret av"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("faseendring")
        verbose_name_plural = _("faseendringer")
        ordering = ["changed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} {self.changed_on}"


class Agency(models.TextChoices):
    TSB = "tsb", _("TSB (tverrfaglig spesialisert rusbehandling)")
    DPS = "dps", _("DPS / psykisk helsevern")
    NAV = "nav", _("NAV")
    GP = "gp", _("Fastlege")
    CHILD_WELFARE = "child_welfare", _("Barnevern")
    MUNICIPAL = "municipal", _("Annen kommunal tjeneste")
    RELATIVE = "relative", _("Pårørende")
    OTHER = "other", _("Annen")


class Referral(models.Model):
    """A referral in or out of the municipal service, with status and dates (waiting time)."""

    class Direction(models.TextChoices):
        IN = "in", _("Henvisning inn (til oss)")
        OUT = "out", _("Henvisning ut (fra oss)")

    class Status(models.TextChoices):
        SENT = "sent", _("Sendt")
        ACCEPTED = "accepted", _("Godtatt – venter på oppstart")
        STARTED = "started", _("Startet")
        REJECTED = "rejected", _("Avslått")
        WITHDRAWN = "withdrawn", _("Trukket")
        CLOSED = "closed", _("Avsluttet")

    episode = models.ForeignKey(
        Episode, verbose_name=_("forløp"), on_delete=models.CASCADE, related_name="referrals"
    )
    direction = models.CharField(_("retning"), max_length=5, choices=Direction.choices)
    agency = models.CharField(_("instans"), max_length=20, choices=Agency.choices)
    agency_name = models.CharField(_("navn på instansen"), max_length=200, blank=True, default="")
    reason = models.CharField(_("grunn"), max_length=500, blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SENT)
    referred_on = models.DateField(_("henvist dato"), default=timezone.localdate)
    answered_on = models.DateField(_("svar dato"), null=True, blank=True)
    started_on = models.DateField(_("oppstart dato"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("henvisning")
        verbose_name_plural = _("henvisninger")
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=models.F("referred_on")),
                name="referral_start_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("referred_on")),
                name="referral_answer_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.get_agency_display()}"

    def waiting_days(self, today: date | None = None) -> int | None:
        """Days from referral to start (or until today while still waiting; a planned start date that has not
        come yet does not count as waited)."""
        if self.status in (self.Status.REJECTED, self.Status.WITHDRAWN):
            return None
        today = today or timezone.localdate()
        end = min(self.started_on, today) if self.started_on else today
        if self.status == self.Status.CLOSED and self.started_on is None:
            return None
        return (end - self.referred_on).days

    @property
    def is_waiting(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.ACCEPTED)


# A goal in the person's own words: a few sentences at most (forms, services and API already stopped at 2000
# characters before the column had a limit, so no stored goal is longer).
GOAL_TEXT_MAX_LENGTH = 2000


class Goal(models.Model):
    """ "Hva er viktig for deg?": the person's own goals, in their own words; sub-goals under a main goal."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktivt")
        ACHIEVED = "achieved", _("Nådd")
        DROPPED = "dropped", _("Lagt bort")

    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="goals"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("hovedmål"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_goals",
    )
    text = models.CharField(_("målet med personens egne ord"), max_length=GOAL_TEXT_MAX_LENGTH)
    area = models.CharField(_("levekårsområde"), max_length=30, choices=AREAS, blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_on = models.DateField(_("registrert"), default=timezone.localdate)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["created_on", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_main(self) -> bool:
        return self.parent_id is None


class GoalRating(models.Model):
    """Simple 1–5 follow-up of one goal: progress, how confident, how satisfied the person is."""

    goal = models.ForeignKey(Goal, verbose_name=_("mål"), on_delete=models.CASCADE, related_name="ratings")
    rated_on = models.DateField(_("dato"), default=timezone.localdate)
    progress = models.PositiveSmallIntegerField(_("fremgang (1–5)"))
    confidence = models.PositiveSmallIntegerField(_("tro på å nå målet (1–5)"))
    satisfaction = models.PositiveSmallIntegerField(_("fornøyd med innsatsen (1–5)"))
    recorded_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("målvurdering")
        verbose_name_plural = _("målvurderinger")
        ordering = ["rated_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=1, progress__lte=5)
                & Q(confidence__gte=1, confidence__lte=5)
                & Q(satisfaction__gte=1, satisfaction__lte=5),
                name="goal_rating_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rated_on}: {self.progress}/{self.confidence}/{self.satisfaction}"


class PersonMapping(models.Model):
    """One living-condition mapping of one person (the eight areas); repeated mappings show change."""

    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="followup_mappings"
    )
    assessed_on = models.DateField(_("kartlagt dato"), default=timezone.localdate)
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("kartlagt av enhet"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assessed_by = models.ForeignKey(
        USER,
        verbose_name=_("kartlagt av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("merknad"), blank=True, default="")
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("kartlegging av levekår")
        verbose_name_plural = _("kartlegginger av levekår")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.assessed_on:%d.%m.%Y}"


class MappingArea(models.Model):
    mapping = models.ForeignKey(
        PersonMapping, verbose_name=_("kartlegging"), on_delete=models.CASCADE, related_name="areas"
    )
    area = models.CharField(_("område"), max_length=30, choices=AREAS)
    rating = models.CharField(_("vurdering"), max_length=10, choices=Rating.choices)
    note = models.TextField(_("merknad"), blank=True, default="")

    class Meta:
        verbose_name = _("levekårsområde")
        verbose_name_plural = _("levekårsområder")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["mapping", "area"], name="unique_mapping_area")]

    def __str__(self) -> str:
        return f"{self.area}: {self.rating}"


class IndividualPlan(models.Model):
    """The individual plan (IP). Each save makes a `PlanVersion` with a snapshot; `version` locks edits."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Under arbeid")
        ACTIVE = "active", _("Gjeldende")
        DECLINED = "declined", _("Personen har takket nei til plan")

    person = models.OneToOneField(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="individual_plan"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    resources = models.TextField(_("personens ressurser"), blank=True, default="")
    needs = models.TextField(_("personens behov"), blank=True, default="")
    participants = models.TextField(_("hvem som deltar i arbeidet med planen"), blank=True, default="")
    person_participated = models.BooleanField(_("personen har deltatt i arbeidet med planen"), default=True)
    time_perspective = models.CharField(_("tidsperspektiv"), max_length=200, blank=True, default="")
    next_review_on = models.DateField(_("neste evaluering"), null=True, blank=True)
    consent_to_share = models.BooleanField(
        _("samtykke til å dele informasjon i ansvarsgruppen"), default=False
    )
    consent_note = models.CharField(_("samtykke, utdypet"), max_length=500, blank=True, default="")
    rights_informed = models.BooleanField(_("informert om rettigheter og plikter"), default=False)
    declined_on = models.DateField(_("takket nei dato"), null=True, blank=True)
    decline_reason = models.TextField(_("personens begrunnelse"), blank=True, default="")
    version = models.PositiveIntegerField(_("versjon"), default=0)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    updated_by = models.ForeignKey(
        USER,
        verbose_name=_("sist endret av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("individuell plan")
        verbose_name_plural = _("individuelle planer")
        indexes = [models.Index(fields=["next_review_on"])]

    def __str__(self) -> str:
        return f"IP {self.person_id} v{self.version}"


class PlanVersion(models.Model):
    """A saved version of the individual plan: a snapshot of the plan, its goals and measures."""

    plan = models.ForeignKey(
        IndividualPlan, verbose_name=_("individuell plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versjonsnummer"))
    saved_at = models.DateTimeField(_("lagret"), default=timezone.now)
    saved_by = models.ForeignKey(
        USER, verbose_name=_("lagret av"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_note = models.CharField(_("hva er endret (kort)"), max_length=500, blank=True, default="")
    snapshot = models.JSONField(_("innhold"), default=dict)

    class Meta:
        verbose_name = _("planversjon")
        verbose_name_plural = _("planversjoner")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version")]

    def __str__(self) -> str:
        return f"v{self.number}"


class Measure(models.Model):
    """A measure (tiltak): who is responsible, extent, how, period and status."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        ACTIVE = "active", _("Pågår")
        DONE = "done", _("Fullført")
        STOPPED = "stopped", _("Avsluttet uten å fullføres")

    OPEN = (Status.PLANNED, Status.ACTIVE)

    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="measures"
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("mål"), null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    title = models.CharField(_("tiltak"), max_length=300)
    responsible = models.CharField(_("ansvarlig (person eller instans)"), max_length=200)
    responsible_user = models.ForeignKey(
        USER,
        verbose_name=_("ansvarlig ansatt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_measures",
    )
    extent = models.CharField(_("omfang"), max_length=200, blank=True, default="")
    how = models.TextField(_("hvordan det gjennomføres"), blank=True, default="")
    start_on = models.DateField(_("start"), default=timezone.localdate)
    end_on = models.DateField(_("slutt / evalueres"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    version = models.PositiveIntegerField(_("versjon"), default=1)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("tiltak")
        verbose_name_plural = _("tiltak")
        ordering = ["start_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")), name="measure_period"
            )
        ]
        indexes = [models.Index(fields=["person", "status", "end_on"], name="measure_person_open")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date | None = None) -> bool:
        return (
            self.status in self.OPEN
            and self.end_on is not None
            and self.end_on < (today or timezone.localdate())
        )


class CareTeamMember(models.Model):
    """A member of the care team (ansvarsgruppe): staff (linked to people.CareTeamMembership) or external."""

    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="followup_care_team"
    )
    user = models.ForeignKey(
        USER, verbose_name=_("ansatt"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    membership = models.ForeignKey(
        "people.CareTeamMembership",
        verbose_name=_("medlemskap i teamet rundt personen"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("navn"), max_length=200)
    agency = models.CharField(_("instans"), max_length=20, choices=Agency.choices, default=Agency.MUNICIPAL)
    role_title = models.CharField(_("rolle i ansvarsgruppen"), max_length=200, blank=True, default="")
    phone = models.CharField(_("telefon"), max_length=30, blank=True, default="")
    email = models.EmailField(_("e-post"), blank=True, default="")
    consent_to_share = models.BooleanField(
        _("personen har samtykket til at denne får informasjon"), default=False
    )
    valid_from = models.DateField(_("fra"), default=timezone.localdate)
    valid_to = models.DateField(_("til"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("medlem av ansvarsgruppen")
        verbose_name_plural = _("medlemmer av ansvarsgruppen")
        ordering = ["valid_from", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role_title or self.get_agency_display()})"

    @property
    def is_internal(self) -> bool:
        return self.user_id is not None

    @property
    def is_active(self) -> bool:
        return self.valid_to is None or self.valid_to >= timezone.localdate()


class Meeting(models.Model):
    """A care-team meeting: agenda, attendance, minutes, decisions, next meeting."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        HELD = "held", _("Avholdt")
        CANCELLED = "cancelled", _("Avlyst")

    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="care_team_meetings"
    )
    starts_at = models.DateTimeField(_("tidspunkt"))
    place = models.CharField(_("sted"), max_length=200, blank=True, default="")
    agenda = models.TextField(_("saksliste"), blank=True, default="")
    minutes = models.TextField(_("referat"), blank=True, default="")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    next_meeting_on = models.DateField(_("neste møte"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1)
    created_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("møte i ansvarsgruppen")
        verbose_name_plural = _("møter i ansvarsgruppen")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["person", "starts_at"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"


class Attendance(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("møte"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        CareTeamMember, verbose_name=_("deltaker"), on_delete=models.CASCADE, related_name="attendance"
    )
    present = models.BooleanField(_("til stede"), default=False)

    class Meta:
        verbose_name = _("oppmøte")
        verbose_name_plural = _("oppmøter")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="unique_attendance")]

    def __str__(self) -> str:
        return f"{self.member}: {self.present}"


class Decision(models.Model):
    """A decision in a meeting; it may create or change a measure."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("møte"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("vedtak / beslutning"))
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("tiltak"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    action = models.CharField(_("handling"), max_length=20, blank=True, default="")  # created / changed / ""

    class Meta:
        verbose_name = _("beslutning")
        verbose_name_plural = _("beslutninger")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]


class CrisisPlan(models.Model):
    """What to do in a crisis: warning signs, what helps, whom to call."""

    person = models.OneToOneField(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="crisis_plan"
    )
    warning_signs = models.TextField(_("varselsignaler – slik merker jeg og andre at det går dårlig"))
    what_helps = models.TextField(_("dette hjelper meg"))
    what_i_do = models.TextField(_("dette gjør jeg selv"), blank=True, default="")
    avoid = models.TextField(_("dette hjelper ikke / bør unngås"), blank=True, default="")
    contacts = models.TextField(_("hvem jeg kan ringe (navn og telefon)"))
    version = models.PositiveIntegerField(_("versjon"), default=1)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    updated_by = models.ForeignKey(
        USER,
        verbose_name=_("sist endret av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("kriseplan")
        verbose_name_plural = _("kriseplaner")

    def __str__(self) -> str:
        return f"Kriseplan {self.person_id}"


class Instrument(models.Model):
    """A configurable feedback instrument: items, scale, scoring, expected change band."""

    class Purpose(models.TextChoices):
        SESSION = "session", _("Tilbakemelding på samtalen/møtet")
        OUTCOME = "outcome", _("Utfall over tid (livskvalitet)")

    class Scoring(models.TextChoices):
        SUM = "sum", _("Sum av svarene")
        MEAN = "mean", _("Gjennomsnitt av svarene")

    slug = models.SlugField(_("kortnavn"), max_length=80, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    purpose = models.CharField(_("formål"), max_length=20, choices=Purpose.choices)
    scale_min = models.PositiveSmallIntegerField(_("laveste verdi"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("høyeste verdi"), default=10)
    low_label = models.CharField(_("tekst for laveste verdi"), max_length=100, blank=True, default="")
    high_label = models.CharField(_("tekst for høyeste verdi"), max_length=100, blank=True, default="")
    scoring = models.CharField(_("skåring"), max_length=10, choices=Scoring.choices, default=Scoring.SUM)
    # Expected change band (outcome): from the first score, the expected gain per session up to a ceiling;
    # a later score below (expected − band_width) is "not on track".
    expected_gain_per_session = models.FloatField(_("forventet bedring per samtale"), default=0)
    expected_gain_max = models.FloatField(_("forventet bedring, tak"), default=0)
    band_width = models.FloatField(_("båndbredde (toleranse)"), default=0)
    # Session feedback: a score below this is flagged at once (0 = never).
    alert_below = models.FloatField(_("varsle under skår"), default=0)
    is_active = models.BooleanField(_("i bruk"), default=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("eier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("tilbakemeldingsskjema")
        verbose_name_plural = _("tilbakemeldingsskjemaer")
        ordering = ["purpose", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="instrument_scale")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def score_min(self) -> float:
        n = max(self.items.count(), 1)
        return float(self.scale_min * (n if self.scoring == self.Scoring.SUM else 1))

    @property
    def score_max(self) -> float:
        n = max(self.items.count(), 1)
        return float(self.scale_max * (n if self.scoring == self.Scoring.SUM else 1))


class InstrumentItem(models.Model):
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("skjema"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    text = models.CharField(_("spørsmål"), max_length=300)

    class Meta:
        verbose_name = _("spørsmål i skjema")
        verbose_name_plural = _("spørsmål i skjema")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class FeedbackScore(models.Model):
    """One answered instrument in one session: the answers, the score, and whether it was on track."""

    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="feedback_scores"
    )
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("skjema"), on_delete=models.PROTECT, related_name="scores"
    )
    answered_on = models.DateField(_("dato"), default=timezone.localdate)
    answers = models.JSONField(_("svar"), default=dict)
    score = models.FloatField(_("skår"))
    off_track = models.BooleanField(_("utenfor forventet bånd"), default=False)
    note = models.CharField(_("merknad"), max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        USER,
        verbose_name=_("registrert av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("tilbakemelding")
        verbose_name_plural = _("tilbakemeldinger")
        ordering = ["answered_on", "pk"]
        indexes = [models.Index(fields=["person", "instrument", "answered_on"])]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.answered_on}: {self.score}"


class BoardEntry(models.Model):
    """A person on a unit's FACT board: needs intensive follow-up now, with reason and responsible."""

    unit = models.ForeignKey(
        Organisation, verbose_name=_("enhet"), on_delete=models.CASCADE, related_name="fact_board"
    )
    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="board_entries"
    )
    reason = models.CharField(_("grunn"), max_length=500)
    responsible = models.ForeignKey(
        USER, verbose_name=_("ansvarlig"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_on = models.DateField(_("lagt til"), default=timezone.localdate)
    added_by = models.ForeignKey(
        USER,
        verbose_name=_("lagt til av"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("tatt av tavla"), null=True, blank=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    class Meta:
        verbose_name = _("oppføring på FACT-tavla")
        verbose_name_plural = _("oppføringer på FACT-tavla")
        ordering = ["added_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "person"],
                condition=Q(removed_at__isnull=True),
                name="unique_open_board_entry",
            )
        ]

    def __str__(self) -> str:
        return self.reason


class Reminder(models.Model):
    """A to-do created for an overdue plan review or measure; e-mailed to the responsible once."""

    class Kind(models.TextChoices):
        PLAN_REVIEW = "plan_review", _("Evaluering av individuell plan er forfalt")
        MEASURE = "measure", _("Tiltak har passert sluttdato")

    key = models.CharField(_("nøkkel"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        PERSON, verbose_name=_("person"), on_delete=models.CASCADE, related_name="followup_reminders"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("tiltak"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        USER, verbose_name=_("mottaker"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("frist"))
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("e-post sendt"), null=True, blank=True)
    done_at = models.DateTimeField(_("utført"), null=True, blank=True)

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.key
