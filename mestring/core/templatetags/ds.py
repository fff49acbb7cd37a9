"""Template helpers for Designsystemet markup."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_CLASS_BY_WIDGET = {"select": "ds-input", "selectmultiple": "ds-input", "textarea": "ds-input"}


@register.simple_tag
def ds_widget(field: BoundField) -> SafeString:
    """Render a form widget with Designsystemet classes and the ARIA links to its help and errors."""
    attrs: dict[str, str | bool] = {"class": _CLASS_BY_WIDGET.get(field.widget_type, "ds-input")}
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}-help")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.id_for_label}-errors")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
