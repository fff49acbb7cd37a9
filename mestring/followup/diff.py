"""What changed between two versions of an individual plan (snapshots from `services.plan_snapshot`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from mestring.followup.models import Goal, IndividualPlan, Measure

FIELD_LABELS: dict[str, Any] = {
    "status": _("Status"),
    "resources": _("Ressurser"),
    "needs": _("Behov"),
    "participants": _("Hvem som deltar"),
    "person_participated": _("Personen har deltatt"),
    "time_perspective": _("Tidsperspektiv"),
    "next_review_on": _("Neste evaluering"),
    "consent_to_share": _("Samtykke til å dele informasjon"),
    "consent_note": _("Samtykke, utdypet"),
    "rights_informed": _("Informert om rettigheter og plikter"),
    "declined_on": _("Takket nei dato"),
    "decline_reason": _("Begrunnelse for å takke nei"),
    "coordinator": _("Koordinator"),
}
LIST_LABELS: dict[str, Any] = {"goals": _("Mål"), "measures": _("Tiltak"), "care_team": _("Ansvarsgruppe")}
ITEM_FIELD_LABELS: dict[str, Any] = {
    "text": _("tekst"),
    "status": _("status"),
    "area": _("område"),
    "parent": _("hovedmål"),
    "title": _("tiltak"),
    "goal": _("mål"),
    "responsible": _("ansvarlig"),
    "extent": _("omfang"),
    "how": _("hvordan"),
    "start_on": _("start"),
    "end_on": _("slutt"),
    "name": _("navn"),
    "role": _("rolle"),
    "agency": _("instans"),
}
CHOICES: dict[str, dict[str, Any]] = {
    "plan_status": dict(IndividualPlan.Status.choices),
    "goal_status": dict(Goal.Status.choices),
    "measure_status": dict(Measure.Status.choices),
}


def display(value: Any, kind: str = "") -> str:
    """A value as plain Norwegian text."""
    if value is None or value == "":
        return "–"
    if value is True:
        return str(_("Ja"))
    if value is False:
        return str(_("Nei"))
    if kind in CHOICES:
        return str(CHOICES[kind].get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return str(value)


@dataclass
class FieldChange:
    label: Any
    old: str
    new: str


@dataclass
class ItemChange:
    kind: str  # added / removed / changed
    title: str
    details: list[FieldChange] = field(default_factory=list)


@dataclass
class ListChange:
    label: Any
    items: list[ItemChange]


@dataclass
class PlanDiff:
    fields: list[FieldChange]
    lists: list[ListChange]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not any(lst.items for lst in self.lists)

    @property
    def labels(self) -> list[str]:
        """What changed, in words: the changed fields and lists ("Behov, Ansvarsgruppe")."""
        return [str(c.label) for c in self.fields] + [str(lst.label) for lst in self.lists if lst.items]


def _title(item: dict[str, Any]) -> str:
    return str(item.get("text") or item.get("title") or item.get("name") or "")


def _status_kind(list_name: str) -> str:
    return {"goals": "goal_status", "measures": "measure_status"}.get(list_name, "")


def plan_diff(old: dict[str, Any], new: dict[str, Any]) -> PlanDiff:
    fields = []
    for name, label in FIELD_LABELS.items():
        before, after = old.get(name), new.get(name)
        if before != after:
            kind = "plan_status" if name == "status" else ""
            fields.append(FieldChange(label=label, old=display(before, kind), new=display(after, kind)))
    lists = []
    for list_name, label in LIST_LABELS.items():
        before_items = {item["id"]: item for item in old.get(list_name, [])}
        after_items = {item["id"]: item for item in new.get(list_name, [])}
        changes: list[ItemChange] = []
        for item_id, item in after_items.items():
            if item_id not in before_items:
                changes.append(ItemChange(kind="added", title=_title(item)))
                continue
            previous = before_items[item_id]
            details = [
                FieldChange(
                    label=ITEM_FIELD_LABELS.get(key, key),
                    old=display(previous.get(key), _status_kind(list_name) if key == "status" else ""),
                    new=display(value, _status_kind(list_name) if key == "status" else ""),
                )
                for key, value in item.items()
                if key != "id" and previous.get(key) != value
            ]
            if details:
                changes.append(ItemChange(kind="changed", title=_title(item), details=details))
        for item_id, item in before_items.items():
            if item_id not in after_items:
                changes.append(ItemChange(kind="removed", title=_title(item)))
        lists.append(ListChange(label=label, items=changes))
    return PlanDiff(fields=fields, lists=lists)


def snapshot_value(value: Any) -> Any:
    """A form value as a snapshot stores it (dates as ISO strings)."""
    return value.isoformat() if isinstance(value, date) else value


@dataclass
class ConflictField:
    name: str
    label: Any
    theirs: str
    yours: str
    taken: bool  # the other person's value was taken into the form (you had not changed this field)


def plan_conflict(
    *, base: dict[str, Any], theirs: dict[str, Any], yours: dict[str, Any]
) -> list[ConflictField]:
    """A three-way comparison of the plan's own fields after an edit conflict: `base` is the version the form
    was opened from, `theirs` the version saved in between, `yours` the form. Fields only the other person
    changed are taken into the form (`taken`); fields both changed differently are shown side by side and
    keep your text; fields only you changed, or changed alike, are not listed."""
    fields = []
    for name in yours:
        before, mine, other = base.get(name), yours[name], theirs.get(name)
        if mine == other or other == before:
            continue
        fields.append(
            ConflictField(
                name=name,
                label=FIELD_LABELS.get(name, name),
                theirs=display(other),
                yours=display(mine),
                taken=mine == before,
            )
        )
    return fields
