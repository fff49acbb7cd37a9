"""Small template helpers for follow-up pages."""

from __future__ import annotations

from typing import Any

from django import template

from mestring.followup.feedback import score_text
from mestring.mapping.areas import AREAS, Phase, Rating

register = template.Library()

_PHASES = dict(Phase.choices)
_AREAS = dict(AREAS)
_RATING_SHORT = {Rating.GREEN: "Grønn", Rating.YELLOW: "Gul", Rating.RED: "Rød"}
_RATING_COLOR = {Rating.GREEN: "success", Rating.YELLOW: "warning", Rating.RED: "danger"}


@register.filter
def phase_label(code: str) -> Any:
    return _PHASES.get(code, code or "")


@register.filter
def area_label(code: str) -> Any:
    return _AREAS.get(code, code or "")


@register.filter
def rating_short(code: str) -> str:
    return _RATING_SHORT.get(code, "–")  # type: ignore[call-overload]


@register.filter
def rating_color(code: str) -> str:
    return _RATING_COLOR.get(code, "neutral")  # type: ignore[call-overload]


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def score(value: float | None) -> str:
    """A feedback score with one decimal in Norwegian notation (7,0; 4,3)."""
    return score_text(value)
