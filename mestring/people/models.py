"""Person records, the units that serve them, care teams, consent, relatives and break-the-glass grants.

Every read of these rows for a given person goes through `mestring.people.access.access_person`
(which logs it); every write goes through `mestring.people.services`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mestring.organisations.models import Organisation
from mestring.people import crypto


class ValidPeriodQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Rows with valid_from/valid_to: `.active(on)` keeps those valid on a day (default today)."""

    def active(self, on: date | None = None) -> ValidPeriodQuerySet:
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class Gender(models.TextChoices):
    FEMALE = "female", _("Kvinne")
    MALE = "male", _("Mann")
    OTHER = "other", _("Annet / ukjent")


class ChildrenRoutine(models.TextChoices):
    """ "Barn som pårørende": has the person been asked about children under 18?"""

    NOT_ASKED = "not_asked", _("Ikke spurt ennå")
    NO_CHILDREN = "no_children", _("Spurt: har ikke barn under 18 år")
    HAS_CHILDREN = "has_children", _("Spurt: har barn under 18 år")
    DECLINED = "declined", _("Spurt: vil ikke svare")


class Person(models.Model):
    """A person receiving services. `organisation` is the responsible municipality (of residence): tenancy."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktiv")
        ENDED = "ended", _("Avsluttet")
        ANONYMISED = "anonymised", _("Anonymisert")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("bostedskommune"),
        on_delete=models.PROTECT,
        related_name="persons",
        limit_choices_to={"kind": "municipality"},
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    last_name = models.CharField(_("etternavn"), max_length=100)
    # Fernet ciphertext; never the id in clear. `national_id_hmac` finds duplicates (keyed HMAC).
    national_id_encrypted = models.TextField(blank=True, default="", editable=False)
    national_id_hmac = models.CharField(max_length=64, blank=True, default="", editable=False, db_index=True)
    birth_date = models.DateField(_("fødselsdato"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"), null=True, blank=True)
    gender = models.CharField(_("kjønn"), max_length=10, choices=Gender.choices, blank=True, default="")
    phone = models.CharField(_("telefon"), max_length=30, blank=True, default="")
    email = models.EmailField(_("e-post"), blank=True, default="")
    address = models.CharField(_("adresse"), max_length=300, blank=True, default="")
    preferred_meeting_places = models.TextField(_("foretrukne møtesteder"), blank=True, default="")
    interpreter_needed = models.BooleanField(_("trenger tolk"), default=False)
    interpreter_language = models.CharField(_("tolk, språk"), max_length=100, blank=True, default="")
    confidential_address = models.BooleanField(_("fortrolig/strengt fortrolig adresse"), default=False)
    children_routine = models.CharField(
        _("barn som pårørende"),
        max_length=20,
        choices=ChildrenRoutine.choices,
        default=ChildrenRoutine.NOT_ASKED,
    )
    children_followup_offered = models.BooleanField(_("oppfølging av barna er tilbudt"), default=False)
    children_routine_answered_at = models.DateField(_("barn som pårørende, besvart"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    ended_at = models.DateTimeField(_("oppfølging avsluttet"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        constraints = [
            models.UniqueConstraint(
                fields=["national_id_hmac"],
                condition=~Q(national_id_hmac=""),
                name="unique_person_national_id",
            ),
        ]
        indexes = [models.Index(fields=["status", "ended_at"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def national_id(self) -> str:
        """The decrypted id ('' when none). Reading it is a read of the record: go through access_person."""
        return crypto.decrypt(self.national_id_encrypted)

    @property
    def has_national_id(self) -> bool:
        return bool(self.national_id_hmac)

    @property
    def masked_national_id(self) -> str:
        return "●●●●●● ●●●●●" if self.has_national_id else ""

    @property
    def year_of_birth(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year

    def age_on(self, day: date | datetime) -> int | None:
        """Age in whole years on `day`; from the birth year alone (as if born 1 January) without a date."""
        if isinstance(day, datetime):
            day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
        if self.birth_date:
            born = self.birth_date
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.birth_year:
            return day.year - self.birth_year
        return None

    @property
    def children_routine_pending(self) -> bool:
        return self.children_routine == ChildrenRoutine.NOT_ASKED

    @property
    def children_followup_pending(self) -> bool:
        """Asked, has children under 18, but the children and the other parent are not offered follow-up."""
        return self.children_routine == ChildrenRoutine.HAS_CHILDREN and not self.children_followup_offered

    @property
    def children_routine_open(self) -> bool:
        """The routine is not done: not asked yet, or follow-up for the children still to be offered."""
        return self.children_routine_pending or self.children_followup_pending


class ServiceRelation(models.Model):
    """A unit that serves the person for a period: membership in the unit gives tjenstlig behov."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="service_relations")
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("enhet"),
        on_delete=models.PROTECT,
        related_name="served_persons",
        limit_choices_to={"kind": "unit"},
    )
    valid_from = models.DateField(_("fra"), default=timezone.localdate)
    valid_to = models.DateField(_("til"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ValidPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "pk"]
        verbose_name = _("tjeneste")
        verbose_name_plural = _("tjenester")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="service_relation_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.person_id}"


class CareTeamMembership(models.Model):
    """An internal staff member on the person's care team (the followup app adds external members itself)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansatt"),
        on_delete=models.PROTECT,
        related_name="care_teams",
    )
    role_title = models.CharField(_("rolle i teamet"), max_length=200, blank=True, default="")
    valid_from = models.DateField(_("fra"), default=timezone.localdate)
    valid_to = models.DateField(_("til"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ValidPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["valid_from", "pk"]
        verbose_name = _("medlem av teamet")
        verbose_name_plural = _("teammedlemmer")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="care_team_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role_title})"


class ConsentRecipient(models.TextChoices):
    NAV = "nav", _("NAV")
    GP = "gp", _("Fastlege")
    TSB = "tsb", _("TSB (tverrfaglig spesialisert rusbehandling)")
    DPS = "dps", _("DPS / psykisk helsevern")
    RELATIVES = "relatives", _("Pårørende")
    CHILD_WELFARE = "child_welfare", _("Barnevern")
    SCHOOL = "school", _("Skole / opplæring")
    HOUSING = "housing", _("Boligkontor")
    OTHER = "other", _("Andre (beskriv)")


class Consent(models.Model):
    """One decision about sharing with a recipient: given or withdrawn. The newest per recipient counts."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    recipient = models.CharField(_("mottaker"), max_length=20, choices=ConsentRecipient.choices)
    recipient_detail = models.CharField(_("mottaker, utdypet"), max_length=200, blank=True, default="")
    scope = models.CharField(_("hva kan deles"), max_length=500, blank=True, default="")
    given = models.BooleanField(_("samtykke gitt"), default=True)
    decided_on = models.DateField(_("dato"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-recorded_at", "-pk"]
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")

    def __str__(self) -> str:
        return f"{self.get_recipient_display()}: {'gitt' if self.given else 'trukket'}"


class Disclosure(models.Model):
    """Information shared with a recipient under a valid consent (utlevering)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disclosures")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.CharField(_("mottaker"), max_length=20, choices=ConsentRecipient.choices)
    recipient_detail = models.CharField(_("mottaker, utdypet"), max_length=200, blank=True, default="")
    what = models.CharField(_("hva ble delt"), max_length=500)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shared_at", "-pk"]
        verbose_name = _("deling")
        verbose_name_plural = _("delinger")

    def __str__(self) -> str:
        return self.what


class Relative(models.Model):
    """A relative (pårørende), including children under 18."""

    class Relation(models.TextChoices):
        CHILD = "child", _("Barn")
        PARTNER = "partner", _("Ektefelle / samboer / partner")
        PARENT = "parent", _("Forelder")
        SIBLING = "sibling", _("Søsken")
        FRIEND = "friend", _("Venn / nettverk")
        OTHER = "other", _("Annen")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("navn"), max_length=200)
    relation = models.CharField(_("relasjon"), max_length=20, choices=Relation.choices)
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"), null=True, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True, default="")
    is_next_of_kin = models.BooleanField(_("nærmeste pårørende"), default=False)
    followup_offered = models.BooleanField(_("tilbudt samtale/oppfølging"), default=False)
    notes = models.CharField(_("merknad"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["relation", "name", "pk"]
        verbose_name = _("pårørende")
        verbose_name_plural = _("pårørende")

    def __str__(self) -> str:
        return self.name

    def is_minor_on(self, day: date) -> bool:
        return self.relation == self.Relation.CHILD and (
            self.birth_year is None or day.year - self.birth_year < 18
        )


class BreakGlassGrant(models.Model):
    """Emergency access without tjenstlig behov: written reason, time-limited, logged, leader-reviewed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="break_glass_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("begrunnelse"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("merknad fra leder"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("bryt glasset-tilgang")
        verbose_name_plural = _("bryt glasset-tilganger")

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
