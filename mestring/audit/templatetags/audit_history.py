"""`{{ value|readable }}`: an exported value (ISO date, boolean, None) as Norwegian text (innsyn PDF)."""

from __future__ import annotations

from typing import Any

from django import template

from mestring.audit.history import format_value

register = template.Library()


@register.filter
def readable(value: Any) -> str:
    return format_value(None, value)
