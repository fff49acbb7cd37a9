"""Prefill a mapping entry from the person's record and latest follow-up mapping (issue 5), when present.

Optional by design: the mapping works without the people and followup apps' models. The person is read
through `people.access.access_person`, so the access check and the access log are the people app's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mestring.accounts.models import Membership
from mestring.mapping.areas import AREA_CODES


@dataclass
class Prefill:
    person_id: int
    label: str
    municipality_id: int | None
    initial: dict[str, Any] = field(default_factory=dict)
    from_followup: bool = False


WHAT = "Levekårskartlegging: forhåndsutfylling"


def _access_person(membership: Membership, person_id: Any) -> Any:
    """The people app's access check and access log (404/403 from there); None without the people app."""
    try:
        from mestring.people.access import access_person
    except ImportError:  # pragma: no cover - the people app is part of the project
        return None
    return access_person(membership=membership, person_id=person_id, what=WHAT)


def prefill_for_person(membership: Membership, person_id: Any) -> Prefill | None:
    """Initial form values for a person-linked entry, or None when the people app has no person model.

    Raises Http404/PermissionDenied from the people app when the actor may not see the person.
    """
    person = _access_person(membership, person_id)
    if person is None:
        return None
    initial: dict[str, Any] = {}
    birth_date = getattr(person, "birth_date", None)
    birth_year = getattr(person, "birth_year", None) or (birth_date.year if birth_date else None)
    if birth_year:
        initial["fodselsaar"] = birth_year
    gender = {"female": "k", "male": "m", "k": "k", "m": "m"}.get(getattr(person, "gender", ""), "")
    if gender:
        initial["kjonn"] = gender
    result = Prefill(
        person_id=person.pk,
        label=f"{person.first_name} {person.last_name}",
        municipality_id=getattr(person, "organisation_id", None),
        initial=initial,
    )
    try:
        from mestring.followup.models import PersonMapping
    except ImportError:  # pragma: no cover
        return result
    latest = PersonMapping.objects.filter(person_id=person.pk).prefetch_related("areas").first()
    if latest is not None:
        for area in latest.areas.all():
            if area.area in AREA_CODES:
                initial[area.area] = area.rating
        if latest.unit_id:
            initial["unit"] = latest.unit_id
        result.from_followup = True
    return result
