"""The person's own annual mappings, for innsyn (the person's right to see what is recorded)."""

from __future__ import annotations

from typing import Any

from mestring.mapping.areas import AREA_CODES
from mestring.mapping.models import MappingEntry


def export_person_mappings(person: Any) -> list[dict[str, Any]]:
    rows = MappingEntry.objects.filter(person_id=person.pk).select_related("round__organisation", "unit")
    return [
        {
            "år": entry.year,
            "kartlagt_dato": entry.assessed_on.isoformat(),
            "runde": str(entry.round),
            "enhet": entry.unit.name if entry.unit else "",
            **{code: getattr(entry, code) for code in AREA_CODES},
            "individuell_plan": entry.has_ip,
            "koordinator": entry.has_coordinator,
            "fase": entry.phase,
        }
        for entry in rows
    ]
