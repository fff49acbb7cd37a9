"""The eight living-condition areas and their green/yellow/red rating (shared by follow-up and mapping)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Rating(models.TextChoices):
    GREEN = "gronn", _("Grønn – ingen eller små problemer")
    YELLOW = "gul", _("Gul – noen problemer")
    RED = "rod", _("Rød – alvorlige problemer")


# (field/code name, Norwegian label). The code names are also the CSV import column names.
AREAS: list[tuple[str, StrOrPromise]] = [
    ("bolig", _("Bolig")),
    ("meningsfull_aktivitet", _("Meningsfull aktivitet")),
    ("okonomi", _("Økonomi")),
    ("fysisk_helse", _("Fysisk helse")),
    ("psykisk_helse", _("Psykisk helse")),
    ("rusmiddelbruk", _("Rusmiddelbruk")),
    ("sosial_fungering", _("Sosial fungering")),
    ("sosialt_nettverk", _("Sosialt nettverk")),
]
AREA_CODES: list[str] = [code for code, _label in AREAS]


class Phase(models.TextChoices):
    """Pathway phases (forløp)."""

    PREVENTION = "forebygging", _("Forebygging")
    EARLY = "tidlig_innsats", _("Tidlig innsats")
    WAITING_TSB = "venter_tsb", _("Venter på behandling i TSB")
    IN_TSB = "under_tsb", _("Under behandling i TSB")
    AFTER = "etter_behandling", _("Etter behandling / rehabilitering")
