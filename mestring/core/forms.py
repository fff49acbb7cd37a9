"""Form helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def validation_detail(exc: ValidationError) -> dict[str, Any]:
    """A service's ValidationError as {field: [messages]} (non-field messages under `non_field_errors`)."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def message_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Show a service's ValidationError as error messages on the next page (actions without a form)."""
    for message in exc.messages:
        messages.error(request, message)
