"""Municipalities (versioned frame), service units, inter-municipal cooperations and group sets."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HealthRegion(models.TextChoices):
    SOR_OST = "Sør-Øst", "Sør-Øst"
    VEST = "Vest", "Vest"
    MIDT = "Midt", "Midt"
    NORD = "Nord", "Nord"


# (upper bound exclusive or None, label). The classes used by the national survey (DOMAIN.md).
POPULATION_CLASSES: list[tuple[int | None, str]] = [
    (2000, "Under 2 000"),
    (5000, "2 000–4 999"),
    (10000, "5 000–9 999"),
    (20000, "10 000–19 999"),
    (50001, "20 000–50 000"),
    (None, "Over 50 000"),
]


def population_class(population: int) -> str:
    for upper, label in POPULATION_CLASSES:
        if upper is None or population < upper:
            return label
    raise AssertionError("unreachable")


class Organisation(models.Model):
    """Anything a user can act through: a municipality, a service unit, a cooperation or a national body."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommune")
        UNIT = "unit", _("Tjeneste/enhet")
        COOPERATION = "cooperation", _("Interkommunalt samarbeid")
        NATIONAL = "national", _("Nasjonal aktør")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kortnavn"), max_length=80, unique=True)
    kommunenummer = models.CharField(_("kommunenummer"), max_length=4, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("hører til"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("For en enhet: kommunen enheten hører til."),
    )
    contact_email = models.EmailField(_("kontaktadresse (e-post)"), blank=True, default="")
    address = models.CharField(_("postadresse"), max_length=300, blank=True, default="")
    # Cooperation-only fields
    host = models.ForeignKey(
        "self",
        verbose_name=_("vertskommune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_cooperations",
    )
    agreement = models.TextField(_("samarbeidsavtale"), blank=True, default="")
    shares_person_data = models.BooleanField(
        _("felles personell kan følge opp personer i alle medlemskommuner"),
        default=False,
        help_text=_("Avtalen gir ansatte i samarbeidet tjenstlig tilgang på tvers av medlemskommunene."),
    )
    members_see_each_other = models.BooleanField(
        _("medlemskommunene kan se hverandres enheter og nøkkeltall"),
        default=True,
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisasjon")
        verbose_name_plural = _("organisasjoner")
        constraints = [
            models.UniqueConstraint(
                fields=["kommunenummer"],
                condition=Q(kind="municipality"),
                name="unique_municipality_number",
            ),
            models.CheckConstraint(
                condition=~Q(kind="unit") | Q(parent__isnull=False),
                name="unit_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipality(self) -> bool:
        return self.kind == self.Kind.MUNICIPALITY

    @property
    def is_cooperation(self) -> bool:
        return self.kind == self.Kind.COOPERATION

    @property
    def municipality(self) -> Organisation | None:
        """The municipality this organisation belongs to (itself for a municipality)."""
        if self.kind == self.Kind.MUNICIPALITY:
            return self
        if self.kind == self.Kind.UNIT and self.parent is not None:
            return self.parent.municipality
        return None


class CooperationMember(models.Model):
    """A municipality's membership in an inter-municipal cooperation for a period."""

    cooperation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="member_links",
        limit_choices_to={"kind": "cooperation"},
    )
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="cooperation_links",
        limit_choices_to={"kind": "municipality"},
    )
    valid_from = models.DateField(_("fra"), default=date(2000, 1, 1))
    valid_to = models.DateField(_("til"), null=True, blank=True)

    class Meta:
        ordering = ["municipality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "municipality", "valid_from"], name="unique_member_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} i {self.cooperation}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class SteeringGroupMember(models.Model):
    """A seat in a cooperation's steering group (styringsgruppe)."""

    cooperation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="steering_group")
    title = models.CharField(_("rolle"), max_length=200)
    municipality = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="steering_seats"
    )
    holder = models.CharField(_("innehaver"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["municipality__name", "title"]

    def __str__(self) -> str:
        return self.title


class MunicipalityFrame(models.Model):
    """One municipality in the frame of one year (municipality structure changes over the years)."""

    year = models.PositiveIntegerField(_("år"))
    kommunenummer = models.CharField(_("kommunenummer"), max_length=4)
    name = models.CharField(_("navn"), max_length=200)
    fylke = models.CharField(_("fylke"), max_length=100)
    helseregion = models.CharField(_("helseregion"), max_length=20, choices=HealthRegion.choices)
    kostragruppe = models.CharField(_("KOSTRA-gruppe"), max_length=50)
    population = models.PositiveIntegerField(_("innbyggere"))
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"))

    class Meta:
        ordering = ["year", "kommunenummer"]
        constraints = [models.UniqueConstraint(fields=["year", "kommunenummer"], name="unique_frame_row")]
        indexes = [models.Index(fields=["kommunenummer", "year"])]

    def __str__(self) -> str:
        return f"{self.kommunenummer} {self.name} ({self.year})"

    @property
    def befolkningsklasse(self) -> str:
        return population_class(self.population)


BUILTIN_GROUP_SETS: dict[str, str] = {
    "fylke": "Fylke",
    "helseregion": "Helseregion",
    "kostragruppe": "KOSTRA-gruppe",
    "befolkningsklasse": "Befolkningsklasse",
}


class GroupSet(models.Model):
    """A way to group municipalities in reports. Built-in sets are derived from the frame."""

    slug = models.SlugField(_("kortnavn"), max_length=80, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    is_builtin = models.BooleanField(default=False)
    description = models.TextField(_("beskrivelse"), blank=True, default="")
    owner = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-is_builtin", "name"]

    def __str__(self) -> str:
        return self.name


class GroupSetMember(models.Model):
    """A municipality's group in a user-defined group set."""

    group_set = models.ForeignKey(GroupSet, on_delete=models.CASCADE, related_name="members")
    kommunenummer = models.CharField(max_length=4)
    label = models.CharField(_("gruppe"), max_length=200)

    class Meta:
        ordering = ["label", "kommunenummer"]
        constraints = [
            models.UniqueConstraint(fields=["group_set", "kommunenummer"], name="unique_group_member")
        ]

    def __str__(self) -> str:
        return f"{self.kommunenummer} → {self.label}"


class FrameImportJob(models.Model):
    """An uploaded municipality frame (rows already checked) waiting for, in, or after its background import.

    The import itself is all or nothing. At most one job per year is queued or running at a time.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Importerer")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feilet")

    year = models.PositiveIntegerField(_("år"))
    filename = models.CharField(_("filnavn"), max_length=255)
    rows = models.JSONField(default=list, blank=True)  # the checked rows; emptied once the import is done
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)  # numbers new in the year's frame
    updated = models.PositiveIntegerField(default=0)  # numbers whose row changed
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)  # numbers in the old frame of the year, not in the file
    organisations_created = models.PositiveIntegerField(default=0)
    organisations_renamed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The second import of a year while the first is queued or running is refused (see services).
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_frame_import_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress(self) -> int:
        if self.finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))
