"""Fixed vocabularies of the mapping: services, gender, age groups, red-area groups.

Kept apart from the models so reports, imports, forms and the benchmark share one definition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MIN_AGE = 16
MAX_AGE = 110


class Gender(models.TextChoices):
    FEMALE = "k", _("Kvinne")
    MALE = "m", _("Mann")


# (code, Norwegian label). Model fields are `received_<code>` / `needed_<code>`; import columns are
# `mottar_<code>` / `trenger_<code>`.
SERVICES: list[tuple[str, StrOrPromise]] = [
    ("botilbud", _("Bolig og oppfølging i bolig")),
    ("aktivitet", _("Arbeid, aktivitet og dagtilbud")),
    ("okonomi", _("Økonomisk rådgivning og sosialhjelp")),
    ("helsehjelp", _("Fastlege og somatisk helsehjelp")),
    ("psykisk_helsehjelp", _("Psykisk helsehjelp")),
    ("rusbehandling", _("Rusbehandling (TSB)")),
]
SERVICE_CODES: list[str] = [code for code, _label in SERVICES]

# (lowest age, highest age or None, label)
AGE_GROUPS: list[tuple[int, int | None, str]] = [
    (16, 24, "16–24"),
    (25, 34, "25–34"),
    (35, 44, "35–44"),
    (45, 54, "45–54"),
    (55, 66, "55–66"),
    (67, None, "67+"),
]
AGE_GROUP_LABELS: list[str] = [label for _low, _high, label in AGE_GROUPS]


def age_group(age: int) -> str:
    for low, high, label in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return label
    raise ValueError(f"age {age} is below {MIN_AGE}")


# Number of red areas per person, grouped (lowest, highest, label).
RED_GROUPS: list[tuple[int, int, str]] = [
    (0, 0, "0"),
    (1, 2, "1–2"),
    (3, 4, "3–4"),
    (5, 8, "5–8"),
]
MANY_RED = 3
"""A person with at least this many red areas counts as having "many red areas"."""
