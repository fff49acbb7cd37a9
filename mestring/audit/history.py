"""A person's change history in plain Norwegian: `ChangeLog` rows → labels and formatted values.

The change log stores what the writing service knew: the model name (`goal`, `episode`…), field names and
JSON values (choice codes, ISO dates, booleans, names of related objects). This module turns a row into
text a coordinator can read, once, for every page and export that shows change records (the history page
`/personer/<id>/historikk/` and the innsyn export):

- the object by the model's `verbose_name`, found through Django's app registry;
- the field by its `verbose_name`, the value by the field's choice label, dates as dd.mm.yyyy, date-times as
  dd.mm.yyyy tt:mm (Oslo time), booleans as Ja/Nei, empty as "–", numbers with a decimal comma;
- every model that a change log row can name has a Norwegian `verbose_name` (a test checks it); fields
  without one (Django's default is derived from the English field name) use the small fall-back table below
  until their owners add one;
- anything unknown (a removed model or field, an old row, an odd value) still renders, as the raw value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mestring.audit.services import REDACTED

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from mestring.audit.models import ChangeRecord

EMPTY = "–"

ACTION_LABELS: dict[str, StrOrPromise] = {
    "created": _("registrert"),
    "changed": _("endret"),
    "ended": _("avsluttet"),
    "reopened": _("gjenåpnet"),
    "removed": _("fjernet"),
    "shared": _("delt"),
}

# The record's own fields read better under this heading than under the model name ("Person").
PREFERRED_OBJECT_LABELS: dict[str, StrOrPromise] = {"people.person": _("Personopplysninger")}


# Fall-back names for fields without a Norwegian `verbose_name`, and for keys the services log that are
# not model fields. "<app>.<model>.<field>" wins over a bare "<field>".
FIELD_LABELS: dict[str, StrOrPromise] = {
    "national_id": _("fødselsnummer"),
    "people.person.national_id_encrypted": _("fødselsnummer"),
    "people.person.national_id_hmac": _("fødselsnummer"),
    "user": _("ansatt"),
    "person": _("person"),
    "goal": _("mål"),
    "measure": _("tiltak"),
    "instrument": _("skjema"),
    "episode": _("forløp"),
    "meeting": _("møte"),
    "unit": _("enhet"),
    "kind": _("type"),
    "version": _("versjon"),
    "action": _("handling"),
    "answers": _("svar"),
    "attendance": _("oppmøte"),
    "added_on": _("lagt til"),
    "removed_at": _("fjernet"),
    "due_on": _("frist"),
    "done_at": _("utført"),
    # Keys of the administration change log (`AdminChange`).
    "organisation": _("organisasjon"),
    "municipality": _("kommune"),
    "host": _("vertskommune"),
    "members": _("medlemmer"),
    "new_user": _("ny bruker"),
    "password_link": _("lenke for å sette passord sendt til"),
    "assignments": _("antall kommuner"),
    "groups": _("grupper"),
}

# Models whose log rows are keyed by something other than their own fields: the keys are values of
# `key_field` on `model` and the values are values of `value_field` (a person mapping logs
# {area code: rating}, the ratings live on followup.MappingArea).
KEYED_CHANGES: dict[str, tuple[str, str, str]] = {
    "followup.personmapping": ("followup.mappingarea", "area", "rating"),
}

# Keys whose value is a list of what changed rather than [old, new] (a meeting logs the ids of the
# members whose attendance changed).
LIST_KEYS: dict[str, frozenset[str]] = {"followup.meeting": frozenset({"attendance"})}

# Apps whose models hold person data win when two apps have a model of the same name.
_PREFERRED_APPS = ("people", "followup", "mapping", "surveys")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass(frozen=True)
class ChangeLine:
    """One changed field. `old` is None when the log holds only what changed (no old → new pair)."""

    label: str
    old: str | None
    new: str

    @property
    def text(self) -> str:
        if self.old is None:
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class HistoryEntry:
    """A change-log row ready to show: when, who, what (object and action) and the changed fields."""

    at: datetime
    username: str
    object_label: str
    action_label: str
    lines: tuple[ChangeLine, ...]

    @property
    def title(self) -> str:
        return f"{self.object_label} ({self.action_label})"


@lru_cache(maxsize=1)
def _models_by_name() -> dict[str, type[models.Model]]:
    """model_name (and app_label.model_name) → model, person-data apps first on a clash."""
    found: dict[str, type[models.Model]] = {}
    ordered = sorted(
        apps.get_models(),
        key=lambda m: (
            _PREFERRED_APPS.index(m._meta.app_label)
            if m._meta.app_label in _PREFERRED_APPS
            else len(_PREFERRED_APPS)
        ),
    )
    for model in ordered:
        found.setdefault(model._meta.model_name or "", model)
        found.setdefault(model._meta.label_lower, model)
    return found


def resolve_model(object_type: str) -> type[models.Model] | None:
    """The model a log row's `object_type` names, or None (a removed model, a free-form type)."""
    return _models_by_name().get((object_type or "").lower())


