"""Innsyn PDF filters.

`{{ value|readable }}`: an exported value (ISO date, boolean, None) as Norwegian text.
`{{ section|innsyn_block }}`: another app's section (nested dicts and lists) as labelled HTML.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mestring.audit.history import format_value
from mestring.audit.innsyn import label_for

register = template.Library()


@register.filter
def readable(value: Any) -> str:
    return format_value(None, value)


def _block(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return escape(_("Ingenting registrert."))
        rows = "".join(f"<dt>{escape(label_for(k))}</dt><dd>{_block(v)}</dd>" for k, v in value.items())
        return f"<dl>{rows}</dl>"
    if isinstance(value, list):
        if not value:
            return escape(_("Ingenting registrert."))
        if not any(isinstance(v, dict | list) for v in value):
            return escape(", ".join(readable(v) for v in value))
        return "<ol>" + "".join(f"<li>{_block(v)}</li>" for v in value) + "</ol>"
    return escape(readable(value))


@register.filter
def innsyn_block(value: Any) -> SafeString:
    """Nested export data as definition lists with Norwegian labels; every value is escaped."""
    return mark_safe(_block(value))  # noqa: S308 - built only from escaped parts
