"""Annual living-condition mapping: rounds, participating units, targets, entries and imports.

An entry is one person's mapping in one round. Entries are anonymous (birth year and gender, no identity);
`person` links an entry to `people.Person` when it was confirmed from follow-up (see README). Reports never
read rows out: they aggregate in SQL through `mestring.mapping.reports` and `mestring.stats`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mestring.audit.models import ChangeRecord
from mestring.mapping.areas import Phase, Rating
from mestring.mapping.catalog import Gender
from mestring.organisations.models import Organisation


class MappingRound(models.Model):
    """A municipality's (or a cooperation's, for all its members) mapping in one year."""

    class Status(models.TextChoices):
        OPEN = "open", _("Åpen")
        CLOSED = "closed", _("Avsluttet")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="mapping_rounds", verbose_name=_("kommune")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    starts_on = models.DateField(_("fra"))
    ends_on = models.DateField(_("til"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("merknad"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("kartleggingsrunde")
        verbose_name_plural = _("kartleggingsrunder")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="unique_mapping_round_year"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="round_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RoundUnit(models.Model):
    """A unit taking part in a round, with the number of persons it is expected to map."""

    round = models.ForeignKey(MappingRound, on_delete=models.CASCADE, related_name="round_units")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    expected = models.PositiveIntegerField(_("forventet antall"), default=0)

    class Meta:
        ordering = ["unit__name"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="unique_round_unit")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.expected})"


class RoundStaffTarget(models.Model):
    """How many persons one staff member is expected to map in a round."""

    round = models.ForeignKey(MappingRound, on_delete=models.CASCADE, related_name="staff_targets")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expected = models.PositiveIntegerField(_("forventet antall"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="unique_round_staff")]

    def __str__(self) -> str:
        return f"{self.user} ({self.expected})"


class EntrySource(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonym registrering")
    FOLLOWUP = "followup", _("Fra oppfølging")
    IMPORT = "import", _("Importert")
    DEMO = "demo", _("Demodata")


class MappingEntry(models.Model):
    """One person's living-condition mapping in a round. No name, no national id."""

    round = models.ForeignKey(MappingRound, on_delete=models.PROTECT, related_name="entries")
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("år"))
    unit = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_on = models.DateField(_("kartlagt dato"))
    source = models.CharField(max_length=12, choices=EntrySource.choices, default=EntrySource.ANONYMOUS)
    # A person-linked entry (confirmed from follow-up). SET_NULL: when retention deletes a person, the row
    # stays for statistics without identity; an anonymised person keeps the link (year-over-year change).
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="mapping_entries"
    )
    birth_year = models.PositiveSmallIntegerField(_("fødselsår"))
    gender = models.CharField(_("kjønn"), max_length=1, choices=Gender.choices)
    age_group = models.CharField(_("aldersgruppe"), max_length=8)
    bolig = models.CharField(_("bolig"), max_length=5, choices=Rating.choices)
    meningsfull_aktivitet = models.CharField(_("meningsfull aktivitet"), max_length=5, choices=Rating.choices)
    okonomi = models.CharField(_("økonomi"), max_length=5, choices=Rating.choices)
    fysisk_helse = models.CharField(_("fysisk helse"), max_length=5, choices=Rating.choices)
    psykisk_helse = models.CharField(_("psykisk helse"), max_length=5, choices=Rating.choices)
    rusmiddelbruk = models.CharField(_("rusmiddelbruk"), max_length=5, choices=Rating.choices)
    sosial_fungering = models.CharField(_("sosial fungering"), max_length=5, choices=Rating.choices)
    sosialt_nettverk = models.CharField(_("sosialt nettverk"), max_length=5, choices=Rating.choices)
    red_count = models.PositiveSmallIntegerField(_("antall røde områder"), default=0)
    received_botilbud = models.BooleanField(default=False)
    needed_botilbud = models.BooleanField(default=False)
    received_aktivitet = models.BooleanField(default=False)
    needed_aktivitet = models.BooleanField(default=False)
    received_okonomi = models.BooleanField(default=False)
    needed_okonomi = models.BooleanField(default=False)
    received_helsehjelp = models.BooleanField(default=False)
    needed_helsehjelp = models.BooleanField(default=False)
    received_psykisk_helsehjelp = models.BooleanField(default=False)
    needed_psykisk_helsehjelp = models.BooleanField(default=False)
    received_rusbehandling = models.BooleanField(default=False)
    needed_rusbehandling = models.BooleanField(default=False)
    has_ip = models.BooleanField(_("har individuell plan"), default=False)
    has_coordinator = models.BooleanField(_("har koordinator"), default=False)
    lar = models.BooleanField(_("i LAR"), default=False)
    has_minor_children = models.BooleanField(_("har barn under 18 år"), default=False)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, blank=True, default="")
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: an edit names the version it started from (see services.entry_update).
    version = models.PositiveIntegerField(default=1, db_default=1)  # db_default: raw COPY (bench) omits it
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("kartlegging")
        verbose_name_plural = _("kartlegginger")
        indexes = [
            models.Index(fields=["year", "municipality"]),
            models.Index(fields=["round", "unit"]),
            models.Index(
                fields=["person", "year"],
                condition=models.Q(person_id__isnull=False),
                name="mapping_entry_person_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} #{self.pk}"


class EntryChange(ChangeRecord):
    """The audit trail of corrections: who changed or deleted which entry, when, field → [old, new].

    Entries are anonymous, so `audit.ChangeLog` (which belongs to a person) cannot hold them; a
    person-linked entry is also written to the person's change log. `entry_id` outlives a deleted entry.
    """

    class Action(models.TextChoices):
        CHANGED = "changed", _("Endret")
        REMOVED = "removed", _("Slettet")

    round = models.ForeignKey(MappingRound, on_delete=models.PROTECT, related_name="entry_changes")
    entry_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)

    class Meta(ChangeRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} #{self.entry_id}"


class ImportJob(models.Model):
    """An uploaded CSV/XLSX file waiting for, in, or after import. All rows or none are imported."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kø")
        RUNNING = "running", _("Importerer")
        DONE = "done", _("Ferdig")
        FAILED = "failed", _("Feil i filen")

    round = models.ForeignKey(MappingRound, on_delete=models.CASCADE, related_name="imports")
    municipality = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class MappingCube(models.Model):
    """Counts of entries per municipality, year and the report's dimensions: what the reports read.

    Rebuilt per year from `MappingEntry` with one INSERT … SELECT … GROUP BY when the entries have changed
    (see `mestring.mapping.cube`); never edited by hand. Holds no row that could identify a person on its
    own, but it is not suppressed either: only `stats` may publish from it.
    """

    municipality_id = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()
    age_group = models.CharField(max_length=8)
    gender = models.CharField(max_length=1)
    red_count = models.PositiveSmallIntegerField()
    has_ip = models.BooleanField()
    has_coordinator = models.BooleanField()
    n = models.PositiveIntegerField()
    bolig_gronn = models.PositiveIntegerField()
    bolig_gul = models.PositiveIntegerField()
    bolig_rod = models.PositiveIntegerField()
    meningsfull_aktivitet_gronn = models.PositiveIntegerField()
    meningsfull_aktivitet_gul = models.PositiveIntegerField()
    meningsfull_aktivitet_rod = models.PositiveIntegerField()
    okonomi_gronn = models.PositiveIntegerField()
    okonomi_gul = models.PositiveIntegerField()
    okonomi_rod = models.PositiveIntegerField()
    fysisk_helse_gronn = models.PositiveIntegerField()
    fysisk_helse_gul = models.PositiveIntegerField()
    fysisk_helse_rod = models.PositiveIntegerField()
    psykisk_helse_gronn = models.PositiveIntegerField()
    psykisk_helse_gul = models.PositiveIntegerField()
    psykisk_helse_rod = models.PositiveIntegerField()
    rusmiddelbruk_gronn = models.PositiveIntegerField()
    rusmiddelbruk_gul = models.PositiveIntegerField()
    rusmiddelbruk_rod = models.PositiveIntegerField()
    sosial_fungering_gronn = models.PositiveIntegerField()
    sosial_fungering_gul = models.PositiveIntegerField()
    sosial_fungering_rod = models.PositiveIntegerField()
    sosialt_nettverk_gronn = models.PositiveIntegerField()
    sosialt_nettverk_gul = models.PositiveIntegerField()
    sosialt_nettverk_rod = models.PositiveIntegerField()
    svc_botilbud_both = models.PositiveIntegerField()
    svc_botilbud_gap = models.PositiveIntegerField()
    svc_botilbud_only = models.PositiveIntegerField()
    svc_aktivitet_both = models.PositiveIntegerField()
    svc_aktivitet_gap = models.PositiveIntegerField()
    svc_aktivitet_only = models.PositiveIntegerField()
    svc_okonomi_both = models.PositiveIntegerField()
    svc_okonomi_gap = models.PositiveIntegerField()
    svc_okonomi_only = models.PositiveIntegerField()
    svc_helsehjelp_both = models.PositiveIntegerField()
    svc_helsehjelp_gap = models.PositiveIntegerField()
    svc_helsehjelp_only = models.PositiveIntegerField()
    svc_psykisk_helsehjelp_both = models.PositiveIntegerField()
    svc_psykisk_helsehjelp_gap = models.PositiveIntegerField()
    svc_psykisk_helsehjelp_only = models.PositiveIntegerField()
    svc_rusbehandling_both = models.PositiveIntegerField()
    svc_rusbehandling_gap = models.PositiveIntegerField()
    svc_rusbehandling_only = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["year", "municipality_id"])]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}: {self.n}"


class CubeState(models.Model):
    """Per year: the newest entry id the cube was built from; -1 after an entry was changed or deleted."""

    year = models.PositiveSmallIntegerField(unique=True)
    built_max_id = models.BigIntegerField(default=0)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.year}: {self.built_max_id}"