def _has_own_verbose_name(model: type[models.Model]) -> bool:
    return "verbose_name" in model._meta.original_attrs


def object_label(object_type: str) -> str:
    model = resolve_model(object_type)
    if model is None:
        return capfirst(str(object_type)) or EMPTY
    key = model._meta.label_lower
    if key in PREFERRED_OBJECT_LABELS:
        return str(PREFERRED_OBJECT_LABELS[key])
    return capfirst(str(model._meta.verbose_name))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _keyed(model: type[models.Model] | None) -> tuple[models.Field[Any, Any], models.Field[Any, Any]] | None:
    if model is None or model._meta.label_lower not in KEYED_CHANGES:
        return None
    target, key_field, value_field = KEYED_CHANGES[model._meta.label_lower]
    target_model = resolve_model(target)
    keys, values = _field(target_model, key_field), _field(target_model, value_field)
    return (keys, values) if keys is not None and values is not None else None


def _has_own_field_name(field: models.Field[Any, Any]) -> bool:
    return str(field.verbose_name) != field.name.replace("_", " ")


def field_label(model: type[models.Model] | None, name: str) -> str:
    field = _field(model, name)
    if field is not None and _has_own_field_name(field):
        return capfirst(str(field.verbose_name))
    fallback = FIELD_LABELS.get(f"{model._meta.label_lower}.{name}") if model is not None else None
    if fallback is None:
        fallback = FIELD_LABELS.get(name)
    if fallback is None and field is None:
        keyed = _keyed(model)
        if keyed is not None:
            fallback = dict(keyed[0].flatchoices).get(name)
    if fallback is not None:
        return capfirst(str(fallback))
    return capfirst(str(name).replace("_", " "))


def _format_date(value: str) -> str:
    return formats.date_format(date.fromisoformat(value[:10]), "d.m.Y")


def _format_datetime(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(timezone.localtime(moment), "d.m.Y H:i")


def _format_number(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return formats.number_format(value, use_l10n=True)


def format_value(field: models.Field[Any, Any] | None, value: Any) -> str:
    """One logged value as text; the raw value when it cannot be read as what the field says."""
    if value is None or value == "":
        return EMPTY
    if value is True:
        return gettext("Ja")
    if value is False:
        return gettext("Nei")
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, list):
        return ", ".join(format_value(field, item) for item in value) or EMPTY
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(None, v)}" for k, v in value.items()) or EMPTY
    if field is not None and field.choices:
        label = dict(field.flatchoices).get(value)
        if label is not None:
            return str(label)
    if isinstance(value, str) and value != REDACTED:
        try:
            if isinstance(field, models.DateTimeField) or (field is None and _ISO_DATETIME.match(value)):
                return _format_datetime(value) if "T" in value or " " in value else _format_date(value)
            if isinstance(field, models.DateField) or (field is None and _ISO_DATE.match(value)):
                return _format_date(value)
        except ValueError:
            return value
    return str(value)


def describe_changes(object_type: str, changes: Any) -> tuple[ChangeLine, ...]:
    """The logged {field: [old, new]} as lines. A pair that reads the same on both sides (an empty field
    on a new record) is left out, and identical lines (one fact logged under two keys) are shown once."""
    if not isinstance(changes, dict):
        return ()
    model = resolve_model(object_type)
    keyed = _keyed(model)
    list_keys = LIST_KEYS.get(model._meta.label_lower, frozenset()) if model is not None else frozenset()
    lines: list[ChangeLine] = []
    for name, values in changes.items():
        field = _field(model, str(name))
        if field is None and keyed is not None:
            field = keyed[1]
        label = field_label(model, str(name))
        if isinstance(values, list) and len(values) == 2 and name not in list_keys:
            old, new = format_value(field, values[0]), format_value(field, values[1])
            if old == new:
                continue
            line = ChangeLine(label, old, new)
        else:
            line = ChangeLine(label, None, gettext("endret"))
        if line not in lines:
            lines.append(line)
    return tuple(lines)


def describe(record: ChangeRecord) -> HistoryEntry:
    object_type = str(getattr(record, "object_type", "") or "")
    return HistoryEntry(
        at=record.at,
        username=record.username,
        object_label=object_label(object_type),
        action_label=action_label(record.action),
        lines=describe_changes(object_type, record.changes),
    )


def describe_all(records: Iterable[ChangeRecord]) -> list[HistoryEntry]:
    return [describe(record) for record in records]
